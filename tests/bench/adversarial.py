"""Adversarial messages against 20,000 partners: each one's cost, and other users' latency during a flood (issue 20).

    python -m tests.bench.adversarial [--db sqlite|postgresql|both] [--partners 20000] [--random 40] [--flood 20]

1. In-process: every message of tests/qa/adversarial.py (FIXED) and `--random` generated ones, up to Slack's
   40,000 characters, decided the fastest of three times; printed: the slowest, p50, p95, and how many went
   over the 100 ms budget. Also `/partner update` with 80 status-like words after an unknown name.
2. Over HTTP (the real app on waitress, the Slack stand-in): another user's "When is the deadline?" DM and
   `/partner show` command, timed from the signed request to the answer reaching Slack, first alone, then
   while `--flood` adversarial DMs arrive at once from 20 threads.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bot.app import build_runtime
from bot.clock import FixedClock
from bot.errors import BotError
from bot.partners import parsing
from bot.partners import service as partner_service
from bot.partners.io import import_partners
from bot.qa import service
from bot.runtime import Runtime
from storage.db import Database
from storage.migrate import upgrade
from tests.bench.setup import DEFAULT_PG, database, save, workdir
from tests.conftest import ADMIN, DEFAULT_NOW, make_settings, start_bot
from tests.qa.adversarial import FIXED, book_csv, random_messages
from tests.qa.test_e2e import posts_to
from tests.slack_standin import SlackStandIn, text_of

BUDGET_MS = 100.0
ALICE, BRUNO = "U0ALICE01", "U0BRUNO01"


def best_ms(work: Callable[[], object], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def in_process(rt: Runtime, randoms: int) -> dict[str, object]:
    """Each adversarial message decided in-process, the fastest of three runs."""
    messages = list(FIXED.items()) + [(f"random {i}", text) for i, text in enumerate(random_messages(randoms))]
    timings = {}
    for name, text in messages:
        service.decide(rt, text, user_id=ALICE)
        timings[name] = best_ms(lambda text=text: service.decide(rt, text, user_id=ALICE))
    values = list(timings.values())
    worst = max(timings, key=lambda name: timings[name])
    statuses = " ".join(["contacted", "registered", "en cours", "refusé"] * 20)
    update = parsing.parse(f"update Nobody Known Here {statuses}")

    def run_update() -> None:
        with contextlib.suppress(BotError):  # no such partner: the answer names the closest ones
            partner_service.update(rt, actor=ADMIN, command=update)  # type: ignore[arg-type]

    return {
        "messages": len(values),
        "longest_chars": max(len(text) for _, text in messages),
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "max_ms": round(timings[worst], 1),
        "slowest": worst,
        "over_budget": sum(1 for v in values if v > BUDGET_MS),
        "update_80_status_words_ms": round(best_ms(run_update), 1),
    }


def latency(bot_sender: Callable[[int], None], done: Callable[[int], bool], count: int) -> list[float]:
    """Send `count` requests one after another; each one's time until `done(n)` says its answer reached Slack."""
    found = []
    for n in range(count):
        started = time.perf_counter()
        bot_sender(n)
        deadline = started + 30
        while not done(n + 1) and time.perf_counter() < deadline:
            time.sleep(0.002)
        found.append((time.perf_counter() - started) * 1000)
    return found


def over_http(rt: Runtime, standin: SlackStandIn, flood: int, probes: int) -> dict[str, object]:
    """Another user's question and command, alone and while `flood` adversarial DMs arrive."""
    bot = start_bot(rt, standin)
    try:

        def measure(tag: str) -> tuple[list[float], list[float]]:
            base_q = len([p for p in posts_to(standin, "D0BRUNO01") if "16 September" in text_of(p)])
            questions = latency(
                lambda n: bot.sender.direct_message(BRUNO, f"When is the deadline? {tag}{n}"),
                lambda n: (
                    len([p for p in posts_to(standin, "D0BRUNO01") if "16 September" in text_of(p)]) >= base_q + n
                ),
                probes,
            )
            keys: list[str] = []

            def command(n: int) -> None:
                keys.append(bot.sender.command("/partner", "show LNK-00010", BRUNO)[2])

            commands = latency(command, lambda n: bool(standin.responses_to(keys[n - 1])), probes)
            return questions, commands

        alone = measure("a")
        texts = list(FIXED.values()) + random_messages(flood)
        senders = [
            threading.Thread(target=bot.sender.direct_message, args=(ALICE, texts[i % len(texts)]))
            for i in range(flood)
        ]
        for thread in senders:
            thread.start()
        during = measure("f")
        for thread in senders:
            thread.join()
    finally:
        bot.stop()

    def figures(values: list[float]) -> dict[str, float]:
        return {"p50_ms": round(statistics.median(values), 1), "max_ms": round(max(values), 1)}

    return {
        "question_alone": figures(alone[0]),
        "question_during_flood": figures(during[0]),
        "command_alone": figures(alone[1]),
        "command_during_flood": figures(during[1]),
    }


def run(kind: str, args: argparse.Namespace, work: Path) -> dict[str, object]:
    with database(kind, work, args.pg) as url:
        db = Database(url)
        upgrade(db)
        standin = SlackStandIn().start()
        for user, name in ((ALICE, "alice"), (BRUNO, "bruno"), (ADMIN, "admin")):
            standin.add_person(user, name, f"{name}@example.com")
        try:
            rt = build_runtime(make_settings(standin, url), db=db, clock=FixedClock(DEFAULT_NOW))
            started = time.perf_counter()
            assert import_partners(rt, book_csv(args.partners), resolve_owners=False).ok
            figures: dict[str, object] = {"import_s": round(time.perf_counter() - started, 1)}
            figures["in_process"] = in_process(rt, args.random)
            figures["over_http"] = over_http(rt, standin, args.flood, args.probes)
        finally:
            standin.stop()
            db.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--partners", type=int, default=20_000)
    parser.add_argument("--random", type=int, default=40)
    parser.add_argument("--flood", type=int, default=20)
    parser.add_argument("--probes", type=int, default=10)
    args = parser.parse_args()
    work = workdir("adversarial")
    results = {}
    for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        results[kind] = run(kind, args, work)
        print(f"{kind}, {args.partners} partners:")
        for section, values in results[kind].items():
            print(f"  {section}: {values}")
    print("saved to", save("adversarial", results))


if __name__ == "__main__":
    main()
