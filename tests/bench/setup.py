"""What benchmark runs share: the stand-in process, fresh databases, a partner book, reading history back."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.bench import process
from tests.bench.standin_server import owner_email

DEFAULT_PG = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
RESULTS = process.ROOT / "bench-results"


@dataclass
class StandInProcess:
    """The stand-in running in its own interpreter."""

    proc: subprocess.Popen[str]
    port: int

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def response_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/response/"

    def summary(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_bench/summary", timeout=30) as response:
            return dict(json.loads(response.read()))

    def fail_next(self, method: str, *faults: dict[str, Any]) -> None:
        body = json.dumps({"method": method, "faults": list(faults)}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/_bench/fault", data=body, method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def count(self, prefix: str = "") -> tuple[int, int]:
        """Replies whose key starts with `prefix`, and Web API calls, received so far."""
        query = urllib.parse.urlencode({"prefix": prefix})
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_bench/count?{query}", timeout=30) as response:
            data = json.loads(response.read())
        return int(data["responses"]), int(data["calls"])

    def settle(
        self, *, prefix: str = "", expected: int | None = None, quiet: float = 5.0, limit: float = 600.0
    ) -> float:
        """Wait for `expected` replies (keys starting with `prefix`), or until nothing new comes for `quiet` s.

        Returns the seconds waited: how long the bot needed to finish what it had acknowledged.
        """
        started = time.perf_counter()
        last, last_change = None, started
        while time.perf_counter() - started < limit:
            now = self.count(prefix)
            if expected is not None and now[0] >= expected:
                return time.perf_counter() - started
            if now != last:
                last, last_change = now, time.perf_counter()
            elif time.perf_counter() - last_change >= quiet:
                return last_change - started
            time.sleep(0.2)
        return time.perf_counter() - started

    def stop(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@contextlib.contextmanager
def standin_process(owners: int) -> Iterator[StandInProcess]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.standin_server", str(owners)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=process.ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    standin = StandInProcess(proc=proc, port=int(line.split()[1]))
    try:
        yield standin
    finally:
        standin.stop()


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


@contextlib.contextmanager
def database(kind: str, workdir: Path, pg_url: str = DEFAULT_PG) -> Iterator[str]:
    """A fresh, migrated database URL: a SQLite file in `workdir`, or a new PostgreSQL database."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / f'bench-{time.time_ns()}.db'}"
        return
    from tests.conftest import PostgresServer

    server = PostgresServer(pg_url)
    try:
        yield server.url
    finally:
        server.drop()


def write_book(path: Path, *, partners: int, owners: int) -> Path:
    """A CSV of `partners` partners, partner n owned by owner n mod `owners`."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["partner_id", "name", "country", "owner_email", "status"])
        for n in range(partners):
            writer.writerow([partner_id(n), f"Partenaire {n} Réseaux SARL", "FR", owner_email(n % owners), ""])
    return path


def partner_id(n: int) -> str:
    return f"LNK-{n:05d}"


def history_notes(url: str, prefix: str) -> set[str]:
    """Notes of every history entry starting with `prefix` (how an update is found again)."""
    from storage.db import normalise_url

    engine = sa.create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT note FROM status_change WHERE note LIKE :p"), {"p": prefix + "%"})
            return {str(row[0]) for row in rows}
    finally:
        engine.dispose()


def workdir(name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"tb-{name}-"))


def deadline_in(days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def save(name: str, figures: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(figures, indent=2, default=str))
    return path
