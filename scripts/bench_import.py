#!/usr/bin/env python3
"""Benchmark `import-partners`: 20,000 generated rows into a fresh SQLite (and PostgreSQL) database.

    .venv/bin/python scripts/bench_import.py [--rows 20000] [--owners 200] [--lookups]
    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python scripts/bench_import.py

Prints, per database, the seconds and rows/s of a first import and of a re-import that changes one
row in ten. `--lookups` also resolves every owner through the local Slack stand-in of the tests
(one users.lookupByEmail per distinct e-mail), as a real import with SLACK_BOT_TOKEN does.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bot.app import build_runtime  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.partners.io import import_partners  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.databases import fresh_databases  # noqa: E402

COUNTRIES = ["FR", "FR", "BE", "CH", "DE"]
STATUSES = ["", "not_contacted", "contacted", "en cours", "registered", "refusé"]


def generate(rows: int, owners: int, seed: int = 16) -> bytes:
    """A partner file like the real one: IDs, French-ish names, a few countries, owners, some statuses."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["partner_id", "name", "country", "owner_email", "status", "region"])
    words = ["Réseaux", "Télécom", "Net", "Connect", "Data", "Info", "Micro", "Pro", "Euro", "Soft", "Dupont"]
    forms = ["SARL", "SAS", "SA", "GmbH", "Ltd", "BV", "Srl"]
    for i in range(rows):
        name = f"{rng.choice(words)} {rng.choice(words)} {rng.choice(forms)} {i}"
        owner = f"owner{i % owners:03d}@example.com"
        writer.writerow([f"LNK-{i:05d}", name, rng.choice(COUNTRIES), owner, rng.choice(STATUSES), "X"])
    return out.getvalue().encode("utf-8")


def changed(data: bytes) -> bytes:
    """The same file with one row in ten moved to `registered`."""
    lines = data.decode("utf-8").splitlines()
    for i in range(1, len(lines), 10):
        parts = lines[i].split(",")
        parts[4] = "registered" if parts[4] != "registered" else "contacted"
        lines[i] = ",".join(parts)
    return ("\n".join(lines) + "\n").encode("utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--owners", type=int, default=200)
    parser.add_argument("--lookups", action="store_true", help="resolve owners through the tests' Slack stand-in")
    args = parser.parse_args()
    data = generate(args.rows, args.owners)
    again = changed(data)
    standin = None
    api_url = "http://127.0.0.1:9/api/"
    if args.lookups:
        from tests.slack_standin import SlackStandIn

        standin = SlackStandIn().start()
        for i in range(args.owners):
            standin.add_person(f"U{i:08d}", f"owner{i:03d}", f"owner{i:03d}@example.com")
        api_url = standin.api_url
    print(f"{args.rows} rows, {args.owners} owners, owner lookups {'on' if args.lookups else 'off'}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, url, cleanup in fresh_databases(Path(tmp)):
            db = Database(url)
            upgrade(db)
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                database_url=url,
                slack_bot_token="xoxb-standin-token",  # noqa: S106
                slack_api_url=api_url,
            )
            rt = build_runtime(settings, db=db, clock=FixedClock(dt.datetime(2008, 9, 2, 7, 30, tzinfo=dt.UTC)))
            for what, payload in (("first import", data), ("re-import, 1 row in 10 changed", again)):
                started = time.perf_counter()
                report = import_partners(rt, payload, source_name="bench.csv", resolve_owners=args.lookups)
                seconds = time.perf_counter() - started
                assert report.ok, report.errors[:3]
                print(
                    f"{label:10} {what:32} {seconds:6.2f} s  {args.rows / seconds:9,.0f} rows/s  "
                    f"({report.created} new, {report.updated} updated)"
                )
            db.dispose()
            if callable(cleanup):
                cleanup()
    if standin is not None:
        standin.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
