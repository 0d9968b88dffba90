"""Request signing: Slack's documented example, and what must be refused."""

from __future__ import annotations

import time

from tests.conftest import RunningBot
from tests.slack_standin import sign

DOC_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)


def test_signature_matches_slacks_documented_example() -> None:
    signature = sign("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", DOC_BODY)
    assert signature == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def test_bolt_verifier_accepts_the_documented_example() -> None:
    from slack_sdk.signature import SignatureVerifier

    verifier = SignatureVerifier("8f742231b10e8888abcd99yyyzzz85a5", clock=_FrozenClock(1531420618 + 10))
    assert verifier.is_valid(
        DOC_BODY, "1531420618", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )


class _FrozenClock:
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def test_tampered_body_is_refused(bot: RunningBot) -> None:
    body = b"command=%2Fpartner&text=help&user_id=U0ALICE01"
    ts = str(int(time.time()))
    good = sign(bot.sender.secret, ts, body)
    status, _, _ = bot.sender.post(body + b"x", "application/x-www-form-urlencoded", timestamp=ts, signature=good)
    assert status == 401


def test_old_timestamp_is_refused(bot: RunningBot) -> None:
    status, _, _ = bot.sender.command("/partner", "help", "U0ALICE01", timestamp=str(int(time.time()) - 6 * 60))
    assert status == 401


def test_unsigned_request_is_refused(bot: RunningBot) -> None:
    status, _, _ = bot.sender.post(b"command=%2Fpartner&text=help", "application/x-www-form-urlencoded", signature="")
    assert status == 401
