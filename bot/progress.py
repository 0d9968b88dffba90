"""Where the migration stands: counts by status, share registered, days left."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.blocks import context, section
from bot.replies import Reply
from bot.runtime import Runtime
from bot.statuses import EMOJI, ORDER, Status, label
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


def format_date(day: dt.date, lang: str) -> str:
    """`Tuesday 16 September 2008` / `mardi 16 septembre 2008`."""
    if lang == "fr":
        days = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
        months = [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ]
        return f"{days[day.weekday()]} {day.day} {months[day.month - 1]} {day.year}"
    return f"{day:%A} {day.day} {day:%B %Y}"


def days_left_text(days: int, lang: str) -> str:
    """`10 days left`, `last day today`, `passed 3 days ago`, in `lang`."""
    if lang == "fr":
        if days > 1:
            return f"il reste {days} jours"
        if days == 1:
            return "il reste 1 jour (demain est le dernier jour)"
        if days == 0:
            return "c'est aujourd'hui le dernier jour"
        return f"l'échéance est passée depuis {-days} jour{'s' if -days > 1 else ''}"
    if days > 1:
        return f"{days} days left"
    if days == 1:
        return "1 day left (tomorrow is the last day)"
    if days == 0:
        return "today is the last day"
    return f"the deadline passed {-days} day{'s' if -days > 1 else ''} ago"


def build_deadline(*, deadline: dt.date, days: int, tz: str, lang: str = "en") -> Reply:
    """The answer to `/transition deadline`."""
    when = format_date(deadline, lang)
    if lang == "fr":
        text = (
            f":calendar: Les partenaires Linksys doivent s'enregistrer dans le Cisco Channel Partner Program "
            f"au plus tard le *{when}* (fin de journée, {tz}) : {days_left_text(days, lang)}."
        )
    else:
        text = (
            f":calendar: Linksys partners must register in the Cisco Channel Partner Program by "
            f"*{when}* (end of day, {tz}): {days_left_text(days, lang)}."
        )
    return Reply(text=text, blocks=[section(text)])


def build_progress(progress: Progress, lang: str = "en") -> Reply:
    """The answer to `/transition progress`."""
    if lang == "fr":
        head = (
            f":bar_chart: *{progress.registered} sur {progress.total}* partenaires enregistrés "
            f"({progress.percent:.0f} %) — {days_left_text(progress.days_left, lang)}."
        )
    else:
        head = (
            f":bar_chart: *{progress.registered} of {progress.total}* partners registered "
            f"({progress.percent:.0f}%) — {days_left_text(progress.days_left, lang)}."
        )
    lines = [f"{EMOJI[s]} {label(s, lang)}: *{progress.counts.get(s, 0)}*" for s in ORDER]
    text = head + "\n" + "\n".join(lines)
    return Reply(
        text=text,
        blocks=[
            section(head),
            section("\n".join(lines)),
            context(f"Deadline {progress.deadline.isoformat()}"),
        ],
    )
