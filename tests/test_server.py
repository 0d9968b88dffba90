"""The HTTP front's pieces that need no Slack: the bounded pool that runs work after acks."""

from __future__ import annotations

import threading
import time

from bot.server import BoundedExecutor


def test_submit_waits_for_room_once_the_backlog_is_full() -> None:
    gate = threading.Event()
    pool = BoundedExecutor(workers=1, backlog=1, max_wait_s=5)
    first, second = pool.submit(gate.wait), pool.submit(gate.wait)  # one running, one queued: full
    threading.Timer(0.3, gate.set).start()
    started = time.monotonic()
    third = pool.submit(lambda: "done")
    waited = time.monotonic() - started
    assert 0.2 < waited < 2  # held back until the first finished
    assert third.result(timeout=5) == "done" and first.result(timeout=5) and second.result(timeout=5)
    pool.shutdown()


def test_submit_never_drops_work_past_its_longest_wait() -> None:
    gate = threading.Event()
    pool = BoundedExecutor(workers=1, backlog=0, max_wait_s=0.2)
    pool.submit(gate.wait)
    started = time.monotonic()
    late = pool.submit(lambda: "still done")
    assert time.monotonic() - started < 1
    gate.set()
    assert late.result(timeout=5) == "still done"
    pool.shutdown()
