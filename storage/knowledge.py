"""Typed queries on knowledge entries, asked questions, the votes on answers, the verdicts on questions and the fits."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import JSON, Text, any_, bindparam, delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import Feedback, KnowledgeEntry, Partner, QaExample, QaFit, Question

log = logging.getLogger(__name__)

_NEWEST_FIT_FIRST = (col(QaFit.fitted_at).desc(), col(QaFit.id).desc())
"""The fits' order, newest first: the one workers use is the first."""


def list_entries(*, session: Session) -> list[KnowledgeEntry]:
    """Every stored entry (active or not), oldest first."""
    return list(session.exec(select(KnowledgeEntry).order_by(col(KnowledgeEntry.id))))


def get_entry(*, session: Session, slug: str) -> KnowledgeEntry | None:
    """The stored entry with this slug, if any."""
    return session.exec(select(KnowledgeEntry).where(KnowledgeEntry.slug == slug)).first()


def entries_version(*, session: Session) -> tuple[int, dt.datetime | None]:
    """How much knowledge is stored and when it last changed: cheap to compare, changes with any edit.

    Entries and examples both count: (entries + examples, the newest of an entry's `updated_at` and an example's
    `created_at`). A replaced example takes its own time, so replacing one changes the version too.
    """
    return knowledge_state(session=session)[0]


def knowledge_state(*, session: Session) -> tuple[tuple[int, dt.datetime | None], int | None]:
    """`entries_version` and the newest fit's ID (not its payload) in one query: what workers compare before each
    question."""
    count, latest, example_latest, fit_id = session.exec(_state_query()).one()
    stamps = [stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC) for stamp in (latest, example_latest) if stamp]
    return (int(count), max(stamps, default=None)), fit_id


@cache
def _state_query() -> Any:
    """Built once: building it cost more than running it (0.4 ms against 0.25 on SQLite)."""
    examples = select(func.count(col(QaExample.id))).scalar_subquery()
    latest_example = select(func.max(QaExample.created_at)).scalar_subquery()
    newest_fit = select(QaFit.id).order_by(*_NEWEST_FIT_FIRST).limit(1)
    return select(
        func.count(col(KnowledgeEntry.id)) + examples,
        func.max(KnowledgeEntry.updated_at),
        latest_example,
        newest_fit.scalar_subquery(),
    )


def save_entry(
    *,
    session: Session,
    slug: str,
    questions_en: str,
    questions_fr: str,
    answer_en: str,
    answer_fr: str,
    source: str,
    origin: str,
    by: str,
    now: dt.datetime,
) -> KnowledgeEntry:
    """Insert the entry, or replace the stored one with the same slug."""
    entry = get_entry(session=session, slug=slug) or KnowledgeEntry(slug=slug, created_by=by, created_at=now)
    entry.questions_en = questions_en
    entry.questions_fr = questions_fr
    entry.answer_en = answer_en
    entry.answer_fr = answer_fr
    entry.source = source
    entry.origin = origin
    entry.updated_at = now
    entry.active = True
    session.add(entry)
    session.flush()
    return entry


def add_question(
    *,
    session: Session,
    asked_at: dt.datetime,
    user_id: str,
    channel: str,
    thread_ts: str | None,
    language: str,
    text: str,
    outcome: str,
    entry_slug: str | None,
    score: float,
) -> Question:
    """Log one asked question."""
    question = Question(
        asked_at=asked_at,
        user_id=user_id,
        channel=channel,
        thread_ts=thread_ts,
        language=language,
        text=text,
        outcome=outcome,
        entry_slug=entry_slug,
        score=score,
    )
    session.add(question)
    session.flush()
    return question


def get_question(*, session: Session, question_id: int) -> Question | None:
    """The logged question with this ID, if any."""
    return session.get(Question, question_id)


def lock_question(*, session: Session, question_id: int) -> Question | None:
    """The question, row-locked until the session ends (so two experts cannot both answer it)."""
    return session.exec(select(Question).where(Question.id == question_id).with_for_update()).first()


def set_expert_ts(*, session: Session, question_id: int, ts: str) -> None:
    """Remember where the question was posted in the experts channel."""
    question = session.get(Question, question_id)
    if question is not None:
        question.expert_ts = ts
        session.add(question)


def mark_answered(*, session: Session, question: Question, by: str, at: dt.datetime, slug: str) -> None:
    """Record that an expert answered `question` with the entry `slug`."""
    question.outcome = "expert"
    question.answered_by = by
    question.answered_at = at
    question.entry_slug = slug
    session.add(question)


def record_vote(*, session: Session, question_id: int, user_id: str, vote: int, at: dt.datetime) -> Feedback:
    """Store a person's vote on an answer; a later vote replaces the earlier one."""
    existing = session.exec(
        select(Feedback).where(Feedback.question_id == question_id, Feedback.user_id == user_id)
    ).first()
    if existing is None:
        try:
            with session.begin_nested():
                created = Feedback(question_id=question_id, user_id=user_id, vote=vote, at=at)
                session.add(created)
            return created
        except IntegrityError:
            # Two clicks raced; the other one inserted first, so update that row instead.
            existing = session.exec(
                select(Feedback).where(Feedback.question_id == question_id, Feedback.user_id == user_id)
            ).one()
    existing.vote = vote
    existing.at = at
    session.add(existing)
    return existing


def escalations_since(*, session: Session, user_id: str, since: dt.datetime) -> int:
    """How many of `user_id`'s questions were posted to the experts since `since`."""
    query = select(func.count(col(Question.id))).where(
        Question.user_id == user_id,
        col(Question.expert_ts).is_not(None),
        Question.expert_ts != "",
        col(Question.asked_at) >= since,
    )
    return int(session.exec(query).one())


def marked_beyond(*, session: Session, text: str) -> bool:
    """Say whether an admin marked `text` (compared without case) as beyond the bot's knowledge."""
    query = select(QaExample.text).where(col(QaExample.slug).is_(None), QaExample.origin == ADMIN)
    wanted = text.casefold()
    return any(marked.casefold() == wanted for marked in session.exec(query))


WAITING_COMPARED = 50
"""An asker's newest questions waiting for the experts that a new question is compared with."""


def waiting_with_experts(*, session: Session, user_id: str, text: str) -> bool:
    """Say whether `user_id` already has `text` (compared without case) with the experts, not yet answered."""
    query = (
        select(Question.text)
        .where(
            Question.user_id == user_id,
            col(Question.expert_ts).is_not(None),
            Question.expert_ts != "",
            col(Question.answered_by).is_(None),
            Question.outcome == "unknown",
        )
        .order_by(col(Question.id).desc())
        .limit(WAITING_COMPARED)
    )
    # Compared here, not in SQL: SQLite's lower() folds ASCII letters only (« Échéance » ≠ « échéance »).
    wanted = text.casefold()
    return any(waiting.casefold() == wanted for waiting in session.exec(query))


def _reviewed() -> Any:
    """Questions an admin gave a verdict on (moved to an entry, or beyond the bot's knowledge): no longer gaps."""
    return select(QaExample.question_id).where(QaExample.question_id == Question.id, QaExample.origin == ADMIN).exists()


def count_unanswered(*, session: Session) -> int:
    """How many questions `unanswered` would list without a limit, a question one person asked twice once."""
    asked = (
        select(Question.user_id, Question.text)
        .where(Question.outcome == "unknown", col(Question.answered_by).is_(None), ~_reviewed())
        .distinct()
        .subquery()
    )
    return int(session.exec(select(func.count()).select_from(asked)).one())


def unanswered(*, session: Session, limit: int = 20) -> list[Question]:
    """Questions the bot could not answer and nobody has answered or reviewed yet, newest first."""
    query = (
        select(Question)
        .where(Question.outcome == "unknown", col(Question.answered_by).is_(None), ~_reviewed())
        .order_by(col(Question.asked_at).desc(), col(Question.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))


@dataclass(frozen=True)
class DownVoted:
    """An answered question whose answer got more 👎 than 👍."""

    question: Question
    total: int


def down_voted(*, session: Session, limit: int = 20) -> list[DownVoted]:
    """Answers voted down overall and not reviewed by an admin yet, worst first."""
    total = func.sum(Feedback.vote).label("total")
    query = (
        select(Question, total)
        .join(Feedback, col(Feedback.question_id) == col(Question.id))
        .where(~_reviewed())
        .group_by(col(Question.id))
        .having(func.sum(Feedback.vote) < 0)
        .order_by(total, col(Question.id).desc())
        .limit(limit)
    )
    return [DownVoted(question=q, total=int(t)) for q, t in session.exec(query)]


def vote_total(*, session: Session, question_id: int) -> int:
    """The 👍 less the 👎 on the answer to a question (0 without votes)."""
    query = select(func.coalesce(func.sum(Feedback.vote), 0)).where(Feedback.question_id == question_id)
    return int(session.exec(query).one())


# ---- learning from use: verdicts on asked questions, and the fitted ranker ----------------------
EXPERT, ADMIN = "expert", "admin"
"""Who gave a verdict: an expert pointing an escalated question at an entry, or an admin reviewing the gaps."""


def add_example(
    session: Session,
    *,
    text: str,
    lang: str,
    slug: str | None,
    origin: str,
    question_id: int | None,
    created_by: str,
    now: dt.datetime,
) -> QaExample:
    """Store a question as one more phrasing of the entry `slug`, or (`slug` None) as beyond the bot's knowledge.

    One verdict per logged question: a second one replaces the first (callers lock the question row, so two
    verdicts on one question never race).
    """
    example = example_for(session, question_id=question_id) if question_id is not None else None
    if example is not None:
        log.info(
            "verdict on question %s replaced: %s by %s, now %s by %s",
            question_id,
            example.slug or "-",
            example.origin,
            slug or "-",
            origin,
        )
    else:
        example = QaExample(question_id=question_id, origin=origin, created_by=created_by, created_at=now)
    example.text = text
    example.lang = lang
    example.slug = slug
    example.origin = origin
    example.created_by = created_by
    example.created_at = now
    session.add(example)
    session.flush()
    return example


def relabel(session: Session, *, text: str, lang: str, slug: str, created_by: str, now: dt.datetime) -> bool:
    """Make the question `text`, known to be beyond the bot's knowledge, one more phrasing of the entry `slug`: every
    verdict given on it changes, or (a shipped question, which has none) a new one replaces its shipped label.

    False when it already led to `slug`: nothing changes.
    """
    found = list(session.exec(select(QaExample).where(QaExample.text == text)))
    if found and all(example.slug == slug for example in found):
        return False
    for example in found or [QaExample(text=text, lang=lang, origin=ADMIN, created_by=created_by)]:
        example.slug, example.origin, example.created_by, example.created_at = slug, ADMIN, created_by, now
        session.add(example)
    session.flush()
    return True


def list_examples(session: Session) -> list[QaExample]:
    """Every verdict on a question, oldest first."""
    return list(session.exec(select(QaExample).order_by(col(QaExample.id))))


def example_for(session: Session, *, question_id: int) -> QaExample | None:
    """The verdict given on the logged question `question_id`, if any."""
    return session.exec(select(QaExample).where(QaExample.question_id == question_id)).first()


FITS_KEPT = 3
"""Fits kept in qa_fit: the newest, and a couple before it for a worker that has not reloaded yet."""


def save_fit(session: Session, *, payload: str, digest: str, fitted_at: dt.datetime) -> QaFit:
    """Store a fitted ranker (JSON `payload`, fitted on data summed up by `digest`); drop all but the newest few."""
    fit = QaFit(payload=payload, digest=digest, fitted_at=fitted_at)
    session.add(fit)
    session.flush()
    kept = select(QaFit.id).order_by(*_NEWEST_FIT_FIRST).limit(FITS_KEPT)
    session.execute(delete(QaFit).where(col(QaFit.id).not_in(kept.scalar_subquery())))
    return fit


def latest_fit(session: Session) -> QaFit | None:
    """The newest fitted ranker, or None before the first fit."""
    return session.exec(select(QaFit).order_by(*_NEWEST_FIT_FIRST).limit(1)).first()


MAX_NAME_WORDS = 12
"""Longest partner name, in words, found whole inside a question."""


def partners_named_in(*, session: Session, folded_text: str, limit: int = 5) -> list[Partner]:
    """Partners whose whole folded name appears in `folded_text` (a question), longest names first.

    The question's runs of up to MAX_NAME_WORDS words are looked up by equality on the indexed folded name: the
    work grows with the question, not with the partner book, and no name is ever read as a LIKE pattern. The runs
    go to the database as one JSON parameter: one statement, compiled once, whatever the question's length.
    """
    tokens = folded_text.split()
    every = {
        " ".join(tokens[i : i + size])
        for i in range(len(tokens))
        for size in range(1, min(MAX_NAME_WORDS, len(tokens) - i) + 1)
    }
    runs = sorted(run for run in every if len(run) >= 4)
    if not runs:
        return []
    dialect = session.get_bind().dialect.name
    found = session.exec(_named_query(dialect), params={"runs": runs})
    return sorted(found, key=lambda p: (-len(p.name_folded), p.id or 0))[:limit]


@cache
def _named_query(dialect: str) -> Any:
    """The partners whose folded name is one of the parameter `runs`: an array in PostgreSQL (whose planner then
    probes the index for each, where a set-returning function over JSON had it scan the whole book), JSON in SQLite."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql  # imported by a bot on PostgreSQL only (storage.db.dialect_insert)

        names = any_(bindparam("runs", type_=postgresql.ARRAY(Text)))
        return select(Partner).where(col(Partner.name_folded) == names)
    each = func.json_each(bindparam("runs", type_=JSON)).table_valued("value")
    return select(Partner).where(col(Partner.name_folded).in_(select(each.c.value)))
