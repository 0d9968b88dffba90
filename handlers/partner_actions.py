"""Partner buttons and menus, the update form's submission, and the options of its partner picker."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.ids import Action, Field, View
from bot.partners import service
from bot.partners.builders import FormOrigin, read_update_form
from bot.replies import OpenModal
from bot.runtime import Runtime
from handlers.common import ack_form, ack_then, actor, clicked, respond_with

_CHANGE_ID = re.compile(r"[0-9]{1,18}")


def _origin(body: dict[str, Any]) -> FormOrigin:
    """Where an action came from: the App Home, or a message in some channel."""
    if (body.get("view") or {}).get("type") == "home":
        return FormOrigin("home")
    return FormOrigin("button", str((body.get("channel") or {}).get("id") or ""))


def _send_done(client: WebClient, user_id: str, done: service.Done) -> None:
    if not user_id:  # a payload naming nobody has nobody to tell
        return
    client.chat_postMessage(channel=user_id, **done.reply.as_message_kwargs())
    if done.home is not None:
        client.views_publish(user_id=user_id, view=done.home)


def register(app: App, rt: Runtime) -> None:
    """Listen for partner buttons, the App Home menu, the update form and its picker's options."""

    def partner_pick(body: dict[str, Any], respond: Respond) -> None:
        respond_with(respond, service.pick(rt, actor=actor(body), value=clicked(body).value))

    def partner_set_status(body: dict[str, Any], respond: Respond) -> None:
        respond_with(respond, service.click_status(rt, actor=actor(body), value=clicked(body).value))

    def partner_undo(body: dict[str, Any], respond: Respond) -> None:
        value = clicked(body).value
        # Only our own Undo buttons carry IDs; anything else (Unicode digits, 40 digits) names no change.
        change_id = int(value) if _CHANGE_ID.fullmatch(value) else 0
        respond_with(respond, service.undo(rt, actor=actor(body), change_id=change_id))

    def partner_show(body: dict[str, Any], respond: Respond) -> None:
        respond_with(respond, service.show_key(rt, key=clicked(body).value))

    def partner_open_update(body: dict[str, Any], client: WebClient) -> None:
        modal = service.open_update_form(rt, key=clicked(body).value, origin=_origin(body))
        client.views_open(trigger_id=body["trigger_id"], view=modal.view)

    def partner_menu(body: dict[str, Any], client: WebClient) -> None:
        outcome = service.home_menu(rt, actor=actor(body), value=clicked(body).value, origin=_origin(body))
        if isinstance(outcome, OpenModal):
            client.views_open(trigger_id=body["trigger_id"], view=outcome.view)
        else:
            _send_done(client, actor(body), outcome)

    def home_refresh(body: dict[str, Any], client: WebClient) -> None:
        user_id = actor(body)
        if user_id:  # a payload naming nobody has no App Home to refresh
            client.views_publish(user_id=user_id, view=service.open_home(rt, user_id))

    def check_update_form(ack: Ack, body: dict[str, Any]) -> bool:
        view = body.get("view") or {}
        submission = read_update_form((view.get("state") or {}).get("values") or {}, view.get("private_metadata", ""))
        # A partner that is gone or not the sender's is said in the form, which keeps what they typed.
        return ack_form(ack, service.update_form_errors(rt, actor=actor(body), submission=submission))

    def save_update_form(body: dict[str, Any], client: WebClient) -> None:
        view = body.get("view") or {}
        submission = read_update_form((view.get("state") or {}).get("values") or {}, view.get("private_metadata", ""))
        _send_done(client, actor(body), service.submit_update_form(rt, actor=actor(body), submission=submission))

    def partner_options(ack: Ack, body: dict[str, Any]) -> None:
        # Slack waits for the options in the acknowledgement itself, so this one reads the database first.
        ack(**service.partner_options(rt, actor=actor(body), query=str(body.get("value") or "")))

    app.action(Action.PARTNER_PICK)(ack_then(app, partner_pick))
    app.action(re.compile(rf"^{re.escape(Action.PARTNER_SET_STATUS)}(\..+)?$"))(ack_then(app, partner_set_status))
    app.action(Action.PARTNER_UNDO)(ack_then(app, partner_undo))
    app.action(Action.PARTNER_SHOW)(ack_then(app, partner_show))
    app.action(Action.PARTNER_OPEN_UPDATE)(ack_then(app, partner_open_update))
    app.action(Action.PARTNER_MENU)(ack_then(app, partner_menu))
    app.action(Action.HOME_REFRESH)(ack_then(app, home_refresh))
    app.view(View.PARTNER_UPDATE)(ack_then(app, save_update_form, check=check_update_form))
    app.options(Field.PARTNER)(partner_options)
