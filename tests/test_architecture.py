"""Arrows point one way: handlers → bot → storage; only the composition root sees all three."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPOSITION_ROOT = {"bot/app.py", "bot/cli.py", "bot/console.py", "bot/server.py", "bot/socket_mode.py"}


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_storage_imports_neither_bot_nor_handlers() -> None:
    for path in files("storage"):
        bad = {m for m in imported_modules(path) if m.split(".")[0] in ("bot", "handlers")}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_bot_does_not_import_handlers_or_bolt_requests() -> None:
    for path in files("bot"):
        if str(path.relative_to(ROOT)) in COMPOSITION_ROOT:
            continue
        bad = {m for m in imported_modules(path) if m.split(".")[0] == "handlers" or m.startswith("slack_bolt")}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_handlers_reach_storage_only_through_bot() -> None:
    for path in files("handlers"):
        bad = {m for m in imported_modules(path) if m.split(".")[0] in ("storage", "sqlalchemy", "sqlmodel")}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"
