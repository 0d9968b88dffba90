"""Block Kit builders: limits, fallback text, escaping."""

from __future__ import annotations

from bot.blocks import MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX
from bot.ids import Action, View
from bot.questions import builders, faq_builders
from bot.questions.builders import Answered, Unknown
from bot.questions.faq_builders import Gap


def _texts(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b.get("type") == "section"]


def test_a_long_answer_is_split_across_sections_and_keeps_its_buttons() -> None:
    body = ("Une très longue réponse. " * 600).strip()
    reply = builders.build_answer(Answered("fr", body, "l'article", 7, share=True))
    assert reply.blocks is not None and len(reply.blocks) <= MESSAGE_BLOCKS_MAX
    assert all(len(text) <= SECTION_TEXT_MAX for text in _texts(reply.blocks))
    assert "".join(_texts(reply.blocks)).replace(" ", "") == body.replace(" ", "")
    buttons = reply.blocks[-1]["elements"]
    assert [b["action_id"] for b in buttons] == [Action.ANSWER_SHARE, Action.ANSWER_VOTE_UP, Action.ANSWER_VOTE_DOWN]
    assert {b["value"] for b in buttons} == {"7"}
    assert "Source : l'article" in reply.text


def test_i_dont_know_is_plain_in_both_languages() -> None:
    en = builders.build_unknown(Unknown("en", ("When is the deadline?",), True, 3))
    fr = builders.build_unknown(Unknown("fr", ("<!channel> ?",), False, 3))
    assert "I don't know" in en.text and "experts" in en.text
    assert "Je ne sais pas" in fr.text and "experts" not in fr.text
    assert "<!channel>" not in fr.text and "&lt;!channel&gt;" in fr.text


def test_expert_request_quotes_the_question_inertly() -> None:
    reply = builders.build_expert_request(question_id=5, user_id="U1", text="ping <!here> & co", lang="fr")
    assert "<!here>" not in str(reply.blocks) and "&lt;!here&gt; &amp; co" in reply.text
    assert reply.blocks is not None
    assert reply.blocks[-1]["elements"][0]["action_id"] == Action.EXPERT_ANSWER


def test_modals_respect_slack_limits() -> None:
    for view in (
        builders.build_expert_modal(question_id=1, text="x" * 5000, lang="fr"),
        faq_builders.build_faq_modal(slug="ceo", questions_en=["q"] * 10, answer_en="a" * 4000),
        faq_builders.build_faq_modal(),
    ):
        assert len(view["title"]["text"]) <= 24
        assert view["callback_id"] in (View.EXPERT_ANSWER, View.FAQ_ENTRY)
        for block in view["blocks"]:
            if block["type"] == "input":
                assert len(block["element"].get("initial_value", "")) <= 3000


def test_gaps_list_fits_in_one_message() -> None:
    gaps = [Gap(i, f"question {i}", "en", "2008-09-02 09:30", "ceo", -2) for i in range(100)]
    reply = faq_builders.build_gaps(unanswered=gaps, down_voted=gaps, command="/transition")
    assert reply.blocks is not None and len(reply.blocks) <= MESSAGE_BLOCKS_MAX
    assert "question 0" in reply.text


def test_read_modal_takes_each_input_by_block() -> None:
    values = {"answer_block": {"text_input": {"value": "  Oui. "}}, "other": {"text_input": {"value": None}}}
    assert builders.read_modal(values) == {"answer_block": "Oui.", "other": ""}
