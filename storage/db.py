"""The engine and the unit of work: one session per Slack request or job, committed at its end."""

from __future__ import annotations

import collections
import contextlib
import logging
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

log = logging.getLogger(__name__)

# Slack wants an answer within 3 s: a locked or unreachable database must turn into a clear
# "nothing was changed, try again" well before that, not into a long wait.
SQLITE_BUSY_TIMEOUT_MS = 2_000
# Each pooled connection keeps its own page cache, and every scan (LIKE '%…%' finds) fills it: at
# SQLite's default 2 MB, up to 20 connections made the largest part of the bot's memory (memory bench:
# 195 MB, 142 MB at 256 KiB) and were no faster, the partner table being larger than the cache anyway.
SQLITE_CACHE_KIB = 256
PG_CONNECT_TIMEOUT_S = 2
PG_STATEMENT_TIMEOUT_MS = 10_000
# Unacknowledged data or silent peers (a network cut, a host gone) end the connection after this long.
PG_TCP_USER_TIMEOUT_MS = 3_000
POOL_TIMEOUT_S = 3
PING_TIMEOUT_S = 1.5


def dialect_insert(dialect: str) -> Any:
    """The INSERT with ON CONFLICT of `dialect` (sqlite or postgresql), its module imported on first use: the
    PostgreSQL dialect's 20 modules cost a bot on SQLite some 2 MB."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


class DatabaseUnavailable(Exception):
    """The database could not be reached or answered with an operational error."""


UNAVAILABLE_ERRORS = (OperationalError, InterfaceError, PoolTimeout)


def normalise_url(url: str) -> str:
    """Accept postgres:// and postgresql:// as given, and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create the engine: SQLite in WAL mode with a busy timeout and foreign keys, or PostgreSQL."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=POOL_TIMEOUT_S,
        )
        _configure_sqlite(engine)
        return engine
    return sa.create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": PG_CONNECT_TIMEOUT_S,
            "options": f"-c statement_timeout={PG_STATEMENT_TIMEOUT_MS}",
            "application_name": "transition-bot",
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 2,
            "keepalives_count": 3,
            "tcp_user_timeout": PG_TCP_USER_TIMEOUT_MS,
        },
    )


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and cannot take the write lock up
    # front; we emit BEGIN ourselves so writers can ask for IMMEDIATE and never deadlock.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """The engine plus the session factory every bot function uses."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, pool_size=pool_size)
        self._writer = self.engine.execution_options(sqlite_immediate=True)
        # SQLite has one writer at a time and its busy handler polls with growing sleeps, so many
        # threads of one process starve each other past the busy timeout under load; a first-come
        # queue hands the turn over at once and in order. Other processes still meet the busy timeout.
        self._write_lock = WriteQueue() if self.dialect == "sqlite" else None
        self._ping_lock = threading.Lock()
        self._ping: Future[bool] | None = None

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on error, always close.

        `write=True` takes SQLite's write lock at BEGIN, so read-then-write work cannot deadlock.
        Operational errors (database down, locked too long) surface as DatabaseUnavailable.
        """
        queued = write and self._write_lock is not None
        if queued and not self._write_lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):  # type: ignore[union-attr]
            log.warning("database unavailable: no write turn within %d ms", SQLITE_BUSY_TIMEOUT_MS)
            raise DatabaseUnavailable("write queue")
        session = Session(self._writer if write else self.engine, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except (*UNAVAILABLE_ERRORS, DBAPIError) as exc:
            _rollback_quietly(session)
            if isinstance(exc, UNAVAILABLE_ERRORS) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
                cause = type(getattr(exc, "orig", None) or exc).__name__
                log.warning("database unavailable: %s", cause)
                raise DatabaseUnavailable(cause) from exc
            raise
        except BaseException:
            _rollback_quietly(session)
            raise
        finally:
            with contextlib.suppress(Exception):
                session.close()
            if queued:
                self._write_lock.release()  # type: ignore[union-attr]

    def ping(self, *, timeout: float = PING_TIMEOUT_S) -> bool:
        """Say, within `timeout` seconds, whether the database answers and would take a write.

        The check runs in a helper thread so a hung database cannot hang the caller; callers
        arriving while a check is still running share it rather than piling up more.
        """
        with self._ping_lock:
            if self._ping is None or self._ping.done():
                future: Future[bool] = Future()
                threading.Thread(target=self._run_ping, args=(future,), name="db-ping", daemon=True).start()
                self._ping = future
            future = self._ping
        try:
            return future.result(timeout=timeout)
        except TimeoutError:
            log.warning("database ping did not answer within %.1f s", timeout)
            return False

    def _run_ping(self, future: Future[bool]) -> None:
        try:
            # SQLite readers pass a writer's lock in WAL mode; beginning as a writer (BEGIN
            # IMMEDIATE) is what tells whether an update could be recorded now.
            with self._writer.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            future.set_result(True)
        except (*UNAVAILABLE_ERRORS, DBAPIError) as exc:
            log.warning("database ping failed: %s", type(getattr(exc, "orig", None) or exc).__name__)
            future.set_result(False)
        except Exception as exc:  # a health check reports, it never raises
            log.warning("database ping failed: %s", type(exc).__name__)
            future.set_result(False)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


class WriteQueue:
    """A reentrant lock granted in arrival order; a waiter gives up after its timeout."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._waiters: collections.deque[tuple[int, threading.Event]] = collections.deque()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self, timeout: float) -> bool:
        """Take the turn, waiting behind earlier callers for at most `timeout` seconds."""
        me = threading.get_ident()
        with self._guard:
            if self._owner == me:
                self._depth += 1
                return True
            if self._owner is None and not self._waiters:
                self._owner, self._depth = me, 1
                return True
            waiter = (me, threading.Event())
            self._waiters.append(waiter)
        if waiter[1].wait(timeout):
            return True  # release() made us the owner before waking us
        with self._guard:
            if waiter[1].is_set():  # handed over just as we gave up: it is ours
                return True
            self._waiters.remove(waiter)
            return False

    def release(self) -> None:
        """Give the turn back, straight to the longest waiter if there is one."""
        with self._guard:
            self._depth -= 1
            if self._depth:
                return
            self._owner = None
            if self._waiters:
                ident, turn = self._waiters.popleft()
                self._owner, self._depth = ident, 1
                turn.set()


def _rollback_quietly(session: Session) -> None:
    # Rolling back on a dead connection can fail too; the original error is the one to report.
    try:
        session.rollback()
    except Exception as exc:
        log.debug("rollback failed: %s", type(exc).__name__)
