"""Answer a question in Slack: log it, reply, pass what nobody knows to the experts; share and vote on answers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from bot import metrics
from bot.errors import BadInput, Conflict, NotAllowed, NotFound
from bot.i18n import reading, t
from bot.qa.service import Decision, decide
from bot.questions import builders, entries
from bot.questions.builders import Answered, Unknown
from bot.replies import Reply
from bot.runtime import Runtime
from bot.slack_text import clean
from storage import knowledge as store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asked:
    """A question as it arrived: who, what, and where the answer goes."""

    user_id: str
    text: str
    channel: str = ""
    thread_ts: str | None = None
    share: bool = False


def _log(rt: Runtime, asked: Asked, decision: Decision, now: dt.datetime) -> int:
    with rt.db.session(write=True) as session:
        question = store.add_question(
            session=session,
            asked_at=now,
            user_id=asked.user_id,
            channel=asked.channel,
            thread_ts=asked.thread_ts,
            language=decision.lang,
            text=clean(asked.text),
            outcome=decision.outcome,
            entry_slug=decision.slug,
            score=decision.score,
        )
        assert question.id is not None
        return question.id


ESCALATED_PARTS = 10
"""Unknown parts of one message named in its one post to the experts; the rest are dropped."""


def _may_escalate(rt: Runtime, user_id: str) -> bool:
    """Say whether `user_id` has posted fewer questions to the experts this hour than ESCALATIONS_PER_HOUR."""
    since = rt.clock.now() - dt.timedelta(hours=1)
    with rt.db.session() as session:
        return store.escalations_since(session=session, user_id=user_id, since=since) < rt.settings.escalations_per_hour


OUTCOME_BEYOND = "beyond"
"""The outcome of a question an admin marked beyond the bot's knowledge, asked again: logged, never a gap."""


def _marked_beyond(rt: Runtime, text: str) -> bool:
    with rt.db.session() as session:
        return store.marked_beyond(session=session, text=clean(text))


def _waiting(rt: Runtime, user_id: str, text: str) -> bool:
    """Say whether the experts already have this question from this asker and have not answered it yet."""
    with rt.db.session() as session:
        return store.waiting_with_experts(session=session, user_id=user_id, text=clean(text))


def _escalate(rt: Runtime, asked: Asked, decision: Decision, question_id: int) -> bool:
    """Post an unanswered question to the experts channel; say whether it was posted."""
    channel = rt.settings.experts_channel_id
    if not channel:
        return False
    with reading(rt.settings.experts_language):
        message = builders.build_expert_request(
            question_id=question_id, user_id=asked.user_id, text=clean(asked.text), lang=decision.lang
        )
    try:
        response = rt.client.chat_postMessage(channel=channel, **message.as_message_kwargs())
    except SlackApiError as exc:
        log.warning("could not post question %s to the experts: %s", question_id, exc.response.get("error"))
        return False
    with rt.db.session(write=True) as session:
        store.set_expert_ts(session=session, question_id=question_id, ts=str(response.get("ts") or ""))
    return True


def _written_in(rt: Runtime, decision: Decision) -> str | None:
    """The other language, when the entry that answers exists only in that one (from the engine `decide` just
    brought up to date: asking `engine` again would read the knowledge's version once more)."""
    current = rt.qa
    entry = current.entry(decision.slug) if current is not None and decision.slug else None
    return entries.written_in(entry, decision.lang)


def answer(rt: Runtime, asked: Asked, send: Callable[[Reply], None] | None = None) -> Reply:
    """Answer a question: log it, pass it to the experts when unknown, and return (or `send` first) the reply.

    With `send`, the reply goes out before the experts are asked, so the asker never waits on that post. A message
    reaches the experts at most once, all its unknown parts in one post, and each person at most
    ESCALATIONS_PER_HOUR times an hour; past that, the question waits in `faq gaps` and the asker is told.
    """
    if not clean(asked.text):
        raise BadInput(t("qa.ask_something"), hint=t("qa.ask_something_hint"))
    started = time.perf_counter()
    decision = decide(rt, asked.text, user_id=asked.user_id)
    if decision.outcome == "unknown" and _marked_beyond(rt, asked.text):
        decision = dataclasses.replace(decision, outcome=OUTCOME_BEYOND)  # no gap, no expert: the admins ruled on it
    question_id = _log(rt, asked, decision, rt.clock.now())
    metrics.QUESTIONS.labels(decision.outcome).inc()
    log.info(
        "question %s: %s via %s (%s, score %.2f) in %.1f ms",
        question_id,
        decision.outcome,
        decision.slug or "-",
        decision.lang,
        decision.score,
        (time.perf_counter() - started) * 1000,
    )
    channel = rt.settings.experts_channel_id
    # The parts of an answered message it could not answer make one question for the experts and the gaps list.
    unanswered = "\n".join(decision.unanswered[:ESCALATED_PARTS]) if decision.outcome == "answered" else ""
    wants_experts = bool(channel) and (decision.outcome == "unknown" or bool(unanswered))
    # Asked again before the experts answered: they have it already, and the asker will hear from them once.
    waiting = wants_experts and _waiting(rt, asked.user_id, unanswered or asked.text)
    allowed = wants_experts and not waiting and _may_escalate(rt, asked.user_id)
    capped = wants_experts and not waiting and not allowed
    if capped:
        log.info("question %s kept for the gaps: its asker reached the hourly share of the experts", question_id)
    if decision.outcome == "answered":
        reply = builders.build_answer(
            Answered(
                decision.lang,
                decision.body,
                decision.source,
                question_id,
                share=asked.share,
                written_in=_written_in(rt, decision),
            )
        )
        if send is not None:
            send(reply)
        if unanswered:
            part_asked = dataclasses.replace(asked, text=unanswered)
            part_decision = dataclasses.replace(decision, outcome="unknown", slug=None, score=0.0, unanswered=())
            part_id = _log(rt, part_asked, part_decision, rt.clock.now())
            if allowed:
                _escalate(rt, part_asked, part_decision, part_id)
            elif send is not None and (capped or waiting):
                send(builders.build_not_passed_on(decision.lang, waiting=waiting))
        return reply
    escalated = allowed
    if allowed and send is None:
        escalated = _escalate(rt, asked, decision, question_id)
    reply = builders.build_unknown(
        Unknown(
            decision.lang,
            decision.suggestions,
            escalated,
            question_id,
            capped,
            waiting,
            decision.outcome == OUTCOME_BEYOND,
        )
    )
    if send is not None:
        send(reply)
        if allowed:
            _escalate(rt, asked, decision, question_id)
    return reply


def busy_reply() -> Reply:
    """What an asker hears when the bot has too many questions in hand to take theirs now."""
    return builders.build_busy()


def answer_command(rt: Runtime, *, user_id: str, text: str, channel_id: str) -> Reply:
    """`/transition <question>`: answered to the asker only, with a button to share it."""
    return answer(rt, Asked(user_id=user_id, text=text, channel=channel_id, share=True))


def read_question_id(value: str) -> int:
    # Button values come back from Slack as sent, but a forged one must not reach the database as a number beyond
    # its integer column (PostgreSQL refuses more than 2**31 - 1).
    if not re.fullmatch(r"[1-9][0-9]{0,8}", value or ""):
        raise BadInput(t("qa.broken_button"), hint=t("qa.ask_again"))
    return int(value)


def share(rt: Runtime, *, question_value: str, user_id: str) -> tuple[Reply, Reply]:
    """The answer to a logged question, to post in the channel for everyone; and the asker's private copy again,
    without its Share button (a second click would post it twice), saying it was shared."""
    question_id = read_question_id(question_value)
    with rt.db.session() as session:
        question = store.get_question(session=session, question_id=question_id)
    if question is None:
        raise NotFound(t("qa.question_gone"), hint=t("qa.ask_again_command", command=rt.settings.transition_command))
    if question.user_id != user_id:
        raise NotAllowed(t("qa.share_not_yours"))
    decision = decide(rt, question.text, user_id=question.user_id)
    if decision.outcome != "answered":
        raise Conflict(t("qa.nothing_to_share"))
    reply = builders.build_answer(
        Answered(decision.lang, decision.body, decision.source, question_id, written_in=_written_in(rt, decision))
    )
    return builders.build_shared(user_id=user_id, answer=reply, lang=decision.lang), builders.build_kept(reply)


def vote(rt: Runtime, *, question_value: str, user_id: str, up: bool) -> Reply:
    """Record a 👍 or 👎 on an answer (one per person per answer; the last counts)."""
    question_id = read_question_id(question_value)
    with rt.db.session(write=True) as session:
        question = store.get_question(session=session, question_id=question_id)
        if question is None:
            raise NotFound(t("qa.answer_gone"))
        store.record_vote(
            session=session, question_id=question_id, user_id=user_id, vote=1 if up else -1, at=rt.clock.now()
        )
    return builders.build_thanks(1 if up else -1)
