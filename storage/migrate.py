"""Schema migrations with Alembic, applied by `transition-bot run` and the other commands."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.db import Database

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(db: Database) -> Config:
    """An Alembic config pointing at our migrations and at `db`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return cfg


def pending(db: Database) -> list[str]:
    """Revisions not yet applied to `db`, oldest first."""
    script = ScriptDirectory.from_config(alembic_config(db))
    with db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
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
        cfg = alembic_config(db)
        with db.engine.begin() as conn:
            if db.dialect == "postgresql":
                # Two processes starting together must not migrate at once.
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7419001)")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        log.info("applied %d migration(s)", len(todo))
    return todo
