"""APScheduler 3 as the clock of nudge rounds; the database stays the truth."""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading

from apscheduler.schedulers.background import BackgroundScheduler

from bot.runtime import Runtime

log = logging.getLogger(__name__)


def start_scheduler(rt: Runtime) -> BackgroundScheduler:
    """Start the background scheduler with the nudge jobs."""
    scheduler = BackgroundScheduler(timezone=dt.UTC)
    scheduler.start()
    return scheduler


def run_scheduler_forever(rt: Runtime) -> None:
    """Run only the scheduler until SIGTERM or SIGINT."""
    scheduler = start_scheduler(rt)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    log.info("scheduler running")
    stop.wait()
    scheduler.shutdown(wait=True)
