"""The registrations chart: the curve from the history, drawn headless in a child process."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys

from bot.clock import FixedClock
from bot.nudges.chart import PNG_MAGIC, REGISTERED_COLOUR, Series, cumulative_series, render_in_child, render_png
from bot.runtime import Runtime
from storage.nudges import registration_changes
from storage.partners import lock_partner, record_change
from tests.nudges.conftest import ALICE, PARIS, add, paris

DEADLINE = dt.date(2008, 9, 16)


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2008, 9, day, hour, tzinfo=PARIS)


def test_the_curve_counts_registrations_and_takes_back_undone_ones() -> None:
    changes = [(at(1), 1), (at(1, 23), 1), (at(3), 1), (at(3, 18), -1), (at(5), 1)]
    series = cumulative_series(changes, tz=PARIS, total=10, deadline=DEADLINE, today=dt.date(2008, 9, 6))
    assert series.days[0] == dt.date(2008, 9, 1) and series.days[-1] == dt.date(2008, 9, 6)
    assert series.registered == (2, 2, 2, 2, 3, 3)


def test_days_are_cut_in_the_deadline_zone() -> None:
    late_evening_utc = dt.datetime(2008, 9, 1, 22, 30, tzinfo=dt.UTC)  # already 2 September in Paris
    series = cumulative_series([(late_evening_utc, 1)], tz=PARIS, total=1, deadline=DEADLINE, today=dt.date(2008, 9, 2))
    assert series.days == (dt.date(2008, 9, 2),)


def test_registration_changes_come_from_the_history(rt: Runtime, clock: FixedClock) -> None:
    add(rt, "LNK-1", "Imported registered", ALICE, status="registered", at=paris(2008, 8, 20, 10, 0))
    add(rt, "LNK-2", "Still open", ALICE, at=paris(2008, 8, 20, 10, 0))
    with rt.db.session(write=True) as session:
        for key, status, day in (("LNK-2", "registered", 1), ("LNK-1", "in_progress", 2), ("LNK-2", "registered", 3)):
            partner = lock_partner(session=session, key=key)
            assert partner is not None
            # the last one only gives the partner to someone else: no change in registrations
            record_change(
                session=session, partner=partner, at=at(day), by=ALICE, source="command", status=status, note="",
                owner_user_id="U0BRUNO01" if day == 3 else None,
            )  # fmt: skip
    with rt.db.session() as session:
        changes = registration_changes(session=session)
    assert [delta for _, delta in changes] == [1, 1, -1]
    series = cumulative_series(changes, tz=PARIS, total=2, deadline=DEADLINE, today=dt.date(2008, 9, 3))
    assert series.registered[-1] == 1


def test_the_chart_is_a_png_drawn_in_a_child_process() -> None:
    series = Series(
        days=(dt.date(2008, 9, 1), dt.date(2008, 9, 2)),
        registered=(1, 4),
        total=13,
        deadline=DEADLINE,
        today=dt.date(2008, 9, 2),
    )
    png = render_in_child(series)
    assert png.startswith(PNG_MAGIC)
    assert len(png) > 5_000


def _pixels_of(png: bytes, colour: str) -> int:
    import io

    import matplotlib.image
    import numpy as np

    image = matplotlib.image.imread(io.BytesIO(png), format="png")[:, :, :3]
    wanted = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(image - wanted).max(axis=2) < 0.02).sum())


def test_a_single_day_is_drawn_as_a_point() -> None:
    """The first summary has one day of data: a step of no length drew nothing where the count should be."""
    one = Series(days=(dt.date(2008, 9, 1),), registered=(3,), total=13, deadline=DEADLINE, today=dt.date(2008, 9, 1))
    none = dataclasses.replace(one, days=(), registered=())
    # The legend's sample of the line is green in both: the point adds to it.
    assert _pixels_of(render_png(one), REGISTERED_COLOUR) > _pixels_of(render_png(none), REGISTERED_COLOUR) + 20


def test_the_bot_never_imports_matplotlib() -> None:
    probe = (
        "import sys, bot.app, bot.cli, bot.nudges.rounds, bot.nudges.scheduler, bot.nudges.service, handlers; "
        "print('matplotlib' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "False"
