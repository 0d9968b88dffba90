"""Fixtures for fault tests: PostgreSQL behind a proxy the test can cut, and a bot on any URL."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from bot.app import build_runtime
from bot.clock import FixedClock
from storage.db import Database
from tests.conftest import PostgresServer, RunningBot, make_settings, start_bot
from tests.faults.proxy import TcpProxy
from tests.slack_standin import SlackStandIn


@dataclass
class ProxiedPostgres:
    """A fresh migrated PostgreSQL database reached through `proxy`."""

    url: str
    proxy: TcpProxy


@pytest.fixture
def proxied_postgres(postgres_server: PostgresServer | None) -> Iterator[ProxiedPostgres]:
    if postgres_server is None:
        pytest.skip("set TEST_DATABASE_URL to run the PostgreSQL fault tests")
    direct = sa.make_url(postgres_server.url)
    proxy = TcpProxy(direct.host or "127.0.0.1", direct.port or 5432).start()
    url = direct.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    yield ProxiedPostgres(url=url, proxy=proxy)
    proxy.stop()
    cleaner = Database(postgres_server.url)
    postgres_server.empty(cleaner)
    cleaner.dispose()


def bot_on(url: str, standin: SlackStandIn, clock: FixedClock) -> RunningBot:
    """The real app on waitress, on the database at `url`."""
    db = Database(url)
    return start_bot(build_runtime(make_settings(standin, url), db=db, clock=clock), standin)


def healthz(bot: RunningBot, timeout: float = 10.0) -> tuple[int, dict[str, object], float]:
    """GET /healthz: status, JSON body and seconds taken."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(f"{bot.url}/healthz", timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    return status, json.loads(body), time.perf_counter() - started


def wait_healthy(bot: RunningBot, within: float) -> float:
    """Poll /healthz until 200; return how long it took, or fail after `within` seconds."""
    started = time.perf_counter()
    while time.perf_counter() - started < within:
        if healthz(bot)[0] == 200:
            return time.perf_counter() - started
        time.sleep(0.1)
    raise AssertionError(f"/healthz did not come back within {within} s")
