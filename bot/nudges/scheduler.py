"""APScheduler 3 as the clock of nudge rounds; the database stays the truth.

APScheduler only wakes the bot up. It never holds state that matters: the jobs live in memory and
are re-added at every start, and each tick asks the database and `rt.clock` who is due (in each
owner's own zone, computed with zoneinfo on every tick), so a restart, a suspended host, a DST change
or two scheduler processes cannot make a nudge go out twice or not at all. The settings below are
chosen against the ways APScheduler 3 is known to misbehave:

- timezone=UTC, explicitly: interval triggers in UTC never meet a missing or doubled local hour,
  and nothing depends on tzlocal guessing the host's zone.
- a short interval tick instead of a 09:00 cron per zone: a cron job whose run time passes while the
  process is down is either dropped (the 1 s default `misfire_grace_time`) or, with a persistent job
  store and `coalesce=False`, replayed once per missed run (agronholm/apscheduler#463). Our catch-up
  is decided by the database instead: the first tick after a restart sends what is due today.
- coalesce=True: if the process was suspended through several ticks, it runs one, not a burst.
- max_instances=1: a slow round (many owners, Slack answering 429) never overlaps itself; the
  skipped tick is harmless since the next one does the same work.
- misfire_grace_time = the tick interval: a tick delayed by a busy thread pool or a paused VM still
  runs (the 1 s default would drop it with "was missed by 0:00:01"), but a tick later than a whole
  interval is dropped because the next one is already due and would do the same.
- explicit job ids with replace_existing=True: starting twice in one process replaces the jobs
  instead of doubling them; doubling across processes (several HTTP workers each starting a
  scheduler, agronholm/apscheduler#160) is harmless because every send claims its key first.
- no persistent job store: with one, replace_existing=True at restart recomputes next_run_time and
  the run missed while down is silently lost (agronholm/apscheduler#696); here nothing is lost
  because the first tick after start asks the database what today still owes.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.deliveries import forget_old_deliveries
from bot.installation import Gate
from bot.nudges.rounds import run_round, sweep
from bot.qa.training import refit
from bot.runtime import Runtime

log = logging.getLogger(__name__)

TICK_JOB_ID = "nudges.tick"
HOUSEKEEPING_JOB_ID = "events.forget"
REFIT_JOB_ID = "qa.refit"
HOUSEKEEPING_EVERY = dt.timedelta(hours=1)
SWEEP_JOB_ID = "nudges.sweep"
TICK_EVERY = dt.timedelta(minutes=5)
SWEEP_EVERY = dt.timedelta(minutes=5)
FIRST_TICK_AFTER = dt.timedelta(minutes=1)
"""The first tick runs a minute after start: soon enough that a round missed while the bot was down
goes out the same day, late enough that start-up (and a restart loop) is over before anything is sent."""
SWEEP_OFFSET = dt.timedelta(minutes=2, seconds=30)
"""The sweep runs between ticks, not at the same moment as one."""


def tick(rt: Runtime, gate: Gate | None = None) -> None:
    """Run one scheduled round unless Slack revoked the bot; errors are logged, never raised into the scheduler."""
    try:
        # Each tick while revoked asks auth.test once, so a reinstall resumes the rounds by itself.
        if gate is not None and not gate.may_send(what="nudge round", force_check=True):
            return
        run_round(rt)
    except Exception as exc:  # the next tick tries again; the database keeps what was done
        log.warning("nudge tick failed: %s", type(exc).__name__)


def sweep_job(rt: Runtime, gate: Gate | None = None) -> None:
    """Settle stalled nudges unless Slack revoked the bot; errors are logged, never raised into the scheduler."""
    try:
        if gate is not None and not gate.may_send(what="nudge sweep"):
            return
        sweep(rt)
    except Exception as exc:
        log.warning("nudge sweep failed: %s", type(exc).__name__)


def housekeeping_job(rt: Runtime, gate: Gate | None = None) -> None:
    """Forget event claims Slack can no longer retry, so the table stays small."""
    try:
        forget_old_deliveries(rt)
    except Exception as exc:
        log.warning("event housekeeping failed: %s", type(exc).__name__)


def refit_job(rt: Runtime, gate: Gate | None = None) -> None:
    """Refit the answer ranker when the knowledge or the verdicts given in Slack changed; workers pick it up."""
    try:
        refit(rt, rt.encoder)
    except Exception as exc:
        log.warning("answer ranker refit failed: %s", type(exc).__name__)


def build_scheduler(rt: Runtime, *, first_tick_after: dt.timedelta = FIRST_TICK_AFTER) -> BackgroundScheduler:
    """A BackgroundScheduler (not started) with the tick and sweep jobs."""
    scheduler = BackgroundScheduler(
        timezone=dt.UTC,
        # Two workers: a long round must not hold the sweep back, and nothing else runs here.
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults={"coalesce": True, "max_instances": 1},
        daemon=True,
    )
    add_jobs(scheduler, rt, first_tick_after=first_tick_after)
    return scheduler


def add_jobs(scheduler: BackgroundScheduler, rt: Runtime, *, first_tick_after: dt.timedelta = FIRST_TICK_AFTER) -> None:
    """Add (or replace, by id) the tick, the sweep and the housekeeping."""
    now = dt.datetime.now(dt.UTC)
    gate = Gate(rt)
    jobs = [
        (tick, TICK_JOB_ID, "nudge round", TICK_EVERY, now + first_tick_after),
        (sweep_job, SWEEP_JOB_ID, "nudge sweep", SWEEP_EVERY, now + first_tick_after + SWEEP_OFFSET),
        (housekeeping_job, HOUSEKEEPING_JOB_ID, "forget old event claims", HOUSEKEEPING_EVERY, None),
        (refit_job, REFIT_JOB_ID, "refit the answer ranker", dt.timedelta(minutes=rt.settings.qa_refit_minutes), None),
    ]
    for func, job_id, name, every, first_run in jobs:
        scheduler.add_job(
            func,
            IntervalTrigger(seconds=every.total_seconds(), timezone=dt.UTC),
            args=[rt, gate],
            id=job_id,
            name=name,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(every.total_seconds()),
            **({"next_run_time": first_run} if first_run else {}),
        )


def start_scheduler(rt: Runtime, *, first_tick_after: dt.timedelta = FIRST_TICK_AFTER) -> BackgroundScheduler:
    """Start the background scheduler with the nudge jobs."""
    scheduler = build_scheduler(rt, first_tick_after=first_tick_after)
    scheduler.start()
    log.info("nudge scheduler started: tick every %s, sweep every %s", TICK_EVERY, SWEEP_EVERY)
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
