"""The shipped knowledge base: complete, bilingual, sourced; stored entries override it."""

from __future__ import annotations

import pytest

from bot.qa.knowledge import LIVE_KINDS, StoredEntry, merge, parse_seed, shipped

ARTICLE_FACTS = [
    # Every fact of the article has an entry; the answer states it in both languages.
    ("deadline", "16 September", "16 septembre"),
    ("time_window", "one month", "un mois"),
    ("partner_count", "20,000", "20 000"),
    ("program", "Cisco Channel Partner Program", "Cisco Channel Partner Program"),
    ("what_to_do", "register as a Cisco partner", "enregistrer en tant que partenaire de Cisco"),
    ("announcement", "8 August", "8 août"),
    ("natural_evolution", "natural evolution", "évolution naturelle"),
    ("acquisition", "2003", "2003"),
    ("brand_kept", "own name", "nom en propre"),
    ("market_split", "250 employees", "250 salariés"),
    ("smb_strategy", "three years", "trois ans"),
    ("ceo", "John Chambers", "John Chambers"),
    ("council", "small business council", "small business council"),
    ("council_members", "Keith Goodwin", "Keith Goodwin"),
    ("sue_bostrom", "marketing", "marketing"),
    ("keith_goodwin", "distribution", "distribution"),
    ("ian_pennell", "small business", "petites entreprises"),
    ("nigel_lawson", "February", "février"),
    ("why_faster", "no longer tenable", "n'était plus tenable"),
    ("two_worlds", "both product ranges", "deux gammes"),
]


@pytest.mark.parametrize(("slug", "en", "fr"), ARTICLE_FACTS)
def test_every_fact_of_the_article_is_answered_in_both_languages(slug: str, en: str, fr: str) -> None:
    entry = next(e for e in shipped().entries if e.slug == slug)
    text_en = entry.answer_en if slug != "deadline" else entry.answer_en.replace("*", "")
    assert en.lower() in text_en.replace("*", "").lower()
    assert fr.lower() in entry.answer_fr.replace("*", "").lower()
    assert "2008" in entry.source("en") and "août 2008" in entry.source("fr")


def test_every_entry_has_several_phrasings_in_each_language() -> None:
    for entry in shipped().entries:
        assert len(entry.questions_en) >= 5, entry.slug
        assert len(entry.questions_fr) >= 5, entry.slug
        assert entry.live in LIVE_KINDS or (entry.answer_en and entry.answer_fr), entry.slug


def test_a_stored_entry_overrides_a_shipped_one_and_can_hide_it() -> None:
    seed = shipped()
    edited = StoredEntry("ceo", "Who leads Cisco?", "", "John Chambers, CEO.", "", "article", "admin", True)
    added = StoredEntry("expert-q1", "Is there a fee?", "", "No fee.", "", "<@U1> (2008-09-03)", "expert", True)
    hidden = StoredEntry("help", "", "", "", "", "", "admin", False)
    entries = {e.slug: e for e in merge(seed, [edited, added, hidden])}
    assert entries["ceo"].questions_en == ("Who leads Cisco?",)
    assert entries["ceo"].source("en") == seed.sources["article"]["en"]
    assert entries["expert-q1"].source("fr") == "réponse de notre expert <@U1> (2008-09-03)"
    assert entries["expert-q1"].answer("fr") == "No fee."  # falls back to the language it was written in
    assert "help" not in entries


@pytest.mark.parametrize(
    "bad",
    [
        {"entry": [{"slug": "Bad Slug", "questions_en": ["q"], "answer_en": "a"}]},
        {"entry": [{"slug": "x", "questions_en": ["q"], "answer_en": "a", "source": "nowhere"}]},
        {"entry": [{"slug": "x", "questions_en": ["q"], "live": "weather"}]},
        {"entry": [{"slug": "x", "answer_en": "a"}]},
    ],
)
def test_a_malformed_seed_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        parse_seed(bad)
