"""The digest's buttons: Contacted, Registered, Snooze a week."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond

from bot.ids import Action
from bot.nudges import service as nudge_service
from bot.nudges.builders import read_status_button
from bot.partners import service as partner_service
from bot.runtime import Runtime
from bot.statuses import Status
from handlers.common import ack_then, actor, clicked, respond_with

STATUS_OF_BUTTON = {Action.NUDGE_CONTACTED: Status.CONTACTED, Action.NUDGE_REGISTERED: Status.REGISTERED}


def register(app: App, rt: Runtime) -> None:
    """Listen for the digest's buttons."""

    def nudge_set_status(body: dict[str, Any], respond: Respond) -> None:
        button = clicked(body)
        partner_key, seen = read_status_button(button.value)
        result = partner_service.set_status(
            rt,
            actor=actor(body),
            partner_key=partner_key,
            status=STATUS_OF_BUTTON[Action(button.action_id)],
            note="",
            source="button",
            seen=seen,
        )
        respond_with(respond, result.reply)

    def nudge_snooze(body: dict[str, Any], respond: Respond) -> None:
        partner_key = clicked(body).value
        respond_with(respond, nudge_service.snooze(rt, actor=actor(body), partner_key=partner_key))

    for action in STATUS_OF_BUTTON:
        app.action(action)(ack_then(app, nudge_set_status))
    app.action(Action.NUDGE_SNOOZE)(ack_then(app, nudge_snooze))
