"""The unit of work under contention and outage: SQLite's in-process write queue, and the bounded ping."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from storage.db import Database, DatabaseUnavailable, WriteQueue


def test_the_write_queue_serves_callers_in_arrival_order() -> None:
    queue = WriteQueue()
    assert queue.acquire(timeout=1)
    served: list[int] = []

    def wait_turn(n: int) -> None:
        assert queue.acquire(timeout=5)
        served.append(n)
        queue.release()

    threads = []
    for n in range(5):
        thread = threading.Thread(target=wait_turn, args=(n,))
        thread.start()
        threads.append(thread)
        time.sleep(0.05)  # so they arrive in this order
    queue.release()
    for thread in threads:
        thread.join()
    assert served == [0, 1, 2, 3, 4]


def test_a_waiter_gives_up_after_its_timeout_and_the_queue_goes_on() -> None:
    queue = WriteQueue()
    assert queue.acquire(timeout=1)
    started = time.monotonic()
    outcome: list[bool] = []
    waiter = threading.Thread(target=lambda: outcome.append(queue.acquire(timeout=0.2)))
    waiter.start()
    waiter.join()
    assert outcome == [False] and 0.15 < time.monotonic() - started < 1
    queue.release()
    assert queue.acquire(timeout=0.1)  # nobody was left holding it
    queue.release()


def test_the_write_queue_is_reentrant() -> None:
    queue = WriteQueue()
    assert queue.acquire(timeout=1) and queue.acquire(timeout=1)
    queue.release()
    other: list[bool] = []
    thread = threading.Thread(target=lambda: other.append(queue.acquire(timeout=0.1)))
    thread.start()
    thread.join()
    assert other == [False]  # still held once
    queue.release()


def test_many_threads_writing_at_once_all_get_their_turn(database_url: str) -> None:
    db = Database(database_url)
    failures: list[str] = []

    def writer(n: int) -> None:
        for k in range(15):
            try:
                with db.session(write=True) as session:
                    session.execute(
                        sa.text("INSERT INTO setting (key, value, updated_at, updated_by) VALUES (:k, '', :at, '')"),
                        {"k": f"w{n}-{k}", "at": "2008-09-02 07:30:00+00:00"},
                    )
            except DatabaseUnavailable as exc:
                failures.append(str(exc))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with db.engine.connect() as conn:
        written = conn.execute(sa.text("SELECT count(*) FROM setting WHERE key LIKE 'w%'")).scalar()
    db.dispose()
    assert failures == []
    assert written == 16 * 15


def test_ping_answers_within_its_timeout_while_sqlite_is_locked(database_url: str) -> None:
    timeout = 0.3
    db = Database(database_url)
    if db.dialect != "sqlite":
        db.dispose()
        pytest.skip("SQLite's write lock")
    import sqlite3

    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        assert db.ping(timeout=timeout) is False
        assert time.monotonic() - started < timeout + 0.2
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert db.ping() is True  # the check still running gets the lock now
    db.dispose()
