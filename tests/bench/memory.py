"""Resident memory of `transition-bot run` with 20,000 partners, idle and after serving a mix of commands.

    python -m tests.bench.memory [--partners 20000] [--commands 3000] [--db sqlite|postgresql] [--without-typos]
                                 [--cold | --lexical]

The bot runs as an operator starts it (scheduler included, the sentence encoder loaded at start, its
files unpacked into your cache folder if not there yet) against the Slack stand-in in its own
process; 20 senders send a paced mix of /partner and /transition commands (show, find, mine,
update, progress, help, a question). Printed: how questions are matched (/healthz), RSS idle, after
the commands, after the last replies, and the process's peak (VmHWM, start-up included); aim under
150 MB. `--cold` gives the bot an empty cache folder (a first start: it unpacks the encoder's files);
`--lexical` runs it without the encoder (its cache folder cannot be made), for comparison.
"""

from __future__ import annotations

import argparse
import json
import time
import urllib.request
from pathlib import Path

from bot.qa.semantic import cache_dir
from tests.bench import process
from tests.bench.load import Command, run_load
from tests.bench.setup import DEFAULT_PG, database, deadline_in, partner_id, save, standin_process, workdir, write_book
from tests.bench.standin_server import owner_id

MIX = [
    ("/partner", "show {pid}"),
    ("/partner", "update {pid} contacted called on {seq}"),
    ("/partner", "find partenaire {n}"),
    ("/partner", "mine"),
    ("/transition", "progress"),
    ("/partner", "help"),
    ("/transition", "When is the deadline for registering?"),
    ("/transition", "deadline"),
    ("/partner", "find Partenare {n} Resaux"),  # a typo: no substring matches, so the fuzzy search runs
]


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, default=20_000)
    parser.add_argument("--owners", type=int, default=200)
    parser.add_argument("--commands", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=5.0, help="requests/s per sender (20 senders)")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--only", type=int, choices=range(len(MIX)), help="send only this entry of the mix")
    parser.add_argument("--without-typos", action="store_true", help="leave out the find with a typo (fuzzy search)")
    start = parser.add_mutually_exclusive_group()
    start.add_argument("--cold", action="store_true", help="a first start: the encoder's files are unpacked")
    start.add_argument("--lexical", action="store_true", help="without the sentence encoder (an unusable cache)")
    args = parser.parse_args()
    senders = 20
    seconds = args.commands / (senders * args.rate)
    work = workdir("memory")
    figures: dict[str, object] = {"args": vars(args)}
    with standin_process(args.owners) as standin, database(args.db, work, args.pg_url) as url:
        env = process.bot_env(database_url=url, api_url=standin.api_url, home=work, TRANSITION_DEADLINE=deadline_in(14))
        env["XDG_CACHE_HOME"] = str(cache_dir().parent)
        if args.cold:
            env["XDG_CACHE_HOME"] = str(work / "cache")
        if args.lexical:
            (work / "no-cache").write_text("a file where the encoder's cache folder would be")
            env["XDG_CACHE_HOME"] = str(work / "no-cache" / "cache")
        book = write_book(work / "book.csv", partners=args.partners, owners=args.owners)
        imported = process.cli(["import-partners", str(book)], env=env, workdir=work)
        assert imported.returncode == 0, imported.stderr[-2000:]
        bot = process.start(["run"], env=env, workdir=work, name="bot", port=process.free_port())
        try:
            time.sleep(2)
            with urllib.request.urlopen(f"{bot.url}/healthz", timeout=5) as response:
                figures["questions"] = json.loads(response.read()).get("questions")
            figures["rss_idle_mb"] = bot.rss_mb()

            def next_command(sender: int, seq: int) -> Command:
                owner = sender % args.owners
                n = owner + args.owners * (seq % max(1, args.partners // args.owners))
                mix = MIX[:-1] if args.without_typos else MIX
                command, text = mix[args.only if args.only is not None else (sender + seq) % len(mix)]
                words = text.format(pid=partner_id(n), seq=seq, n=n % 100)
                return Command(command, words, owner_id(owner), f"m{sender}q{seq}")  # "m": settle() counts these

            result = run_load(
                bot.events_url,
                seconds=seconds,
                senders=senders,
                next_command=next_command,
                response_base=standin.response_base,
                warmup=0,
                rate=args.rate,
            )
            figures["rss_after_commands_mb"] = bot.rss_mb()
            standin.settle(prefix="m", expected=sum(1 for s in result.sent if s.status == 200))
            figures["rss_after_replies_mb"] = bot.rss_mb()
            figures["rss_peak_mb"] = peak_mb(bot.proc.pid)
            figures["commands"] = len(result.sent)
            figures["errors"] = sum(1 for s in result.sent if s.status != 200)
            figures["replies"] = len(standin.summary()["responses"])
        finally:
            bot.stop()
    print(f"transition-bot run, {args.partners} partners on {args.db}, {figures['commands']} commands:")
    for key, value in figures.items():
        if key != "args":
            print(f"  {key}: {value:.1f}" if isinstance(value, float) else f"  {key}: {value}")
    print("saved", save("memory", figures))


if __name__ == "__main__":
    main()
