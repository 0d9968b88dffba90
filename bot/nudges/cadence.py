"""When nudges are due: pure functions of a local date and time, the deadline and the cadence settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.config import Settings

MONDAY = 0
SATURDAY = 5
CLOSING_WINDOW_DAYS = 7
"""How long after the deadline a closing summary that could not go out on time is still worth sending."""


class Kind(StrEnum):
    """What a nudge is; the first part of its once-only key."""

    DIGEST = "digest"
    SUMMARY = "summary"
    CLOSING = "closing"


class Phase(StrEnum):
    """How often nudges go out, from far before the deadline to after it."""

    WEEKLY = "weekly"  # Mondays only
    WEEKDAYS = "weekdays"
    DAILY = "daily"  # weekends too
    CLOSED = "closed"


@dataclass(frozen=True)
class Cadence:
    """The schedule: Mondays, then every weekday, then every day, then one closing summary."""

    deadline: dt.date
    weekday_days: int = 14
    daily_days: int = 3
    hour: int = 9

    @classmethod
    def from_settings(cls, settings: Settings) -> Cadence:
        """The cadence configured by NUDGE_WEEKDAY_DAYS, NUDGE_DAILY_DAYS, NUDGE_HOUR and the deadline."""
        return cls(
            deadline=settings.transition_deadline,
            weekday_days=settings.nudge_weekday_days,
            daily_days=settings.nudge_daily_days,
            hour=settings.nudge_hour,
        )

    def days_left(self, day: dt.date) -> int:
        """Calendar days from `day` to the deadline date: 0 on the day, negative after."""
        return (self.deadline - day).days

    def phase(self, day: dt.date) -> Phase:
        """Which part of the schedule `day` falls in."""
        left = self.days_left(day)
        if left < 0:
            return Phase.CLOSED
        if left < self.daily_days:
            return Phase.DAILY
        if left <= self.weekday_days:
            return Phase.WEEKDAYS
        return Phase.WEEKLY

    def is_nudge_day(self, day: dt.date) -> bool:
        """Say whether digests and summaries go out on `day` (a local date)."""
        phase = self.phase(day)
        if phase is Phase.DAILY:
            return True
        if phase is Phase.WEEKDAYS:
            return day.weekday() < SATURDAY
        if phase is Phase.WEEKLY:
            return day.weekday() == MONDAY
        return False

    def is_due(self, local_now: dt.datetime) -> bool:
        """Say whether a digest or summary is due at this local wall time (a nudge day, at or after the hour)."""
        return self.is_nudge_day(local_now.date()) and local_now.hour >= self.hour

    def closing_date(self) -> dt.date:
        """The day the closing summary belongs to (its key), the day after the deadline."""
        return self.deadline + dt.timedelta(days=1)

    def is_closing_due(self, local_now: dt.datetime) -> bool:
        """Say whether the closing summary may go out now: after the deadline, from the hour, for a week."""
        left = self.days_left(local_now.date())
        if left >= 0 or left < -CLOSING_WINDOW_DAYS:
            return False
        return local_now.date() > self.closing_date() or local_now.hour >= self.hour

    def nudge_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Every nudge day from `start` to `end` inclusive (for help texts and tests)."""
        days = []
        day = start
        while day <= end:
            if self.is_nudge_day(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days


def local_wall_time(now: dt.datetime, zone: str | None, fallback: str) -> dt.datetime:
    """`now` on the wall clock of `zone` (an IANA name), or of `fallback` when the zone is unknown or bad."""
    try:
        tz = ZoneInfo(zone) if zone else ZoneInfo(fallback)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        tz = ZoneInfo(fallback)
    return now.astimezone(tz)
