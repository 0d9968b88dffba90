"""Where the migration stands: counts by status, share registered, days left."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.blocks import context, section
from bot.cldr import conventions
from bot.config import SEED_DEADLINE
from bot.i18n import long_date, number, percent, t, tn
from bot.replies import Reply
from bot.runtime import Runtime
from bot.statuses import ORDER, Status, count_line
from storage.partners import count_by_status


@dataclass(frozen=True)
class Progress:
    """A snapshot of the migration."""

    counts: dict[Status, int]
    days_left: int
    deadline: dt.date

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def registered(self) -> int:
        return self.counts.get(Status.REGISTERED, 0)

    @property
    def percent(self) -> float:
        return 100.0 * self.registered / self.total if self.total else 0.0


def current_progress(rt: Runtime, *, owner_user_id: str | None = None) -> Progress:
    """Read the counts from the database."""
    with rt.db.session() as session:
        raw = count_by_status(session=session, owner_user_id=owner_user_id)
    counts = {s: raw.get(s.value, 0) for s in ORDER}
    return Progress(counts=counts, days_left=rt.days_left(), deadline=rt.settings.transition_deadline)


def format_date(day: dt.date, lang: str | None = None) -> str:
    """`Tuesday 16 September 2008` / `mardi 16 septembre 2008` (the reader's language by default)."""
    return long_date(day, lang)


def with_deadline_set_here(text: str, deadline: dt.date, lang: str) -> str:
    """`text`, with a note of the deadline set here when it names the article's (« until 16 September ») but
    TRANSITION_DEADLINE moved it, and the text does not name the new one already."""
    named = f"{SEED_DEADLINE.day} {conventions(lang).months[SEED_DEADLINE.month - 1]}"
    when = format_date(deadline, lang)
    if deadline == SEED_DEADLINE or named.casefold() not in text.casefold() or when in text:
        return text
    return text + "\n" + t("live.deadline_set_here", lang, when=when)


def days_left_text(days: int, lang: str | None = None) -> str:
    """`10 days left`, `today is the last day`, `the deadline passed 3 days ago`, in `lang`."""
    if days > 1:
        return tn("days.left", days, lang)
    if days == 1:
        return t("days.tomorrow", lang)
    if days == 0:
        return t("days.today", lang)
    return tn("days.passed", -days, lang)


def build_deadline(*, deadline: dt.date, days: int, tz: str, lang: str | None = None) -> Reply:
    """The answer to `/transition deadline`."""
    text = t("deadline.answer", lang, when=format_date(deadline, lang), tz=tz, left=days_left_text(days, lang))
    return Reply(text=text, blocks=[section(text)])


def build_progress(progress: Progress, lang: str | None = None) -> Reply:
    """The answer to `/transition progress`."""
    head = tn(
        "progress.head",
        progress.total,
        lang,
        registered=number(progress.registered, lang),
        percent=percent(progress.percent / 100, lang),
        left=days_left_text(progress.days_left, lang),
    )
    lines = [count_line(s, number(progress.counts.get(s, 0), lang), lang) for s in ORDER]
    text = head + "\n" + "\n".join(lines)
    return Reply(
        text=text,
        blocks=[
            section(head),
            section("\n".join(lines)),
            context(t("progress.deadline", lang, when=format_date(progress.deadline, lang))),
        ],
    )
