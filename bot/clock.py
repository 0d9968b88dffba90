"""Time, passed in: the system clock in production, a settable one in tests and the console."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """Something that tells the current instant, timezone-aware."""

    def now(self) -> dt.datetime: ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that stands still until moved; thread-safe."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._now

    def set(self, when: dt.datetime) -> None:
        """Jump to `when`."""
        with self._lock:
            self._now = when

    def advance(self, delta: dt.timedelta) -> None:
        """Move forward by `delta`."""
        with self._lock:
            self._now += delta


class OffsetClock:
    """The real time shifted so that it starts at a chosen instant (the console's simulated date)."""

    def __init__(self, start: dt.datetime) -> None:
        self._offset = start - dt.datetime.now(dt.UTC)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self._offset


def local_today(clock: Clock, tz: ZoneInfo) -> dt.date:
    """Today's date in `tz`."""
    return clock.now().astimezone(tz).date()


def days_left(today: dt.date, deadline: dt.date) -> int:
    """Calendar days from `today` to the deadline date: 0 on the day, negative after."""
    return (deadline - today).days
