"""The bot's tables. Every schema change comes with an Alembic migration in storage/migrations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Store aware datetimes as UTC; read them back aware, on SQLite too."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class Partner(SQLModel, table=True):
    """A Linksys partner to bring into the Cisco Channel Partner Program."""

    id: int | None = Field(default=None, primary_key=True)
    partner_id: str = Field(max_length=64)
    partner_key: str = Field(max_length=64, unique=True)  # partner_id upper-cased, for any-case lookup
    name: str = Field(max_length=300)
    name_folded: str = Field(max_length=300, index=True)  # case- and accent-insensitive match key
    country: str = Field(default="", max_length=64)
    owner_email: str = Field(default="", max_length=320, index=True)
    owner_user_id: str | None = Field(default=None, max_length=32, index=True)
    status: str = Field(default="not_contacted", max_length=32, index=True)
    note: str = Field(default="")
    updated_at: dt.datetime = _ts()
    updated_by: str = Field(default="", max_length=320)
    snoozed_until: dt.date | None = None
    revision: int = Field(default=0)  # bumped by every change; guards undo and concurrent edits


class StatusChange(SQLModel, table=True):
    """One entry of a partner's append-only history."""

    __tablename__ = "status_change"

    id: int | None = Field(default=None, primary_key=True)
    partner_pk: int = Field(foreign_key="partner.id", index=True)
    at: dt.datetime = _ts()
    by: str = Field(max_length=320)  # Slack user ID, or "import:<file>"
    source: str = Field(max_length=16)  # command, button, modal, import, undo, assign
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str = Field(max_length=32)
    from_owner: str | None = Field(default=None, max_length=320)
    to_owner: str | None = Field(default=None, max_length=320)
    note: str = Field(default="")
    undoes: int | None = Field(default=None)  # the change this one reverts


class SlackUser(SQLModel, table=True):
    """A Slack user as users.info / users.lookupByEmail last described them."""

    __tablename__ = "slack_user"

    user_id: str = Field(primary_key=True, max_length=32)
    email: str | None = Field(default=None, max_length=320, index=True)
    name: str = Field(default="", max_length=200)
    tz: str | None = Field(default=None, max_length=64)
    locale: str | None = Field(default=None, max_length=35)  # users.info's `locale` (BCP 47), e.g. fr-FR
    deleted: bool = False
    fetched_at: dt.datetime = _ts()


class LanguageChoice(SQLModel, table=True):
    """The language a person chose with `/transition language`; it wins over their Slack locale."""

    __tablename__ = "language_choice"

    user_id: str = Field(primary_key=True, max_length=32)
    language: str = Field(max_length=8)
    chosen_at: dt.datetime = _ts()


class EmailLookupMiss(SQLModel, table=True):
    """An e-mail that users.lookupByEmail did not find, so we do not ask again at once."""

    __tablename__ = "email_lookup_miss"

    email: str = Field(primary_key=True, max_length=320)
    checked_at: dt.datetime = _ts()


class ProcessedEvent(SQLModel, table=True):
    """An Events API event_id already taken by one bot process; the key makes retries no-ops."""

    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True, max_length=64)
    received_at: dt.datetime = _ts(index=True)


class NudgeLog(SQLModel, table=True):
    """One nudge, claimed before it is sent and marked sent with Slack's ts after."""

    __tablename__ = "nudge_log"
    __table_args__ = (sa.UniqueConstraint("kind", "recipient", "local_date", "seq", name="uq_nudge_once"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # digest, summary, closing
    recipient: str = Field(max_length=32)  # user ID or channel ID
    local_date: dt.date
    seq: int = 0  # 0 for the day's round; `nudge --now --force` adds 1, 2, …
    state: str = Field(default="pending", max_length=16, index=True)  # pending, sent, failed, expired
    claimed_at: dt.datetime = _ts()
    claim_token: str = Field(max_length=64)
    attempts: int = 0
    channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    sent_at: dt.datetime | None = _ts(default=None)
    error: str | None = Field(default=None, max_length=200)


class NudgePreference(SQLModel, table=True):
    """An owner's choice about their digests."""

    __tablename__ = "nudge_preference"

    user_id: str = Field(primary_key=True, max_length=32)
    muted: bool = False
    updated_at: dt.datetime = _ts()


class Setting(SQLModel, table=True):
    """A shared runtime switch (e.g. nudges paused), visible to every process."""

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="", max_length=500)
    updated_at: dt.datetime = _ts()
    updated_by: str = Field(default="", max_length=64)


class ScheduleEvent(SQLModel, table=True):
    """An audit entry for every change of nudge schedule state (pause, mute, snooze, round now)."""

    __tablename__ = "schedule_event"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = _ts(index=True)
    by: str = Field(max_length=64)
    action: str = Field(max_length=32)
    subject: str = Field(default="", max_length=100)
    detail: str = Field(default="", max_length=500)


class KnowledgeEntry(SQLModel, table=True):
    """An answer added or edited from Slack; shipped entries live in bot/knowledge/ data files."""

    __tablename__ = "knowledge_entry"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=100, unique=True)
    questions_en: str = Field(default="")  # one phrasing per line
    questions_fr: str = Field(default="")
    answer_en: str = Field(default="")
    answer_fr: str = Field(default="")
    source: str = Field(default="", max_length=500)
    origin: str = Field(default="expert", max_length=16)  # expert, admin
    created_by: str = Field(default="", max_length=32)
    created_at: dt.datetime = _ts()
    updated_at: dt.datetime = _ts()
    active: bool = True


class Question(SQLModel, table=True):
    """A question asked of the bot, kept so experts can answer and admins can find gaps."""

    id: int | None = Field(default=None, primary_key=True)
    asked_at: dt.datetime = _ts(index=True)
    user_id: str = Field(max_length=32)
    channel: str = Field(default="", max_length=32)
    thread_ts: str | None = Field(default=None, max_length=32)
    language: str = Field(default="en", max_length=2)
    text: str = Field(default="")
    outcome: str = Field(default="answered", max_length=16, index=True)  # answered, unknown, expert
    entry_slug: str | None = Field(default=None, max_length=100)
    score: float = 0.0
    expert_ts: str | None = Field(default=None, max_length=32)
    answered_by: str | None = Field(default=None, max_length=32)
    answered_at: dt.datetime | None = _ts(default=None)


class Feedback(SQLModel, table=True):
    """A 👍 or 👎 on an answer; one vote per person per answer, the last one counts."""

    __table_args__ = (sa.UniqueConstraint("question_id", "user_id", name="uq_feedback_once"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    user_id: str = Field(max_length=32)
    vote: int  # +1 or -1
    at: dt.datetime = _ts()


class PartnerImport(SQLModel, table=True):
    """A partner file an admin sent in Slack: checked and kept until they click Import (or Cancel)."""

    __tablename__ = "partner_import"

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=32)  # the admin who sent the file
    channel: str = Field(max_length=32)  # their DM with the bot, where the report and progress go
    file_id: str = Field(max_length=32)
    file_name: str = Field(max_length=255)
    digest: str = Field(max_length=64)  # SHA-256 of the file
    data: bytes = Field(sa_type=sa.LargeBinary)
    base_version: str = Field(max_length=64)  # the import version the report was checked against
    state: str = Field(default="checked", max_length=16, index=True)  # an ImportState
    checked_at: dt.datetime = _ts()
    started_at: dt.datetime | None = _ts(default=None)  # when its Import click ran it
    finished_at: dt.datetime | None = _ts(default=None)
    outcome: str = Field(default="", max_length=500)  # the one-line result shown to a second click


class QaExample(SQLModel, table=True):
    """A verdict on an asked question: the entry that answers it, or none (beyond the bot's knowledge)."""

    __tablename__ = "qa_example"
    # NULLs never clash: one verdict per logged question, and any number of examples not tied to one.
    __table_args__ = (sa.UniqueConstraint("question_id", name="uq_qa_example_question"),)

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(default="")  # the question as asked, cleaned
    lang: str = Field(default="en", max_length=2)
    slug: str | None = Field(default=None, max_length=100)  # None: a negative example
    origin: str = Field(max_length=16)  # expert, admin
    question_id: int | None = Field(
        default=None, sa_column_args=[sa.ForeignKey("question.id", ondelete="SET NULL")], nullable=True
    )
    created_by: str = Field(max_length=32)  # Slack user ID
    created_at: dt.datetime = _ts()  # when the verdict was given: a replacement takes its own time


class QaFit(SQLModel, table=True):
    """A ranker fitted on the knowledge (entries, phrasings, examples), for every process to load."""

    __tablename__ = "qa_fit"

    id: int | None = Field(default=None, primary_key=True)
    fitted_at: dt.datetime = _ts(index=True)
    digest: str = Field(default="", sa_type=sa.Text)  # what data it was fitted on
    payload: str = Field(default="", sa_type=sa.Text)  # JSON
