"""Answers computed from the data at the moment of asking, in the asker's language."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.config import SEED_DEADLINE
from bot.i18n import t, tn
from bot.progress import build_progress, current_progress, days_left_text, format_date
from bot.runtime import Runtime
from bot.slack_text import escape, fold
from bot.statuses import EMOJI, OPEN, ORDER, Status, label
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
    left = days_left_text(rt.days_left(), lang)
    text = t("live.deadline", lang, when=format_date(day, lang), tz=rt.settings.transition_timezone, left=left)
    if day != SEED_DEADLINE:
        text += "\n" + t("live.deadline_article", lang, article=format_date(SEED_DEADLINE, lang))
    return text


def days_left(rt: Runtime, lang: str) -> str:
    """How many calendar days are left to the deadline."""
    left = days_left_text(days := rt.days_left(), lang)
    when = format_date(rt.settings.transition_deadline, lang)
    return t("live.days_left" if days >= 0 else "live.days_passed", lang, left=left[0].upper() + left[1:], when=when)


def progress(rt: Runtime, lang: str) -> str:
    """Overall registration progress and the count for each status."""
    reply = build_progress(current_progress(rt), lang)
    return reply.text


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
        return t("live.mine_none", lang, left=left)
    lines = [_partner_line(p, lang) for p in partners]
    more = total - len(partners)
    head = tn("live.mine_head", total, lang, left=left)
    tail = "\n" + tn("live.mine_more", more, lang) if more > 0 else ""
    return head + "\n" + "\n".join(lines) + tail


def partner_status(partners: Sequence[Partner], lang: str) -> str:
    """The status, owner and last update of each named partner."""
    lines = []
    for partner in partners:
        owner = f"<@{partner.owner_user_id}>" if partner.owner_user_id else escape(partner.owner_email or "—")
        when = format_date(partner.updated_at.date(), lang)
        lines.append(f"{_partner_line(partner, lang)} · " + t("live.partner_facts", lang, owner=owner, when=when))
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
