"""The App Home: a person's partners grouped by status, days left, quick actions; team totals for admins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks import VIEW_BLOCKS_MAX, Block, actions, button, context, divider, header, plain_text, section
from bot.ids import Action
from bot.partners.builders import code, when_text
from bot.partners.parsing import encode
from bot.progress import days_left_text, format_date
from bot.runtime import Runtime
from bot.statuses import EMOJI, OPEN, ORDER, Status, label
from bot.text import escape, truncate
from storage import partners as store
from storage.models import Partner

SHOWN_OPEN = 8
"""Partners listed per open status; the rest are counted."""

SHOWN_CLOSED = 3
"""Partners listed per closed status (registered, declined)."""

TOP_OWNERS = 5


def partner_menu(partner: Partner) -> Block:
    """The one-click menu of a partner in the App Home: the other statuses, or the form for a note."""
    options = [
        {"text": plain_text(f"Mark {label(s).lower()}", 75), "value": encode("status", partner.partner_key, s.value)}
        for s in ORDER
        if s.value != partner.status
    ]
    options.append({"text": plain_text("Update with a note…", 75), "value": encode("form", partner.partner_key)})
    return {"type": "overflow", "action_id": Action.PARTNER_MENU, "options": options[:5]}


def home_line(partner: Partner, tz: ZoneInfo) -> str:
    """A partner in the App Home: name, ID, country, last change, the start of the last note."""
    line = f"*{escape(partner.name)}* ({code(partner.partner_id)}) · {escape(partner.country or '—')}"
    line += f" · updated {when_text(partner.updated_at, tz)}"
    if partner.note:
        line += f"\n_{escape(truncate(' '.join(partner.note.split()), 150))}_"
    return line


def build_home(
    *,
    groups: Mapping[Status, Sequence[Partner]],
    counts: Mapping[Status, int],
    days_left: int,
    deadline: dt.date,
    tz: ZoneInfo,
    team: Mapping[Status, int] | None = None,
    top_owners: Sequence[tuple[str, int]] = (),
) -> dict[str, Any]:
    """The home view: at most VIEW_BLOCKS_MAX blocks whatever the number of partners."""
    total = sum(counts.values())
    open_count = sum(counts.get(s, 0) for s in OPEN)
    blocks: list[Block] = [
        header("Linksys → Cisco: your partners"),
        section(
            f":calendar: *{days_left_text(days_left, 'en').capitalize()}* — partners must register in the Cisco "
            f"Channel Partner Program by {format_date(deadline, 'en')}.\n"
            f"You own *{total}* partner{'s' if total != 1 else ''}, *{open_count}* still open."
        ),
        actions(
            button("Update a partner", Action.PARTNER_OPEN_UPDATE, style="primary"),
            button("Refresh", Action.HOME_REFRESH),
        ),
    ]
    if not total:
        blocks.append(
            section(
                "You own no partners yet. They come from the partner import; an admin can also give you some "
                "with `/partner assign`."
            )
        )
    for status in ORDER:
        count = counts.get(status, 0)
        if not count:
            continue
        shown = list(groups.get(status, ()))[: SHOWN_OPEN if status in OPEN else SHOWN_CLOSED]
        blocks.append(divider())
        blocks.append(section(f"{EMOJI[status]} *{label(status)}* — {count}"))
        for partner in shown:
            blocks.append(section(home_line(partner, tz), accessory=partner_menu(partner)))
        if count > len(shown):
            blocks.append(context(f"…and {count - len(shown)} more. `/partner mine` lists your open ones."))
    if team is not None:
        team_total = sum(team.values())
        registered = team.get(Status.REGISTERED, 0)
        percent = 100.0 * registered / team_total if team_total else 0.0
        lines = " · ".join(f"{EMOJI[s]} {label(s)}: *{team.get(s, 0)}*" for s in ORDER)
        blocks.append(divider())
        blocks.append(header("Team totals (admins)"))
        blocks.append(section(f"*{registered} of {team_total}* partners registered ({percent:.0f}%).\n{lines}"))
        if top_owners:
            owners = "\n".join(f"• {_owner(who)}: {n} open" for who, n in top_owners)
            blocks.append(section("*Most open partners*\n" + owners))
    return {"type": "home", "blocks": blocks[:VIEW_BLOCKS_MAX]}


def _owner(who: str) -> str:
    return f"<@{who}>" if who[:1] in "UW" and who.isalnum() else escape(who)


def home_view(rt: Runtime, user_id: str) -> dict[str, Any]:
    """Read what the App Home shows for `user_id` and build it (it writes nothing)."""
    team = None
    top: list[tuple[str, int]] = []
    with rt.db.session() as session:
        mine = store.partners_of_owner(session=session, owner_user_id=user_id)
        if rt.is_admin(user_id):
            raw = store.count_by_status(session=session)
            team = {s: raw.get(s.value, 0) for s in ORDER}
            top = store.owner_counts(session=session, statuses=[s.value for s in OPEN], limit=TOP_OWNERS)
    groups: dict[Status, list[Partner]] = {s: [] for s in ORDER}
    for partner in mine:
        groups[Status(partner.status)].append(partner)
    counts = {s: len(groups[s]) for s in ORDER}
    return build_home(
        groups=groups,
        counts=counts,
        days_left=rt.days_left(),
        deadline=rt.settings.transition_deadline,
        tz=rt.settings.tz,
        team=team,
        top_owners=top,
    )
