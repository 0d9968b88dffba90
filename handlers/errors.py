"""The one error handler: domain errors become plain replies; nothing shows a traceback."""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.context.respond import Respond
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient

from bot import i18n, metrics, notices
from bot.errors import BotError, DatabaseUnavailable
from bot.runtime import Runtime

log = logging.getLogger(__name__)


def user_text_for(error: Exception) -> str:
    """The reply a person sees for `error`."""
    if isinstance(error, BotError):
        return error.user_text()
    if isinstance(error, DatabaseUnavailable):
        return notices.database_down()
    return notices.internal_error()


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
    if isinstance(error, DatabaseUnavailable):
        i18n.database_failed()
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


_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]")
ID_MAX = 64


def unhandled_kind_and_id(body: dict[str, Any]) -> tuple[str, str]:
    """What a request no listener took is (its type) and which one (event type, action, view or callback ID)."""
    kind = str(body.get("type") or ("command" if "command" in body else "unknown"))
    if kind == "event_callback":
        found = (body.get("event") or {}).get("type")
    elif kind in ("block_actions", "block_suggestion"):
        found = ((body.get("actions") or [{}])[0] or {}).get("action_id") or body.get("action_id")
    elif kind in ("view_submission", "view_closed"):
        found = (body.get("view") or {}).get("callback_id")
    elif kind == "command":
        found = body.get("command")
    else:  # shortcut, message_action, dialog_*, interactive_message
        found = body.get("callback_id")
    # The ID is Slack's or ours, never a person's text, but it is cut to one short token all the same.
    return _ID_UNSAFE.sub("_", kind)[:ID_MAX], _ID_UNSAFE.sub("_", str(found or "-"))[:ID_MAX]


def acknowledge_unhandled(body: dict[str, Any]) -> BoltResponse:
    """Log and count a well-formed request no listener takes, and answer it 200 like any other."""
    kind, found = unhandled_kind_and_id(body)
    metrics.UNHANDLED.labels(metrics.bounded_kind(kind)).inc()
    log.info("acknowledged an unhandled %s: %s", kind, found)
    return BoltResponse(status=200, body="")


def register(app: App, rt: Runtime) -> None:
    """Install the error handler on `app`."""

    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Respond, client: WebClient) -> BoltResponse | None:
        if isinstance(error, BoltUnhandledRequestError):
            return acknowledge_unhandled(body)
        report(error, body=body, respond=respond, client=client)
        return None
