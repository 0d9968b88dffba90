"""Scale-out on PostgreSQL: two `run --no-scheduler` workers and one `scheduler` on one database, under load.

    python -m tests.bench.scale_out [--seconds 30] [--partners 20000] [--owners 200]

While 20 senders split over both workers send signed `/partner update` commands, it:
- sends each of `--events` direct-message events to BOTH workers at the same moment (same event_id,
  the second as Slack's retry): exactly one answer per event must reach Slack;
- starts four nudge rounds at once: `/transition nudge now` on each worker, `transition-bot nudge
  --now`, and the scheduler's own tick: each owner with open partners must get exactly one digest
  and the channel one summary;
- afterwards looks for every acknowledged update in the partners' history: none may be lost.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
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
    workdir,
    write_book,
)
from tests.bench.standin_server import owner_id
from tests.slack_standin import BOT_USER_ID, SIGNING_SECRET, TEAM_ID, SlackSender, sign

CHANNEL = "C0SALES01"


def send_event_to_both(urls: list[str], event_id: str, user: str, text: str) -> list[int]:
    """POST one DM event to every worker at once, as Slack's delivery and its retry racing."""
    ts = f"{time.time():.6f}"
    body = json.dumps(
        {
            "token": "unused",
            "team_id": TEAM_ID,
            "api_app_id": "A0STANDIN",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": "D" + user[1:],
                "user": user,
                "text": text,
                "ts": ts,
                "event_ts": ts,
            },
        }
    ).encode()
    barrier = threading.Barrier(len(urls))

    def post(index_url: tuple[int, str]) -> int:
        index, url = index_url
        stamp = str(int(time.time()))
        headers = {"X-Slack-Retry-Num": str(index), "X-Slack-Retry-Reason": "http_timeout"} if index else {}
        sender = SlackSender(url, None)  # type: ignore[arg-type]
        barrier.wait()
        status, _, _ = sender.post(
            body, "application/json", timestamp=stamp, signature=sign(SIGNING_SECRET, stamp, body), headers=headers
        )
        return status

    with ThreadPoolExecutor(len(urls)) as pool:
        return list(pool.map(post, enumerate(urls)))


def nudge_now_command(url: str, standin: StandInProcess, key: str) -> int:
    form = {
        "command": "/transition",
        "text": "nudge now",
        "user_id": "U0ADMIN01",
        "channel_id": CHANNEL,
        "team_id": TEAM_ID,
        "response_url": f"{standin.response_base}{key}",
        "trigger_id": "1.trigger",
    }
    body = urllib.parse.urlencode(form).encode()
    return SlackSender(url, None).post(body, "application/x-www-form-urlencoded")[0]  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--rate", type=float, default=0, help="requests/s per sender; 0 = as fast as acked")
    parser.add_argument("--partners", type=int, default=20_000)
    parser.add_argument("--owners", type=int, default=200)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    args = parser.parse_args()
    work = workdir("scale")
    out: dict[str, Any] = {"args": vars(args)}
    with standin_process(args.owners) as standin, database("postgresql", work, args.pg_url) as url:
        env = process.bot_env(database_url=url, api_url=standin.api_url, home=work, TRANSITION_DEADLINE=deadline_in(2))
        book = write_book(work / "book.csv", partners=args.partners, owners=args.owners)
        imported = process.cli(["import-partners", str(book)], env=env, workdir=work)
        assert imported.returncode == 0, imported.stderr[-2000:]
        workers = [
            process.start(["run", "--no-scheduler"], env=env, workdir=work, name=f"worker{i}", port=process.free_port())
            for i in range(2)
        ]
        scheduler = process.start(["scheduler"], env=env, workdir=work, name="scheduler")
        started = time.monotonic()
        urls = [w.events_url for w in workers]
        per_owner = max(1, args.partners // args.owners)

        def next_command(sender: int, seq: int) -> Command:
            owner = sender % args.owners
            n = owner + args.owners * (seq % per_owner)
            note = f"bench-{sender}-{seq}"
            text = f"update {partner_id(n)} {['contacted', 'in_progress', 'registered'][seq % 3]} {note}"
            return Command("/partner", text, owner_id(owner), f"scale-s{sender}q{seq}", (n, note))

        results: list[LoadResult] = []
        halves = [args.senders // 2, args.senders - args.senders // 2]

        def load(index: int) -> None:
            results.append(
                run_load(
                    urls[index],
                    seconds=args.seconds,
                    senders=halves[index],
                    next_command=lambda s, q, i=index: next_command(s * 2 + i, q),
                    response_base=standin.response_base,
                    warmup=2,
                    rate=args.rate,
                )
            )

        loaders = [threading.Thread(target=load, args=(i,)) for i in range(2)]
        for thread in loaders:
            thread.start()
        time.sleep(3)
        # Four rounds at once on the same keys: both workers, the CLI and (soon) the scheduler's tick.
        with ThreadPoolExecutor(3) as pool:
            cli_round = pool.submit(process.cli, ["nudge", "--now"], env=env, workdir=work)
            command_statuses = list(pool.map(lambda i: nudge_now_command(urls[i], standin, f"nudge{i}"), range(2)))
            event_statuses: Counter[int] = Counter()
            for n in range(args.events):
                owner = owner_id(n % args.owners)
                for status in send_event_to_both(urls, f"EvScale{n:06d}", owner, f"When is the deadline? ({n})"):
                    event_statuses[status] += 1
            cli_done = cli_round.result()
        for thread in loaders:
            thread.join()
        # The scheduler's first tick comes a minute after it starts; let it race what is left.
        time.sleep(max(0.0, 75 - (time.monotonic() - started)))
        out["drain_s"] = standin.settle(prefix="scale-", quiet=5)
        alive = [w.alive() for w in workers] + [scheduler.alive()]
        for proc in [*workers, scheduler]:
            proc.stop(timeout=120)
        logs = {proc.log_path.name: proc.log_text() for proc in [*workers, scheduler]}
        summary = standin.summary()

        # ---- accounting ---------------------------------------------------------------
        sent = [s for r in results for s in r.sent]
        acked = [s for s in sent if s.status == 200]
        stored = history_notes(url, "bench-")
        acked_notes = {s.command.meta[1] for s in acked}
        measured = LoadResult(sent=sent, seconds=args.seconds)
        out["figures"] = measured.figures()
        out["updates_acked"] = len(acked_notes)
        out["updates_lost"] = len(acked_notes - stored)
        out["update_replies_missing"] = sum(1 for s in acked if s.command.key not in summary["responses"])
        out["event_http_statuses"] = dict(event_statuses)
        out["nudge_now_http_statuses"] = command_statuses
        out["cli_round"] = (cli_done.returncode, cli_done.stdout.strip()[-200:])
        out.update(count_posts(standin, args))
        out["processes_alive"] = alive
        out["log_tracebacks"] = {name: text.count("Traceback") for name, text in logs.items()}
        out["problems"] = summary["problems"][:5]
    for key, value in out.items():
        if key != "args":
            print(f"{key}: {value}")
    print("saved", save("scale_out", out))


def count_posts(standin: StandInProcess, args: argparse.Namespace) -> dict[str, Any]:
    """Answers per event and nudges per recipient, from what the stand-in received."""
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{standin.port}/_bench/posts", timeout=30) as response:
        posts: list[dict[str, Any]] = json.loads(response.read())
    answers: Counter[str] = Counter()
    digests: Counter[str] = Counter()
    summaries = 0
    for post in posts:
        channel, meta = post["channel"], post["event_type"]
        if meta:
            if channel == CHANNEL:
                summaries += 1
            else:
                digests[channel] += 1
        elif channel.startswith("D"):
            answers[channel] += 1
    events_per_channel = Counter(owner_id(n % args.owners) for n in range(args.events))
    expected_answers = {"D" + u[1:]: n for u, n in events_per_channel.items()}
    return {
        "events_sent_to_both_workers": args.events,
        "event_answers": sum(answers.values()),
        "events_answered_twice": sum(1 for ch, n in answers.items() if n > expected_answers.get(ch, 0)),
        "events_unanswered": sum(1 for ch, n in expected_answers.items() if answers.get(ch, 0) < n),
        "owners_nudged": len(digests),
        "owners_nudged_twice": sum(1 for n in digests.values() if n > 1),
        "channel_summaries": summaries,
    }


if __name__ == "__main__":
    main()
