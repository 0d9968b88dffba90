"""The index's signals that do not come from the ranker: here, how an entry's own words match a question's."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from bot.qa import index as index_module
from bot.qa.index import Example, Index
from bot.qa.knowledge import Entry
from bot.qa.semantic import Encoder

FEE = Entry(
    slug="fee",
    questions_en=("Is there a fee to register?",),
    questions_fr=("L'inscription est-elle payante ?",),
    answer_en="No. Registration is free of charge.",
    answer_fr="Non. L'inscription est gratuite.",
    origin="admin",
)
PORTAL = Entry(
    slug="portal",
    questions_en=("Which website do partners log in to?",),
    questions_fr=("Sur quel site les partenaires se connectent-ils ?",),
    answer_en="Partner Central, with their Cisco.com account.",
    answer_fr="Partner Central, avec leur compte Cisco.com.",
    origin="admin",
)


class CountingEncoder(Encoder):
    """The shared model, with the words looked up one by one counted."""

    def __init__(self) -> None:
        super().__init__()
        self.looked_up: list[int] = []

    def word_vectors(self, words: Sequence[str]) -> dict[str, np.ndarray]:
        self.looked_up.append(len(words))
        return super().word_vectors(words)


def test_an_entrys_words_match_a_question_in_other_words(encoder: Encoder) -> None:
    index = Index([FEE, PORTAL], [], encoder)
    for question, lang in (("How much does it cost to join?", "en"), ("Faut-il payer pour adhérer ?", "fr")):
        signals = index.measure(question, lang)
        assert signals.wording[0] > signals.wording[1], question
        assert signals.rare_wording[0] > signals.rare_wording[1], question


def test_a_word_the_entry_uses_matches_fully(encoder: Encoder) -> None:
    index = Index([FEE, PORTAL], [], encoder)
    signals = index.measure("registration fee", "en")
    assert signals.wording[0] == pytest.approx(1.0, abs=1e-3)


def test_a_long_message_has_a_bounded_number_of_words_looked_up() -> None:
    counting = CountingEncoder()
    index = Index([FEE, PORTAL], [], counting)
    many = " ".join(f"zork{i}" for i in range(5000)) + " is there a fee?"
    index.measure(many, "en")
    assert counting.looked_up and max(counting.looked_up) <= index_module.WORDS_READ


def test_without_the_model_the_signal_is_zero() -> None:
    class Missing(Encoder):
        def load(self) -> bool:
            return False

    signals = Index([FEE, PORTAL], [], Missing()).measure("How much does it cost?", "en")
    assert not signals.wording.any() and not signals.rare_wording.any()


def test_questions_beyond_the_knowledge_nearest_an_entry_come_first_once_each(encoder: Encoder) -> None:
    beyond = [
        Example("Does it cost anything to sign up?", "en", None),
        Example("What is the capital of Peru?", "en", None),
        Example("Does it cost anything to sign up?", "en", None),  # two sets asked it: listed once
        Example("Where do I log in?", "en", "portal"),  # an entry's example, not beyond the knowledge
    ]
    index = Index([FEE, PORTAL], beyond, encoder)
    near = index.near_beyond("fee", floor=0.0, limit=5)
    assert [example.text for example in near] == ["Does it cost anything to sign up?", "What is the capital of Peru?"]
    assert [e.text for e in index.near_beyond("fee", floor=0.6, limit=5)] == ["Does it cost anything to sign up?"]
    assert index.near_beyond("fee", floor=0.0, limit=1) == near[:1]
    assert index.near_beyond("no-such-entry", floor=0.0, limit=5) == []
    assert Index([FEE, PORTAL], beyond, None).near_beyond("fee", floor=0.0, limit=5) == []
