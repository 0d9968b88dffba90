"""Block Kit for nudges: the owner's digest and the channel's summary. Pure: data in, Reply out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.blocks import MESSAGE_BLOCKS_MAX, actions, button, context, divider, header, section
from bot.i18n import number, percent, t, tn
from bot.ids import Action
from bot.partners.parsing import decode, encode
from bot.progress import Progress, days_left_text, format_date
from bot.replies import Reply
from bot.slack_text import escape, truncate
from bot.statuses import EMOJI, ORDER, Status, count_line, label
from storage.nudges import Backlog, OpenPartner

DIGEST_FIXED_BLOCKS = 6  # header, intro, registered since yesterday, divider, and up to two closing lines
REGISTERED_SHOWN = 10
BLOCKS_PER_PARTNER = 2  # the partner's line and its buttons
DIGEST_MAX_SHOWN = (MESSAGE_BLOCKS_MAX - DIGEST_FIXED_BLOCKS) // BLOCKS_PER_PARTNER
FALLBACK_NAMES = 5
NAME_MAX = 120


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def digest_headline(days_left: int) -> str:
    """The digest's header: the closer the deadline, the more urgent it sounds."""
    if days_left <= 0:
        return t("digest.headline_last")
    if days_left <= 2:
        return t("digest.headline_urgent", left=_capital(days_left_text(days_left)))
    if days_left <= 7:
        return t("digest.headline_week", left=_capital(days_left_text(days_left)))
    return t("digest.headline", left=days_left_text(days_left))


def untouched_for(updated_at: dt.datetime, now: dt.datetime) -> str:
    """`untouched for 12 days`, `updated today`."""
    days = (now - updated_at).days
    if days <= 0:
        return t("digest.updated_today")
    return tn("digest.untouched", days)


def partner_line(partner: OpenPartner, now: dt.datetime) -> str:
    """One partner of the digest, as mrkdwn."""
    status = Status(partner.status)
    return (
        f"*{escape(truncate(partner.name, NAME_MAX))}* · `{escape(partner.partner_id)}`\n"
        f"{EMOJI[status]} {label(status)} · {untouched_for(partner.updated_at, now)}"
    )


def status_button_value(partner: OpenPartner) -> str:
    """A digest's status button value: the status it was sent with, then the partner's key."""
    return encode(partner.status, partner.partner_key)


def read_status_button(value: str) -> tuple[str, Status | None]:
    """The partner's key and the status a digest's button was sent with (None from a button sent before they
    carried one: just the key)."""
    seen, key = decode(value, 2)
    if not key or seen not in {s.value for s in Status}:
        return value, None
    return key, Status(seen)


def partner_buttons(partner: OpenPartner, *, snooze: bool = True) -> dict[str, object]:
    """Contacted (only while not contacted), Registered, Snooze a week (`snooze`: not in the last days)."""
    elements = []
    value = status_button_value(partner)
    if partner.status == Status.NOT_CONTACTED:
        elements.append(button(label(Status.CONTACTED), Action.NUDGE_CONTACTED, value))
    elements.append(button(label(Status.REGISTERED), Action.NUDGE_REGISTERED, value, style="primary"))
    if snooze:
        elements.append(button(t("digest.snooze"), Action.NUDGE_SNOOZE, partner.partner_key))
    return actions(*elements)


def build_digest(
    *,
    backlog: Backlog,
    days_left: int,
    deadline: dt.date,
    now: dt.datetime,
    max_shown: int,
    partner_command: str = "/partner",
    transition_command: str = "/transition",
    snooze: bool = True,
) -> Reply:
    """An owner's DM, in the reader's language: days left, open partners longest-untouched first, buttons (Snooze
    only while a snooze can still hide a partner)."""
    shown = backlog.first[: max(1, min(max_shown, DIGEST_MAX_SHOWN))]
    rest = backlog.total - len(shown)
    left = days_left_text(days_left)
    intro = tn("digest.intro", backlog.total, when=format_date(deadline), left=left)
    blocks = [header(digest_headline(days_left)), section(intro)]
    if backlog.registered:
        names = ", ".join(escape(truncate(n, NAME_MAX)) for n in backlog.registered[:REGISTERED_SHOWN])
        hidden = len(backlog.registered) - REGISTERED_SHOWN
        tail = " " + tn("digest.registered_more", hidden) if hidden > 0 else "."
        blocks.append(section(t("digest.registered", names=names, tail=tail)))
    blocks.append(divider())
    for partner in shown:
        blocks.append(section(partner_line(partner, now)))
        blocks.append(partner_buttons(partner, snooze=snooze))
    if rest > 0:
        blocks.append(context(tn("digest.more", rest, command=partner_command)))
    blocks.append(context(t("digest.footer", partner=partner_command, transition=transition_command)))
    names = ", ".join(f"{p.name} ({p.partner_id})" for p in shown[:FALLBACK_NAMES])
    hidden = backlog.total - min(len(shown), FALLBACK_NAMES)
    more = " " + tn("digest.plain_more", hidden) if backlog.total > FALLBACK_NAMES else ""
    text = escape(tn("digest.plain", backlog.total, left=_capital(left), names=names, more=more))
    return Reply(text=text, blocks=blocks, ephemeral=False)


def _share(progress: Progress) -> str:
    return tn(
        "summary.share",
        progress.total,
        registered=number(progress.registered),
        percent=percent(progress.percent / 100),
    )


def summary_headline(progress: Progress, *, closing: bool) -> str:
    """`4 of 13 partners registered (31%)`, or its closing form after the deadline."""
    share = _share(progress)
    if closing:
        return t("summary.headline_closed", share=share)
    if progress.days_left <= 2:
        return t("summary.headline_urgent", share=share, left=days_left_text(progress.days_left))
    return t("summary.headline", share=share, left=days_left_text(progress.days_left))


def build_summary(
    *,
    progress: Progress,
    top_owners: Sequence[tuple[str, int]],
    closing: bool = False,
    chart_follows: bool = False,
) -> Reply:
    """The channel's progress summary, in the reader's language: registered X of Y, counts, who has most left."""
    headline = summary_headline(progress, closing=closing)
    counts = "\n".join(count_line(s, number(progress.counts.get(s, 0))) for s in ORDER)
    blocks = [header(headline), section(counts)]
    if top_owners:
        lines = "\n".join("• " + t("summary.owner_open", who=escape(who), n=number(n)) for who, n in top_owners)
        blocks.append(section(t("summary.most_open") + f"\n{lines}"))
    when = format_date(progress.deadline)
    footer = t("summary.footer_closed", when=when) if closing else t("summary.footer", when=when)
    if chart_follows:
        footer += " " + t("summary.chart_below")
    blocks.append(context(footer))
    open_count = sum(progress.counts.get(s, 0) for s in (Status.NOT_CONTACTED, Status.CONTACTED, Status.IN_PROGRESS))
    tail = t("summary.plain_closed") if closing else t("summary.plain_left", left=days_left_text(progress.days_left))
    text = t("summary.plain", share=_share(progress), open=number(open_count), tail=tail)
    return Reply(text=text, blocks=blocks, ephemeral=False)
