"""Never twice, never lost: a crash between send and mark, stale claims, two schedulers on one database."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from bot.app import build_runtime
from bot.clock import FixedClock
from bot.nudges.cadence import Kind
from bot.nudges.rounds import Mode, Outcome, run_round, sweep
from bot.runtime import Runtime
from storage import nudges as store
from storage.db import Database, DatabaseUnavailable
from tests.conftest import make_settings
from tests.nudges.conftest import (
    ALICE,
    CHANNEL,
    CHLOE,
    add,
    load_book,
    log_rows,
    paris,
    posts,
    posts_by_recipient,
    runtime,
)
from tests.slack_standin import SlackStandIn

TUESDAY = dt.date(2008, 9, 2)
EVENING = paris(2008, 9, 2, 17, 30)  # every owner is past 09:00 locally


class DiesAfterWrites(Database):
    """A database that stops answering writes after `allowed` of them, like a process killed mid-round."""

    def __init__(self, url: str, allowed: int) -> None:
        super().__init__(url)
        self.allowed = allowed
        self.writes = 0

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        if write:
            self.writes += 1
            if self.writes > self.allowed:
                raise DatabaseUnavailable("gone")
        with super().session(write=write) as session:
            yield session


def test_crash_between_send_and_mark_the_sweep_finds_the_message_and_sends_nothing_more(
    rt: Runtime, standin: SlackStandIn, database_url: str, clock: FixedClock
) -> None:
    add(rt, "LNK-1", "Réseaux Dupont & Fils", ALICE)
    clock.set(EVENING.astimezone(dt.UTC))
    rt.directory.by_id(ALICE)  # the zone is cached, so the claim is the dying sender's only write before the post
    settings = make_settings(standin, database_url, nudge_channel=None)
    dying = build_runtime(settings, db=DiesAfterWrites(database_url, allowed=1), clock=clock)
    report = run_round(dying, chart=None)
    assert report.failed == 1  # it could not mark what it sent
    assert posts_by_recipient(standin) == {ALICE: 1}
    (row,) = log_rows(rt, TUESDAY)
    assert row.state == "pending" and row.ts is None

    clock.advance(dt.timedelta(minutes=5))
    assert sweep(rt, chart=None).outcomes == {}  # within the grace period nobody touches it
    clock.advance(dt.timedelta(minutes=6))
    assert sweep(rt, chart=None).outcomes == {Outcome.FOUND: 1}
    (row,) = log_rows(rt, TUESDAY)
    assert row.state == "sent"
    assert (row.channel, row.ts) == ("D0ALICE01", standin.history["D0ALICE01"][0]["ts"])
    assert posts_by_recipient(standin) == {ALICE: 1}
    assert run_round(rt, chart=None).sent[Kind.DIGEST] == 0
    assert posts_by_recipient(standin)[ALICE] == 1


def test_crash_after_claim_before_send_the_sweep_sends_it_once(
    rt: Runtime, standin: SlackStandIn, clock: FixedClock
) -> None:
    add(rt, "LNK-1", "Réseaux Dupont & Fils", ALICE)
    clock.set(EVENING.astimezone(dt.UTC))
    with rt.db.session(write=True) as session:  # all a sender killed right after its claim leaves behind
        store.claim_nudge(
            session=session, kind="digest", recipient=ALICE, local_date=TUESDAY, seq=0, token="dead", now=clock.now()
        )
    assert run_round(rt, chart=None).sent[Kind.DIGEST] == 0  # the key is taken: the tick does not send it
    clock.advance(dt.timedelta(minutes=11))
    assert sweep(rt, chart=None).outcomes == {Outcome.SENT: 1}
    assert posts_by_recipient(standin)[ALICE] == 1
    assert len(standin.calls_to("conversations.history")) == 1
    row = next(r for r in log_rows(rt, TUESDAY) if r.recipient == ALICE)
    assert row.state == "sent" and row.attempts == 2 and row.claim_token != "dead"
    clock.advance(dt.timedelta(minutes=30))
    sweep(rt, chart=None)
    assert posts_by_recipient(standin)[ALICE] == 1


def test_pending_claims_of_past_days_expire_instead_of_going_out_late(
    book: Runtime, standin: SlackStandIn, clock: FixedClock
) -> None:
    monday = dt.date(2008, 9, 1)
    with book.db.session(write=True) as session:
        for recipient, kind in ((ALICE, "digest"), (CHANNEL, "summary")):
            store.claim_nudge(
                session=session,
                kind=kind,
                recipient=recipient,
                local_date=monday,
                seq=0,
                token="dead",
                now=paris(2008, 9, 1, 9, 0),
            )
    clock.set(paris(2008, 9, 2, 8, 0).astimezone(dt.UTC))
    assert sweep(book, chart=None).outcomes == {Outcome.EXPIRED: 2}
    assert {r.state for r in log_rows(book, monday)} == {"expired"}
    assert posts(standin) == []


def test_a_failed_send_is_given_up_after_three_attempts(rt: Runtime, standin: SlackStandIn, clock: FixedClock) -> None:
    add(rt, "LNK-1", "Partner", ALICE)
    clock.set(EVENING.astimezone(dt.UTC))
    with rt.db.session(write=True) as session:
        row = store.claim_nudge(
            session=session, kind="digest", recipient=ALICE, local_date=TUESDAY, seq=0, token="t", now=clock.now()
        )
        assert row is not None
        row.attempts = 3
    clock.advance(dt.timedelta(minutes=11))
    assert sweep(rt, chart=None).outcomes == {Outcome.FAILED: 1}
    assert posts(standin) == []
    assert log_rows(rt, TUESDAY)[0].state == "failed"

    # Given up is no "already sent": the next rounds say it failed, and a round asked for now sends it.
    later = run_round(rt, chart=None)
    assert (later.failed, later.already_sent, later.sent[Kind.DIGEST]) == (1, 0, 0)
    now = run_round(rt, mode=Mode.NOW, chart=None)
    assert (now.sent[Kind.DIGEST], now.failed) == (1, 0)
    assert [c.args["channel"] for c in posts(standin)].count(ALICE) == 1
    assert next(r for r in log_rows(rt, TUESDAY) if r.recipient == ALICE).state == "sent"
    again = run_round(rt, mode=Mode.NOW, chart=None)
    assert (again.total_sent, again.failed) == (0, 0)


def race(*jobs: object) -> None:
    """Start the jobs at the same instant in threads and wait for them; re-raise any error."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: object) -> None:
        barrier.wait()
        try:
            job()  # type: ignore[operator]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def test_two_schedulers_on_one_database_send_each_nudge_exactly_once(
    standin: SlackStandIn, database_url: str, clock: FixedClock
) -> None:
    first = runtime(standin, database_url, clock)
    second = runtime(standin, database_url, clock)
    load_book(first)
    extra = [f"U0MANY{i:03d}" for i in range(30)]
    for i, owner in enumerate(extra):
        standin.add_person(owner, f"owner{i}", f"owner{i}@example.com", "Europe/Paris")
        add(first, f"LNK-M{i:03d}", f"Many Partner {i}", owner)
    clock.set(EVENING.astimezone(dt.UTC))
    race(lambda: run_round(first, chart=None), lambda: run_round(second, chart=None))
    counts = posts_by_recipient(standin)
    assert counts == {ALICE: 1, CHLOE: 1, CHANNEL: 1, **{owner: 1 for owner in extra}}
    rows = log_rows(first, TUESDAY)
    assert len(rows) == len(counts)
    assert {r.state for r in rows} == {"sent"}
    race(lambda: run_round(first, chart=None), lambda: run_round(second, chart=None))
    assert posts_by_recipient(standin) == counts
    first.db.dispose()
    second.db.dispose()


def test_two_sweeps_take_over_a_dead_claim_only_once(
    standin: SlackStandIn, database_url: str, clock: FixedClock
) -> None:
    first = runtime(standin, database_url, clock, nudge_channel=None)
    second = runtime(standin, database_url, clock, nudge_channel=None)
    add(first, "LNK-1", "Partner", ALICE)
    clock.set(EVENING.astimezone(dt.UTC))
    first.directory.by_id(ALICE)
    with first.db.session(write=True) as session:
        store.claim_nudge(
            session=session, kind="digest", recipient=ALICE, local_date=TUESDAY, seq=0, token="dead", now=clock.now()
        )
    clock.advance(dt.timedelta(minutes=11))
    race(lambda: sweep(first, chart=None), lambda: sweep(second, chart=None))
    assert posts_by_recipient(standin) == {ALICE: 1}
    first.db.dispose()
    second.db.dispose()
