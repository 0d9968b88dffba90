"""Helpers every surface shares: payload readers, and listeners that ack at once and work afterwards."""

from __future__ import annotations

import contextvars
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot import i18n
from bot.replies import OpenModal, Outcome, Reply
from bot.server import QuestionPool
from bot.slack_text import as_typed
from handlers import errors

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandArgs:
    """What every slash command handler reads from the payload."""

    user_id: str
    text: str
    channel_id: str


def command_args(body: dict[str, Any]) -> CommandArgs:
    """The typed essentials of a slash command payload, its text as the person typed it (`as_typed`)."""
    return CommandArgs(
        user_id=str(body.get("user_id") or ""),
        text=as_typed(str(body.get("text") or "")),
        channel_id=str(body.get("channel_id") or ""),
    )


def actor(body: dict[str, Any]) -> str:
    """The Slack user ID of whoever clicked, chose or submitted (interaction payloads)."""
    return str((body.get("user") or {}).get("id") or "")


@dataclass(frozen=True)
class Clicked:
    """The first action of a block_actions payload."""

    action_id: str
    value: str
    block_id: str = ""


def clicked(body: dict[str, Any]) -> Clicked:
    """The clicked element's action_id, value (a button's value, or the chosen option's of a menu) and block_id."""
    action = (body.get("actions") or [{}])[0]
    value = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
    return Clicked(str(action.get("action_id") or ""), str(value), str(action.get("block_id") or ""))


def ack_form(ack: Ack, errors: dict[str, str]) -> bool:
    """Acknowledge a form: show `errors` in it, or accept it; say whether it was accepted."""
    if errors:
        ack(response_action="errors", errors=errors)
        return False
    ack()
    return True


def ack_now(ack: Ack) -> None:
    """Acknowledge, and do nothing else (events the bot ignores)."""
    ack()


AckCheck = Callable[[Ack, dict[str, Any]], bool]
_WORK_ARGS = frozenset({"body", "respond", "client"})


def ack_then(app: App, work: Callable[..., Any], *, check: AckCheck | None = None) -> Callable[..., None]:
    """A listener that acknowledges in the request thread, then hands `work` to the app's listener executor.

    `check(ack, body)` acknowledges instead of a plain ack() when the acknowledgement carries
    something (a form's errors), and says whether the request was accepted: a refused one shows its
    errors in the form and runs no work, so the refusal reaches the person once. `work` takes any of
    `body`, `respond` and `client`. Bolt's lazy listeners did the same but deep-copied the whole
    request for each (~250 µs of every ack, with the GIL held); the work needs only the parsed body
    and the reply channels Bolt built for this request, which nothing changes after the ack. The
    executor is bounded, so when the work falls behind, acks wait for room (bot/server.py).
    """
    executor = app.listener_runner.listener_executor
    guarded = after_ack(work)

    def acknowledge(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        if check is None:
            ack()
        elif not check(ack, body):
            return
        # The work runs in this request's context: it carries the reader's language (handlers/middleware.py).
        executor.submit(contextvars.copy_context().run, guarded, body, respond, client)

    acknowledge.__name__ = acknowledge.__qualname__ = f"ack_then_{work.__name__}"  # names it in Bolt's logs
    return acknowledge


def ack_then_question(
    app: App,
    pool: QuestionPool,
    work: Callable[..., Any],
    *,
    busy: Callable[..., Any],
    asks: Callable[[dict[str, Any]], bool] = lambda body: True,
) -> Callable[..., None]:
    """Like `ack_then`, but a request that `asks` a question is answered on the question pool.

    When that pool is full, `busy` runs instead (on the listener executor): the asker hears at once that the bot
    is busy, and no ack ever waits for a question.
    """
    executor = app.listener_runner.listener_executor
    # A question is answered in its own language: its reader's is learnt only if something needs it.
    guarded, answering, refuse = after_ack(work), after_ack(work, reader_first=False), after_ack(busy)

    def acknowledge(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        asker = str((body.get("event") or {}).get("user") or body.get("user_id") or "")
        # As in ack_then: the work runs in this request's context, which carries the reader's language.
        run = contextvars.copy_context().run
        if not asks(body):
            executor.submit(run, guarded, body, respond, client)
        elif not pool.submit(run, answering, body, respond, client, asker=asker):
            executor.submit(run, refuse, body, respond, client)

    acknowledge.__name__ = acknowledge.__qualname__ = f"ack_then_{work.__name__}"
    return acknowledge


def after_ack(
    fn: Callable[..., Any], *, reader_first: bool = True
) -> Callable[[dict[str, Any], Respond, WebClient], None]:
    """Wrap work that runs after the ack so its errors reach the user like any other.

    Nothing above the executor would see them; this sends them through the same
    `errors.report` path as the app's error handler. With `reader_first`, the reader's language
    (handlers/middleware.py) is learnt before the work starts: learning it may cache their Slack
    profile, and inside the work's own write transaction that second writer would wait on SQLite
    until it gave up, leaving a French reader their first reply in the default language.
    """
    wanted = set(inspect.signature(fn).parameters)
    unknown = wanted - _WORK_ARGS
    if unknown:
        raise TypeError(f"{fn.__name__} asks for {sorted(unknown)}; work after the ack gets {sorted(_WORK_ARGS)}")

    def runner(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        available = {"body": body, "respond": respond, "client": client}
        try:
            if reader_first:
                i18n.current()
            fn(**{k: v for k, v in available.items() if k in wanted})
        except Exception as exc:
            errors.report(exc, body=body, respond=respond, client=client)

    return runner


def respond_with(respond: Respond, reply: Reply) -> None:
    """Send `reply` through the request's response_url (a forged click without one has nowhere to be answered)."""
    if not respond.response_url:
        log.warning("a click without a response_url: its reply is dropped")
        return
    respond(**reply.as_respond_kwargs())


def deliver(outcome: Outcome, *, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
    """Send a reply through response_url, or open the modal with the request's trigger_id."""
    if isinstance(outcome, OpenModal):
        client.views_open(trigger_id=body["trigger_id"], view=outcome.view)
    else:
        respond_with(respond, outcome)
