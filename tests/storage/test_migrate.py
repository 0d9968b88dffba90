"""Migrations: Alembic's head is the one the bot checks without Alembic, and a current database never loads it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from storage.db import Database
from storage.migrate import HEAD, alembic_config, pending, upgrade


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
