"""The one error handler: domain errors become plain replies; nothing shows a traceback."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot import messages
from bot.errors import BotError, DatabaseUnavailable
from bot.runtime import Runtime

log = logging.getLogger(__name__)


def user_text_for(error: Exception) -> str:
    """The reply a person sees for `error`."""
    if isinstance(error, BotError):
        return error.user_text()
    if isinstance(error, DatabaseUnavailable):
        return messages.DATABASE_DOWN
    return messages.INTERNAL_ERROR


def report(error: Exception, *, body: dict[str, Any], respond: Respond | None, client: WebClient) -> None:
    """Log `error` (without message text) and tell the person who caused it, where they asked."""
    if not isinstance(error, BotError | DatabaseUnavailable):
        # Where it failed, but not the exception's message: that can quote the user's text.
        log.error(
            "unhandled %s in a %s listener\n%s",
            type(error).__name__,
            body.get("type") or "command",
            "".join(traceback.format_tb(error.__traceback__)).rstrip(),
        )
    text = user_text_for(error)
    try:
        if respond is not None and respond.response_url:
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        event = body.get("event") or {}
        user = event.get("user") or (body.get("user") or {}).get("id")
        channel = event.get("channel") or (body.get("channel") or {}).get("id")
        if user and channel and channel.startswith("D"):
            client.chat_postMessage(channel=channel, text=text)
        elif user and channel:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
        elif user:
            client.chat_postMessage(channel=user, text=text)
    except Exception as exc:  # the error path itself must never raise into Bolt
        log.warning("could not tell the user about an error: %s", type(exc).__name__)


def register(app: App, rt: Runtime) -> None:
    """Install the error handler on `app`."""

    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        report(error, body=body, respond=respond, client=client)
