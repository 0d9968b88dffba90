"""The APScheduler wiring: explicit ids, UTC, coalescing, one instance, a deliberate misfire grace time."""

from __future__ import annotations

import datetime as dt

from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import FixedClock
from bot.nudges.scheduler import (
    HOUSEKEEPING_EVERY,
    HOUSEKEEPING_JOB_ID,
    REFIT_JOB_ID,
    SWEEP_JOB_ID,
    TICK_EVERY,
    TICK_JOB_ID,
    add_jobs,
    build_scheduler,
    start_scheduler,
)
from bot.runtime import Runtime
from tests.nudges.conftest import ALICE, CHANNEL, CHLOE, paris, posts_by_recipient
from tests.slack_standin import SlackStandIn


def test_jobs_have_explicit_ids_utc_coalescing_one_instance_and_a_chosen_grace(rt: Runtime) -> None:
    scheduler = start_scheduler(rt, first_tick_after=dt.timedelta(hours=1))
    try:
        assert str(scheduler.timezone) == "UTC"
        jobs = {TICK_JOB_ID, SWEEP_JOB_ID, HOUSEKEEPING_JOB_ID, REFIT_JOB_ID}
        assert {job.id for job in scheduler.get_jobs()} == jobs
        housekeeping = scheduler.get_job(HOUSEKEEPING_JOB_ID)
        assert housekeeping.coalesce is True and housekeeping.max_instances == 1
        assert housekeeping.trigger.interval == HOUSEKEEPING_EVERY
        refit = scheduler.get_job(REFIT_JOB_ID)
        assert refit.coalesce is True and refit.max_instances == 1
        assert refit.trigger.interval == dt.timedelta(minutes=rt.settings.qa_refit_minutes)
        for job_id in (TICK_JOB_ID, SWEEP_JOB_ID):
            job = scheduler.get_job(job_id)
            assert job.coalesce is True
            assert job.max_instances == 1
            assert job.misfire_grace_time == TICK_EVERY.total_seconds()
            assert isinstance(job.trigger, IntervalTrigger)
            assert str(job.trigger.timezone) == "UTC"
            assert job.trigger.interval == TICK_EVERY
        # The first tick comes soon after start, not a whole interval later: catch-up after a restart.
        tick = scheduler.get_job(TICK_JOB_ID)
        assert tick.next_run_time - dt.datetime.now(dt.UTC) < dt.timedelta(hours=1, seconds=5)
    finally:
        scheduler.shutdown(wait=False)


def test_adding_the_jobs_again_replaces_them_instead_of_doubling(rt: Runtime) -> None:
    scheduler = build_scheduler(rt)
    scheduler.start(paused=True)
    try:
        add_jobs(scheduler, rt)
        assert sorted(job.id for job in scheduler.get_jobs()) == sorted(
            [HOUSEKEEPING_JOB_ID, REFIT_JOB_ID, SWEEP_JOB_ID, TICK_JOB_ID]
        )
    finally:
        scheduler.shutdown(wait=False)


def test_the_first_tick_after_start_sends_what_is_due_today(
    book: Runtime, standin: SlackStandIn, clock: FixedClock
) -> None:
    clock.set(paris(2008, 9, 2, 17, 30).astimezone(dt.UTC))
    scheduler = start_scheduler(book, first_tick_after=dt.timedelta(milliseconds=50))
    try:
        # The chart is drawn in a child process, so allow a few seconds for the whole round.
        standin.wait_for(
            lambda s: (
                posts_by_recipient(s) == {ALICE: 1, CHLOE: 1, CHANNEL: 1} and s.calls_to("files.completeUploadExternal")
            ),
            timeout=60,
        )
    finally:
        scheduler.shutdown(wait=True)
    assert posts_by_recipient(standin) == {ALICE: 1, CHLOE: 1, CHANNEL: 1}
