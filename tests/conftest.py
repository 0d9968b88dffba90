"""Shared fixtures: a fresh database per test (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
the Slack stand-in, and the real HTTP server running the real app."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App
from sqlmodel import SQLModel

from bot.app import build_runtime, create_app
from bot.clock import FixedClock
from bot.config import Settings
from bot.runtime import Runtime
from bot.server import QuestionPool, router_for
from storage.db import Database
from storage.migrate import upgrade
from tests.databases import create_postgres_database
from tests.slack_standin import SIGNING_SECRET, TOKEN, SlackSender, SlackStandIn

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
ADMIN = "U0ADMIN01"
# A Tuesday inside the seed's window, 09:30 in Paris: 14 days before a 16 September deadline.
DEFAULT_NOW = dt.datetime(2008, 9, 2, 7, 30, tzinfo=dt.UTC)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip PostgreSQL variants when TEST_DATABASE_URL is not set."""
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="set TEST_DATABASE_URL to run the PostgreSQL variant")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


class PostgresServer:
    """One fresh database for the whole run, emptied between tests."""

    def __init__(self, url: str) -> None:
        self.url, self.drop = create_postgres_database(url, "tb_test")
        database = Database(self.url)
        upgrade(database)
        database.dispose()

    def empty(self, db: Database) -> None:
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    if not PG_URL:
        yield None
        return
    server = PostgresServer(PG_URL)
    yield server
    server.drop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating every time is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, postgres_server: PostgresServer | None
) -> Iterator[str]:
    """The URL of an empty, migrated database: SQLite, then PostgreSQL when configured."""
    if request.param == "sqlite":
        path = tmp_path / "bot.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    assert postgres_server is not None
    yield postgres_server.url
    cleaner = Database(postgres_server.url)
    postgres_server.empty(cleaner)
    cleaner.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEFAULT_NOW)


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    slack = SlackStandIn().start()
    slack.add_person("U0ALICE01", "alice", "alice@example.com", "Europe/Paris")
    slack.add_person("U0BRUNO01", "bruno", "bruno@example.com", "Europe/Paris")
    slack.add_person("U0CHLOE01", "chloe", "chloe@example.com", "America/New_York")
    slack.add_person(ADMIN, "admin", "admin@example.com", "Europe/Paris")
    slack.add_person("U0OTHER01", "other", "other@example.com", "Europe/London")
    yield slack
    slack.stop()


def make_settings(standin: SlackStandIn, database_url: str, **overrides: Any) -> Settings:
    """Settings as the contract names them, pointing at the stand-in."""
    values: dict[str, Any] = {
        "slack_bot_token": TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": standin.api_url,
        "database_url": database_url,
        "admin_user_ids": frozenset({ADMIN}),
        "nudge_channel": "C0SALES01",
        "experts_channel": "C0EXPERTS1",
        "transition_deadline": dt.date(2008, 9, 16),
        "transition_timezone": "Europe/Paris",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(standin: SlackStandIn, database_url: str) -> Settings:
    return make_settings(standin, database_url)


@pytest.fixture
def rt(settings: Settings, db: Database, clock: FixedClock) -> Runtime:
    """A Runtime on the test database, the fixed clock and the stand-in's Web API."""
    return build_runtime(settings, db=db, clock=clock)


@dataclass
class RunningBot:
    """The real app behind the real HTTP server, on a free port."""

    rt: Runtime
    app: App
    url: str
    sender: SlackSender
    stop: Callable[[], None]


@contextlib.contextmanager
def bots_started(
    standin: SlackStandIn, database_url: str, db: Database, clock: FixedClock, *, experts: frozenset[str]
) -> Iterator[Callable[..., RunningBot]]:
    """A function that starts a bot with the tests' settings, `experts` as its experts unless overridden, and any
    override (`questions`: the runtime's question pool); every bot it started is stopped at the end."""
    running: list[RunningBot] = []

    def starter(*, questions: QuestionPool | None = None, **overrides: Any) -> RunningBot:
        overrides.setdefault("expert_user_ids", experts)
        rt = build_runtime(make_settings(standin, database_url, **overrides), db=db, clock=clock)
        rt.questions = questions
        running.append(start_bot(rt, standin))
        return running[-1]

    try:
        yield starter
    finally:
        for bot in running:
            bot.stop()


def start_bot(rt: Runtime, standin: SlackStandIn) -> RunningBot:
    """Serve `rt`'s app on waitress in a thread, as `transition-bot run` does."""
    from waitress.server import create_server

    app = create_app(rt)
    limit = rt.settings.max_request_bytes
    router = router_for(app, rt)
    server = create_server(router, host="127.0.0.1", port=0, threads=8, max_request_body_size=limit + 1)
    stopping = threading.Event()

    def serve() -> None:
        # Close from the loop's own thread: closing from another one leaves select() on a dead descriptor.
        while not stopping.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, count=1)  # type: ignore[union-attr]
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]
        server.asyncore.close_all(server._map)  # type: ignore[union-attr]

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    port = server.effective_port  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}"

    def stop() -> None:
        stopping.set()
        thread.join(timeout=5)
        # Work acknowledged but not done yet would otherwise reach Slack after the stand-in has stopped,
        # and log its failures into the next test.
        if rt.questions is not None:
            rt.questions.shutdown(wait=True)
            rt.questions = None
        app.listener_runner.listener_executor.shutdown(wait=True)

    return RunningBot(rt=rt, app=app, url=url, sender=SlackSender(f"{url}/slack/events", standin), stop=stop)


@pytest.fixture
def bot(rt: Runtime, standin: SlackStandIn) -> Iterator[RunningBot]:
    running = start_bot(rt, standin)
    yield running
    running.stop()
