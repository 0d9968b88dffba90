"""Helpers every surface shares: the ack-now listener and the guard around work done after the ack."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack
from slack_bolt.context.respond import Respond
from slack_bolt.context.say import Say
from slack_sdk import WebClient

from bot.replies import OpenModal, Outcome, Reply
from bot.text import unescape
from handlers import errors


@dataclass(frozen=True)
class CommandArgs:
    """What every slash command handler reads from the payload."""

    user_id: str
    text: str
    channel_id: str


def command_args(body: dict[str, Any]) -> CommandArgs:
    """The typed essentials of a slash command payload, with Slack's entities undone in the text."""
    return CommandArgs(
        user_id=str(body.get("user_id") or ""),
        text=unescape(str(body.get("text") or "")),
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


def clicked(body: dict[str, Any]) -> Clicked:
    """The clicked element's action_id and value (a button's value, or the chosen option's of a menu)."""
    action = (body.get("actions") or [{}])[0]
    value = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
    return Clicked(str(action.get("action_id") or ""), str(value))


def ack_now(ack: Ack) -> None:
    """Acknowledge at once; the real work runs after the HTTP response (a lazy listener)."""
    ack()


def after_ack(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap work that runs after the ack so its errors reach the user like any other.

    Bolt logs and swallows exceptions raised in lazy listeners; this sends them through the
    same `errors.user_text_for` path as the app's error handler.
    """
    wanted = set(inspect.signature(fn).parameters)

    def runner(body: dict[str, Any], respond: Respond, client: WebClient, say: Say, context: dict[str, Any]) -> None:
        available = {"body": body, "respond": respond, "client": client, "say": say, "context": context}
        try:
            fn(**{k: v for k, v in available.items() if k in wanted})
        except Exception as exc:
            errors.report(exc, body=body, respond=respond, client=client)

    # Bolt injects arguments by the runner's own parameter names, so no __wrapped__ (which
    # inspect.signature would follow); the name is kept because Bolt identifies lazy listeners by it.
    runner.__name__ = fn.__name__
    runner.__qualname__ = fn.__qualname__
    runner.__doc__ = fn.__doc__
    return runner


def respond_with(respond: Respond, reply: Reply) -> None:
    """Send `reply` through the request's response_url."""
    respond(**reply.as_respond_kwargs())


def deliver(outcome: Outcome, *, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
    """Send a reply through response_url, or open the modal with the request's trigger_id."""
    if isinstance(outcome, OpenModal):
        client.views_open(trigger_id=body["trigger_id"], view=outcome.view)
    else:
        respond_with(respond, outcome)
