"""Migrations: Alembic's head is the one the bot checks without Alembic, and a current database never loads it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlmodel import select

from storage.db import Database
from storage.migrate import HEAD, alembic_config, pending, upgrade
from storage.models import KnowledgeEntry, PartnerImport
from tests.conftest import BACKENDS, PG_URL
from tests.databases import create_postgres_database


def test_head_is_alembics_newest_revision(tmp_path: Path) -> None:
    script = ScriptDirectory.from_config(alembic_config(Database(f"sqlite:///{tmp_path / 'any.db'}")))
    assert script.get_heads() == [HEAD]


def test_an_empty_database_is_migrated_once(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'bot.db'}")
    todo = pending(db)
    assert todo[0] == "0001" and todo[-1] == HEAD and todo == sorted(todo)
    assert upgrade(db) == todo
    assert pending(db) == [] and upgrade(db) == []
    db.dispose()


def test_a_process_whose_database_is_current_never_imports_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    db = Database(url)
    upgrade(db)
    db.dispose()
    check = (
        "import sys; from storage.db import Database; from storage.migrate import upgrade; "
        f"assert upgrade(Database({url!r})) == []; print('alembic' in sys.modules, 'mako' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.split() == ["False", "False"]


NOW = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, not migrated: SQLite, then PostgreSQL when configured."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.db'}"
        return
    assert PG_URL is not None
    url, drop = create_postgres_database(PG_URL, "tb_migrate")
    yield url
    drop()


def migrated_to(url: str, revision: str) -> Database:
    """The database at `url`, migrated by Alembic up to `revision` only."""
    db = Database(url)
    cfg = alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return db


def test_expert_sources_saved_before_0005_lose_their_doubled_words(empty_url: str) -> None:
    db = migrated_to(empty_url, "0004")
    saved = {
        "old": ("expert", "answer from <@U0EXPERT1> (2026-12-01)"),
        "new": ("expert", "<@U0EXPERT1> (2026-12-07)"),
        "faq": ("admin", "answer from the FAQ team"),
    }
    with db.session() as session:
        for slug, (origin, source) in saved.items():
            session.add(KnowledgeEntry(slug=slug, origin=origin, source=source, created_at=NOW, updated_at=NOW))
        session.commit()
    assert upgrade(db) == ["0005", "0006"]
    with db.session() as session:
        rows = {e.slug: e.source for e in session.exec(select(KnowledgeEntry))}
    assert rows == {
        "old": "<@U0EXPERT1> (2026-12-01)",
        "new": "<@U0EXPERT1> (2026-12-07)",
        "faq": "answer from the FAQ team",  # an admin's own words are left as written
    }
    db.dispose()


def test_a_partner_import_running_before_0006_is_kept_with_no_start_time(empty_url: str) -> None:
    db = migrated_to(empty_url, "0005")
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO partner_import (user_id, channel, file_id, file_name, digest, data, base_version, state,"
                " checked_at, outcome) VALUES ('U1', 'D1', 'F1', 'a.csv', 'd', :data, 'v', 'running', :at, '')"
            ),
            {"data": b"x", "at": NOW},
        )
    assert upgrade(db) == ["0006"]
    with db.session() as session:
        (row,) = session.exec(select(PartnerImport))
    assert (row.state, row.started_at, row.checked_at) == ("running", None, NOW)
    db.dispose()
