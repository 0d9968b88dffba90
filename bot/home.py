"""The App Home: a person's partners grouped by status, days left, quick actions; team totals for admins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks import VIEW_BLOCKS_MAX, Block, actions, button, context, divider, header, plain_text, section
from bot.i18n import number, t, tn
from bot.i18n import percent as as_percent
from bot.ids import Action
from bot.partners.builders import code, when_text
from bot.partners.parsing import encode
from bot.progress import days_left_text, format_date
from bot.runtime import Runtime
from bot.slack_text import escape, truncate
from bot.statuses import EMOJI, OPEN, ORDER, Status, count_line, label
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
        {
            "text": plain_text(t("home.mark", status=label(s).lower()), 75),
            "value": encode("status", partner.partner_key, s.value),
        }
        for s in ORDER
        if s.value != partner.status
    ]
    options.append(
        {"text": plain_text(t("partner.update_with_note"), 75), "value": encode("form", partner.partner_key)}
    )
    return {"type": "overflow", "action_id": Action.PARTNER_MENU, "options": options[:5]}


def home_line(partner: Partner, tz: ZoneInfo) -> str:
    """A partner in the App Home: name, ID, country, last change, the start of the last note."""
    line = f"*{escape(partner.name)}* ({code(partner.partner_id)}) · {escape(partner.country or '—')}"
    line += " · " + t("partner.updated", when=when_text(partner.updated_at, tz))
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
    partner_command: str = "/partner",
) -> dict[str, Any]:
    """The home view: at most VIEW_BLOCKS_MAX blocks whatever the number of partners."""
    total = sum(counts.values())
    open_count = sum(counts.get(s, 0) for s in OPEN)
    left = days_left_text(days_left)
    blocks: list[Block] = [
        header(t("home.title")),
        section(
            t("home.intro", left=left[:1].upper() + left[1:], when=format_date(deadline))
            + "\n"
            + tn("home.owned", total, open=number(open_count))
        ),
        actions(
            button(t("form.title"), Action.PARTNER_OPEN_UPDATE, style="primary"),
            button(t("home.refresh"), Action.HOME_REFRESH),
        ),
    ]
    if not total:
        blocks.append(section(t("home.none", command=partner_command)))
    for status in ORDER:
        count = counts.get(status, 0)
        if not count:
            continue
        shown = list(groups.get(status, ()))[: SHOWN_OPEN if status in OPEN else SHOWN_CLOSED]
        blocks.append(divider())
        blocks.append(section(f"{EMOJI[status]} *{label(status)}* — {number(count)}"))
        for partner in shown:
            blocks.append(section(home_line(partner, tz), accessory=partner_menu(partner)))
        if count > len(shown):
            blocks.append(context(tn("home.more", count - len(shown), command=partner_command)))
    if team is not None:
        team_total = sum(team.values())
        registered = team.get(Status.REGISTERED, 0)
        percent = 100.0 * registered / team_total if team_total else 0.0
        lines = " · ".join(count_line(s, number(team.get(s, 0))) for s in ORDER)
        blocks.append(divider())
        blocks.append(header(t("home.team")))
        share = tn(
            "home.team_share",
            team_total,
            registered=number(registered),
            percent=as_percent(percent / 100),
        )
        blocks.append(section(f"{share}\n{lines}"))
        if top_owners:
            owners = "\n".join(t("home.owner_open", who=_owner(who), open=tn("home.open", n)) for who, n in top_owners)
            blocks.append(section(t("home.most_open") + "\n" + owners))
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
        partner_command=rt.settings.partner_command,
    )
