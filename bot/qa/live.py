"""Answers computed from the data at the moment of asking, in the asker's language."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.config import SEED_DEADLINE
from bot.progress import current_progress, days_left_text, format_date
from bot.runtime import Runtime
from bot.statuses import EMOJI, OPEN, ORDER, Status, label
from bot.text import escape, fold
from storage import knowledge as store
from storage import partners as partners_store
from storage.models import Partner

MAX_LISTED = 15
"""Open partners listed by name in one answer; the rest are counted."""

_ID_LIKE = re.compile(r"\b[A-Za-z]{1,10}[-_]?\d{1,10}\b")
_PUNCTUATION = re.compile(r"[?!,;:()\"“”«»]+|\.(?=\s|$)")


def deadline(rt: Runtime, lang: str) -> str:
    """The deadline and the days left (the configured deadline; the article's if they differ)."""
    day = rt.settings.transition_deadline
    when = format_date(day, lang)
    left = days_left_text(rt.days_left(), lang)
    tz = rt.settings.transition_timezone
    if lang == "fr":
        text = (
            f"Les partenaires Linksys doivent s'enregistrer dans le Cisco Channel Partner Program au plus tard "
            f"le *{when}* (fin de journée, {tz}) : {left}."
        )
        if day != SEED_DEADLINE:
            text += (
                f"\n_L'article donnait le {SEED_DEADLINE.day} septembre ; l'échéance retenue ici est celle ci-dessus._"
            )
        return text
    text = (
        f"Linksys partners must register in the Cisco Channel Partner Program by *{when}* (end of day, {tz}): {left}."
    )
    if day != SEED_DEADLINE:
        text += f"\n_The article gave {SEED_DEADLINE.day} September; the deadline set here is the one above._"
    return text


def days_left(rt: Runtime, lang: str) -> str:
    """How many calendar days are left to the deadline."""
    left = days_left_text(rt.days_left(), lang)
    when = format_date(rt.settings.transition_deadline, lang)
    if lang == "fr":
        return f":hourglass: {left[0].upper()}{left[1:]} avant l'échéance du *{when}*."
    return f":hourglass: {left[0].upper()}{left[1:]} before the deadline, *{when}*."


def progress(rt: Runtime, lang: str) -> str:
    """Overall registration progress and the count for each status."""
    snapshot = current_progress(rt)
    left = days_left_text(snapshot.days_left, lang)
    if lang == "fr":
        head = (
            f":bar_chart: *{snapshot.registered} sur {snapshot.total}* partenaires enregistrés "
            f"({snapshot.percent:.0f} %) — {left}."
        )
    else:
        head = (
            f":bar_chart: *{snapshot.registered} of {snapshot.total}* partners registered "
            f"({snapshot.percent:.0f}%) — {left}."
        )
    lines = [f"{EMOJI[s]} {label(s, lang)}: *{snapshot.counts.get(s, 0)}*" for s in ORDER]
    return head + "\n" + "\n".join(lines)


def _partner_line(partner: Partner, lang: str) -> str:
    status = Status(partner.status)
    return f"{EMOJI[status]} *{escape(partner.name)}* (`{escape(partner.partner_id)}`) — {label(status, lang)}"


def my_partners(rt: Runtime, lang: str, user_id: str) -> str:
    """The asker's partners that are not registered yet (nor declined)."""
    statuses = [s.value for s in ORDER if s in OPEN]
    with rt.db.session() as session:
        counts = partners_store.count_by_status(session=session, owner_user_id=user_id)
        partners = partners_store.partners_of_owner(
            session=session, owner_user_id=user_id, statuses=statuses, limit=MAX_LISTED
        )
    total = sum(counts.get(s, 0) for s in statuses)
    left = days_left_text(rt.days_left(), lang)
    if not total:
        if lang == "fr":
            return f":tada: Aucun de vos partenaires n'attend encore d'enregistrement ({left})."
        return f":tada: None of your partners is still waiting to register ({left})."
    lines = [_partner_line(p, lang) for p in partners]
    more = total - len(partners)
    if lang == "fr":
        head = f":clipboard: *{total}* de vos partenaires ne sont pas encore enregistrés ({left}) :"
        tail = f"\n… et {more} autres." if more > 0 else ""
    else:
        head = f":clipboard: *{total}* of your partners are not registered yet ({left}):"
        tail = f"\n… and {more} more." if more > 0 else ""
    return head + "\n" + "\n".join(lines) + tail


def partner_status(partners: Sequence[Partner], lang: str) -> str:
    """The status, owner and last update of each named partner."""
    lines = []
    for partner in partners:
        owner = f"<@{partner.owner_user_id}>" if partner.owner_user_id else escape(partner.owner_email or "—")
        day = partner.updated_at.date().isoformat()
        if lang == "fr":
            lines.append(f"{_partner_line(partner, lang)} · responsable {owner} · mis à jour le {day}")
        else:
            lines.append(f"{_partner_line(partner, lang)} · owner {owner} · updated {day}")
    return "\n".join(lines)


def folded_question(text: str) -> str:
    """The question folded like partner names are (case, accents, spaces), punctuation around words removed."""
    return fold(_PUNCTUATION.sub(" ", text))


@dataclass(frozen=True)
class Mention:
    """Partners a question names, by ID or by full name."""

    partners: tuple[Partner, ...]
    words: frozenset[str]


def partners_mentioned(rt: Runtime, text: str) -> Mention:
    """Partners named in `text` by their ID (any case) or their whole name."""
    keys = sorted({m.group(0).upper() for m in _ID_LIKE.finditer(text)})
    folded = folded_question(text)
    with rt.db.session() as session:
        found = partners_store.partners_by_keys(session=session, keys=keys)
        found += store.partners_named_in(session=session, folded_text=folded)
    unique = tuple({p.id: p for p in found}.values())
    named_words = {w for p in unique for w in [*fold(p.name).split(), p.partner_id.casefold()]}
    return Mention(partners=unique, words=frozenset(named_words))
