#!/usr/bin/env python3
"""Benchmark a nudge round: 20,000 partners, 200 owners, against the tests' local Slack stand-in.

    .venv/bin/python scripts/bench_nudges.py [--partners 20000] [--owners 200] [--repeat 5]
    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python scripts/bench_nudges.py

Per database (a fresh SQLite file, and a fresh PostgreSQL database when TEST_DATABASE_URL is set) it
prints: the time to compute a round (who is due, one query for the backlogs, every digest and the
summary built) with the users' zones cached, and once more on a cold cache; the Web API calls a whole
round makes per owner, by method, on a cold and on a warm cache; the time to send it to the local
stand-in; and this process's memory (the data is loaded by a child process, and the chart is drawn
in one, so what remains is what a bot holds for a round).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bot.app import build_runtime  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.nudges.rounds import Mode, plan_round, run_round  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Partner, StatusChange  # noqa: E402
from tests.databases import fresh_databases  # noqa: E402
from tests.slack_standin import TOKEN, SlackStandIn  # noqa: E402

# Tuesday 2 September 2008, 16:00 UTC: past 09:00 in every zone below, 14 days before the deadline.
NOW = dt.datetime(2008, 9, 2, 16, 0, tzinfo=dt.UTC)
ZONES = ["Europe/Paris", "Europe/Paris", "Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago"]
STATUSES = ["not_contacted"] * 40 + ["contacted"] * 15 + ["in_progress"] * 15 + ["registered"] * 25 + ["declined"] * 5
CHANNEL = "C0SALES01"


def peak_mb() -> float:
    """This process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def owner_id(i: int) -> str:
    return f"U0OWN{i:04d}"


def load(db: Database, partners: int, owners: int, seed: int = 16) -> None:
    """Insert the partners (with a history entry each) in bulk."""
    rng = random.Random(seed)
    start = dt.datetime(2008, 8, 8, 8, 0, tzinfo=dt.UTC)
    rows = []
    for i in range(partners):
        owner = i % owners
        rows.append(
            {
                "id": i + 1,
                "partner_id": f"LNK-{i:05d}",
                "partner_key": f"LNK-{i:05d}",
                "name": f"Partner {i} SARL",
                "name_folded": f"partner {i} sarl",
                "country": "FR",
                "owner_email": f"owner{owner:04d}@example.com",
                "owner_user_id": owner_id(owner),
                "status": rng.choice(STATUSES),
                "note": "",
                "updated_at": start + dt.timedelta(minutes=rng.randrange(25 * 24 * 60)),
                "updated_by": "import:bench.csv",
                "snoozed_until": None,
                "revision": 1,
            }
        )
    changes = [
        {
            "partner_pk": row["id"],
            "at": row["updated_at"],
            "by": "import:bench.csv",
            "source": "import",
            "from_status": None,
            "to_status": row["status"],
            "note": "",
        }
        for row in rows
    ]
    with db.session(write=True) as session:
        session.execute(sa.insert(Partner), rows)
        session.execute(sa.insert(StatusChange), changes)


def fill(url: str, partners: int, owners: int) -> None:
    """Migrate and fill the database (in the child process)."""
    db = Database(url)
    upgrade(db)
    load(db, partners, owners)
    db.dispose()


def load_in_child(url: str, partners: int, owners: int) -> None:
    """Fill the database from a child process, so this one's memory is what a bot holds for a round."""
    child = multiprocessing.get_context("spawn").Process(target=fill, args=(url, partners, owners))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"loading the database failed ({child.exitcode})")


def rss_mb() -> float:
    """This process's resident memory now."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def calls_by_method(standin: SlackStandIn, since: int) -> Counter[str]:
    return Counter(c.method for c in standin.calls[since:])


def fake_png(_series: object) -> bytes:
    return b"\x89PNG\r\n\x1a\n"


def bench(label: str, url: str, args: argparse.Namespace, standin: SlackStandIn) -> None:
    load_in_child(url, args.partners, args.owners)
    db = Database(url)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=url,
        slack_bot_token=TOKEN,
        slack_api_url=standin.api_url,
        nudge_channel=CHANNEL,
        transition_deadline=dt.date(2008, 9, 16),
    )
    rt = build_runtime(settings, db=db, clock=FixedClock(NOW))
    owners = args.owners

    mark = len(standin.calls)
    started = time.perf_counter()
    planned, _ = plan_round(rt, mode=Mode.SCHEDULED)
    cold = time.perf_counter() - started
    cold_lookups = calls_by_method(standin, mark)
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        planned, _ = plan_round(rt, mode=Mode.SCHEDULED)
        timings.append(time.perf_counter() - started)
    digests = sum(1 for p in planned if p.kind == "digest")
    print(f"{label}: {args.partners} partners, {owners} owners, {digests} digests + 1 summary due")
    print(
        f"  compute a round, zones cached:   median {statistics.median(timings) * 1000:7.1f} ms"
        f"  (min {min(timings) * 1000:.1f}, max {max(timings) * 1000:.1f}, {args.repeat} runs)"
    )
    print(
        f"  compute a round, cold zone cache: {cold * 1000:7.1f} ms (includes {sum(cold_lookups.values())} "
        f"users.info calls to the local stand-in)"
    )

    mark = len(standin.calls)
    started = time.perf_counter()
    report = run_round(rt, chart=fake_png)
    sent_in = time.perf_counter() - started
    warm = calls_by_method(standin, mark)
    total_warm = sum(warm.values())
    total_cold = total_warm + sum(cold_lookups.values())
    print(f"  send the round to the stand-in:   {sent_in:7.2f} s  ({report.line()})")
    print(f"  Web API calls, warm zone cache:   {total_warm} = {total_warm / owners:.2f} per owner  {dict(warm)}")
    print(
        f"  Web API calls, first round ever:  {total_cold} = {total_cold / owners:.2f} per owner  "
        f"(+{dict(cold_lookups)})"
    )
    print(f"  resident memory after the round:  {rss_mb():7.0f} MB (peak {peak_mb():.0f} MB)")
    db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=20_000)
    parser.add_argument("--owners", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for label, url, cleanup in fresh_databases(Path(tmp)):
            standin = SlackStandIn().start()
            for i in range(args.owners):
                standin.add_person(owner_id(i), f"owner{i:04d}", f"owner{i:04d}@example.com", ZONES[i % len(ZONES)])
            try:
                bench(label, url, args, standin)
            finally:
                standin.stop()
                if callable(cleanup):
                    cleanup()
    print(f"matplotlib imported by this process: {'matplotlib' in sys.modules} (the chart is drawn in a child)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
