"""The experts' loop: an expert answers an escalated question, or points it at an entry that answers it already, and
the asker gets the answer by DM."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.errors import Conflict, NotAllowed, NotFound
from bot.i18n import reading, t
from bot.ids import Block as BlockId
from bot.qa.service import engine, entry_answer
from bot.questions import builders, entries
from bot.questions.asking import read_question_id
from bot.questions.builders import Answered
from bot.replies import OpenModal, Outcome, Reply
from bot.runtime import Runtime
from bot.slack_text import clean, escape
from storage import knowledge as store
from storage.models import Question

log = logging.getLogger(__name__)


def _check_expert(rt: Runtime, user_id: str) -> None:
    if not rt.settings.is_expert(user_id):
        raise NotAllowed(t("qa.not_an_expert"), hint=t("qa.not_an_expert_hint"))


def open_expert_modal(rt: Runtime, *, question_value: str, user_id: str) -> Outcome:
    """The modal to answer an escalated question, for an expert or an admin; or a note that someone already did."""
    _check_expert(rt, user_id)
    question_id = read_question_id(question_value)
    with rt.db.session() as session:
        question = store.get_question(session=session, question_id=question_id)
    if question is None:
        raise NotFound(t("qa.question_gone"))
    if question.answered_by:
        return Reply(text=t("qa.already_answered", expert=f"<@{question.answered_by}>"))
    if question.outcome != "unknown":
        raise Conflict(t("qa.not_escalated"))
    return OpenModal(builders.build_expert_modal(question_id=question_id, text=question.text, lang=question.language))


def check_expert_answer(rt: Runtime, values: dict[str, str], *, user_id: str) -> dict[str, str]:
    """Errors to show in the expert's modal, by block ID (empty when fine)."""
    if not rt.settings.is_expert(user_id):
        return {BlockId.ANSWER: t("qa.not_an_expert")}
    if not values.get(BlockId.ANSWER, "").strip():
        return {BlockId.ANSWER: t("qa.modal.write_answer")}
    return {}


def _open_question(session: Any, question_id: int) -> Question:
    """The escalated question `question_id`, locked, that nobody answered yet; or the reason why not."""
    question = store.lock_question(session=session, question_id=question_id)
    if question is None:
        raise NotFound(t("qa.question_gone"))
    if question.answered_by:
        raise Conflict(t("qa.already_answered", expert=f"<@{question.answered_by}>"))
    if question.outcome != "unknown":
        raise Conflict(t("qa.not_escalated"))
    return question


def save_expert_answer(rt: Runtime, *, question_value: str, expert_id: str, values: dict[str, str]) -> None:
    """Store an expert's answer as a new entry (used at once), DM it to the asker, and mark the experts' post."""
    _check_expert(rt, expert_id)
    if check_expert_answer(rt, values, user_id=expert_id):
        return  # the modal showed the errors and was not accepted
    question_id = read_question_id(question_value)
    main = values.get(BlockId.ANSWER, "").strip()
    now = rt.clock.now()
    slug = f"expert-q{question_id}"
    with rt.db.session(write=True) as session:
        question = _open_question(session, question_id)
        lang = question.language
        other = values.get(BlockId.ANSWER_FR if lang == "en" else BlockId.ANSWER_EN, "").strip()
        store.save_entry(
            session=session,
            slug=slug,
            questions_en=clean(question.text) if lang == "en" else "",
            questions_fr=clean(question.text) if lang == "fr" else "",
            answer_en=main if lang == "en" else other,
            answer_fr=main if lang == "fr" else other,
            # Who and when only, as `faq add` stores it: the knowledge base writes "answer from our expert …" in
            # each reader's language around it.
            source=f"<@{expert_id}> ({now.date().isoformat()})",
            origin="expert",
            by=expert_id,
            now=now,
        )
        # The written answer is this question's verdict now, whatever an admin said of it before.
        store.add_example(
            session,
            text=question.text,
            lang=lang,
            slug=slug,
            origin=store.EXPERT,
            question_id=question_id,
            created_by=expert_id,
            now=now,
        )
        store.mark_answered(session=session, question=question, by=expert_id, at=now, slug=slug)
        asker, text, expert_ts = question.user_id, question.text, question.expert_ts
    engine(rt).refresh(rt, force=True)
    log.info("question %s answered by an expert as entry %s", question_id, slug)
    dm = builders.build_expert_reply(
        question=text, answer=escape(main), expert_id=expert_id, lang=lang, question_id=question_id
    )
    rt.client.chat_postMessage(channel=asker, **dm.as_message_kwargs())
    with reading(rt.settings.experts_language):
        done = builders.build_expert_answered(user_id=asker, text=text, expert_id=expert_id, lang=lang)
    update_post(rt, question_id, expert_ts, done)


def update_post(rt: Runtime, question_id: int, expert_ts: str | None, post: Reply) -> None:
    """Replace the question's post in the experts channel, if it has one."""
    channel = rt.settings.experts_channel_id
    if not (channel and expert_ts):
        return
    try:
        rt.client.chat_update(channel=channel, ts=expert_ts, **post.as_message_kwargs())
    except SlackApiError as exc:
        log.warning(
            "could not mark question %s answered in the experts channel: %s", question_id, exc.response.get("error")
        )


def point_question(rt: Runtime, *, question_value: str, slug: str, user_id: str, origin: str = store.EXPERT) -> Reply:
    """Answer an escalated question with the entry `slug`: the question becomes one more phrasing of it, the asker
    gets its answer by DM (computed for them when live), and the experts' post says who pointed it where."""
    _check_expert(rt, user_id)
    question_id = read_question_id(question_value)
    entry = entries.chosen(rt, slug)
    now = rt.clock.now()
    with rt.db.session(write=True) as session:
        question = _open_question(session, question_id)
        store.add_example(
            session,
            text=question.text,
            lang=question.language,
            slug=entry.slug,
            origin=origin,
            question_id=question_id,
            created_by=user_id,
            now=now,
        )
        store.mark_answered(session=session, question=question, by=user_id, at=now, slug=entry.slug)
        asker, text, lang, expert_ts = question.user_id, question.text, question.language, question.expert_ts
    engine(rt).refresh(rt, force=True)
    log.info("question %s pointed at entry %s by an %s", question_id, entry.slug, origin)
    body, source = entry_answer(rt, entry, lang, asker)
    answer = Answered(lang, body, source, question_id, written_in=entries.written_in(entry, lang))
    dm = builders.build_pointed_reply(question=text, answer=answer, expert_id=user_id)
    rt.client.chat_postMessage(channel=asker, **dm.as_message_kwargs())
    with reading(rt.settings.experts_language) as experts_lang:
        choice = entries.choice(entry, experts_lang.value)
        post = builders.build_expert_pointed(user_id=asker, text=text, expert_id=user_id, lang=lang, choice=choice)
    update_post(rt, question_id, expert_ts, post)
    return builders.build_pointed_done(asker=asker, slug=entry.slug)
