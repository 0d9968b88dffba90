"""Buttons, pickers and modals around answers: share, 👍/👎, the experts' Answer button and "Already answered by…"
picker, the gaps' "Move to…" picker, the FAQ editor."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond

from bot.ids import Action, View
from bot.questions import asking, entries, experts, faq
from bot.questions.builders import question_of_block, read_modal
from bot.runtime import Runtime
from handlers.common import ack_form, ack_then, actor, clicked, deliver, respond_with


def _view(body: dict[str, Any]) -> dict[str, Any]:
    view = body.get("view")
    return view if isinstance(view, dict) else {}


def _values(body: dict[str, Any]) -> dict[str, str]:
    return read_modal((_view(body).get("state") or {}).get("values") or {})


def register(app: App, rt: Runtime) -> None:
    """Listen for the answer buttons, the pickers of entries (their choices and options) and the two modals."""

    def share_answer(body: dict[str, Any], respond: Respond) -> None:
        shared, kept = asking.share(rt, question_value=clicked(body).value, user_id=actor(body))
        respond_with(respond, shared)
        respond_with(respond, kept)

    def vote_up(body: dict[str, Any], respond: Respond) -> None:
        respond_with(respond, asking.vote(rt, question_value=clicked(body).value, user_id=actor(body), up=True))

    def vote_down(body: dict[str, Any], respond: Respond) -> None:
        respond_with(respond, asking.vote(rt, question_value=clicked(body).value, user_id=actor(body), up=False))

    # rt.client rather than Bolt's per-request client: it carries the retry handlers, and the console's stand-in.
    def open_expert_answer(body: dict[str, Any], respond: Respond) -> None:
        deliver(
            experts.open_expert_modal(rt, question_value=clicked(body).value, user_id=actor(body)),
            body=body,
            respond=respond,
            client=rt.client,
        )

    def open_faq_edit(body: dict[str, Any], respond: Respond) -> None:
        outcome = faq.faq_command(rt, user_id=actor(body), args=["edit", clicked(body).value])
        deliver(outcome, body=body, respond=respond, client=rt.client)

    def point_question(body: dict[str, Any], respond: Respond) -> None:
        picked = clicked(body)
        reply = experts.point_question(
            rt, question_value=question_of_block(picked.block_id), slug=picked.value, user_id=actor(body)
        )
        respond_with(respond, reply)

    def move_question(body: dict[str, Any], respond: Respond) -> None:
        picked = clicked(body)
        reply = faq.move_question(
            rt, question_value=question_of_block(picked.block_id), value=picked.value, user_id=actor(body)
        )
        respond_with(respond, reply)

    def relabel_beyond(body: dict[str, Any], respond: Respond) -> None:
        respond_with(respond, faq.relabel_beyond(rt, value=clicked(body).value, user_id=actor(body)))

    # Slack waits for options in the acknowledgement itself; the entries are in memory, so this is quick.
    def entry_options(ack: Ack, body: dict[str, Any]) -> None:
        ack(**entries.options(rt, query=str(body.get("value") or ""), beyond=False))

    def gap_options(ack: Ack, body: dict[str, Any]) -> None:
        ack(**entries.options(rt, query=str(body.get("value") or ""), beyond=True))

    def check_expert_answer(ack: Ack, body: dict[str, Any]) -> bool:
        return ack_form(ack, experts.check_expert_answer(rt, _values(body), user_id=actor(body)))

    def save_expert_answer(body: dict[str, Any]) -> None:
        experts.save_expert_answer(
            rt,
            question_value=str(_view(body).get("private_metadata") or ""),
            expert_id=actor(body),
            values=_values(body),
        )

    def check_faq_entry(ack: Ack, body: dict[str, Any]) -> bool:
        slug = str(_view(body).get("private_metadata") or "")
        return ack_form(ack, faq.check_faq_entry(rt, user_id=actor(body), values=_values(body), slug=slug))

    def save_faq_entry(body: dict[str, Any]) -> None:
        reply = faq.save_faq_entry(
            rt,
            user_id=actor(body),
            slug=str(_view(body).get("private_metadata") or ""),
            values=_values(body),
        )
        if reply is not None:
            rt.client.chat_postMessage(channel=actor(body), **reply.as_message_kwargs())

    app.action(Action.ANSWER_SHARE)(ack_then(app, share_answer))
    app.action(Action.ANSWER_VOTE_UP)(ack_then(app, vote_up))
    app.action(Action.ANSWER_VOTE_DOWN)(ack_then(app, vote_down))
    app.action(Action.EXPERT_ANSWER)(ack_then(app, open_expert_answer))
    app.action(Action.FAQ_EDIT)(ack_then(app, open_faq_edit))
    app.action(Action.EXPERT_POINT)(ack_then(app, point_question))
    app.action(Action.GAP_MOVE)(ack_then(app, move_question))
    app.action(Action.BEYOND_MOVE)(ack_then(app, relabel_beyond))
    app.options(Action.EXPERT_POINT)(entry_options)
    app.options(Action.GAP_MOVE)(gap_options)
    app.view(View.EXPERT_ANSWER)(ack_then(app, save_expert_answer, check=check_expert_answer))
    app.view(View.FAQ_ENTRY)(ack_then(app, save_faq_entry, check=check_faq_entry))
