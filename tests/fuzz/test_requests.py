"""Forged, replayed, unsigned and malformed requests: refused, never a 5xx, never acted on."""

from __future__ import annotations

import json
import socket
import time
import urllib.parse

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.conftest import ADMIN, RunningBot
from tests.fuzz.conftest import FUZZ, assert_clean, seed_partners, settle, snapshot
from tests.slack_standin import SlackStandIn, sign


def command_body(standin: SlackStandIn, text: str, user: str = ADMIN) -> bytes:
    form = {
        "command": "/partner",
        "text": text,
        "user_id": user,
        "channel_id": "C0SALES01",
        "team_id": "T0STANDIN",
        "response_url": standin.response_url("forged"),
        "trigger_id": "1.trigger",
    }
    return urllib.parse.urlencode(form).encode()


def test_forged_signatures_are_refused(bot: RunningBot, standin: SlackStandIn) -> None:
    seed_partners(bot.rt)
    before = snapshot(bot.rt)
    body = command_body(standin, "update LNK-0001 registered forged")

    @FUZZ
    @given(
        signature=st.one_of(
            st.text(
                alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=80
            ),
            st.binary(min_size=32, max_size=32).map(lambda b: "v0=" + b.hex()),
            st.sampled_from(["v0=", "v1=" + "0" * 64, "v0=" + "0" * 64]),
        ),
        secret=st.sampled_from(["", "wrong-secret", "8f742231b10e8888abcd99yyyzzz85a6"]),
    )
    @example(signature="é", secret="")
    @example(signature="v0=" + "é" * 64, secret="")
    def run(signature: str, secret: str) -> None:
        ts = str(int(time.time()))
        for forged in (signature, sign(secret, ts, body)):
            if not forged:
                continue
            status, _, _ = bot.sender.post(body, "application/x-www-form-urlencoded", timestamp=ts, signature=forged)
            assert status in (400, 401)  # 400: waitress refuses some bytes in headers outright

    run()
    settle(standin)
    assert standin.responses_to("forged") == []
    assert snapshot(bot.rt) == before


@pytest.mark.parametrize("age_s", [301, 6 * 60, 24 * 3600, -6 * 60])
def test_replayed_requests_outside_the_window_are_refused(bot: RunningBot, standin: SlackStandIn, age_s: int) -> None:
    body = command_body(standin, "help")
    ts = str(int(time.time()) - age_s)
    # A genuine signature, captured and sent again later (or stamped in the future).
    status, _, _ = bot.sender.post(
        body, "application/x-www-form-urlencoded", timestamp=ts, signature=sign(bot.sender.secret, ts, body)
    )
    assert status == 401
    settle(standin, quiet=0.2)
    assert standin.responses_to("forged") == []


def test_a_signed_request_inside_the_window_is_served(bot: RunningBot, standin: SlackStandIn) -> None:
    body = command_body(standin, "help")
    ts = str(int(time.time()) - 60)
    status, _, _ = bot.sender.post(
        body, "application/x-www-form-urlencoded", timestamp=ts, signature=sign(bot.sender.secret, ts, body)
    )
    assert status == 200
    assert standin.wait_response("forged")


latin1 = st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f")


@given(
    timestamp=st.one_of(
        st.text(alphabet=latin1, min_size=1, max_size=20),
        st.integers().map(str),
        st.sampled_from(["1e9", " 1700000000", "0x10", "-0", "99999999999999999999"]),
    )
)
@FUZZ
@example(timestamp="abc")
@example(timestamp="é")
def test_odd_timestamps_are_refused_and_never_answered(bot: RunningBot, standin: SlackStandIn, timestamp: str) -> None:
    body = command_body(standin, "help")
    if timestamp.isascii() and timestamp.isdigit() and abs(int(timestamp) - time.time()) < 300:
        return
    try:
        signature = sign(bot.sender.secret, timestamp, body)
    except UnicodeEncodeError:
        signature = "v0=" + "0" * 64
    status, _, _ = bot.sender.post(body, "application/x-www-form-urlencoded", timestamp=timestamp, signature=signature)
    assert status in (400, 401)
    # Bolt used to raise on these and its error path then answered the request's response_url.
    assert standin.responses_to("forged") == []


def test_unsigned_requests_of_every_kind_are_refused(bot: RunningBot, standin: SlackStandIn) -> None:
    bodies = [
        (command_body(standin, "help"), "application/x-www-form-urlencoded"),
        (
            json.dumps({"type": "event_callback", "event_id": "EvX", "event": {"type": "message"}}).encode(),
            "application/json",
        ),
        (
            urllib.parse.urlencode({"payload": json.dumps({"type": "block_actions", "actions": []})}).encode(),
            "application/x-www-form-urlencoded",
        ),
    ]
    for body, content_type in bodies:
        status, _, _ = bot.sender.post(body, content_type, signature="")
        assert status == 401
    # url_verification is refused unsigned too: Bolt checks the signature before answering it.
    challenge = json.dumps({"type": "url_verification", "challenge": "c-1"}).encode()
    assert bot.sender.post(challenge, "application/json", signature="")[0] == 401


def test_bodies_bolt_cannot_read_get_a_400_not_a_500(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, standin: SlackStandIn
) -> None:
    # Both were 500s with a traceback before the router checked them (found by the fuzzer).
    not_utf8 = b"\x97payload=%7B%7D"
    status, _, _ = bot.sender.post(not_utf8, "application/x-www-form-urlencoded")
    assert status == 400
    no_actions = urllib.parse.urlencode(
        {"payload": json.dumps({"type": "interactive_message", "callback_id": "x", "user": {"id": ADMIN}})}
    ).encode()
    status, _, _ = bot.sender.post(no_actions, "application/x-www-form-urlencoded")
    assert status == 400
    empty_actions = urllib.parse.urlencode(
        {"payload": json.dumps({"type": "block_actions", "actions": [], "user": {"id": ADMIN}})}
    ).encode()
    assert bot.sender.post(empty_actions, "application/x-www-form-urlencoded")[0] < 500
    assert_clean(standin, caplog)


def test_oversized_bodies_are_refused(bot: RunningBot) -> None:
    # Refused on the headers, before the body is read: a client still sending it may be cut off, so only
    # the headers are sent here.
    host, port = bot.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 1100005\r\n\r\ntext=xxxx"
        )
        assert conn.recv(1024).startswith(b"HTTP/1.1 413")
