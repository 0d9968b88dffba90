#!/usr/bin/env python3
"""Benchmark an import from Slack: an admin drops 20,000 rows into the bot's DM, reads the report, clicks Import.

    .venv/bin/python scripts/bench_slack_import.py [--rows 20000] [--owners 200] [--xlsx]
    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python scripts/bench_slack_import.py

Everything goes over HTTP as in the end-to-end tests: the real app on waitress, signed events and clicks,
the tests' Slack stand-in hosting the file (downloaded with the bot token) and answering every owner
lookup. Prints, per database, the seconds from the file's event to the checked report, and from the
click to the result, with how often the progress message was edited.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_import import generate  # noqa: E402

from bot.app import build_runtime  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.ids import Action  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.conftest import ADMIN, make_settings, start_bot  # noqa: E402
from tests.databases import fresh_databases  # noqa: E402
from tests.slack_standin import SlackStandIn, text_of  # noqa: E402

DM = "D" + ADMIN[1:]


def message(standin: SlackStandIn, words: str, timeout: float) -> dict[str, Any]:
    """The first DM to the admin holding `words`."""

    def found(s: SlackStandIn) -> dict[str, Any] | None:
        posts = [c.args for c in s.calls_to("chat.postMessage") if c.args.get("channel") == DM]
        return next((p for p in posts if words in text_of(p)), None)

    return dict(standin.wait_for(found, timeout))


def as_xlsx(data: bytes) -> bytes:
    """The CSV rows as a workbook's first sheet."""
    import csv
    import io

    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("partners")
    for row in csv.reader(io.StringIO(data.decode("utf-8"))):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_button(report: dict[str, Any]) -> str:
    for block in report.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == Action.IMPORT_RUN:
                return str(element["value"])
    raise SystemExit("the report has no Import button: " + text_of(report)[:300])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--owners", type=int, default=200)
    parser.add_argument("--xlsx", action="store_true", help="send the rows as an Excel workbook instead of CSV")
    args = parser.parse_args()
    data = generate(args.rows, args.owners)
    name = "partners.csv"
    if args.xlsx:
        data, name = as_xlsx(data), "partners.xlsx"
    print(f"{args.rows:,} rows ({len(data):,} bytes), {args.owners} owners, every owner looked up in the stand-in")
    with tempfile.TemporaryDirectory() as tmp:
        for label, url, cleanup in fresh_databases(Path(tmp), prefix="tb_bench_slack"):
            standin = SlackStandIn().start()
            standin.add_person(ADMIN, "admin", "admin@example.com")
            for i in range(args.owners):
                standin.add_person(f"U{i:08d}", f"owner{i:03d}", f"owner{i:03d}@example.com")
            db = Database(url)
            upgrade(db)
            settings = make_settings(standin, url)
            rt = build_runtime(settings, db=db, clock=FixedClock(dt.datetime(2008, 9, 2, 7, 30, tzinfo=dt.UTC)))
            bot = start_bot(rt, standin)
            try:
                started = time.perf_counter()
                bot.sender.file_share(ADMIN, standin.host_file(name, data, ADMIN, "xlsx" if args.xlsx else "csv"))
                report = message(standin, f"{name} checked", timeout=600)
                checked = time.perf_counter() - started
                started = time.perf_counter()
                bot.sender.click(ADMIN, Action.IMPORT_RUN, import_button(report), channel=DM)
                result = message(standin, "Imported", timeout=600)
                imported = time.perf_counter() - started
                edits = len(standin.calls_to("chat.update"))
                summary = next(line for line in text_of(report).splitlines() if "new," in line)
                print(f"{label:10} checked in {checked:6.2f} s, report: {summary[:110]}")
                print(
                    f"{label:10} imported in {imported:6.2f} s ({args.rows / imported:,.0f} rows/s), "
                    f"progress edited {edits} times: {text_of(result)[:100]}"
                )
                assert not standin.problems, standin.problems
            finally:
                bot.stop()
                standin.stop()
                db.dispose()
                if callable(cleanup):
                    cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
