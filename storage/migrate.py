"""Schema migrations with Alembic, applied by `transition-bot run` and the other commands.

Alembic is imported only when a database is not at `HEAD`: it and Mako cost each process 11 MB of memory, which a bot
whose schema is current (every start but the first after an upgrade) never needs.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from storage.db import Database

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0006"
"""The newest revision in storage/migrations/versions; a test checks that Alembic agrees. Update it with each one."""


def alembic_config(db: Database) -> Config:
    """An Alembic config pointing at our migrations and at `db`."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return cfg


def _applied(db: Database) -> set[str]:
    """The revisions Alembic recorded in `db` (none for an empty database)."""
    with db.engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return set()
        return {str(version) for version in conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars()}


def pending(db: Database) -> list[str]:
    """Revisions not yet applied to `db`, oldest first."""
    current = _applied(db)
    if current == {HEAD}:
        return []
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(db))
    todo = []
    for rev in script.walk_revisions():
        if rev.revision in current:
            break
        todo.append(rev.revision)
    return list(reversed(todo)) if current or todo else []


def upgrade(db: Database) -> list[str]:
    """Apply every pending migration; return what was applied."""
    todo = pending(db)
    if todo:
        from alembic import command

        cfg = alembic_config(db)
        with db.engine.begin() as conn:
            if db.dialect == "postgresql":
                # Two processes starting together must not migrate at once.
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7419001)")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        log.info("applied %d migration(s)", len(todo))
    return todo
