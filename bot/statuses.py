"""The five partner statuses, their labels, and the forgiving parser for typed forms (EN and FR)."""

from __future__ import annotations

import re
from enum import StrEnum

from bot.i18n import t
from bot.slack_text import fold
from storage.partners import OPEN_STATUSES


class Status(StrEnum):
    """Where a partner stands in the migration."""

    NOT_CONTACTED = "not_contacted"
    CONTACTED = "contacted"
    IN_PROGRESS = "in_progress"
    REGISTERED = "registered"
    DECLINED = "declined"


ORDER: tuple[Status, ...] = tuple(Status)
OPEN: frozenset[Status] = frozenset(Status(s) for s in OPEN_STATUSES)
"""Statuses that still need work: not registered and not declined (the queries' own set, as Status)."""

EMOJI = {
    Status.NOT_CONTACTED: ":white_circle:",
    Status.CONTACTED: ":large_blue_circle:",
    Status.IN_PROGRESS: ":large_yellow_circle:",
    Status.REGISTERED: ":large_green_circle:",
    Status.DECLINED: ":red_circle:",
}

_ALIASES: dict[str, Status] = {}


def _squash(text: str) -> str:
    """Fold case and accents and drop spaces, `-`, `_`, `'` and dots: the status match key."""
    return re.sub(r"[\s\-_'’.]+", "", fold(text))


for _status, _forms in {
    Status.NOT_CONTACTED: [
        "not contacted",
        "not_contacted",
        "uncontacted",
        "new",
        "todo",
        "to do",
        "non contacté",
        "non contacte",
        "pas contacté",
        "à contacter",
        "nouveau",
    ],
    Status.CONTACTED: ["contacted", "contact made", "reached", "contacté", "contactée", "joint"],
    Status.IN_PROGRESS: [
        "in progress",
        "in_progress",
        "ongoing",
        "working",
        "pending",
        "started",
        "en cours",
        "en progrès",
        "en traitement",
        "commencé",
    ],
    Status.REGISTERED: [
        "registered",
        "done",
        "enrolled",
        "signed up",
        "complete",
        "completed",
        "enregistré",
        "enregistrée",
        "inscrit",
        "inscrite",
        "terminé",
        "fait",
    ],
    Status.DECLINED: [
        "declined",
        "refused",
        "rejected",
        "lost",
        "no",
        "refusé",
        "refusée",
        "décliné",
        "abandonné",
        "perdu",
    ],
}.items():
    for _form in _forms:
        _ALIASES[_squash(_form)] = _status

MAX_STATUS_WORDS = max(
    len(form.split())
    for form in [
        "not contacted",
        "non contacté",
        "pas contacté",
        "en cours",
        "in progress",
        "contact made",
        "signed up",
        "à contacter",
        "en traitement",
        "en progrès",
    ]
)


def parse_status(text: str) -> Status | None:
    """The status `text` names, forgiving case, accents, spaces, `-` and `_`; None if none."""
    return _ALIASES.get(_squash(text))


def label(status: Status | str, lang: str | None = None) -> str:
    """The human label of `status` in `lang` (the reader's by default); exports keep the machine value."""
    return t(f"status.{Status(status).value}", lang)


def count_line(status: Status, count: str, lang: str | None = None) -> str:
    """`🟢 Registered: *9*` / `🟢 Enregistré : *9*`, `count` already written for the language."""
    return t("status.count", lang, emoji=EMOJI[status], label=label(status, lang), count=count)


def typed_forms() -> str:
    """The canonical spellings, for help texts."""
    return ", ".join(f"`{s.value}`" for s in ORDER)
