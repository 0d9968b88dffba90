"""Partner files waiting for an admin's Import click, claimed once across every process."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, col

from storage.db import dialect_insert
from storage.models import PartnerImport, Setting
from storage.partners import IMPORT_VERSION_KEY, import_version


class ImportState(StrEnum):
    """Where a checked partner file stands."""

    CHECKED = "checked"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    STALE = "stale"
    EXPIRED = "expired"
    INTERRUPTED = "interrupted"
    """It was running when its process died (a crash, a kill): nothing of it was written, as it writes at once."""


def add_import(
    *,
    session: Session,
    user_id: str,
    channel: str,
    file_id: str,
    file_name: str,
    digest: str,
    data: bytes,
    at: dt.datetime,
) -> PartnerImport:
    """Keep a checked file, against the current import version."""
    row = PartnerImport(
        user_id=user_id,
        channel=channel,
        file_id=file_id,
        file_name=file_name[:255],
        digest=digest,
        data=data,
        base_version=import_version(session=session),
        checked_at=at,
    )
    session.add(row)
    session.flush()
    return row


def get_import(*, session: Session, import_id: int) -> PartnerImport | None:
    """One kept file."""
    return session.get(PartnerImport, import_id)


def _lock_version(session: Session) -> str:
    """The import version, row-locked until the session ends (the row is made if missing)."""
    table = Setting.__table__  # type: ignore[attr-defined]
    insert = dialect_insert(session.connection().dialect.name)
    values = {"key": IMPORT_VERSION_KEY, "value": "", "updated_at": dt.datetime.now(dt.UTC), "updated_by": "storage"}
    session.execute(insert(table).values(**values).on_conflict_do_nothing())
    return import_version(session=session, lock=True)


def claim_import(
    *,
    session: Session,
    import_id: int,
    new_version: str,
    now: dt.datetime,
    checked_since: dt.datetime | None = None,
    running_since: dt.datetime | None = None,
) -> ImportState | None:
    """Take a checked file to run it: None when taken, else the state that stops it (it may turn stale here, or
    interrupted when it has been running since before `running_since`: no import takes that long).

    The import version is locked and moved on in the same transaction, so of two reports clicked at once
    only one runs, and every other report checked before it becomes stale.
    """
    current = _lock_version(session)
    query = sa.select(PartnerImport).where(col(PartnerImport.id) == import_id).with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        return ImportState.CANCELLED
    started = row.started_at or row.checked_at
    if row.state == ImportState.RUNNING and running_since is not None and started < running_since:
        row.state, row.data, row.outcome, row.finished_at = ImportState.INTERRUPTED, b"", "interrupted", now
        session.add(row)
        return ImportState.INTERRUPTED
    if row.state != ImportState.CHECKED:
        return ImportState(row.state)
    if checked_since is not None and row.checked_at < checked_since:
        row.state, row.data = ImportState.EXPIRED, b""
        session.add(row)
        return ImportState.EXPIRED
    if row.base_version != current:
        row.state = ImportState.STALE
        session.add(row)
        return ImportState.STALE
    row.state, row.started_at = ImportState.RUNNING, now
    session.add(row)
    setting = session.get(Setting, IMPORT_VERSION_KEY)
    assert setting is not None
    setting.value = new_version
    session.add(setting)
    return None


def cancel_import(*, session: Session, import_id: int) -> ImportState | None:
    """Cancel a checked file: None when cancelled, else the state it was already in."""
    result = session.execute(
        sa.update(PartnerImport)
        .where(col(PartnerImport.id) == import_id, col(PartnerImport.state) == ImportState.CHECKED)
        .values(state=ImportState.CANCELLED, data=b"")
    )
    if int(result.rowcount or 0):  # type: ignore[attr-defined]
        return None
    row = session.get(PartnerImport, import_id)
    return ImportState(row.state) if row else ImportState.CANCELLED


def finish_import(*, session: Session, import_id: int, state: ImportState, outcome: str, at: dt.datetime) -> None:
    """Record how a run ended and drop the file's bytes."""
    session.execute(
        sa.update(PartnerImport)
        .where(col(PartnerImport.id) == import_id)
        .values(state=state, outcome=outcome[:500], finished_at=at, data=b"")
    )


def expire_imports(*, session: Session, before: dt.datetime) -> int:
    """Drop files checked before `before` and never clicked (their reports say so if clicked later)."""
    result = session.execute(
        sa.update(PartnerImport)
        .where(col(PartnerImport.state) == ImportState.CHECKED, col(PartnerImport.checked_at) < before)
        .values(state=ImportState.EXPIRED, data=b"")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
