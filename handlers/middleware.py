"""Global middleware: name each request's kind for the metrics and take each Events API delivery exactly once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest

from bot import metrics
from bot.errors import DatabaseUnavailable
from bot.events import first_delivery
from bot.runtime import Runtime

log = logging.getLogger(__name__)


def request_kind(body: dict[str, Any]) -> str:
    """A short label for the kind of Slack request (for metrics and logs)."""
    if "command" in body:
        return "command"
    return str(body.get("type") or "unknown")


def register(app: App, rt: Runtime) -> None:
    """Install the middleware on `app`."""

    @app.middleware
    def dedupe_events(req: BoltRequest, body: dict[str, Any], next: Callable[[], BoltResponse]) -> Any:
        metrics.note_kind(request_kind(body))
        if body.get("type") == "app_rate_limited":
            # Not an event_callback: Slack says it dropped this app's events for a minute.
            metrics.RATE_LIMITED.inc()
            log.warning("Slack rate-limited the app's events (minute %s)", str(body.get("minute_rate_limited"))[:16])
            return BoltResponse(status=200, body="")
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            try:
                fresh = first_delivery(rt, str(event_id))
            except DatabaseUnavailable:
                # Better to answer twice in a rare retry than to drop a question while the database is down.
                fresh = True
            if not fresh:
                metrics.DUPLICATE_EVENTS.inc()
                log.info(
                    "ignored redelivery of event %s (retry %s)",
                    event_id,
                    req.headers.get("x-slack-retry-num", ["0"])[0],
                )
                return BoltResponse(status=200, body="")
        return next()
