#!/usr/bin/env python3
"""Evaluate question answering on bot/knowledge/questions/*.jsonl: accuracy, correct "I don't know", language, latency.

Usage: .venv/bin/python scripts/eval_qa.py [--verbose] [--repeat N] [FILE.jsonl ...]

Prints, per set and pooled, per language: right % and correct "I don't know" % with 95 % Wilson intervals, the
wrong-language count, p50/p95 latency; then the process's RSS. tests/qa/frozen/*.jsonl is the frozen test split:
`scripts/eval_qa.py tests/qa/frozen/*.jsonl` gives the honest figures for unseen questions.

Runs in-process on a fresh SQLite database holding the console's demo partners, at 2008-09-02 09:30
Paris (14 days before the deadline), as user U0DEMO001.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from slack_sdk import WebClient  # noqa: E402

from bot.app import build_runtime  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.demo import DEMO_USERS, load_demo  # noqa: E402
from bot.qa.evaluation import Report, evaluate, load_cases, pooled  # noqa: E402
from bot.qa.training import held_out  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

NOW = dt.datetime(2008, 9, 2, 7, 30, tzinfo=dt.UTC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    parser.add_argument("--repeat", type=int, default=5, help="times each question is asked for the latency figures")
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "bot" / "knowledge" / "questions").glob("*.jsonl"))
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/eval.db")
        upgrade(db)
        load_demo(db, now=NOW)
        settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp}/eval.db")  # type: ignore[call-arg]
        rt = build_runtime(settings, db=db, clock=FixedClock(NOW), client=WebClient(base_url="http://127.0.0.1:9/"))
        reports: list[Report] = []
        for path in files:
            report = evaluate(
                rt,
                path.stem,
                load_cases(path),
                user_id=DEMO_USERS[0].user_id,
                repeat=args.repeat,
                classifier=held_out(path.stem),
            )
            reports.append(report)
            print(report.figures())
            if args.verbose:
                for failure in report.failures:
                    print("   ", failure)
        if len(reports) > 1:
            total = pooled("all", reports)
            print(total.figures())
            for part in total.by_language.values():
                print(part.figures())
        elif reports:
            for part in reports[0].by_language.values():
                print(part.figures())
        db.dispose()
    print(f"RSS of this process: {rss_mb():.0f} MB (peak {peak_rss_mb():.0f} MB)")
    return 0


def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
