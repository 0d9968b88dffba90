"""The bot learns from use, over signed HTTP against the Slack stand-in, on SQLite and PostgreSQL: an expert points an
escalated question at an entry, an admin moves a 👎'd question, an entry added in Slack answers a paraphrase at once."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlmodel import col, select

from bot.app import build_runtime
from bot.clock import FixedClock
from bot.i18n import t
from bot.ids import Action, View
from bot.ids import Block as BlockId
from bot.qa.service import decide, engine
from bot.questions.builders import BEYOND, question_block_id
from bot.questions.faq import question_key
from bot.slack_text import escape
from storage import knowledge as store
from storage.db import Database
from storage.models import QaExample, Question
from tests.conftest import ADMIN, RunningBot, bots_started, make_settings
from tests.partners.conftest import fill
from tests.qa.test_e2e import button, posts_to, submit
from tests.slack_standin import TEAM_ID, SlackStandIn, text_of

ALICE, BRUNO, CHLOE = "U0ALICE01", "U0BRUNO01", "U0CHLOE01"
EXPERT = CHLOE
EXPERTS_CHANNEL = "C0EXPERTS1"
# Not in the article, but what the entry `partner_count` answers; the engine does not know it yet.
COUNT_QUESTION = "Combien de revendeurs Linksys existe-t-il sur la planète ?"
Start = Callable[..., RunningBot]


@pytest.fixture
def start(standin: SlackStandIn, database_url: str, db: Database, clock: FixedClock) -> Iterator[Start]:
    """Start the bot with the tests' usual settings, CHLOE as its expert, and the partner book filled."""
    fill(db)
    with bots_started(standin, database_url, db, clock, experts=frozenset({EXPERT})) as starter:
        yield starter


def examples(db: Database) -> list[QaExample]:
    with db.session() as session:
        return store.list_examples(session)


def question(db: Database, question_id: int) -> Question:
    with db.session() as session:
        found = session.get(Question, question_id)
    assert found is not None
    return found


def block_of(payload: dict[str, Any], action_id: str, nth: int = 0) -> str:
    """The block_id of the `nth` block holding the element `action_id`."""
    found = [
        str(block.get("block_id"))
        for block in payload.get("blocks") or []
        for element in block.get("elements") or []
        if isinstance(element, dict) and element.get("action_id") == action_id
    ]
    return found[nth]


def pick(bot: RunningBot, user: str, action_id: str, block_id: str, value: str, *, channel: str) -> str:
    """Choose `value` in the picker `action_id` of the block `block_id`, as Slack sends it; return the response key."""
    key = f"pick{time.perf_counter_ns()}"
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": user, "name": user.lower()},
        "api_app_id": "A0STANDIN",
        "token": "unused",
        "trigger_id": "1.trigger",
        "channel": {"id": channel},
        "container": {"type": "message", "message_ts": "1.000001"},
        "message": {"ts": "1.000001", "text": ""},
        "response_url": bot.sender.standin.response_url(key),
        "actions": [
            {
                "type": "external_select",
                "action_id": action_id,
                "block_id": block_id,
                "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value},
                "action_ts": str(time.time()),
            }
        ],
    }
    status, _, _ = bot.sender.interaction(payload)
    assert status == 200
    return key


def suggest(bot: RunningBot, user: str, action_id: str, block_id: str, typed: str) -> list[dict[str, Any]]:
    """The options Slack would show in the picker `action_id` for what `user` typed."""
    payload = {
        "type": "block_suggestion",
        "user": {"id": user},
        "team": {"id": TEAM_ID},
        "api_app_id": "A0STANDIN",
        "token": "unused",
        "action_id": action_id,
        "block_id": block_id,
        "value": typed,
        "container": {"type": "message", "message_ts": "1.000001", "channel_id": EXPERTS_CHANNEL},
    }
    status, body, _ = bot.sender.interaction(payload)
    assert status == 200
    return list(json.loads(body)["options"])


def escalate(bot: RunningBot, standin: SlackStandIn, user: str, text: str) -> tuple[int, str]:
    """`user` asks what the bot does not know; return the question's ID and its post's picker block."""
    before = len(posts_to(standin, EXPERTS_CHANNEL))
    bot.sender.direct_message(user, text)
    post = standin.wait_for(lambda s: posts_to(s, EXPERTS_CHANNEL)[before:])[0]
    return int(button(post, Action.EXPERT_ANSWER)["value"]), block_of(post, Action.EXPERT_POINT)


def dms(standin: SlackStandIn, user: str, needle: str) -> list[dict[str, Any]]:
    return [p for p in posts_to(standin, user) if needle in text_of(p)]


# ---- an expert points an escalated question at an entry ------------------------------------------
def test_an_expert_points_an_escalated_question_at_an_entry(start: Start, standin: SlackStandIn) -> None:
    bot = start()
    question_id, block = escalate(bot, standin, ALICE, COUNT_QUESTION)
    assert "Je ne sais pas" in text_of(standin.wait_for(lambda s: posts_to(s, "D0ALICE01"))[0])

    # The picker offers the entries that answer what is typed; never a partner's status, which needs a name.
    offered = suggest(bot, EXPERT, Action.EXPERT_POINT, block, "combien partenaires")
    assert offered[0]["value"] == "partner_count"
    everything = [o["value"] for o in suggest(bot, EXPERT, Action.EXPERT_POINT, block, "")]
    assert "deadline" in everything and "my_partners" in everything and "partner_status" not in everything
    assert BEYOND not in everything
    assert all(len(o["text"]["text"]) <= 75 for o in offered)

    # Someone who is no expert, a forged entry, a partner's status: refused, and nothing changes.
    key = pick(bot, BRUNO, Action.EXPERT_POINT, block, "partner_count", channel=EXPERTS_CHANNEL)
    assert "Only the bot's experts and admins" in text_of(standin.wait_response(key))
    for forged in ("partner_status", "no_such_entry", "x" * 300):
        key = pick(bot, EXPERT, Action.EXPERT_POINT, block, forged, channel=EXPERTS_CHANNEL)
        assert "There is no answer" in text_of(standin.wait_response(key))
    key = pick(bot, EXPERT, Action.EXPERT_POINT, "question.99999999", "partner_count", channel=EXPERTS_CHANNEL)
    assert "I no longer have that question" in text_of(standin.wait_response(key))
    key = pick(bot, EXPERT, Action.EXPERT_POINT, "question.1e3", "partner_count", channel=EXPERTS_CHANNEL)
    assert "That button is broken" in text_of(standin.wait_response(key))
    assert not examples(bot.rt.db) and question(bot.rt.db, question_id).answered_by is None
    assert not dms(standin, ALICE, "20")

    # The expert points it: the asker gets the entry's answer by DM, in French as she asked, with its source.
    key = pick(bot, EXPERT, Action.EXPERT_POINT, block, "partner_count", channel=EXPERTS_CHANNEL)
    assert "got the answer `partner_count`" in text_of(standin.wait_response(key))
    dm = standin.wait_for(lambda s: dms(s, ALICE, "dans le monde"))[0]
    assert f"<@{EXPERT}> a trouvé la réponse" in text_of(dm) and "Source :" in text_of(dm)
    assert COUNT_QUESTION in text_of(dm)
    button(dm, Action.ANSWER_VOTE_DOWN)  # the answer can be voted on, as any other
    update = standin.wait_for(lambda s: s.calls_to("chat.update"))[0].args
    assert update["channel"] == EXPERTS_CHANNEL and f"<@{EXPERT}> pointed it at `partner_count`" in text_of(update)
    assert not any(e.get("action_id") for b in update["blocks"] for e in b.get("elements") or [])

    (example,) = examples(bot.rt.db)
    assert (example.text, example.lang, example.slug, example.origin, example.question_id, example.created_by) == (
        COUNT_QUESTION,
        "fr",
        "partner_count",
        "expert",
        question_id,
        EXPERT,
    )
    asked = question(bot.rt.db, question_id)
    assert (asked.answered_by, asked.entry_slug, asked.outcome) == (EXPERT, "partner_count", "expert")

    # A second pick, by anyone, says who answered already and changes nothing.
    key = pick(bot, ADMIN, Action.EXPERT_POINT, block, "deadline", channel=EXPERTS_CHANNEL)
    assert f"<@{EXPERT}> already answered this question" in text_of(standin.wait_response(key))
    assert [e.slug for e in examples(bot.rt.db)] == ["partner_count"]
    assert len(dms(standin, ALICE, "a trouvé la réponse")) == 1
    assert not standin.problems


def test_a_question_pointed_at_an_entry_is_answered_with_it_at_once(start: Start, standin: SlackStandIn) -> None:
    bot = start()
    _, block = escalate(bot, standin, ALICE, COUNT_QUESTION)
    pick(bot, EXPERT, Action.EXPERT_POINT, block, "partner_count", channel=EXPERTS_CHANNEL)
    standin.wait_for(lambda s: dms(s, ALICE, "dans le monde"))
    bot.sender.direct_message(BRUNO, COUNT_QUESTION)
    again = standin.wait_for(lambda s: posts_to(s, "D0BRUNO01"))[0]
    assert "dans le monde" in text_of(again) and "Je ne sais pas" not in text_of(again)
    assert len(posts_to(standin, EXPERTS_CHANNEL)) == 1


def test_a_live_entry_pointed_at_is_computed_for_the_asker(start: Start, standin: SlackStandIn) -> None:
    bot = start()
    question_id, block = escalate(bot, standin, ALICE, "Will Linksys warranties still be honoured?")
    pick(bot, ADMIN, Action.EXPERT_POINT, block, "days_left", channel=EXPERTS_CHANNEL)
    dm = standin.wait_for(lambda s: dms(s, ALICE, "found the answer"))[0]
    assert "14 days" in text_of(dm) and "Source:" in text_of(dm)
    assert question(bot.rt.db, question_id).answered_by == ADMIN


# ---- an admin moves a 👎'd question --------------------------------------------------------------
def ask_and_vote_down(bot: RunningBot, standin: SlackStandIn, user: str, text: str) -> int:
    channel = "D" + user[1:]
    before = len(posts_to(standin, channel))
    bot.sender.direct_message(user, text)
    reply = standin.wait_for(lambda s: posts_to(s, channel)[before:])[0]
    down = button(reply, Action.ANSWER_VOTE_DOWN)
    _, _, key = bot.sender.click(user, Action.ANSWER_VOTE_DOWN, down["value"], channel=channel)
    standin.wait_response(key)
    return int(down["value"])


def gaps(bot: RunningBot, standin: SlackStandIn, user: str = ADMIN) -> dict[str, Any]:
    _, _, key = bot.sender.command("/transition", "faq gaps", user)
    return standin.wait_response(key)


def test_an_admin_moves_voted_down_questions_to_an_entry_or_beyond(start: Start, standin: SlackStandIn) -> None:
    bot = start()
    nigel = ask_and_vote_down(bot, standin, ALICE, "who is Nigel Lawson?")
    bought = ask_and_vote_down(bot, standin, BRUNO, "When did Cisco buy Linksys?")
    listed = gaps(bot, standin)
    assert "who is Nigel Lawson?" in text_of(listed) and "When did Cisco buy Linksys?" in text_of(listed)
    blocks = {int(b.split(".")[1]) for b in (block_of(listed, Action.GAP_MOVE, n) for n in range(2))}
    assert blocks == {nigel, bought}
    offered = suggest(bot, ADMIN, Action.GAP_MOVE, f"question.{nigel}", "")
    assert offered[0] == {
        "text": {"type": "plain_text", "text": "Beyond the bot's knowledge", "emoji": True},
        "value": "-",
    }
    assert "keith_goodwin" in [o["value"] for o in offered]

    # Only admins move questions; a forged entry, a question that is no gap, or none at all: refused, nothing stored.
    key = pick(bot, BRUNO, Action.GAP_MOVE, f"question.{bought}", BEYOND, channel="C0SALES01")
    assert "Only the bot's admins can change its answers" in text_of(standin.wait_response(key))
    key = pick(bot, EXPERT, Action.GAP_MOVE, f"question.{bought}", "deadline", channel="C0SALES01")
    assert "Only the bot's admins" in text_of(standin.wait_response(key))
    key = pick(bot, ADMIN, Action.GAP_MOVE, f"question.{nigel}", "partner_status", channel="C0SALES01")
    assert "There is no answer `partner_status`" in text_of(standin.wait_response(key))
    bot.sender.direct_message(ALICE, "When is the deadline?")
    standin.wait_for(lambda s: dms(s, "D0ALICE01", "16 September"))
    liked = max(q.id or 0 for q in all_questions(bot.rt.db))
    key = pick(bot, ADMIN, Action.GAP_MOVE, f"question.{liked}", BEYOND, channel="C0SALES01")
    assert "no longer a gap" in text_of(standin.wait_response(key))
    key = pick(bot, ADMIN, Action.GAP_MOVE, "question.999999999", BEYOND, channel="C0SALES01")
    assert "I no longer have that question" in text_of(standin.wait_response(key))
    key = pick(bot, ADMIN, Action.GAP_MOVE, "answer_block", BEYOND, channel="C0SALES01")
    assert "That button is broken" in text_of(standin.wait_response(key))
    assert not examples(bot.rt.db)

    # The admin moves one to the entry that answers it, the other beyond the bot's knowledge.
    key = pick(bot, ADMIN, Action.GAP_MOVE, f"question.{nigel}", "keith_goodwin", channel="C0SALES01")
    assert "“who is Nigel Lawson?” now leads to `keith_goodwin`" in text_of(standin.wait_response(key))
    key = pick(bot, ADMIN, Action.GAP_MOVE, f"question.{bought}", BEYOND, channel="C0SALES01")
    assert "beyond the bot's knowledge" in text_of(standin.wait_response(key))
    stored = {(e.question_id, e.text, e.slug, e.origin, e.created_by) for e in examples(bot.rt.db)}
    assert stored == {
        (nigel, "who is Nigel Lawson?", "keith_goodwin", "admin", ADMIN),
        (bought, "When did Cisco buy Linksys?", None, "admin", ADMIN),
    }
    after = gaps(bot, standin)
    assert "Nigel" not in text_of(after) and "buy Linksys" not in text_of(after)
    assert t("qa.gaps.down_none", "en") in text_of(after)
    assert not [p for p in posts_to(standin, ALICE) + posts_to(standin, BRUNO) if "found the answer" in text_of(p)]

    # A second verdict replaces the first.
    key = pick(bot, ADMIN, Action.GAP_MOVE, f"question.{nigel}", "nigel_lawson", channel="C0SALES01")
    standin.wait_response(key)
    assert {(e.question_id, e.slug) for e in examples(bot.rt.db)} == {(nigel, "nigel_lawson"), (bought, None)}
    assert not standin.problems


def all_questions(db: Database) -> list[Question]:
    with db.session() as session:
        return list(session.exec(select(Question).order_by(col(Question.id))))


def test_an_admin_answers_an_unanswered_question_from_the_gaps_in_french(start: Start, standin: SlackStandIn) -> None:
    bot = start()
    question_id, _ = escalate(bot, standin, ALICE, COUNT_QUESTION)
    listed = gaps(bot, standin)
    block = block_of(listed, Action.GAP_MOVE)
    assert block == f"question.{question_id}"
    key = pick(bot, ADMIN, Action.GAP_MOVE, block, "partner_count", channel="C0SALES01")
    assert "got the answer `partner_count`" in text_of(standin.wait_response(key))
    dm = standin.wait_for(lambda s: dms(s, ALICE, "dans le monde"))[0]
    assert f"<@{ADMIN}> a trouvé la réponse" in text_of(dm)
    assert "pointed it at `partner_count`" in text_of(standin.wait_for(lambda s: s.calls_to("chat.update"))[0].args)
    assert COUNT_QUESTION not in text_of(gaps(bot, standin))
    assert [(e.slug, e.origin) for e in examples(bot.rt.db)] == [("partner_count", "admin")]


def test_an_expert_writing_an_answer_replaces_an_admins_verdict(start: Start, standin: SlackStandIn) -> None:
    bot = start()
    question_id, block = escalate(bot, standin, ALICE, "Will Linksys warranties still be honoured?")
    pick(bot, ADMIN, Action.GAP_MOVE, block, BEYOND, channel="C0SALES01")
    standin.wait_for(lambda s: examples(bot.rt.db))
    modal = {"callback_id": View.EXPERT_ANSWER, "private_metadata": str(question_id)}
    submit(bot, EXPERT, modal, {BlockId.ANSWER: "Yes, they stay valid."})
    standin.wait_for(lambda s: dms(s, ALICE, "stay valid"))
    assert [(e.slug, e.origin) for e in examples(bot.rt.db)] == [(f"expert-q{question_id}", "expert")]


# ---- an entry added in Slack answers a paraphrase at once ----------------------------------------
def ask_command(bot: RunningBot, standin: SlackStandIn, user: str, text: str) -> str:
    _, _, key = bot.sender.command("/transition", text, user)
    return text_of(standin.wait_response(key))


def test_an_entry_added_in_slack_answers_a_paraphrase_at_once(
    start: Start, standin: SlackStandIn, database_url: str, db: Database, clock: FixedClock
) -> None:
    bot = start()
    other_worker = build_runtime(make_settings(standin, database_url), db=db, clock=clock)
    assert "I don't know" in ask_command(bot, standin, ALICE, "Does registering with Cisco cost anything?")
    # Another process's engine, built before the entry exists.
    assert decide(other_worker, "Does registering with Cisco cost anything?", user_id=BRUNO).outcome == "unknown"

    bot.sender.command("/transition", "faq add", ADMIN)
    modal = standin.wait_for(lambda s: s.calls_to("views.open"))[0].args["view"]
    status, _ = submit(
        bot,
        ADMIN,
        modal,
        {
            BlockId.QUESTIONS_EN: "Is there a fee to register with Cisco?",
            BlockId.QUESTIONS_FR: "L'inscription chez Cisco est-elle payante ?",
            BlockId.ANSWER_EN: "No: registering with Cisco is free.",
            BlockId.ANSWER_FR: "Non : l'inscription chez Cisco est gratuite.",
        },
    )
    assert status == 200
    standin.wait_for(lambda s: posts_to(s, ADMIN))
    assert "registering with Cisco is free" in ask_command(
        bot, standin, BRUNO, "Does registering with Cisco cost anything?"
    )
    assert "est gratuite" in ask_command(bot, standin, BRUNO, "Est-ce payant de s'inscrire chez Cisco ?")
    # No restart anywhere: another worker on the same database answers it too.
    elsewhere = decide(other_worker, "Does registering with Cisco cost anything?", user_id=BRUNO)
    assert elsewhere.outcome == "answered" and "free" in elsewhere.body


# ---- an admin moves questions once beyond the knowledge to the entry just saved --------------------
FEE_ENTRY = {
    BlockId.QUESTIONS_EN: "Is there a fee to register with Cisco?",
    BlockId.QUESTIONS_FR: "L'inscription chez Cisco est-elle payante ?",
    BlockId.ANSWER_EN: "No: registering with Cisco is free.",
    BlockId.ANSWER_FR: "Non : l'inscription chez Cisco est gratuite.",
}


def offered(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """The questions a saved entry's confirmation offers to move to it: (quoted text, button value)."""
    return [
        (str(block["text"]["text"]), str(block["accessory"]["value"]))
        for block in payload.get("blocks") or []
        if block.get("accessory", {}).get("action_id") == Action.BEYOND_MOVE
    ]


def test_an_admin_moves_a_question_marked_beyond_the_knowledge_to_the_entry_just_saved(
    start: Start, standin: SlackStandIn
) -> None:
    bot = start()
    bot.sender.command("/transition", "faq add", ADMIN)
    modal = standin.wait_for(lambda s: s.calls_to("views.open"))[0].args["view"]
    assert submit(bot, ADMIN, modal, FEE_ENTRY)[0] == 200
    saved = standin.wait_for(lambda s: posts_to(s, ADMIN))[0]
    choices = offered(saved)
    assert choices and "yet close to" in text_of(saved)
    slug, key = choices[0][1].split(" ")
    shown = next(e for e in engine(bot.rt).index.negatives if question_key(e.text) == key)
    assert escape(shown.text) in choices[0][0]

    # Only an admin may move it, and a forged button names no question: nothing changes.
    _, _, refused = bot.sender.click(BRUNO, Action.BEYOND_MOVE, choices[0][1], channel="D0ADMIN01")
    assert "admins" in text_of(standin.wait_response(refused))
    _, _, forged = bot.sender.click(ADMIN, Action.BEYOND_MOVE, f"{slug} 0000000000000000", channel="D0ADMIN01")
    assert "no longer marked beyond" in text_of(standin.wait_response(forged))
    assert examples(bot.rt.db) == []

    _, _, moved = bot.sender.click(ADMIN, Action.BEYOND_MOVE, choices[0][1], channel="D0ADMIN01")
    assert f"now leads to `{slug}`" in text_of(standin.wait_response(moved))
    assert [(e.text, e.slug, e.origin, e.question_id) for e in examples(bot.rt.db)] == [
        (shown.text, slug, "admin", None)
    ]
    decision = decide(bot.rt, shown.text, user_id=ALICE)
    assert decision.outcome == "answered" and decision.slug == slug
    # A second click on the same button says so again and changes nothing.
    _, _, again = bot.sender.click(ADMIN, Action.BEYOND_MOVE, choices[0][1], channel="D0ADMIN01")
    assert f"now leads to `{slug}`" in text_of(standin.wait_response(again))
    assert len(examples(bot.rt.db)) == 1
    assert not standin.problems


def test_a_saved_entry_offers_the_gaps_it_now_answers_and_a_click_answers_whoever_waits(
    start: Start, standin: SlackStandIn
) -> None:
    bot = start()
    question_id, _ = escalate(bot, standin, ALICE, "Does registering with Cisco cost anything?")
    escalate(bot, standin, BRUNO, "Will Linksys warranties still be honoured?")  # a gap the fee entry does not answer
    bot.sender.command("/transition", "faq add", ADMIN)
    modal = standin.wait_for(lambda s: s.calls_to("views.open"))[0].args["view"]
    assert submit(bot, ADMIN, modal, FEE_ENTRY)[0] == 200
    saved = standin.wait_for(lambda s: posts_to(s, ADMIN))[0]
    waiting = [block for block in saved["blocks"] if block.get("accessory", {}).get("action_id") == Action.GAP_MOVE]
    assert [block["block_id"] for block in waiting] == [question_block_id(question_id)]
    assert "wait in the gaps" in text_of(saved) and "warranties" not in text_of(saved)
    slug = waiting[0]["accessory"]["value"]

    _, _, refused = bot.sender.click(BRUNO, Action.GAP_MOVE, slug, channel="D0ADMIN01", block_id=waiting[0]["block_id"])
    assert "admins" in text_of(standin.wait_response(refused))
    assert question(bot.rt.db, question_id).answered_by is None
    _, _, moved = bot.sender.click(ADMIN, Action.GAP_MOVE, slug, channel="D0ADMIN01", block_id=waiting[0]["block_id"])
    standin.wait_response(moved)
    assert "registering with Cisco is free" in text_of(standin.wait_for(lambda s: dms(s, ALICE, "is free"))[0])
    assert question(bot.rt.db, question_id).answered_by == ADMIN
    assert [(e.slug, e.question_id) for e in examples(bot.rt.db)] == [(slug, question_id)]
    assert not standin.problems


def test_a_question_marked_beyond_the_bots_knowledge_stays_there(start: Start, standin: SlackStandIn) -> None:
    """Marked beyond while the experts had it: the asker, promised a DM, is told, the experts' post says it was
    handled; asked again by anyone, it is a plain "I don't know", passed to nobody, and no gap."""
    bot = start()
    asked = "Can partners bring their Linksys demo units to the partner summit in Nice?"
    bot.sender.direct_message(ALICE, asked)
    standin.wait_for(lambda s: posts_to(s, EXPERTS_CHANNEL))
    waiting = max(q.id or 0 for q in all_questions(bot.rt.db))
    key = pick(bot, ADMIN, Action.GAP_MOVE, f"question.{waiting}", BEYOND, channel="C0SALES01")
    assert "beyond the bot's knowledge" in text_of(standin.wait_response(key))
    told = standin.wait_for(lambda s: posts_to(s, ALICE))[0]
    assert "marked it as beyond what I can answer" in text_of(told) and "Nice" in text_of(told)
    update = standin.wait_for(lambda s: s.calls_to("chat.update"))[0]
    assert update.args["channel"] == EXPERTS_CHANNEL and f"<@{ADMIN}> marked it beyond" in text_of(update.args)
    bot.sender.direct_message(BRUNO, asked.upper())
    again = text_of(standin.wait_for(lambda s: posts_to(s, "D0BRUNO01"))[0])
    assert t("qa.beyond", "en") in again and t("qa.escalated", "en") not in again
    assert "Nice" not in text_of(gaps(bot, standin))
    bot.stop()  # waits for every message's work to end
    assert len(posts_to(standin, EXPERTS_CHANNEL)) == 1
    assert not standin.problems
