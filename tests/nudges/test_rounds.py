"""Rounds against the Slack stand-in with an injected clock: who gets what, when, and never twice."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest

from bot.clock import FixedClock
from bot.errors import Conflict
from bot.nudges import service
from bot.nudges.cadence import Kind
from bot.nudges.rounds import EVENT_TYPE, Mode, RoundReport, run_round
from bot.runtime import Runtime
from storage import nudges as store
from storage.partners import get_partner
from tests.conftest import ADMIN
from tests.nudges.conftest import (
    ALICE,
    BRUNO,
    CHANNEL,
    CHLOE,
    add,
    fake_png,
    log_rows,
    paris,
    posts,
    posts_by_recipient,
    runtime,
)
from tests.slack_standin import Fault, SlackStandIn, text_of

# Tuesday 2 September 2008, 14 days before the deadline: a weekday-phase day.
TUESDAY = dt.date(2008, 9, 2)


def at(clock: FixedClock, when: dt.datetime) -> None:
    clock.set(when.astimezone(dt.UTC))


def test_a_round_sends_each_owner_with_open_partners_one_digest_and_the_channel_one_summary(
    book: Runtime, standin: SlackStandIn, clock: FixedClock
) -> None:
    at(clock, paris(2008, 9, 2, 17, 30))  # 11:30 in New York: everyone is past 09:00
    report = run_round(book, chart=None)
    assert posts_by_recipient(standin) == {ALICE: 1, CHLOE: 1, CHANNEL: 1}
    assert report.sent == {Kind.DIGEST: 2, Kind.SUMMARY: 1}
    alice = next(c for c in posts(standin) if c.args["channel"] == ALICE)
    text = text_of(alice.args)
    assert "Dupont" in text and "LNK-9001" in text
    assert "14 days left" in text
    assert alice.args["metadata"] == {
        "event_type": EVENT_TYPE,
        "event_payload": {"key": f"digest:{ALICE}:2008-09-02:0"},
    }
    summary = text_of(next(c for c in posts(standin) if c.args["channel"] == CHANNEL).args)
    assert "4 of 13" in summary and "31%" in summary
    rows = log_rows(book, TUESDAY)
    assert {(r.kind, r.recipient, r.state) for r in rows} == {
        ("digest", ALICE, "sent"),
        ("digest", CHLOE, "sent"),
        ("summary", CHANNEL, "sent"),
    }
    assert all(r.ts and r.channel for r in rows)
    assert standin.problems == []


def test_the_digest_lists_the_longest_untouched_first(book: Runtime, standin: SlackStandIn) -> None:
    run_round(book, chart=None)
    alice = next(c for c in posts(standin) if c.args["channel"] == ALICE)
    snoozes = [
        e["value"]
        for b in alice.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if "snooze" in e["action_id"]
    ]
    assert snoozes == ["LNK-9001", "LNK-0000", "LNK-0001", "LNK-0002", "LNK-0003"]


def test_a_second_tick_the_same_day_sends_nothing(book: Runtime, standin: SlackStandIn, clock: FixedClock) -> None:
    at(clock, paris(2008, 9, 2, 17, 30))
    run_round(book, chart=None)
    before = len(posts(standin))
    clock.advance(dt.timedelta(minutes=5))
    report = run_round(book, chart=None)
    assert len(posts(standin)) == before
    assert report.already_sent == 3
    assert report.total_sent == 0


def test_each_owner_is_nudged_at_nine_in_their_own_zone(
    book: Runtime, standin: SlackStandIn, clock: FixedClock
) -> None:
    at(clock, paris(2008, 9, 2, 8, 59))
    run_round(book, chart=None)
    assert posts(standin) == []
    at(clock, paris(2008, 9, 2, 9, 0))  # 03:00 in New York
    run_round(book, chart=None)
    assert posts_by_recipient(standin) == {ALICE: 1, CHANNEL: 1}
    at(clock, paris(2008, 9, 2, 14, 55))  # 08:55 in New York
    run_round(book, chart=None)
    assert CHLOE not in posts_by_recipient(standin)
    at(clock, paris(2008, 9, 2, 15, 0))  # 09:00 in New York
    run_round(book, chart=None)
    assert posts_by_recipient(standin) == {ALICE: 1, CHANNEL: 1, CHLOE: 1}


def test_only_mondays_while_more_than_two_weeks_are_left(
    book: Runtime, standin: SlackStandIn, clock: FixedClock
) -> None:
    at(clock, paris(2008, 8, 26, 18, 0))  # a Tuesday, 21 days left
    run_round(book, chart=None)
    assert posts(standin) == []
    at(clock, paris(2008, 8, 25, 18, 0))  # the Monday before
    run_round(book, chart=None)
    assert posts_by_recipient(standin) == {ALICE: 1, CHLOE: 1, CHANNEL: 1}


def test_daily_in_the_last_days_even_on_a_sunday(book: Runtime, standin: SlackStandIn, clock: FixedClock) -> None:
    at(clock, paris(2008, 9, 13, 18, 0))  # Saturday, 3 days left: weekdays only still
    run_round(book, chart=None)
    assert posts(standin) == []
    at(clock, paris(2008, 9, 14, 18, 0))  # Sunday, 2 days left
    run_round(book, chart=None)
    assert posts_by_recipient(standin) == {ALICE: 1, CHLOE: 1, CHANNEL: 1}
    alice = text_of(next(c for c in posts(standin) if c.args["channel"] == ALICE).args)
    assert "Only 2 days left" in alice


def test_after_the_deadline_one_closing_summary_and_nothing_else(
    book: Runtime, standin: SlackStandIn, clock: FixedClock
) -> None:
    at(clock, paris(2008, 9, 16, 23, 30))  # the last evening: New York is still on the 16th
    run_round(book, chart=None)
    posts_before = len(posts(standin))
    at(clock, paris(2008, 9, 17, 10, 0))
    report = run_round(book, chart=None)
    assert report.closed
    new = posts(standin)[posts_before:]
    assert [c.args["channel"] for c in new] == [CHANNEL]
    assert "Registration closed" in text_of(new[0].args)
    for when in (paris(2008, 9, 17, 18, 0), paris(2008, 9, 18, 10, 0), paris(2008, 9, 22, 10, 0)):
        at(clock, when)
        run_round(book, chart=None)
        service.run_now(book, actor="cli", chart=None)
    assert len(posts(standin)) == posts_before + 1


def test_dst_end_in_paris_moves_nine_oclock_by_an_hour_in_utc(
    standin: SlackStandIn, database_url: str, clock: FixedClock
) -> None:
    rt = runtime(standin, database_url, clock, transition_deadline=dt.date(2008, 10, 28), nudge_channel=None)
    add(rt, "LNK-1", "Paris Partner", ALICE)
    clock.set(dt.datetime(2008, 10, 25, 7, 0, tzinfo=dt.UTC))  # Saturday 09:00 CEST, 3 days left: no
    run_round(rt, chart=None)
    clock.set(dt.datetime(2008, 10, 26, 7, 30, tzinfo=dt.UTC))  # Sunday 08:30 CET (09:30 by summer time)
    run_round(rt, chart=None)
    assert posts(standin) == []
    clock.set(dt.datetime(2008, 10, 26, 8, 0, tzinfo=dt.UTC))  # Sunday 09:00 CET
    run_round(rt, chart=None)
    clock.set(dt.datetime(2008, 10, 26, 22, 59, tzinfo=dt.UTC))  # 23:59 the same day: already sent
    run_round(rt, chart=None)
    assert posts_by_recipient(standin) == {ALICE: 1}
    assert [r.local_date for r in log_rows(rt, dt.date(2008, 10, 26))] == [dt.date(2008, 10, 26)]


def test_dst_end_in_new_york(standin: SlackStandIn, database_url: str, clock: FixedClock) -> None:
    rt = runtime(standin, database_url, clock, transition_deadline=dt.date(2008, 11, 4), nudge_channel=None)
    add(rt, "LNK-2", "New York Partner", CHLOE)
    clock.set(dt.datetime(2008, 11, 1, 13, 0, tzinfo=dt.UTC))  # Saturday 09:00 EDT, 3 days left: no
    run_round(rt, chart=None)
    clock.set(dt.datetime(2008, 11, 2, 13, 30, tzinfo=dt.UTC))  # Sunday 08:30 EST
    run_round(rt, chart=None)
    assert posts(standin) == []
    clock.set(dt.datetime(2008, 11, 2, 14, 0, tzinfo=dt.UTC))  # Sunday 09:00 EST
    run_round(rt, chart=None)
    clock.set(dt.datetime(2008, 11, 3, 4, 30, tzinfo=dt.UTC))  # still Sunday in New York (23:30)
    run_round(rt, chart=None)
    assert posts_by_recipient(standin) == {CHLOE: 1}
    clock.set(dt.datetime(2008, 11, 3, 14, 0, tzinfo=dt.UTC))  # Monday 09:00 EST
    run_round(rt, chart=None)
    assert posts_by_recipient(standin) == {CHLOE: 2}


def test_a_round_missed_while_down_goes_out_later_the_same_day_but_never_the_next(
    book: Runtime, standin: SlackStandIn, clock: FixedClock
) -> None:
    at(clock, paris(2008, 9, 2, 16, 40))  # the bot was down from 08:00 to 16:40
    run_round(book, chart=None)
    assert posts_by_recipient(standin) == {ALICE: 1, CHLOE: 1, CHANNEL: 1}
    assert len(log_rows(book, TUESDAY)) == 3

    # Down for all of Wednesday 3 September; back on Thursday before nine, then at nine.
    at(clock, paris(2008, 9, 4, 8, 30))
    run_round(book, chart=None)
    assert len(posts(standin)) == 3
    assert log_rows(book, dt.date(2008, 9, 3)) == []
    at(clock, paris(2008, 9, 4, 9, 5))
    run_round(book, chart=None)
    assert posts_by_recipient(standin) == {ALICE: 2, CHLOE: 1, CHANNEL: 2}
    assert log_rows(book, dt.date(2008, 9, 3)) == []


def test_muted_owners_get_no_digest(book: Runtime, standin: SlackStandIn, clock: FixedClock) -> None:
    service.set_muted(book, user_id=ALICE, muted=True)
    at(clock, paris(2008, 9, 2, 17, 30))
    report = run_round(book, chart=None)
    assert posts_by_recipient(standin) == {CHLOE: 1, CHANNEL: 1}
    assert report.muted == 1
    service.set_muted(book, user_id=ALICE, muted=False)
    run_round(book, chart=None)
    assert posts_by_recipient(standin) == {CHLOE: 1, CHANNEL: 1, ALICE: 1}


def test_snoozed_partners_are_left_out_and_an_owner_with_only_snoozed_ones_gets_nothing(
    book: Runtime, standin: SlackStandIn, clock: FixedClock
) -> None:
    service.snooze(book, actor=ALICE, partner_key="lnk-9001")
    for key in ("LNK-2000", "LNK-2001", "LNK-2002", "LNK-2003"):
        service.snooze(book, actor=CHLOE, partner_key=key)
    at(clock, paris(2008, 9, 2, 17, 30))
    run_round(book, chart=None)
    assert posts_by_recipient(standin) == {ALICE: 1, CHANNEL: 1}
    alice = text_of(posts(standin)[0].args)
    assert "Dupont" not in alice
    assert "4 partners" in alice
    at(clock, paris(2008, 9, 10, 17, 30))  # snoozed until 9 September included: back on the 10th
    run_round(book, chart=None)
    assert posts_by_recipient(standin) == {ALICE: 2, CHANNEL: 2, CHLOE: 1}
    alice_again = text_of([c for c in posts(standin) if c.args["channel"] == ALICE][-1].args)
    assert "Dupont" in alice_again


def test_pause_stops_rounds_and_run_now_unless_forced(book: Runtime, standin: SlackStandIn, clock: FixedClock) -> None:
    service.set_paused(book, actor=ADMIN, paused=True)
    at(clock, paris(2008, 9, 2, 17, 30))
    assert run_round(book, chart=None).paused
    with pytest.raises(Conflict):
        service.run_now(book, actor="cli", chart=None)
    assert posts(standin) == []
    service.run_now(book, actor="cli", force=True, chart=None)
    assert posts_by_recipient(standin) == {ALICE: 1, CHLOE: 1, CHANNEL: 1}
    with book.db.session() as session:
        actions = [e.action for e in store.recent_events(session=session)]
    assert actions == ["round_force", "pause"]


def test_run_now_ignores_the_cadence_but_keeps_the_once_a_day_keys(
    book: Runtime, standin: SlackStandIn, clock: FixedClock
) -> None:
    at(clock, paris(2008, 8, 27, 7, 0))  # a Wednesday at 07:00, three weeks out: not a nudge day
    first = service.run_now(book, actor="cli", chart=None)
    assert first.sent == {Kind.DIGEST: 2, Kind.SUMMARY: 1}
    second = service.run_now(book, actor="cli", chart=None)
    assert second.total_sent == 0 and second.already_sent == 3
    forced = service.run_now(book, actor="cli", force=True, chart=None)
    assert forced.total_sent == 3
    assert posts_by_recipient(standin) == {ALICE: 2, CHLOE: 2, CHANNEL: 2}
    keys = sorted(c.args["metadata"]["event_payload"]["key"] for c in posts(standin) if c.args["channel"] == ALICE)
    assert keys == [f"digest:{ALICE}:2008-08-27:0", f"digest:{ALICE}:2008-08-27:1"]


def test_429_then_success_sends_each_nudge_once(book: Runtime, standin: SlackStandIn, clock: FixedClock) -> None:
    standin.fail_next("chat.postMessage", Fault(429, retry_after=1))
    at(clock, paris(2008, 9, 2, 17, 30))
    report = run_round(book, chart=None)
    assert report.failed == 0
    assert posts_by_recipient(standin) == {ALICE: 1, CHLOE: 1, CHANNEL: 1}
    limited = [c for c in standin.calls_to("chat.postMessage", ok_only=False) if c.status == 429]
    assert len(limited) == 1
    assert {r.state for r in log_rows(book, TUESDAY)} == {"sent"}


def test_one_failing_recipient_does_not_stop_the_round_and_the_sweep_retries_it(
    book: Runtime, standin: SlackStandIn, clock: FixedClock
) -> None:
    # Four 503s outlast the client's three retries: the first digest (Alice's) fails for now.
    standin.fail_next("chat.postMessage", *[Fault(503)] * 4)
    at(clock, paris(2008, 9, 2, 17, 30))
    report = run_round(book, chart=None)
    assert report.failed == 1
    assert posts_by_recipient(standin) == {CHLOE: 1, CHANNEL: 1}
    failed = next(r for r in log_rows(book, TUESDAY) if r.recipient == ALICE)
    assert failed.state == "pending" and failed.error
    clock.advance(dt.timedelta(minutes=11))
    from bot.nudges.rounds import sweep

    sweep(book, chart=None)
    assert posts_by_recipient(standin) == {CHLOE: 1, CHANNEL: 1, ALICE: 1}
    retried = next(r for r in log_rows(book, TUESDAY) if r.recipient == ALICE)
    assert retried.state == "sent" and retried.attempts == 2


def test_an_owner_deactivated_since_gets_no_digest_once_the_cached_profile_is_stale(
    book: Runtime, standin: SlackStandIn, clock: FixedClock
) -> None:
    at(clock, paris(2008, 9, 2, 17, 30))
    run_round(book, mode=Mode.NOW, chart=None)
    standin.people[ALICE].deleted = True
    at(clock, paris(2008, 9, 2, 20, 0))  # the directory's day-long cache still says active: as any lookup would
    assert run_round(book, mode=Mode.FORCE, chart=None).deactivated == 0
    at(clock, paris(2008, 9, 3, 18, 0))  # a day on, users.info tells
    report = run_round(book, mode=Mode.NOW, chart=None)
    assert (report.sent[Kind.DIGEST], report.deactivated) == (1, 1)
    asked = len(standin.calls_to("users.info"))
    at(clock, paris(2008, 9, 4, 17, 30))  # now from the cache, with no users.info call
    report = run_round(book, mode=Mode.NOW, chart=None)
    assert (report.sent[Kind.DIGEST], report.deactivated) == (1, 1)
    assert len(standin.calls_to("users.info")) == asked
    assert posts_by_recipient(standin) == {ALICE: 2, CHLOE: 4, CHANNEL: 4}
    summary = text_of(posts(standin)[-1].args)
    assert "4 of 13" in summary and "alice: *5* open" in summary  # her partners still count, under her name
    assert "1 owner not nudged: Slack account deactivated" in service.report_text(report)


def test_the_summary_uploads_its_chart_to_the_channel(book: Runtime, standin: SlackStandIn, clock: FixedClock) -> None:
    at(clock, paris(2008, 9, 2, 9, 30))
    run_round(book, chart=fake_png)
    completes = standin.calls_to("files.completeUploadExternal")
    assert len(completes) == 1
    assert completes[0].args["channel_id"] == CHANNEL
    assert list(standin.uploads.values()) == [fake_png(None)]


def test_api_calls_grow_with_owners_not_partners(book: Runtime, standin: SlackStandIn, clock: FixedClock) -> None:
    for i in range(300):
        add(book, f"LNK-X{i:04d}", f"Bulk Partner {i}", ALICE if i % 2 else CHLOE)
    at(clock, paris(2008, 9, 2, 17, 30))
    run_round(book, chart=fake_png)
    per_method = {m: len(standin.calls_to(m)) for m in {c.method for c in standin.calls}}
    # users.info once per owner (then cached a day), one post per owner, the summary, its chart.
    assert per_method.pop("users.info") <= 2
    assert per_method.pop("chat.postMessage") == 3
    assert sum(per_method.values()) <= 2  # files.getUploadURLExternal, files.completeUploadExternal


def test_snooze_is_for_the_owner_or_an_admin_and_is_audited(book: Runtime) -> None:
    from bot.errors import NotAllowed

    with pytest.raises(NotAllowed):
        service.snooze(book, actor=BRUNO, partner_key="LNK-9001")
    service.snooze(book, actor=ADMIN, partner_key="LNK-9001")
    with book.db.session() as session:
        partner = get_partner(session=session, key="LNK-9001")
        events = store.recent_events(session=session)
    assert partner is not None and partner.snoozed_until == dt.date(2008, 9, 9)
    assert [(e.action, e.by, e.subject) for e in events] == [("snooze", ADMIN, "LNK-9001")]


@pytest.mark.parametrize("key", ["LNK-\x009001", "LNK-9001\x00", "\x00"])
def test_a_forged_partner_id_in_a_snooze_button_is_no_partner(book: Runtime, key: str) -> None:
    from bot.errors import NotFound

    with pytest.raises(NotFound):
        service.snooze(book, actor=ADMIN, partner_key=key)
    with book.db.session() as session:
        assert get_partner(session=session, key=key) is None


def test_a_forced_round_is_audited_with_what_it_sent(book: Runtime, clock: FixedClock) -> None:
    service.run_now(book, actor="cli", force=True, chart=None)
    with book.db.session() as session:
        event = store.recent_events(session=session)[0]
    assert event.action == "round_force"
    assert event.detail.startswith("2 digests and 1 channel summary sent")


def test_run_now_after_everything_is_registered_sends_only_the_summary(rt: Runtime, standin: SlackStandIn) -> None:
    add(rt, "LNK-1", "Done Partner", BRUNO, status="registered")
    report = run_round(rt, mode=Mode.NOW, chart=None)
    assert posts_by_recipient(standin) == {CHANNEL: 1}
    assert report.sent == {Kind.SUMMARY: 1}


@pytest.mark.parametrize(
    ("digests", "summaries", "muted", "deferred", "deactivated"),
    [(0, 0, 0, 0, 0), (1, 1, 1, 1, 1), (12, 2, 3, 0, 2), (1, 0, 0, 0, 1)],
)
def test_a_rounds_line_reads_back_as_its_counts(
    digests: int, summaries: int, muted: int, deferred: int, deactivated: int
) -> None:
    sent = Counter({Kind.DIGEST: digests, Kind.SUMMARY: summaries})
    report = RoundReport(
        Mode.NOW, sent, already_sent=2, muted=muted, failed=1, deferred=deferred, deactivated=deactivated
    )
    assert RoundReport.from_line(report.line(), Mode.NOW) == report
    assert RoundReport.from_line("something else", Mode.NOW) is None


def test_a_snooze_never_hides_a_partner_from_the_last_days_reminders(
    book: Runtime, standin: SlackStandIn, clock: FixedClock
) -> None:
    from bot.errors import BadInput

    at(clock, paris(2008, 9, 11, 10, 0))  # 5 days left: a week would run past the deadline
    reply = service.snooze(book, actor=ADMIN, partner_key="LNK-9001")
    with book.db.session() as session:
        partner = get_partner(session=session, key="LNK-9001")
    # Hidden up to 3 days before the deadline (the daily reminders' start), back on the 14th.
    assert partner is not None and partner.snoozed_until == dt.date(2008, 9, 13)
    assert "Sunday 14 September 2008" in reply.text
    at(clock, paris(2008, 9, 14, 10, 0))  # 2 days left: the daily reminders have begun
    with pytest.raises(BadInput, match="last 3 days"):
        service.snooze(book, actor=ADMIN, partner_key="LNK-9002")
    run_round(book, mode=Mode.NOW, chart=None)
    alice = [c for c in posts(standin) if c.args["channel"] == ALICE]
    assert alice and "LNK-9001" in text_of(alice[0].args)  # back in the reminders
    assert "nudge_snooze" not in json.dumps(alice[0].args)  # no Snooze button offered so late


def test_a_round_now_sends_again_what_failed_and_never_twice(
    book: Runtime, standin: SlackStandIn, clock: FixedClock
) -> None:
    """`nudge --now` after a failure: the failed digest goes out, counted as sent, not as "already sent today"."""
    standin.fail_next("chat.postMessage", *[Fault(503)] * 4)  # outlasts the client's retries: Alice's digest fails
    at(clock, paris(2008, 9, 2, 17, 30))
    first = run_round(book, mode=Mode.NOW, chart=None)
    assert first.failed == 1 and first.why  # Slack's reason, for whoever reads the report
    assert f"; 1 failed ({first.why})" in first.line() and RoundReport.from_line(first.line(), Mode.NOW) == first
    clock.advance(dt.timedelta(minutes=1))  # long before the sweep would look at it
    again = run_round(book, mode=Mode.NOW, chart=None)
    assert (again.sent[Kind.DIGEST], again.already_sent, again.failed) == (1, 2, 0)  # Chloe's and the summary
    assert posts_by_recipient(standin) == {CHLOE: 1, CHANNEL: 1, ALICE: 1}
    row = next(r for r in log_rows(book, TUESDAY) if r.recipient == ALICE)
    assert row.state == "sent" and row.attempts == 2
    third = run_round(book, mode=Mode.NOW, chart=None)
    assert (third.total_sent, third.already_sent) == (0, 3)
    clock.advance(dt.timedelta(minutes=11))
    from bot.nudges.rounds import sweep

    sweep(book, chart=None)
    assert posts_by_recipient(standin) == {CHLOE: 1, CHANNEL: 1, ALICE: 1}  # nothing left for the sweep


def test_owners_imported_before_slack_knew_them_get_their_digest_once_it_does(
    book: Runtime, standin: SlackStandIn, clock: FixedClock
) -> None:
    """An import while Slack could not say who an e-mail is keeps the e-mail; the round asks Slack again, so the
    owners who never open the bot (whom nudges are for) are not left out."""
    standin.add_person("U0DAVID01", "david", "David@Example.com")
    add(book, "LNK-7001", "Partner 7001", None, email="david@example.com")
    add(book, "LNK-7002", "Partner 7002", None, email="ghost@example.com")
    at(clock, paris(2008, 9, 2, 17, 30))
    report = run_round(book, chart=None)
    assert posts_by_recipient(standin)["U0DAVID01"] == 1
    with book.db.session() as session:
        assert get_partner(session=session, key="LNK-7001").owner_user_id == "U0DAVID01"
        assert get_partner(session=session, key="LNK-7002").owner_user_id is None
    assert report.unmatched == 1 and report.line().endswith("; 1 owner e-mail not found in Slack")
    assert RoundReport.from_line(report.line(), Mode.SCHEDULED) == report
    # The e-mail Slack did not know is not asked again within the hour.
    asked = len(standin.calls_to("users.lookupByEmail"))
    assert run_round(book, mode=Mode.NOW, chart=None).unmatched == 1
    assert len(standin.calls_to("users.lookupByEmail")) == asked


def test_a_round_spends_no_time_on_owners_e_mails_while_slack_does_not_answer(
    book: Runtime, standin: SlackStandIn, clock: FixedClock
) -> None:
    standin.add_person("U0DAVID01", "david", "david@example.com")
    for n in range(5):
        add(book, f"LNK-70{n:02d}", f"Partner {n}", None, email=f"owner{n}@example.com")
    add(book, "LNK-7099", "Partner 99", None, email="david@example.com")
    standin.fail_next("users.lookupByEmail", *[Fault(500)] * 4)  # outlasts the client's retries: one e-mail
    at(clock, paris(2008, 9, 2, 17, 30))
    assert run_round(book, chart=None).unmatched == 6
    assert len(standin.calls_to("users.lookupByEmail", ok_only=False)) == 4  # the first e-mail only, then it stops
    clock.advance(dt.timedelta(minutes=5))
    assert run_round(book, chart=None).unmatched == 5  # Slack answers again: David is found, the others are not
    with book.db.session() as session:
        assert get_partner(session=session, key="LNK-7099").owner_user_id == "U0DAVID01"
