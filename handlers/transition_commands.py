"""`/transition` slash command."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond

from bot import transition
from bot.runtime import Runtime
from handlers.common import ack_now, after_ack, respond_with


def register(app: App, rt: Runtime) -> None:
    """Listen for `/transition`."""

    @after_ack
    def transition_command(body: dict[str, Any], respond: Respond) -> None:
        reply = transition.handle(rt, user_id=body["user_id"], text=body.get("text") or "")
        respond_with(respond, reply)

    app.command(rt.settings.transition_command)(ack=ack_now, lazy=[transition_command])
