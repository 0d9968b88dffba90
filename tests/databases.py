"""Fresh databases for tests and benchmarks: a SQLite file, and a new PostgreSQL database on a server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from storage.db import normalise_url


def create_postgres_database(server_url: str, prefix: str) -> tuple[str, Callable[[], None]]:
    """Create an empty database on the server `server_url` names; return its URL and a function that drops it."""
    admin_url = normalise_url(server_url)
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False), drop


def fresh_databases(tmp: Path, prefix: str = "tb_bench") -> list[tuple[str, str, Callable[[], None] | None]]:
    """(label, url, cleanup) for a fresh SQLite file and, with TEST_DATABASE_URL, a fresh PostgreSQL database."""
    found: list[tuple[str, str, Callable[[], None] | None]] = [("sqlite", f"sqlite:///{tmp / 'bench.db'}", None)]
    server = os.environ.get("TEST_DATABASE_URL")
    if server:
        url, drop = create_postgres_database(server, prefix)
        found.append(("postgresql", url, drop))
    return found
