"""Global middleware: name each request's kind for the metrics, and take each delivery, command or click once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.context.respond import Respond
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from bot import i18n, metrics
from bot.deliveries import first_delivery, request_claim
from bot.errors import DatabaseUnavailable
from bot.runtime import Runtime
from handlers import errors

log = logging.getLogger(__name__)


def request_kind(body: dict[str, Any]) -> str:
    """A short label for the kind of Slack request (for metrics and logs)."""
    if "command" in body:
        return "command"
    return str(body.get("type") or "unknown")


_ONCE = frozenset({"block_actions", "view_submission", "view_closed", "shortcut", "message_action"})
"""Interactions that change something; options requests (type-ahead) only read."""


def _claim_key(req: BoltRequest, body: dict[str, Any]) -> str | None:
    """What makes a request unique: its event_id, or for a command or a click, its signature.

    The signature is an HMAC of the timestamp and the whole body: a replay must carry the very same one.
    In Socket Mode there is none, and nobody outside can replay over the socket.
    """
    if body.get("type") == "event_callback":
        event_id = body.get("event_id")
        return str(event_id) if event_id else None
    if "command" in body or body.get("type") in _ONCE:
        return request_claim(req.headers.get("x-slack-signature", [""])[0])
    return None


def reader_of(body: dict[str, Any]) -> str:
    """The Slack user a request's replies are for: who typed the command, clicked, or caused the event."""
    if isinstance(body.get("user_id"), str):
        return str(body["user_id"])
    user = body.get("user")
    if isinstance(user, dict) and isinstance(user.get("id"), str):
        return str(user["id"])
    event = body.get("event")
    if isinstance(event, dict) and isinstance(event.get("user"), str):
        return str(event["user"])
    return ""


def register(app: App, rt: Runtime) -> None:
    """Install the middleware on `app`."""

    @app.middleware
    def reader_language(body: dict[str, Any], next: Callable[[], BoltResponse]) -> Any:
        # Looked up after the ack, before the work (handlers/common.py), or for a question on first use only.
        reader = reader_of(body)
        i18n.set_reader(lambda: rt.language_of(reader), without_writes=lambda: rt.language_of(reader, stored_only=True))
        return next()

    @app.middleware
    def once(
        req: BoltRequest, body: dict[str, Any], respond: Respond, client: WebClient, next: Callable[[], BoltResponse]
    ) -> Any:
        metrics.note_kind(request_kind(body))
        if body.get("type") == "app_rate_limited":
            # Not an event_callback: Slack says it dropped this app's events for a minute.
            metrics.RATE_LIMITED.inc()
            log.warning("Slack rate-limited the app's events (minute %s)", str(body.get("minute_rate_limited"))[:16])
            return BoltResponse(status=200, body="")
        key = _claim_key(req, body)
        if key:
            try:
                fresh = first_delivery(rt, key)
            except DatabaseUnavailable as exc:
                if body.get("type") != "event_callback":
                    # A command or click would meet the same database, after waiting for it a second time.
                    errors.report(exc, body=body, respond=respond, client=client)
                    return BoltResponse(status=200, body="")
                # Better to answer twice in a rare retry than to drop a question while the database is down.
                fresh = True
            if not fresh:
                if body.get("type") == "event_callback":
                    metrics.DUPLICATE_EVENTS.inc()
                    log.info(
                        "ignored redelivery of event %s (retry %s)",
                        key,
                        req.headers.get("x-slack-retry-num", ["0"])[0],
                    )
                else:
                    metrics.REPLAYS.inc()
                    log.warning("ignored a replayed %s", request_kind(body))
                return BoltResponse(status=200, body="")
        return next()
