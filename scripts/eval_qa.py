#!/usr/bin/env python3
"""Evaluate question answering: right answers, correct "I don't know", language, latency, memory.

Usage:
  .venv/bin/python scripts/eval_qa.py tests/qa/frozen/*.jsonl     the frozen test split, on the shipped engine
  .venv/bin/python scripts/eval_qa.py --held-out-folds           labelled sets, each fold judged by an engine
                                                                  indexed and fitted without it
  .venv/bin/python scripts/eval_qa.py --leave-entries-out        knowledge added tomorrow: each group of entries
                                                                  keeps one phrasing per language; the engine is
                                                                  fitted without their questions, then asked them
Prints, per set and pooled, per language: right % and correct "I don't know" % with 95 % Wilson intervals, the
wrong-language count, p50/p95 latency; then the process's RSS. The labelled sets of bot/knowledge/questions are
training data: asked of the shipped engine they score in-sample, so the script refuses them without a held-out mode.
Runs in-process on a fresh SQLite database holding the console's demo partners, at 2008-09-02 09:30 Paris (14 days
before the deadline), as user U0DEMO001.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import resource
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from slack_sdk import WebClient  # noqa: E402

from bot.app import build_runtime  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.demo import DEMO_USERS, load_demo  # noqa: E402
from bot.qa.evaluation import Case, Report, evaluate, load_cases, pooled  # noqa: E402
from bot.qa.knowledge import Entry, shipped  # noqa: E402
from bot.qa.learning import Labelled, as_examples, fold_of, shipped_labelled  # noqa: E402
from bot.qa.semantic import shared_encoder  # noqa: E402
from bot.qa.service import Engine  # noqa: E402
from bot.qa.training import fit_all  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

NOW = dt.datetime(2008, 9, 2, 7, 30, tzinfo=dt.UTC)
FOLDS = 5
ENTRY_GROUPS = 7
"""Entries left out together in --leave-entries-out: each group keeps one phrasing per language."""


def _cases(questions: list[Labelled]) -> list[Case]:
    return [Case(q.text, q.lang, q.expect) for q in questions]


def added_in_slack(path: Path) -> tuple[str, Engine, list[Case]]:
    """The shipped engine with the entries of `path` added as an admin adds them (one phrasing per language), and
    the other phrasings and near misses of `path` to ask."""
    data = json.loads(path.read_text("utf-8"))
    added = [
        Entry(
            slug=item["slug"],
            questions_en=(item["question_en"],),
            questions_fr=(item["question_fr"],),
            answer_en=item["answer_en"],
            answer_fr=item["answer_fr"],
            origin="admin",
        )
        for item in data["entries"]
    ]
    eng = Engine(shared_encoder(), entries=[*shipped().entries, *added])
    return path.stem, eng, [Case(q["q"], q["lang"], tuple(q["expect"])) for q in data["questions"]]


def held_out_folds() -> Iterator[tuple[str, Engine, list[Case]]]:
    """Each fold of the labelled sets, with an engine that never saw it."""
    encoder = shared_encoder()
    entries = list(shipped().entries)
    labelled = shipped_labelled()
    for k in range(FOLDS):
        kept = [q for q in labelled if fold_of(q, FOLDS) != k]
        asked = [q for q in labelled if fold_of(q, FOLDS) == k]
        eng = Engine(encoder, examples=as_examples(kept), fit=fit_all(entries, kept, encoder))
        yield f"fold{k}", eng, _cases(asked)


def _one_phrasing(entry: Entry) -> Entry:
    return dataclasses.replace(entry, questions_en=entry.questions_en[:1], questions_fr=entry.questions_fr[:1])


def entries_left_out() -> Iterator[tuple[str, Engine, list[Case]]]:
    """Each group of entries as if added tomorrow with one phrasing per language, and near misses nobody labelled
    for the engine: it is fitted without any question about them, then asked all of those questions."""
    encoder = shared_encoder()
    labelled = shipped_labelled()
    slugs = sorted(e.slug for e in shipped().entries)
    for g in range(ENTRY_GROUPS):
        new = set(slugs[g::ENTRY_GROUPS])
        entries = [_one_phrasing(e) if e.slug in new else e for e in shipped().entries]
        about = [q for q in labelled if new & set(q.expect)]
        near = [q for q in labelled if not q.expect and fold_of(q, ENTRY_GROUPS) == g]
        left_out = {id(q) for q in about + near}
        kept = [q for q in labelled if id(q) not in left_out]
        eng = Engine(encoder, entries=entries, examples=as_examples(kept), fit=fit_all(entries, kept, encoder))
        yield f"new{g}", eng, _cases([q for q in about if set(q.expect) <= new] + near)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    parser.add_argument("--repeat", type=int, default=5, help="times each question is asked for the latency figures")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--held-out-folds", action="store_true", help="labelled sets, each fold unseen by its engine")
    mode.add_argument("--leave-entries-out", action="store_true", help="entries added tomorrow, one phrasing each")
    mode.add_argument("--added", type=Path, nargs="+", help="tests/qa/added/*.json: entries added in Slack, then asked")
    args = parser.parse_args()
    labelled_dir = ROOT / "bot" / "knowledge" / "questions"
    if any(path.resolve().parent == labelled_dir for path in args.files):
        parser.error("the labelled sets are training data: use --held-out-folds or --leave-entries-out")
    if args.added:
        runs = (added_in_slack(path) for path in args.added)
    elif args.held_out_folds or args.leave_entries_out:
        runs = held_out_folds() if args.held_out_folds else entries_left_out()
    else:
        runs = ((path.stem, None, load_cases(path)) for path in args.files)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/eval.db")
        upgrade(db)
        load_demo(db, now=NOW)
        settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp}/eval.db")  # type: ignore[call-arg]
        rt = build_runtime(settings, db=db, clock=FixedClock(NOW), client=WebClient(base_url="http://127.0.0.1:9/"))
        reports: list[Report] = []
        for name, eng, cases in runs:
            report = evaluate(rt, name, cases, user_id=DEMO_USERS[0].user_id, repeat=args.repeat, eng=eng)
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
