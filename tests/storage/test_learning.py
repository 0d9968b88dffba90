"""Verdicts on asked questions (examples) and the fitted ranker, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, col, select

from storage import knowledge as store
from storage.db import Database
from storage.models import QaExample, QaFit

NOW = dt.datetime(2008, 9, 2, 7, 30, tzinfo=dt.UTC)


def ask(db: Database, text: str, *, outcome: str = "unknown", slug: str | None = None) -> int:
    with db.session(write=True) as session:
        question = store.add_question(
            session=session,
            asked_at=NOW,
            user_id="U0ALICE01",
            channel="D0ALICE01",
            thread_ts=None,
            language="en",
            text=text,
            outcome=outcome,
            entry_slug=slug,
            score=0.0,
        )
        assert question.id is not None
        return question.id


def verdict(
    db: Database, question_id: int | None, slug: str | None, *, origin: str = "admin", at: dt.datetime = NOW
) -> QaExample:
    with db.session(write=True) as session:
        return store.add_example(
            session,
            text="Is there a fee?",
            lang="en",
            slug=slug,
            origin=origin,
            question_id=question_id,
            created_by="U0ADMIN01",
            now=at,
        )


def version(db: Database) -> tuple[int, dt.datetime | None]:
    with db.session() as session:
        return store.entries_version(session=session)


def examples(db: Database) -> list[QaExample]:
    with db.session() as session:
        return store.list_examples(session)


def test_the_models_and_the_migrations_agree(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_an_example_is_stored_and_listed_positive_or_negative(db: Database) -> None:
    first, second = ask(db, "Is there a fee?"), ask(db, "Who is the CFO?")
    verdict(db, first, "fee", origin="expert")
    verdict(db, second, None)
    verdict(db, None, "deadline")  # not tied to a logged question
    stored = examples(db)
    assert [(e.question_id, e.slug, e.origin) for e in stored] == [
        (first, "fee", "expert"),
        (second, None, "admin"),
        (None, "deadline", "admin"),
    ]
    assert stored[0].created_at == NOW and stored[0].lang == "en" and stored[0].created_by == "U0ADMIN01"


def test_a_second_verdict_on_a_question_replaces_the_first_and_says_so(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    question_id = ask(db, "Is there a fee?")
    verdict(db, question_id, "fee", origin="expert")
    with caplog.at_level(logging.INFO, logger="storage.knowledge"):
        verdict(db, question_id, None, at=NOW + dt.timedelta(minutes=5))
    (only,) = examples(db)
    assert (only.question_id, only.slug, only.origin, only.created_at) == (
        question_id,
        None,
        "admin",
        NOW + dt.timedelta(minutes=5),
    )
    assert f"verdict on question {question_id} replaced: fee by expert, now - by admin" in caplog.text
    assert "Is there a fee" not in caplog.text  # never the question's text


def test_the_database_allows_one_verdict_per_question_and_many_without_one(db: Database) -> None:
    question_id = ask(db, "Is there a fee?")
    verdict(db, None, "fee")
    verdict(db, None, "fee")
    verdict(db, question_id, "fee")
    with pytest.raises(IntegrityError), db.session(write=True) as session:
        session.add(
            QaExample(text="x", lang="en", origin="admin", question_id=question_id, created_by="U", created_at=NOW)
        )
        session.flush()
    assert len(examples(db)) == 3


def test_the_knowledge_version_changes_when_an_example_is_added_or_replaced(db: Database) -> None:
    empty = version(db)
    assert empty == (0, None)
    question_id = ask(db, "Is there a fee?")
    verdict(db, question_id, "fee", origin="expert")
    added = version(db)
    assert added == (1, NOW)
    later = NOW + dt.timedelta(seconds=1)
    verdict(db, question_id, None, at=later)
    assert version(db) == (1, later)
    with db.session(write=True) as session:
        store.save_entry(
            session=session,
            slug="fee",
            questions_en="Is there a fee?",
            questions_fr="",
            answer_en="No.",
            answer_fr="",
            source="",
            origin="admin",
            by="U0ADMIN01",
            now=NOW,
        )
    assert version(db) == (2, later)  # an entry counts too; the newest change wins


def test_a_question_an_admin_gave_a_verdict_on_leaves_the_gaps(db: Database) -> None:
    unknown, kept = ask(db, "Is there a fee?"), ask(db, "Who is the CFO?")
    answered, other = ask(db, "who is Nigel?", outcome="answered", slug="x"), ask(db, "when?", outcome="answered")
    with db.session(write=True) as session:
        for question_id in (answered, other):
            store.record_vote(session=session, question_id=question_id, user_id="U0BRUNO01", vote=-1, at=NOW)
    with db.session() as session:
        assert {q.id for q in store.unanswered(session=session)} == {unknown, kept}
        assert {d.question.id for d in store.down_voted(session=session)} == {answered, other}
        assert store.vote_total(session=session, question_id=answered) == -1
        assert store.vote_total(session=session, question_id=unknown) == 0
    verdict(db, unknown, "fee")
    verdict(db, answered, None)
    verdict(db, other, "deadline", origin="expert")  # an expert's pointing is no review of the 👎
    with db.session() as session:
        assert [q.id for q in store.unanswered(session=session)] == [kept]
        assert [d.question.id for d in store.down_voted(session=session)] == [other]


def test_fits_keep_only_the_newest_few_and_the_latest_is_read_back(db: Database) -> None:
    with db.session() as session:
        assert store.latest_fit(session) is None
        assert store.knowledge_state(session=session) == ((0, None), None)
    for n in range(store.FITS_KEPT + 2):
        with db.session(write=True) as session:
            store.save_fit(session, payload=f'{{"n": {n}}}', digest=f"d{n}", fitted_at=NOW + dt.timedelta(minutes=n))
    with db.session() as session:
        latest = store.latest_fit(session)
        kept = list(session.exec(select(QaFit).order_by(col(QaFit.fitted_at))))
        # What workers compare before each question, in one query: the knowledge's version and the newest fit's ID.
        assert latest is not None and store.knowledge_state(session=session) == ((0, None), latest.id)
    assert latest is not None and latest.payload == f'{{"n": {store.FITS_KEPT + 1}}}'
    assert (
        latest.fitted_at == NOW + dt.timedelta(minutes=store.FITS_KEPT + 1)
        and latest.digest == f"d{store.FITS_KEPT + 1}"
    )
    assert [f.digest for f in kept] == [f"d{n}" for n in range(2, store.FITS_KEPT + 2)]


def test_a_large_fit_is_stored_whole(db: Database) -> None:
    payload = '{"w": [' + ",".join(["0.125"] * 400_000) + "]}"  # about 2.4 MB of JSON
    with db.session(write=True) as session:
        store.save_fit(session, payload=payload, digest="big", fitted_at=NOW)
    with db.session() as session:
        latest = store.latest_fit(session)
    assert latest is not None and latest.payload == payload


def test_relabelling_a_question_beyond_the_knowledge_changes_its_verdicts_or_adds_one(db: Database) -> None:
    question_id = ask(db, "Is there a fee?")
    verdict(db, question_id, None)  # an admin marked it beyond the knowledge from the gaps
    later = NOW + dt.timedelta(days=1)

    def relabel(text: str, slug: str) -> bool:
        with db.session(write=True) as session:
            return store.relabel(session, text=text, lang="en", slug=slug, created_by="U0ADMIN02", now=later)

    assert relabel("Is there a fee?", "fees")
    assert [(e.question_id, e.slug, e.created_by, e.created_at) for e in examples(db)] == [
        (question_id, "fees", "U0ADMIN02", later)
    ]
    assert not relabel("Is there a fee?", "fees")  # already there: nothing changes
    assert relabel("Do partners pay to join?", "fees")  # a shipped question: it gets its first verdict
    assert [(e.text, e.slug, e.question_id) for e in examples(db)][1:] == [("Do partners pay to join?", "fees", None)]
