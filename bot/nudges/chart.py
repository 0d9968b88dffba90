"""The summary's chart: cumulative registrations over time against the deadline, as a PNG.

matplotlib costs tens of megabytes once imported, and the bot must stay small with 20,000
partners loaded, so the chart is drawn in a short-lived child process (`python -m
bot.nudges.chart`, series as JSON on stdin, PNG on stdout) and matplotlib never enters the bot.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.cldr import conventions
from bot.i18n import Lang, number, parse_lang, t

RENDER_TIMEOUT_S = 60
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
REGISTERED_COLOUR = "#2e7d32"


class ChartError(Exception):
    """The chart could not be drawn; the summary goes out without it."""


@dataclass(frozen=True)
class Series:
    """Registered partners at the end of each day, the total to reach, and the deadline."""

    days: tuple[dt.date, ...]
    registered: tuple[int, ...]
    total: int
    deadline: dt.date
    today: dt.date
    lang: str = "en"

    def to_json(self) -> str:
        """The series as the child process reads it."""
        return json.dumps(
            {
                "days": [d.isoformat() for d in self.days],
                "registered": list(self.registered),
                "total": self.total,
                "deadline": self.deadline.isoformat(),
                "today": self.today.isoformat(),
                "lang": self.lang,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Series:
        """Read a series written by `to_json`."""
        data = json.loads(text)
        return cls(
            days=tuple(dt.date.fromisoformat(d) for d in data["days"]),
            registered=tuple(int(n) for n in data["registered"]),
            total=int(data["total"]),
            deadline=dt.date.fromisoformat(data["deadline"]),
            today=dt.date.fromisoformat(data["today"]),
            lang=parse_lang(data.get("lang")) or Lang.EN,
        )


def cumulative_series(
    changes: Iterable[tuple[dt.datetime, int]],
    *,
    tz: ZoneInfo,
    total: int,
    deadline: dt.date,
    today: dt.date,
    lang: str = "en",
) -> Series:
    """Turn +1/-1 registration changes into registered-by-end-of-day, from the first change to today."""
    per_day: dict[dt.date, int] = {}
    for at, delta in changes:
        day = at.astimezone(tz).date()
        per_day[day] = per_day.get(day, 0) + delta
    first = min(min(per_day, default=today), today)
    days: list[dt.date] = []
    registered: list[int] = []
    running = 0
    day = first
    while day <= today:
        running += per_day.get(day, 0)
        days.append(day)
        registered.append(max(running, 0))
        day += dt.timedelta(days=1)
    return Series(tuple(days), tuple(registered), total, deadline, today, lang)


def render_png(series: Series) -> bytes:
    """Draw the chart in this process (headless); the child process calls this."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    lang = Lang(series.lang)

    def x(days: list[dt.date]) -> list[float]:
        return [float(v) for v in mdates.date2num(days)]

    fig, ax = plt.subplots(figsize=(8, 4), dpi=100)
    try:
        ax.step(
            x(list(series.days)),
            list(series.registered),
            where="post",
            color=REGISTERED_COLOUR,
            linewidth=2,
            marker="o" if len(series.days) == 1 else None,  # one day is one point: a step of no length shows nothing
            label=t("chart.registered", lang),
        )
        ax.axhline(
            series.total,
            color="#555555",
            linestyle=":",
            linewidth=1,
            label=t("chart.all", lang, total=number(series.total, lang)),
        )
        ax.axvline(
            x([series.deadline])[0], color="#c62828", linestyle="--", linewidth=1.5, label=t("chart.deadline", lang)
        )
        if series.days and series.today < series.deadline:
            # The straight line from today's count to everyone by the deadline: the pace still needed.
            ax.plot(
                x([series.today, series.deadline]),
                [series.registered[-1], series.total],
                color="#f9a825",
                linestyle="--",
                linewidth=1,
                label=t("chart.pace", lang),
            )
        start = series.days[0] if series.days else series.today
        end = max(series.deadline, series.today)
        left, right = x([start - dt.timedelta(days=1), end + dt.timedelta(days=1)])
        ax.set_xlim(left, right)
        ax.set_ylim(0, max(series.total, max(series.registered, default=0), 1) * 1.08)
        ax.set_title(t("chart.title", lang))
        ax.set_ylabel(t("chart.partners", lang))
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda value, _: conventions(lang).day_month(mdates.num2date(value).date()))
        )
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
        fig.autofmt_xdate()
        out = io.BytesIO()
        fig.savefig(out, format="png", bbox_inches="tight")
        return out.getvalue()
    finally:
        plt.close(fig)


def render_in_child(series: Series, *, timeout: float = RENDER_TIMEOUT_S) -> bytes:
    """Draw the chart in a short-lived child process, so matplotlib's memory goes away with it."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot.nudges.chart"],
            input=series.to_json().encode(),
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ChartError(type(exc).__name__) from exc
    if done.returncode != 0 or not done.stdout.startswith(PNG_MAGIC):
        raise ChartError(f"chart process exited {done.returncode}")
    return done.stdout


def main() -> None:
    """Read a series on stdin and write its PNG on stdout."""
    series = Series.from_json(sys.stdin.read())
    sys.stdout.buffer.write(render_png(series))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
