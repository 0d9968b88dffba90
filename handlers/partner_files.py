"""Partner files: an admin's spreadsheet dropped into the bot's DM, and the Import / Cancel buttons of its report."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond

from bot.ids import Action
from bot.partners import files
from bot.replies import Reply
from bot.runtime import Runtime
from handlers.common import ack_then, actor, clicked, respond_with

_IMPORT_ID = re.compile(r"[0-9]{1,9}")


def _partner_file(body: dict[str, Any]) -> bool:
    """Match DM file shares that carry a spreadsheet; other files are left to the message listeners."""
    return files.shared_file(body.get("event") or {}) is not None


def _import_id(body: dict[str, Any]) -> int:
    value = clicked(body).value
    return int(value) if _IMPORT_ID.fullmatch(value) else 0


def register(app: App, rt: Runtime) -> None:
    """Listen for partner files in DMs and for their reports' buttons (before the generic message listeners)."""

    def post(channel: str, reply: Reply) -> None:
        rt.client.chat_postMessage(channel=channel, **reply.as_message_kwargs())

    def partner_file(body: dict[str, Any]) -> None:
        shared = files.shared_file(body.get("event") or {})
        if shared is not None:
            post(shared.channel, files.receive(rt, shared))

    def import_run(body: dict[str, Any], respond: Respond) -> None:
        channel = str((body.get("channel") or {}).get("id") or "")
        user = actor(body)

        def send(reply: Reply) -> None:
            post(channel or user, reply)

        stopped = files.run(rt, actor=user, import_id=_import_id(body), send=send)
        if stopped is not None:
            respond_with(respond, stopped)

    def import_cancel(body: dict[str, Any], respond: Respond) -> None:
        respond_with(respond, files.cancel(rt, actor=actor(body), import_id=_import_id(body)))

    app.event({"type": "message", "subtype": "file_share"}, matchers=[_partner_file])(ack_then(app, partner_file))
    app.action(Action.IMPORT_RUN)(ack_then(app, import_run))
    app.action(Action.IMPORT_CANCEL)(ack_then(app, import_cancel))
