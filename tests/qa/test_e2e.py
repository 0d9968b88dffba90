"""Questions end to end over HTTP, against the Slack stand-in: DM, mention, slash command, experts, votes."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from bot.i18n import t
from bot.ids import Action, View
from bot.ids import Block as BlockId
from bot.ids import Field as FieldId
from bot.qa import lexicon
from bot.runtime import Runtime
from tests.conftest import ADMIN, RunningBot, start_bot
from tests.slack_standin import BOT_USER_ID, SlackStandIn, text_of

ALICE, BRUNO = "U0ALICE01", "U0BRUNO01"


def posts_to(standin: SlackStandIn, channel: str) -> list[dict[str, Any]]:
    return [c.args for c in standin.calls_to("chat.postMessage") if c.args.get("channel") == channel]


def button(payload: dict[str, Any], action_id: str) -> dict[str, Any]:
    for block in payload.get("blocks") or []:
        for element in block.get("elements") or [block.get("accessory") or {}]:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button")


def submit(bot: RunningBot, user: str, view: dict[str, Any], values: dict[str, str]) -> tuple[int, bytes]:
    payload = {
        "type": "view_submission",
        "team": {"id": "T0STANDIN"},
        "user": {"id": user},
        "api_app_id": "A0STANDIN",
        "token": "unused",
        "trigger_id": "2.trigger",
        "view": {
            "id": "V1",
            "type": "modal",
            "hash": "h",
            "callback_id": view["callback_id"],
            "private_metadata": view.get("private_metadata", ""),
            "state": {
                "values": {k: {FieldId.TEXT: {"type": "plain_text_input", "value": v}} for k, v in values.items()}
            },
        },
    }
    status, body, _ = bot.sender.interaction(payload)
    return status, body


def test_a_direct_message_is_answered_in_the_dm(bot: RunningBot, standin: SlackStandIn) -> None:
    bot.sender.direct_message(ALICE, "When is the deadline?")
    reply = standin.wait_for(lambda s: posts_to(s, "D0ALICE01"))[0]
    assert "16 September 2008" in text_of(reply) and "Source:" in text_of(reply)
    assert "thread_ts" not in reply
    button(reply, Action.ANSWER_VOTE_UP)
    assert not standin.problems


def test_the_first_direct_message_after_start_is_answered_quickly(
    rt: Runtime, standin: SlackStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lexicon, "_lexicon", None)  # a process that has just started
    bot = start_bot(rt, standin)
    try:
        started = time.perf_counter()
        bot.sender.direct_message(ALICE, "When is the deadline?")
        reply = standin.wait_for(lambda s: posts_to(s, "D0ALICE01"))[0]
        assert time.perf_counter() - started < 0.5
        assert "16 September 2008" in text_of(reply)
    finally:
        bot.stop()


def test_a_french_dm_gets_a_french_answer(bot: RunningBot, standin: SlackStandIn) -> None:
    bot.sender.direct_message(ALICE, "Quel programme les partenaires doivent-ils rejoindre ?")
    reply = standin.wait_for(lambda s: posts_to(s, "D0ALICE01"))[0]
    assert "Cisco Channel Partner Program" in text_of(reply) and "Source :" in text_of(reply)


def test_a_message_with_no_words_is_answered_in_the_askers_language(bot: RunningBot, standin: SlackStandIn) -> None:
    standin.add_person("U0FRANC01", "françoise", locale="fr-FR")
    bot.sender.direct_message("U0FRANC01", "🎉🎉🎉")
    french = text_of(standin.wait_for(lambda s: posts_to(s, "D0FRANC01"))[0])
    bot.sender.direct_message(ALICE, "🎉🎉🎉")
    english = text_of(standin.wait_for(lambda s: posts_to(s, "D0ALICE01"))[0])
    assert french != english
    assert any(word in french for word in ("Posez-moi", "Je ne sais pas")), french
    assert any(word in english for word in ("Ask me", "I don't know")), english


def test_a_mention_is_answered_in_the_thread_of_the_question(bot: RunningBot, standin: SlackStandIn) -> None:
    bot.sender.mention(BRUNO, "who sits on the small business council?")
    reply = standin.wait_for(lambda s: posts_to(s, "C0SALES01"))[0]
    assert reply["thread_ts"]
    assert "Sue Bostrom" in text_of(reply) and "Ian Pennell" in text_of(reply)


def test_a_mention_inside_a_thread_answers_in_that_thread(bot: RunningBot, standin: SlackStandIn) -> None:
    event = {
        "type": "app_mention",
        "channel": "C0SALES01",
        "user": BRUNO,
        "text": f"<@{BOT_USER_ID}> why did Cisco buy Linksys?",
        "ts": "1220340000.000200",
        "thread_ts": "1220340000.000100",
        "event_ts": "1220340000.000200",
    }
    bot.sender.event(event)
    reply = standin.wait_for(lambda s: posts_to(s, "C0SALES01"))[0]
    assert reply["thread_ts"] == "1220340000.000100" and "2003" in text_of(reply)


def test_bots_edits_joins_and_other_subtypes_get_no_answer(bot: RunningBot, standin: SlackStandIn) -> None:
    base = {"type": "message", "channel_type": "im", "channel": "D0ALICE01", "ts": "1.1", "text": "deadline?"}
    for extra in (
        {"user": BOT_USER_ID, "bot_id": "B1"},
        {"bot_id": "B2", "subtype": "bot_message"},
        {"user": ALICE, "subtype": "message_changed", "message": {"text": "deadline?"}},
        {"user": ALICE, "subtype": "message_deleted"},
        {"user": ALICE, "subtype": "channel_join"},
    ):
        status, _, _ = bot.sender.event({**base, **extra})
        assert status == 200
    bot.sender.direct_message(ALICE, "deadline?")  # the one real question, as a marker
    standin.wait_for(lambda s: posts_to(s, "D0ALICE01"))
    time.sleep(0.3)
    assert len(posts_to(standin, "D0ALICE01")) == 1


def test_slash_question_is_private_with_a_share_button(bot: RunningBot, standin: SlackStandIn) -> None:
    _, _, key = bot.sender.command("/transition", "how many Linksys partners are there?", ALICE)
    reply = standin.wait_response(key)
    assert reply["response_type"] == "ephemeral" and "20,000" in text_of(reply)
    share = button(reply, Action.ANSWER_SHARE)
    _, _, shared_key = bot.sender.click(ALICE, Action.ANSWER_SHARE, share["value"])
    shared = standin.wait_response(shared_key)
    assert shared["response_type"] == "in_channel"
    assert f"<@{ALICE}> shared an answer" in text_of(shared) and "20,000" in text_of(shared)
    # The private copy is replaced by one without the Share button: a second click would post it twice.
    kept = standin.wait_for(lambda s: s.responses_to(shared_key)[1:])[0]
    assert kept["replace_original"] is True and kept["response_type"] == "ephemeral"
    assert "Shared in the channel" in text_of(kept) and "20,000" in text_of(kept)
    assert Action.ANSWER_SHARE not in json.dumps(kept) and Action.ANSWER_VOTE_UP in json.dumps(kept)


def test_someone_else_cannot_share_my_answer(bot: RunningBot, standin: SlackStandIn) -> None:
    _, _, key = bot.sender.command("/transition", "who is John Chambers?", ALICE)
    share = button(standin.wait_response(key), Action.ANSWER_SHARE)
    _, _, other_key = bot.sender.click(BRUNO, Action.ANSWER_SHARE, share["value"])
    assert "Only the person who asked" in text_of(standin.wait_response(other_key))


def test_the_expert_loop(bot: RunningBot, standin: SlackStandIn) -> None:
    bot.sender.direct_message(ALICE, "Will Linksys warranties still be honoured?")
    reply = standin.wait_for(lambda s: posts_to(s, "D0ALICE01"))[0]
    assert "I don't know" in text_of(reply)
    request = standin.wait_for(lambda s: posts_to(s, "C0EXPERTS1"))[0]
    answer_button = button(request, Action.EXPERT_ANSWER)

    bot.sender.click(ADMIN, Action.EXPERT_ANSWER, answer_button["value"], channel="C0EXPERTS1")
    modal = standin.wait_for(lambda s: s.calls_to("views.open"))[0].args["view"]
    assert modal["callback_id"] == View.EXPERT_ANSWER

    status, body = submit(bot, ADMIN, modal, {BlockId.ANSWER: ""})
    assert status == 200 and json.loads(body)["response_action"] == "errors"
    status, _ = submit(bot, ADMIN, modal, {BlockId.ANSWER: "Yes: existing warranties stay valid. <!channel>"})
    assert status == 200

    dm = standin.wait_for(lambda s: posts_to(s, ALICE))[0]
    assert "existing warranties stay valid" in text_of(dm) and "<!channel>" not in text_of(dm)
    standin.wait_for(lambda s: s.calls_to("chat.update"))

    bot.sender.direct_message(BRUNO, "will linksys warranties still be honoured?")
    again = standin.wait_for(lambda s: posts_to(s, "D0BRUNO01"))[0]
    assert "existing warranties stay valid" in text_of(again)
    assert len(posts_to(standin, "C0EXPERTS1")) == 1
    assert not standin.problems


def test_asking_again_before_the_experts_answer_reaches_them_once(bot: RunningBot, standin: SlackStandIn) -> None:
    standin.add_person("U0FRANC01", "françoise", locale="fr-FR")
    question = "Qui remplace l'équipe Linksys à Évry pour les devis ?"
    for n, text in enumerate([question, question.upper()], start=1):
        bot.sender.direct_message("U0FRANC01", text)
        standin.wait_for(lambda s, n=n: len(posts_to(s, "D0FRANC01")) == n)
        standin.wait_for(lambda s: posts_to(s, "C0EXPERTS1"))
    first, second = (text_of(post) for post in posts_to(standin, "D0FRANC01"))
    assert t("qa.escalated", "fr") in first
    assert t("qa.waiting", "fr") in second and t("qa.escalated", "fr") not in second
    (request,) = posts_to(standin, "C0EXPERTS1")
    # Someone else asking the same thing needs the answer too: their question is posted.
    bot.sender.direct_message(BRUNO, question)
    standin.wait_for(lambda s: len(posts_to(s, "C0EXPERTS1")) == 2)

    bot.sender.click(ADMIN, Action.EXPERT_ANSWER, button(request, Action.EXPERT_ANSWER)["value"], channel="C0EXPERTS1")
    modal = standin.wait_for(lambda s: s.calls_to("views.open"))[0].args["view"]
    assert submit(bot, ADMIN, modal, {BlockId.ANSWER: "Le bureau Cisco d'Issy-les-Moulineaux."})[0] == 200
    standin.wait_for(lambda s: posts_to(s, "U0FRANC01"))
    bot.stop()  # waits for every message's work to end
    assert len(posts_to(standin, "U0FRANC01")) == 1
    assert not standin.problems


def test_votes_are_acknowledged_and_the_last_one_counts(bot: RunningBot, standin: SlackStandIn) -> None:
    bot.sender.direct_message(ALICE, "who is Nigel Lawson?")
    reply = standin.wait_for(lambda s: posts_to(s, "D0ALICE01"))[0]
    down = button(reply, Action.ANSWER_VOTE_DOWN)
    _, _, key = bot.sender.click(ALICE, Action.ANSWER_VOTE_UP, down["value"], channel="D0ALICE01")
    assert "👍" in text_of(standin.wait_response(key))
    _, _, key = bot.sender.click(ALICE, Action.ANSWER_VOTE_DOWN, down["value"], channel="D0ALICE01")
    assert "👎" in text_of(standin.wait_response(key))
    _, _, key = bot.sender.command("/transition", "faq gaps", ADMIN)
    gaps = text_of(standin.wait_response(key))
    assert "who is Nigel Lawson?" in gaps and "-1" in gaps


def test_an_admin_adds_an_answer_from_the_modal(bot: RunningBot, standin: SlackStandIn) -> None:
    _, _, key = bot.sender.command("/transition", "faq add", ADMIN)
    modal = standin.wait_for(lambda s: s.calls_to("views.open"))[0].args["view"]
    assert modal["callback_id"] == View.FAQ_ENTRY
    status, _ = submit(
        bot,
        ADMIN,
        modal,
        {BlockId.QUESTIONS_EN: "Who do I call at Cisco?", BlockId.ANSWER_EN: "Your Cisco channel account manager."},
    )
    assert status == 200
    standin.wait_for(lambda s: posts_to(s, ADMIN))
    _, _, key = bot.sender.command("/transition", "who do I call at Cisco?", ALICE)
    assert "channel account manager" in text_of(standin.wait_response(key))
