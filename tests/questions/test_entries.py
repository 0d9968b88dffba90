"""The pickers of entries: what they offer, in which order, and the blocks that carry a question's ID; an entry's
answer in one language only, and how it is said."""

from __future__ import annotations

from bot.i18n import Lang, reading
from bot.ids import Action
from bot.qa.knowledge import Entry, shipped
from bot.questions import builders, faq_builders
from bot.questions.builders import BEYOND
from bot.questions.entries import choice, pickable, rank, written_in
from bot.questions.faq_builders import Gap

ENTRIES = pickable(shipped().entries)


def entry(slug: str, en: tuple[str, ...], fr: tuple[str, ...] = ()) -> Entry:
    return Entry(slug=slug, questions_en=en, questions_fr=fr, answer_en="a", answer_fr="")


def slugs(query: str, entries: list[Entry] = ENTRIES) -> list[str]:
    return [e.slug for e in rank(entries, query)]


def test_a_partners_status_is_never_offered_and_every_other_entry_is() -> None:
    every = {e.slug for e in shipped().entries}
    assert {e.slug for e in ENTRIES} == every - {"partner_status"}
    assert slugs("") == [e.slug for e in ENTRIES]  # nothing typed: every entry, in order


def test_typed_words_rank_the_entries_in_either_language_without_case_or_accents() -> None:
    assert slugs("combien partenaires")[0] == "partner_count"
    assert slugs("DATE LIMITE")[0] == "deadline"
    assert slugs("Sue")[:1] == ["sue_bostrom"]
    assert slugs("council")[:2] == ["council_members", "council"]
    assert slugs("deadl")[0] == "deadline"  # the start of a word
    assert slugs("échéance")[0] in {"deadline", "days_left"}
    assert slugs("zzzz") == []


def test_a_rare_word_outweighs_common_ones_and_agreeing_phrasings_break_ties() -> None:
    entries = [
        entry("common", ("how many days are left", "how many weeks")),
        entry("rare", ("how many resellers",)),
        entry("twice", ("how many resellers", "resellers how many")),
    ]
    assert slugs("how many resellers", entries) == ["twice", "rare", "common"]


def test_the_slug_is_searched_too_and_a_long_query_is_cut() -> None:
    assert slugs("nigel_lawson")[0] == "nigel_lawson"
    assert slugs("sue " * 10_000)[:1] == ["sue_bostrom"]


def test_an_option_shows_the_first_phrasing_in_the_readers_language() -> None:
    only_fr = entry("fr_only", (), ("Une question ?", "Une autre ?"))
    assert choice(ENTRIES[0], "fr").title == "Quelle est la date limite ?"
    assert choice(ENTRIES[0], "en").title == "When is the deadline?"
    assert choice(only_fr, "en").title == "Une question ?"


def test_a_question_travels_in_its_blocks_id_and_nothing_else_reads_as_one() -> None:
    block_id = builders.question_block_id(42)
    assert builders.question_of_block(block_id) == "42"
    assert builders.question_of_block("answer_block") == ""
    assert builders.question_of_block("other.42") == ""
    assert builders.question_of_block("") == ""


def test_the_experts_post_offers_the_picker_beside_the_answer_button() -> None:
    with reading(Lang.FR):
        post = builders.build_expert_request(question_id=7, user_id="U1", text="Combien ?", lang="fr")
    (row,) = [b for b in post.blocks or [] if b["type"] == "actions"]
    assert row["block_id"] == "question.7"
    assert [e["action_id"] for e in row["elements"]] == [Action.EXPERT_ANSWER, Action.EXPERT_POINT]
    picker = row["elements"][1]
    assert picker["type"] == "external_select" and picker["placeholder"]["text"] == "Déjà couverte par…"


def test_the_gaps_give_each_question_a_picker_and_name_a_question_once() -> None:
    unanswered = [Gap(1, "a?", "en", "now", None, None), Gap(2, "b?", "fr", "now", None, None)]
    down = [Gap(2, "b?", "fr", "now", "deadline", -1), Gap(3, "c?", "en", "now", None, -2)]
    reply = faq_builders.build_gaps(unanswered=unanswered, down_voted=down, command="/transition")
    rows = [b for b in reply.blocks or [] if b["type"] == "actions"]
    assert [r["block_id"] for r in rows] == ["question.1", "question.2", "question.3"]
    assert [[e["action_id"] for e in r["elements"]] for r in rows] == [
        [Action.EXPERT_ANSWER, Action.GAP_MOVE],
        [Action.EXPERT_ANSWER, Action.GAP_MOVE],
        [Action.GAP_MOVE],  # no entry to edit
    ]
    options = builders.build_entry_options([], beyond=True)["options"]
    assert [o["value"] for o in options] == [BEYOND]


def test_an_answer_in_one_language_only_is_said_so_in_the_readers() -> None:
    french_only = Entry(slug="cat", questions_en=(), questions_fr=("Chat ?",), answer_en="", answer_fr="Il est noir.")
    assert written_in(french_only, "en") == "fr" and written_in(french_only, "fr") is None
    assert written_in(entry("x", ("X?",)), "fr") == "en"
    assert all(written_in(e, lang) is None for e in shipped().entries for lang in ("en", "fr"))
    reply = builders.build_answer(builders.Answered("en", "Il est noir.", "s", 7, written_in="fr"))
    assert reply.text.startswith("This answer exists only in French:\nIl est noir.")
    reply = builders.build_answer(builders.Answered("fr", "It is black.", "s", 7, written_in="en"))
    assert reply.text.startswith("Cette réponse n'existe qu'en anglais :\nIt is black.")
