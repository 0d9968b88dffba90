"""Checked partner files: claimed once, stale after another import, cancelled once, on both databases."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

from storage import imports as store
from storage.db import Database
from storage.partners import bump_import_version

NOW = dt.datetime(2008, 9, 2, 7, 30, tzinfo=dt.UTC)


def keep(db: Database, name: str = "a.csv") -> int:
    with db.session(write=True) as session:
        row = store.add_import(
            session=session,
            user_id="U1",
            channel="D1",
            file_id="F1",
            file_name=name,
            digest="0" * 64,
            data=b"x",
            at=NOW,
        )
        assert row.id is not None
        return row.id


def claim(db: Database, import_id: int, *, at: dt.datetime = NOW) -> store.ImportState | None:
    with db.session(write=True) as session:
        return store.claim_import(
            session=session,
            import_id=import_id,
            new_version=uuid.uuid4().hex,
            now=at,
            running_since=at - dt.timedelta(minutes=30),
        )


def test_a_file_is_claimed_once_and_reports_checked_before_it_turn_stale(db: Database) -> None:
    first, second = keep(db), keep(db, "b.csv")
    assert claim(db, first) is None
    assert claim(db, first) is store.ImportState.RUNNING
    assert claim(db, second) is store.ImportState.STALE
    assert claim(db, second) is store.ImportState.STALE
    with db.session(write=True) as session:
        store.finish_import(session=session, import_id=first, state=store.ImportState.DONE, outcome="ok", at=NOW)
    assert claim(db, first) is store.ImportState.DONE
    assert claim(db, 999_999) is store.ImportState.CANCELLED


def test_a_run_cut_off_by_a_crash_is_told_as_interrupted_not_running_for_ever(db: Database) -> None:
    running = keep(db)
    assert claim(db, running) is None
    assert claim(db, running, at=NOW + dt.timedelta(minutes=29)) is store.ImportState.RUNNING
    assert claim(db, running, at=NOW + dt.timedelta(minutes=31)) is store.ImportState.INTERRUPTED
    assert claim(db, running, at=NOW + dt.timedelta(days=1)) is store.ImportState.INTERRUPTED
    with db.session() as session:
        row = store.get_import(session=session, import_id=running)
        assert row is not None and (row.state, row.data, row.started_at) == ("interrupted", b"", NOW)


def test_an_import_from_the_command_line_makes_checked_reports_stale(db: Database) -> None:
    checked = keep(db)
    with db.session(write=True) as session:
        bump_import_version(session=session)
    assert claim(db, checked) is store.ImportState.STALE


def test_a_report_left_a_day_expires(db: Database) -> None:
    old, kept = keep(db), keep(db)
    with db.session(write=True) as session:
        assert (
            store.claim_import(
                session=session, import_id=old, new_version="v", now=NOW, checked_since=NOW + dt.timedelta(seconds=1)
            )
            is store.ImportState.EXPIRED
        )
        assert store.expire_imports(session=session, before=NOW + dt.timedelta(seconds=1)) == 1
        row = store.get_import(session=session, import_id=kept)
        assert row is not None and (row.state, row.data) == ("expired", b"")


def test_cancel_only_a_checked_file(db: Database) -> None:
    one, two = keep(db), keep(db)
    with db.session(write=True) as session:
        assert store.cancel_import(session=session, import_id=one) is None
        assert store.cancel_import(session=session, import_id=one) is store.ImportState.CANCELLED
    assert claim(db, one) is store.ImportState.CANCELLED
    assert claim(db, two) is None
    with db.session(write=True) as session:
        assert store.cancel_import(session=session, import_id=two) is store.ImportState.RUNNING


def test_of_four_reports_clicked_at_once_one_runs(db: Database) -> None:
    ids = [keep(db, f"{i}.csv") for i in range(4)]
    start = threading.Barrier(len(ids))
    outcomes: list[store.ImportState | None] = []
    lock = threading.Lock()

    def click(import_id: int) -> None:
        start.wait()
        outcome = claim(db, import_id)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=click, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(map(str, outcomes)) == ["None", "stale", "stale", "stale"]
