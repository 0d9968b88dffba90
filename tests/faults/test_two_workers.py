"""Two bot workers on one database: an event delivered to both is answered once; updates through both all land."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from bot.app import build_runtime
from bot.clock import FixedClock
from storage.db import Database
from tests.conftest import RunningBot, make_settings, start_bot
from tests.fuzz.conftest import seed_partners
from tests.slack_standin import SlackSender, SlackStandIn

ASKERS = [f"U0ASK{n:04d}" for n in range(12)]


def two_workers(database_url: str, standin: SlackStandIn, clock: FixedClock) -> list[RunningBot]:
    """Two bot processes' worth of app, engine and HTTP server on one database."""
    workers = [
        start_bot(build_runtime(make_settings(standin, database_url), db=Database(database_url), clock=clock), standin)
        for _ in range(2)
    ]
    # Each sender numbers its response_url keys; the second starts far off so keys never collide.
    workers[1].sender = SlackSender(workers[1].sender.bot_url, standin, _n=itertools.count(10**6))
    return workers


def test_an_event_sent_to_both_workers_at_once_is_answered_once(
    database_url: str, standin: SlackStandIn, clock: FixedClock
) -> None:
    for user in ASKERS:
        standin.add_person(user, user.lower(), f"{user.lower()}@example.com")
    workers = two_workers(database_url, standin, clock)
    try:
        for n, user in enumerate(ASKERS):
            ts = f"1220340000.{n:06d}"
            event = {
                "type": "message",
                "channel_type": "im",
                "channel": "D" + user[1:],
                "user": user,
                "text": "When is the registration deadline?",
                "ts": ts,
                "event_ts": ts,
            }
            barrier = threading.Barrier(2)

            def deliver(
                index: int, event: dict[str, object] = event, n: int = n, barrier: threading.Barrier = barrier
            ) -> int:
                barrier.wait()
                # The second is Slack's retry racing the first delivery.
                return workers[index].sender.event(event, event_id=f"EvTwo{n:04d}", retry_num=index or None)[0]

            with ThreadPoolExecutor(2) as pool:
                assert list(pool.map(deliver, range(2))) == [200, 200]
        standin.wait_for(
            lambda s: {c.args.get("channel") for c in s.calls_to("chat.postMessage")} >= {"D" + u[1:] for u in ASKERS},
            timeout=20,
        )
        threading.Event().wait(1.0)  # time for a second answer, if one were coming
        answers = Counter(str(c.args.get("channel")) for c in standin.calls_to("chat.postMessage"))
        assert {"D" + u[1:]: answers["D" + u[1:]] for u in ASKERS} == {"D" + u[1:]: 1 for u in ASKERS}
    finally:
        for worker in workers:
            worker.stop()
            worker.rt.db.dispose()


def test_updates_through_both_workers_all_land_in_the_history(
    database_url: str, standin: SlackStandIn, clock: FixedClock
) -> None:
    workers = two_workers(database_url, standin, clock)
    try:
        seed_partners(workers[0].rt)
        keys: list[str] = []
        lock = threading.Lock()

        def send(n: int) -> None:
            worker = workers[n % 2]
            status, _, key = worker.sender.command(
                "/partner", f"update LNK-{1 + n % 2:04d} {['contacted', 'in progress'][n % 2]} two-{n}", "U0ALICE01"
            )
            assert status == 200
            with lock:
                keys.append(key)

        with ThreadPoolExecutor(10) as pool:
            list(pool.map(send, range(60)))
        standin.wait_for(lambda s: all(s.responses_to(k) for k in keys), timeout=30)
        with workers[0].rt.db.engine.connect() as conn:
            notes = {row[0] for row in conn.exec_driver_sql("SELECT note FROM status_change")}
        assert {f"two-{n}" for n in range(60)} <= notes
    finally:
        for worker in workers:
            worker.stop()
            worker.rt.db.dispose()
