#!/usr/bin/env python3
"""Grid-search the QA gate's thresholds on every labelled set at once, keeping the setting whose worst figure is best.

Usage: .venv/bin/python scripts/tune_qa_gate.py [FILE.jsonl ...]

The score of a setting is the lowest of all sets' right-rates and correct-"I don't know" rates, so no single set
is tuned at the others' expense; ties go to the higher mean. Prints the best few settings; it changes nothing.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
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
from bot.qa import retrieval  # noqa: E402
from bot.qa.evaluation import evaluate, load_cases  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from eval_qa import NOW  # noqa: E402

GRID = {
    "MIN_COVERAGE": (0.5, 0.6, 0.7),
    "MIN_MARGIN": (0.03, 0.05, 0.1),
    "KEY_MIN_COVERAGE": (0.2, 0.3, 0.4, 0.5),
    "KEY_LEAD": (1.0, 1.2, 1.5, 2.0),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "bot" / "knowledge" / "questions").glob("*.jsonl"))
    sets = {path.stem: load_cases(path) for path in files}
    current = {name: getattr(retrieval, name) for name in GRID}
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/eval.db")
        upgrade(db)
        load_demo(db, now=NOW)
        settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp}/eval.db")  # type: ignore[call-arg]
        rt = build_runtime(settings, db=db, clock=FixedClock(NOW), client=WebClient(base_url="http://127.0.0.1:9/"))
        for values in itertools.product(*GRID.values()):
            setting = dict(zip(GRID, values, strict=True))
            for name, value in setting.items():
                setattr(retrieval, name, value)
            reports = [evaluate(rt, name, cases, user_id=DEMO_USERS[0].user_id) for name, cases in sets.items()]
            rates = [r.accuracy for r in reports] + [r.abstention for r in reports]
            results.append((min(rates), statistics.mean(rates), setting, reports))
        db.dispose()
    for name, value in current.items():
        setattr(retrieval, name, value)
    results.sort(key=lambda r: (r[0], r[1]), reverse=True)
    for worst, mean, setting, reports in results[: args.top]:
        print(f"worst {100 * worst:.1f}%  mean {100 * mean:.1f}%  {setting}")
        for report in reports:
            print(f"    {report.name}: right {100 * report.accuracy:.1f}%, I don't know {100 * report.abstention:.1f}%")
    chosen = next(r for r in results if r[2] == current)
    print(f"current: worst {100 * chosen[0]:.1f}%  mean {100 * chosen[1]:.1f}%  {current}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
