"""Direct messages and @mentions: questions answered where they were asked."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot import inbox
from bot.qa import service as qa
from bot.questions import asking
from bot.replies import Reply
from bot.runtime import Runtime
from bot.slack_text import as_typed
from handlers.common import ack_now, ack_then_question

_ANY_SUBTYPE = re.compile(".+")


def direct_question(event: dict[str, Any]) -> asking.Asked | None:
    """The question in a message.im event, or None when the bot should not answer it from its text."""
    if inbox.handling(event) is not inbox.Handling.ANSWER:
        return None
    return asking.Asked(
        user_id=str(event["user"]),
        text=as_typed(str(event.get("text") or "")),
        channel=str(event.get("channel") or ""),
        thread_ts=event.get("thread_ts"),
    )


def mention_question(event: dict[str, Any]) -> asking.Asked | None:
    """The question in an app_mention event (the mention itself removed), answered in its thread."""
    if not inbox.from_a_person(event) or event.get("subtype"):
        return None
    return asking.Asked(
        user_id=str(event["user"]),
        text=as_typed(re.sub(r"<@[A-Z0-9]+(?:\|[^>]*)?>", " ", str(event.get("text") or ""))).strip(),
        channel=str(event.get("channel") or ""),
        thread_ts=str(event.get("thread_ts") or event.get("ts") or "") or None,
    )


def register(app: App, rt: Runtime) -> None:
    """Listen for direct messages and mentions; acknowledge, and stay silent on everything else."""
    qa.warm(rt)

    # rt.client rather than Bolt's per-request client: it carries the retry handlers, and the console's stand-in.
    def post(asked: asking.Asked) -> Callable[[Reply], None]:
        def send(reply: Reply) -> None:
            kwargs = reply.as_message_kwargs()
            if asked.thread_ts:
                kwargs["thread_ts"] = asked.thread_ts
            rt.client.chat_postMessage(channel=asked.channel, **kwargs)

        return send

    def answer_direct_message(body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        handling = inbox.handling(event)
        if handling is inbox.Handling.TEXT_ONLY:
            rt.client.chat_postMessage(channel=str(event["channel"]), **inbox.build_text_only().as_message_kwargs())
            return
        asked = direct_question(event)
        if asked is not None:
            asking.answer(rt, asked, send=post(asked))

    def answer_mention(body: dict[str, Any]) -> None:
        asked = mention_question(body.get("event") or {})
        if asked is not None:
            asking.answer(rt, asked, send=post(asked))

    def busy_direct_message(body: dict[str, Any]) -> None:
        asked = direct_question(body.get("event") or {})
        if asked is not None:
            post(asked)(asking.busy_reply())

    def busy_mention(body: dict[str, Any]) -> None:
        asked = mention_question(body.get("event") or {})
        if asked is not None:
            post(asked)(asking.busy_reply())

    questions = rt.questions
    app.event({"type": "message", "subtype": None})(
        ack_then_question(app, questions, answer_direct_message, busy=busy_direct_message)
    )
    app.event({"type": "message", "subtype": "file_share"})(
        ack_then_question(app, questions, answer_direct_message, busy=busy_direct_message)
    )
    # Edits, deletions, joins, bot posts…: acknowledged and ignored, so the bot never answers itself.
    app.event({"type": "message", "subtype": [_ANY_SUBTYPE]})(ack_now)
    app.event("app_mention")(ack_then_question(app, questions, answer_mention, busy=busy_mention))
