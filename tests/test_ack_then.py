"""handlers.common.ack_then: the ack is answered in the request thread, the work runs in the app's executor."""

from __future__ import annotations

import time
from concurrent.futures import Future
from typing import Any

import pytest
from slack_bolt import Ack, App
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from handlers.common import ack_then
from tests.slack_standin import SIGNING_SECRET, TOKEN, SlackStandIn, sign


class RecordingExecutor:
    """Keeps submitted work instead of running it, so a test sees what the ack did before any work."""

    def __init__(self) -> None:
        self.work: list[tuple[Any, tuple[Any, ...]]] = []

    def submit(self, fn: Any, /, *args: Any) -> Future[None]:
        self.work.append((fn, args))
        return Future()


def _app(executor: RecordingExecutor, standin: SlackStandIn) -> App:
    return App(
        signing_secret=SIGNING_SECRET,
        client=WebClient(token=TOKEN, base_url=standin.api_url),
        token_verification_enabled=False,
        process_before_response=True,
        listener_executor=executor,  # type: ignore[arg-type]
    )


def _command(app: App, text: str) -> Any:
    body = (
        f"command=%2Fzebra&text={text}&user_id=U0ALICE01&channel_id=C0SALES01&response_url=http%3A%2F%2Fx.invalid%2Fr"
    )
    ts = str(int(time.time()))
    headers = {"x-slack-request-timestamp": [ts], "x-slack-signature": [sign(SIGNING_SECRET, ts, body.encode())]}
    return app.dispatch(BoltRequest(body=body, headers=headers))


def test_the_ack_returns_before_the_work_runs_and_the_work_gets_the_parsed_body(standin: SlackStandIn) -> None:
    executor = RecordingExecutor()
    app = _app(executor, standin)
    seen: list[str] = []

    def work(body: dict[str, Any]) -> None:
        seen.append(body["text"])

    app.command("/zebra")(ack_then(app, work))
    response = _command(app, "hello")
    assert response.status == 200 and seen == []  # acknowledged, nothing done yet
    ((runner, args),) = executor.work
    runner(*args)
    assert seen == ["hello"]


def test_a_check_answers_the_ack_itself(standin: SlackStandIn) -> None:
    executor = RecordingExecutor()
    app = _app(executor, standin)

    def check(ack: Ack, body: dict[str, Any]) -> bool:
        ack(text=f"checked {body['text']}")
        return body["text"] != "refused"

    app.command("/zebra")(ack_then(app, lambda body: None, check=check))
    assert "checked hi" in _command(app, "hi").body
    assert len(executor.work) == 1
    assert "checked refused" in _command(app, "refused").body
    assert len(executor.work) == 1  # a refused request runs no work


def test_work_asking_for_what_it_will_never_get_fails_at_registration(standin: SlackStandIn) -> None:
    def work(body: dict[str, Any], say: Any) -> None:
        raise AssertionError("never runs")

    with pytest.raises(TypeError, match="say"):
        ack_then(_app(RecordingExecutor(), standin), work)


def test_a_reply_without_a_response_url_is_dropped_not_raised() -> None:
    """Found by the fuzzer: a forged App Home click carries no response_url, and Bolt's respond raised."""
    from slack_bolt.context.respond import Respond

    from bot.replies import Reply
    from handlers.common import respond_with

    respond_with(Respond(response_url=None), Reply(text="hello"))
