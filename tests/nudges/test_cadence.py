"""The cadence, as pure functions of dates: Mondays, then weekdays, then daily, then one closing summary."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from bot.nudges.cadence import Cadence, Phase, local_wall_time
from tests.nudges.conftest import NEW_YORK, PARIS

SEPT = Cadence(deadline=dt.date(2008, 9, 16))  # a Tuesday


def d(day: int, month: int = 9) -> dt.date:
    return dt.date(2008, month, day)


def test_mondays_until_fourteen_days_before_then_weekdays_then_every_day() -> None:
    days = SEPT.nudge_days(d(4, 8), d(20))
    assert days == [
        # Mondays while more than 14 days are left
        d(4, 8), d(11, 8), d(18, 8), d(25, 8), d(1),
        # every weekday from 14 days before (Tuesday 2 September)
        d(2), d(3), d(4), d(5), d(8), d(9), d(10), d(11), d(12),
        # every day, the weekend too, in the last 3 days
        d(14), d(15), d(16),
    ]  # fmt: skip


def test_phases_around_their_edges() -> None:
    assert SEPT.phase(d(1)) is Phase.WEEKLY  # 15 days left
    assert SEPT.phase(d(2)) is Phase.WEEKDAYS  # 14
    assert SEPT.phase(d(13)) is Phase.WEEKDAYS  # 3: a Saturday, so no nudge
    assert not SEPT.is_nudge_day(d(13))
    assert SEPT.phase(d(14)) is Phase.DAILY  # 2
    assert SEPT.phase(d(16)) is Phase.DAILY  # the deadline day itself
    assert SEPT.phase(d(17)) is Phase.CLOSED


def test_nothing_is_due_before_the_hour() -> None:
    assert not SEPT.is_due(dt.datetime(2008, 9, 2, 8, 59, tzinfo=PARIS))
    assert SEPT.is_due(dt.datetime(2008, 9, 2, 9, 0, tzinfo=PARIS))
    assert SEPT.is_due(dt.datetime(2008, 9, 2, 23, 59, tzinfo=PARIS))


def test_after_the_deadline_only_the_closing_summary_for_a_week() -> None:
    assert SEPT.nudge_days(d(17), d(30)) == []
    assert SEPT.closing_date() == d(17)
    assert not SEPT.is_closing_due(dt.datetime(2008, 9, 16, 23, 0, tzinfo=PARIS))
    assert not SEPT.is_closing_due(dt.datetime(2008, 9, 17, 8, 59, tzinfo=PARIS))
    assert SEPT.is_closing_due(dt.datetime(2008, 9, 17, 9, 0, tzinfo=PARIS))
    assert SEPT.is_closing_due(dt.datetime(2008, 9, 18, 7, 0, tzinfo=PARIS))  # missed yesterday: still once
    assert not SEPT.is_closing_due(dt.datetime(2008, 9, 24, 12, 0, tzinfo=PARIS))


def test_the_cadence_is_configurable() -> None:
    lazy = Cadence(deadline=d(16), weekday_days=5, daily_days=1, hour=14)
    assert lazy.nudge_days(d(1), d(16)) == [d(1), d(8), d(11), d(12), d(15), d(16)]
    assert not lazy.is_due(dt.datetime(2008, 9, 16, 13, 59, tzinfo=PARIS))


def test_local_wall_time_follows_dst_in_paris_and_new_york() -> None:
    # Paris leaves summer time on 26 October 2008 at 03:00 CEST (01:00 UTC).
    assert local_wall_time(dt.datetime(2008, 10, 25, 7, 0, tzinfo=dt.UTC), "Europe/Paris", "UTC").hour == 9
    assert local_wall_time(dt.datetime(2008, 10, 26, 7, 0, tzinfo=dt.UTC), "Europe/Paris", "UTC").hour == 8
    assert local_wall_time(dt.datetime(2008, 10, 26, 8, 0, tzinfo=dt.UTC), "Europe/Paris", "UTC").hour == 9
    # New York on 2 November 2008 at 02:00 EDT (06:00 UTC).
    assert local_wall_time(dt.datetime(2008, 11, 1, 13, 0, tzinfo=dt.UTC), "America/New_York", "UTC").hour == 9
    assert local_wall_time(dt.datetime(2008, 11, 2, 13, 0, tzinfo=dt.UTC), "America/New_York", "UTC").hour == 8
    assert local_wall_time(dt.datetime(2008, 11, 2, 14, 0, tzinfo=dt.UTC), "America/New_York", "UTC").hour == 9


def test_an_unknown_or_bad_zone_falls_back_to_the_deadline_zone() -> None:
    now = dt.datetime(2008, 9, 2, 7, 30, tzinfo=dt.UTC)
    assert local_wall_time(now, None, "Europe/Paris").utcoffset() == dt.timedelta(hours=2)
    assert local_wall_time(now, "Mars/Olympus_Mons", "America/New_York").tzinfo == NEW_YORK


@given(st.dates(min_value=dt.date(2008, 6, 1), max_value=dt.date(2008, 9, 3)))
def test_nudges_never_get_rarer_as_the_deadline_nears(start: dt.date) -> None:
    week = SEPT.nudge_days(start, start + dt.timedelta(days=6))
    next_week = SEPT.nudge_days(start + dt.timedelta(days=7), start + dt.timedelta(days=13))
    assert len(week) >= 1
    assert len(next_week) >= len(week)
