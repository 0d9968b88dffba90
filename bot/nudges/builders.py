"""Block Kit for nudges: the owner's digest and the channel's summary. Pure: data in, Reply out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.blocks import MESSAGE_BLOCKS_MAX, actions, button, context, divider, header, section
from bot.ids import Action
from bot.progress import Progress, days_left_text, format_date
from bot.replies import Reply
from bot.statuses import EMOJI, ORDER, Status, label
from bot.text import escape, truncate
from storage.nudges import Backlog, OpenPartner

DIGEST_FIXED_BLOCKS = 6  # header, intro, registered since yesterday, divider, and up to two closing lines
REGISTERED_SHOWN = 10
BLOCKS_PER_PARTNER = 2  # the partner's line and its buttons
DIGEST_MAX_SHOWN = (MESSAGE_BLOCKS_MAX - DIGEST_FIXED_BLOCKS) // BLOCKS_PER_PARTNER
FALLBACK_NAMES = 5
NAME_MAX = 120


def digest_headline(days_left: int) -> str:
    """The digest's header: the closer the deadline, the more urgent it sounds."""
    if days_left <= 0:
        return ":rotating_light: Last day today: partner registration closes tonight"
    if days_left <= 2:
        return f":rotating_light: Only {days_left_text(days_left, 'en')}: your partners must register now"
    if days_left <= 7:
        return f":hourglass_flowing_sand: {days_left_text(days_left, 'en').capitalize()} to register your partners"
    return f":calendar: Cisco partner registration: {days_left_text(days_left, 'en')}"


def untouched_for(updated_at: dt.datetime, now: dt.datetime) -> str:
    """`untouched for 12 days`, `updated today`."""
    days = (now - updated_at).days
    if days <= 0:
        return "updated today"
    return f"untouched for {days} day{'s' if days > 1 else ''}"


def partner_line(partner: OpenPartner, now: dt.datetime) -> str:
    """One partner of the digest, as mrkdwn."""
    status = Status(partner.status)
    return (
        f"*{escape(truncate(partner.name, NAME_MAX))}* · `{escape(partner.partner_id)}`\n"
        f"{EMOJI[status]} {label(status)} · {untouched_for(partner.updated_at, now)}"
    )


def partner_buttons(partner: OpenPartner) -> dict[str, object]:
    """Contacted (only while not contacted), Registered, Snooze a week."""
    elements = []
    if partner.status == Status.NOT_CONTACTED:
        elements.append(button("Contacted", Action.NUDGE_CONTACTED, partner.partner_key))
    elements.append(button("Registered", Action.NUDGE_REGISTERED, partner.partner_key, style="primary"))
    elements.append(button("Snooze a week", Action.NUDGE_SNOOZE, partner.partner_key))
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
) -> Reply:
    """An owner's DM: days left, their open partners longest-untouched first, one-click buttons."""
    shown = backlog.first[: max(1, min(max_shown, DIGEST_MAX_SHOWN))]
    rest = backlog.total - len(shown)
    noun = "partner" if backlog.total == 1 else "partners"
    intro = (
        f"You have *{backlog.total} {noun}* not yet registered in the Cisco Channel Partner Program; "
        f"the deadline is *{format_date(deadline, 'en')}* ({days_left_text(days_left, 'en')}). "
        "Longest untouched first:"
    )
    blocks = [header(digest_headline(days_left)), section(intro)]
    if backlog.registered:
        names = ", ".join(escape(truncate(n, NAME_MAX)) for n in backlog.registered[:REGISTERED_SHOWN])
        hidden = len(backlog.registered) - REGISTERED_SHOWN
        tail = f" and {hidden} more." if hidden > 0 else "."
        blocks.append(section(f":tada: Registered since yesterday: {names}{tail}"))
    blocks.append(divider())
    for partner in shown:
        blocks.append(section(partner_line(partner, now)))
        blocks.append(partner_buttons(partner))
    if rest > 0:
        blocks.append(context(f"…and *{rest} more*. See them all in my *Home* tab or with `{partner_command} mine`."))
    blocks.append(
        context(
            escape(
                f"`{partner_command} update <partner> <status> [note]` works too. "
                f"`{transition_command} nudges off` stops these reminders."
            )
        )
    )
    names = ", ".join(f"{p.name} ({p.partner_id})" for p in shown[:FALLBACK_NAMES])
    more = f" and {backlog.total - min(len(shown), FALLBACK_NAMES)} more" if backlog.total > FALLBACK_NAMES else ""
    text = escape(
        f"{days_left_text(days_left, 'en').capitalize()} before the Cisco registration deadline: "
        f"{backlog.total} of your {noun} still open: {names}{more}."
    )
    return Reply(text=text, blocks=blocks, ephemeral=False)


def summary_headline(progress: Progress, *, closing: bool) -> str:
    """`4 of 13 partners registered (31%)`, or its closing form after the deadline."""
    share = f"{progress.registered} of {progress.total} partners registered ({progress.percent:.0f}%)"
    if closing:
        return f":checkered_flag: Registration closed: {share}"
    if progress.days_left <= 2:
        return f":rotating_light: {share}, {days_left_text(progress.days_left, 'en')}"
    return f":bar_chart: {share}, {days_left_text(progress.days_left, 'en')}"


def build_summary(
    *,
    progress: Progress,
    top_owners: Sequence[tuple[str, int]],
    closing: bool = False,
    chart_follows: bool = False,
) -> Reply:
    """The channel's progress summary: registered X of Y, counts by status, who has the most left."""
    headline = summary_headline(progress, closing=closing)
    counts = "\n".join(f"{EMOJI[s]} {label(s)}: *{progress.counts.get(s, 0)}*" for s in ORDER)
    blocks = [header(headline), section(counts)]
    owners_text = ""
    if top_owners:
        lines = "\n".join(f"• {escape(who)}: *{n}* open" for who, n in top_owners)
        owners_text = f"*Most partners still open:*\n{lines}"
        blocks.append(section(owners_text))
    if closing:
        footer = f"The deadline was {format_date(progress.deadline, 'en')}. This is the last summary."
    else:
        footer = f"Deadline {format_date(progress.deadline, 'en')} (end of day)."
    if chart_follows:
        footer += " Registrations over time in the chart below."
    blocks.append(context(footer))
    open_count = sum(progress.counts.get(s, 0) for s in (Status.NOT_CONTACTED, Status.CONTACTED, Status.IN_PROGRESS))
    text = (
        f"{progress.registered} of {progress.total} partners registered ({progress.percent:.0f}%), "
        f"{open_count} still open"
        + ("; registration is closed." if closing else f", {days_left_text(progress.days_left, 'en')}.")
    )
    return Reply(text=text, blocks=blocks, ephemeral=False)
