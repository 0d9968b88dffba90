"""Ack latency of `transition-bot run` beside a bare Bolt app, under 20 concurrent senders (issues 2 and 6).

    python -m tests.bench.ack_latency                       # 30 s each: help and update, SQLite and PostgreSQL
    python -m tests.bench.ack_latency --seconds 5 --db sqlite --command update

For each database: a fresh database with `--partners` partners imported by `transition-bot
import-partners` (timed), then `transition-bot run --no-scheduler` as a child process against the
Slack stand-in (its own process), driven by `--senders` threads on keep-alive connections sending
signed slash commands for `--seconds` (after a warm-up). The bare Bolt app (tests/bench/bare_app.py)
runs on the same waitress set-up in the same run. Printed: errors, p50/p99 ack latency and their
ratio to the bare app, each server's CPU per request (the bot's includes the work after the ack
until it is done: steadier than latency when other processes share the machine); for `/partner
update`, every acknowledged update is looked for in the partners' history afterwards ("lost"), and
the bot's resident memory before and after.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter
from typing import Any

from tests.bench import process
from tests.bench.load import Command, LoadResult, run_load
from tests.bench.setup import (
    DEFAULT_PG,
    StandInProcess,
    database,
    deadline_in,
    history_notes,
    partner_id,
    save,
    standin_process,
    wait_port,
    workdir,
    write_book,
)
from tests.bench.standin_server import owner_id

STATUSES = ["contacted", "in_progress", "registered", "en cours", "contacté", "declined"]
CONFIRMED = ("→", "->", "now", "updated", "recorded", "is ", "marked")


def commands(kind: str, *, partners: int, owners: int, hot: int, run: str) -> Any:
    """The command each sender sends next: `/partner help`, or an update of one of its own partners."""
    per_owner = max(1, partners // owners)

    def next_command(sender: int, seq: int) -> Command:
        key = f"{run}s{sender}q{seq}"  # unique across runs: one stand-in serves them all
        if kind == "help":
            return Command("/partner", "help", "U0ADMIN01", key)
        note = f"bench-{sender}-{seq}"
        status = STATUSES[(sender + seq) % len(STATUSES)]
        if hot:  # every sender on the same few partners, as the admin: contention on purpose
            n = seq % hot
            return Command("/partner", f"update {partner_id(n)} {status} {note}", "U0ADMIN01", key, (n, note))
        owner = sender % owners
        n = owner + owners * (seq % per_owner)
        return Command("/partner", f"update {partner_id(n)} {status} {note}", owner_id(owner), key, (n, note))

    return next_command


def bare_run(standin: StandInProcess, args: argparse.Namespace, work: Any) -> LoadResult:
    port = process.free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.bare_app", str(port), "/partner", standin.api_url],
        cwd=process.ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(work / "bare.log", "wb"),  # noqa: SIM115
    )
    try:
        wait_port(port)
        cpu_before = process.cpu_seconds(proc.pid)
        result = run_load(
            f"http://127.0.0.1:{port}/slack/events",
            seconds=args.seconds,
            senders=args.senders,
            next_command=commands(args.command, partners=args.partners, owners=args.owners, hot=args.hot, run="bare-"),
            response_base=standin.response_base,
            warmup=args.warmup,
            rate=args.rate,
        )
        result.cpu_ms_per_request = (process.cpu_seconds(proc.pid) - cpu_before) * 1000 / max(1, len(result.sent))
        return result
    finally:
        proc.terminate()
        proc.wait(10)


def bot_run(standin: StandInProcess, db_kind: str, args: argparse.Namespace, work: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"db": db_kind}
    with database(db_kind, work, args.pg_url) as url:
        env = process.bot_env(
            database_url=url,
            api_url=standin.api_url,
            home=work,
            TRANSITION_DEADLINE=deadline_in(14),
            LOG_LEVEL="WARNING",
        )
        migrated = process.cli(["migrate"], env=env, workdir=work)
        assert migrated.returncode == 0, migrated.stderr
        if args.partners:
            book = write_book(work / "book.csv", partners=args.partners, owners=args.owners)
            started = time.perf_counter()
            imported = process.cli(["import-partners", str(book)], env=env, workdir=work)
            out["import_s"] = time.perf_counter() - started
            assert imported.returncode == 0, imported.stderr[-2000:]
            out["import_line"] = imported.stdout.strip().splitlines()[-1]
        bot = process.start(
            ["run", "--no-scheduler"], env=env, workdir=work, name=f"bot-{db_kind}", port=process.free_port()
        )
        run = f"{args.command}-{db_kind}-{time.time_ns()}-"
        try:
            out["rss_idle_mb"] = bot.rss_mb()
            cpu_before = process.cpu_seconds(bot.proc.pid)
            result = run_load(
                bot.events_url,
                seconds=args.seconds,
                senders=args.senders,
                next_command=commands(args.command, partners=args.partners, owners=args.owners, hot=args.hot, run=run),
                response_base=standin.response_base,
                warmup=args.warmup,
                rate=args.rate,
            )
            out["rss_after_load_mb"] = bot.rss_mb()
            # How long the bot needs, after the last ack, to finish the work it acknowledged.
            acked = sum(1 for s in result.sent if s.status == 200)
            out["drain_s"] = standin.settle(prefix=run, expected=acked)
            # The ack and the work after it, per request: steadier than latency on a shared machine.
            result.cpu_ms_per_request = (
                (process.cpu_seconds(bot.proc.pid) - cpu_before) * 1000 / max(1, len(result.sent))
            )
            out["rss_after_drain_mb"] = bot.rss_mb()
            out["alive"] = bot.alive()
        finally:
            out["exit_code"] = bot.stop(timeout=180)  # SIGTERM lets it finish queued work first
            log = bot.log_text()
            out["log_tracebacks"] = log.count("Traceback")
            errors = [line for line in log.splitlines() if " ERROR " in line or " WARNING " in line]
            out["log_errors_and_warnings"] = len(errors)
            out["log_first_lines"] = errors[:3]
        out["figures"] = result.figures()
        out["statuses"] = dict(result.statuses())
        out.update(account(result, standin, url, args.command))
    return out


def account(result: LoadResult, standin: StandInProcess, url: str, kind: str) -> dict[str, Any]:
    """Replies to acknowledged commands and, for updates, which ones reached the history."""
    replies = standin.summary()["responses"]
    acked = [s for s in result.sent if s.status == 200]
    outcome: Counter[str] = Counter()
    for sent in acked:
        text = replies.get(sent.command.key)
        if text is None:
            outcome["no reply"] += 1
        elif "nothing was changed" in text:
            outcome["database busy reply"] += 1
        elif "went wrong" in text:
            outcome["internal error reply"] += 1
        else:
            outcome["other reply"] += 1
    out: dict[str, Any] = {"acked": len(acked), "replies": dict(outcome), "problems": standin.summary()["problems"]}
    if kind == "update":
        stored = history_notes(url, "bench-")
        acked_notes = {sent.command.meta[1] for sent in acked}
        confirmed_notes = {
            sent.command.meta[1]
            for sent in acked
            if (t := replies.get(sent.command.key)) and "nothing was changed" not in t and "went wrong" not in t
        }
        out["updates_acked"] = len(acked_notes)
        out["updates_in_history"] = len(acked_notes & stored)
        out["updates_lost"] = len(acked_notes - stored)
        out["confirmed_but_lost"] = len(confirmed_notes - stored)
        out["in_history_without_ack"] = len(stored - acked_notes)
        samples = Counter((replies.get(s.command.key) or "")[:70] for s in acked)
        out["reply_samples"] = samples.most_common(4)
    return out


def show(label: str, figures: dict[str, float], base: dict[str, float] | None) -> str:
    ratio = ""
    if base:
        ratio = f"  ratio p50 {figures['p50_ms'] / base['p50_ms']:.2f} p99 {figures['p99_ms'] / base['p99_ms']:.2f}"
    return (
        f"{label:<22} {figures['requests']:>7} req {figures['per_s']:>7.0f}/s  errors {figures['errors']:>3}  "
        f"p50 {figures['p50_ms']:6.1f} ms  p99 {figures['p99_ms']:6.1f} ms  max {figures['max_ms']:7.1f} ms  "
        f"cpu {figures['cpu_ms_per_request']:4.1f} ms/req{ratio}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--rate", type=float, default=0, help="requests/s per sender; 0 = as fast as answers come")
    parser.add_argument("--command", choices=["help", "update", "both"], default="both")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--partners", type=int, default=20_000)
    parser.add_argument("--owners", type=int, default=200)
    parser.add_argument("--hot", type=int, default=0, help="update only the first N partners, all senders at once")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    args = parser.parse_args()
    kinds = ["help", "update"] if args.command == "both" else [args.command]
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    report: dict[str, Any] = {"args": vars(args), "runs": []}
    print(
        f"{args.senders} senders, {args.seconds:g} s (+{args.warmup:g} s warm-up), "
        f"{'as fast as acked' if not args.rate else f'{args.rate:g}/s each'}; {args.partners} partners"
    )
    with standin_process(args.owners) as standin:
        for kind in kinds:
            args.command = kind
            work = workdir(f"ack-{kind}")
            bare = bare_run(standin, args, work).figures()
            print(show(f"bare Bolt /partner {kind}", bare, None))
            for db_kind in dbs:
                run = bot_run(standin, db_kind, args, work)
                print(show(f"bot {db_kind} {kind}", run["figures"], bare))
                extra = {k: v for k, v in run.items() if k not in ("figures", "db")}
                for key, value in extra.items():
                    print(f"    {key}: {value:.1f}" if isinstance(value, float) else f"    {key}: {value}")
                report["runs"].append({"kind": kind, "bare": bare, **run})
            args.command = "both" if len(kinds) > 1 else kind
    print("saved", save("ack_latency", report))


if __name__ == "__main__":
    main()
