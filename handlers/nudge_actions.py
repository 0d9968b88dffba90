"""The digest's buttons: Contacted, Registered, Snooze a week."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond

from bot.ids import Action
from bot.nudges import service as nudge_service
from bot.partners import service as partner_service
from bot.runtime import Runtime
from bot.statuses import Status
from handlers.common import ack_now, after_ack, respond_with

STATUS_OF_BUTTON = {Action.NUDGE_CONTACTED: Status.CONTACTED, Action.NUDGE_REGISTERED: Status.REGISTERED}


def _user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def _action(body: dict[str, Any]) -> tuple[str, str]:
    """The clicked button's action_id and value (the partner's key)."""
    action = (body.get("actions") or [{}])[0]
    return str(action.get("action_id") or ""), str(action.get("value") or "")


def register(app: App, rt: Runtime) -> None:
    """Listen for the digest's buttons."""

    @after_ack
    def nudge_set_status(body: dict[str, Any], respond: Respond) -> None:
        action_id, partner_key = _action(body)
        result = partner_service.set_status(
            rt,
            actor=_user(body),
            partner_key=partner_key,
            status=STATUS_OF_BUTTON[Action(action_id)],
            note="",
            source="button",
        )
        respond_with(respond, result.reply)

    @after_ack
    def nudge_snooze(body: dict[str, Any], respond: Respond) -> None:
        _, partner_key = _action(body)
        respond_with(respond, nudge_service.snooze(rt, actor=_user(body), partner_key=partner_key))

    for action in STATUS_OF_BUTTON:
        app.action(action)(ack=ack_now, lazy=[nudge_set_status])
    app.action(Action.NUDGE_SNOOZE)(ack=ack_now, lazy=[nudge_snooze])
