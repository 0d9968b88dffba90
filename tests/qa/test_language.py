"""French or English from a few words."""

from __future__ import annotations

import pytest

from bot.qa.language import detect


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("When is the deadline?", "en"),
        ("Quelle est la date limite ?", "fr"),
        ("deadline?", "en"),
        ("échéance ?", "fr"),
        ("c'est quand la deadline", "fr"),
        ("c koi la date limite", "fr"),
        ("how many days left", "en"),
        ("il reste combien de jours", "fr"),
        ("qui est le pdg de cisco", "fr"),
        ("who is the CEO of Cisco", "en"),
        ("pourquoi linksys a garde son nom", "fr"),
        ("hw many partnrs", "en"),
        ("pdg cisco", "fr"),  # keyword queries: one French abbreviation is all there is
        ("source infos bot", "fr"),
        ("tpe pme linksys", "fr"),
    ],
)
def test_short_questions(text: str, lang: str) -> None:
    assert detect(text) == lang


def test_names_alone_fall_back_to_the_default() -> None:
    assert detect("Nigel Lawson", neutral={"nigel", "lawson"}) == "en"
    assert detect("Nigel Lawson", neutral={"nigel", "lawson"}, default="fr") == "fr"
    assert detect("") == "en"
