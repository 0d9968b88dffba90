"""Slack's operations events: the bot's token revoked or the app uninstalled."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot import installation, metrics
from bot.runtime import Runtime
from handlers.common import ack_then


def register(app: App, rt: Runtime) -> None:
    """Listen for tokens_revoked and app_uninstalled: every process stops sending until a reinstall."""

    def revoke(body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        kind = str(event.get("type"))
        metrics.REVOCATIONS.labels(kind).inc()
        if installation.revokes_the_bot(event):
            installation.mark_revoked(rt, why=kind)

    for kind in sorted(installation.REVOKING_EVENTS):
        app.event(kind)(ack_then(app, revoke))
