"""Buttons and modals around answers: share, 👍/👎, the experts' Answer button, the FAQ editor."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond

from bot.ids import Action, View
from bot.qa import service as qa
from bot.qa.builders import read_modal
from bot.runtime import Runtime
from handlers.common import ack_now, after_ack, deliver, respond_with


def _value(body: dict[str, Any]) -> str:
    return str(((body.get("actions") or [{}])[0]).get("value") or "")


def _user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def _view(body: dict[str, Any]) -> dict[str, Any]:
    view = body.get("view")
    return view if isinstance(view, dict) else {}


def _values(body: dict[str, Any]) -> dict[str, str]:
    return read_modal((_view(body).get("state") or {}).get("values") or {})


def register(app: App, rt: Runtime) -> None:
    """Listen for the answer buttons and the two modals."""

    @after_ack
    def share_answer(body: dict[str, Any], respond: Respond) -> None:
        reply = qa.share(rt, question_value=_value(body), user_id=_user(body))
        respond_with(respond, reply)

    @after_ack
    def vote_up(body: dict[str, Any], respond: Respond) -> None:
        respond_with(respond, qa.vote(rt, question_value=_value(body), user_id=_user(body), up=True))

    @after_ack
    def vote_down(body: dict[str, Any], respond: Respond) -> None:
        respond_with(respond, qa.vote(rt, question_value=_value(body), user_id=_user(body), up=False))

    # rt.client rather than Bolt's per-request client: it carries the retry handlers, and the console's stand-in.
    @after_ack
    def open_expert_answer(body: dict[str, Any], respond: Respond) -> None:
        deliver(qa.open_expert_modal(rt, question_value=_value(body)), body=body, respond=respond, client=rt.client)

    @after_ack
    def open_faq_edit(body: dict[str, Any], respond: Respond) -> None:
        outcome = qa.faq_command(rt, user_id=_user(body), args=["edit", _value(body)])
        deliver(outcome, body=body, respond=respond, client=rt.client)

    def check_expert_answer(ack: Ack, body: dict[str, Any]) -> None:
        errors = qa.check_expert_answer(_values(body))
        ack(response_action="errors", errors=errors) if errors else ack()

    @after_ack
    def save_expert_answer(body: dict[str, Any]) -> None:
        qa.save_expert_answer(
            rt,
            question_value=str(_view(body).get("private_metadata") or ""),
            expert_id=_user(body),
            values=_values(body),
        )

    def check_faq_entry(ack: Ack, body: dict[str, Any]) -> None:
        errors = qa.check_faq_entry(rt, user_id=_user(body), values=_values(body))
        ack(response_action="errors", errors=errors) if errors else ack()

    @after_ack
    def save_faq_entry(body: dict[str, Any]) -> None:
        reply = qa.save_faq_entry(
            rt,
            user_id=_user(body),
            slug=str(_view(body).get("private_metadata") or ""),
            values=_values(body),
        )
        if reply is not None:
            rt.client.chat_postMessage(channel=_user(body), **reply.as_message_kwargs())

    app.action(Action.ANSWER_SHARE)(ack=ack_now, lazy=[share_answer])
    app.action(Action.ANSWER_VOTE_UP)(ack=ack_now, lazy=[vote_up])
    app.action(Action.ANSWER_VOTE_DOWN)(ack=ack_now, lazy=[vote_down])
    app.action(Action.EXPERT_ANSWER)(ack=ack_now, lazy=[open_expert_answer])
    app.action(Action.FAQ_EDIT)(ack=ack_now, lazy=[open_faq_edit])
    app.view(View.EXPERT_ANSWER)(ack=check_expert_answer, lazy=[save_expert_answer])
    app.view(View.FAQ_ENTRY)(ack=check_faq_entry, lazy=[save_faq_entry])
