"""Changing the nudge schedule's state: mute, pause, snooze, a round now. Every change is audited."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from bot.blocks import context, section
from bot.errors import Conflict, NotAllowed, NotFound
from bot.nudges.cadence import Cadence, Phase
from bot.nudges.chart import render_in_child
from bot.nudges.rounds import PAUSED_KEY, ChartRenderer, Mode, RoundReport, is_paused, run_round
from bot.progress import format_date
from bot.replies import Reply
from bot.runtime import Runtime
from bot.text import escape
from storage import nudges as store
from storage.partners import lock_partner

SNOOZE_DAYS = 7


class Audit(StrEnum):
    """The `action` values of ScheduleEvent rows."""

    MUTE = "mute"
    UNMUTE = "unmute"
    PAUSE = "pause"
    RESUME = "resume"
    SNOOZE = "snooze"
    ROUND_NOW = "round_now"
    ROUND_FORCE = "round_force"


def require_admin(rt: Runtime, user_id: str, what: str) -> None:
    """Refuse `what` to anyone not in ADMIN_USER_IDS."""
    if not rt.is_admin(user_id):
        raise NotAllowed(
            f"Only the bot's admins can {what}.",
            hint="Ask one of them, or mute just your own reminders with "
            f"`{rt.settings.transition_command} nudges off`.",
        )


def set_muted(rt: Runtime, *, user_id: str, muted: bool) -> Reply:
    """Mute or unmute the caller's own digests."""
    now = rt.clock.now()
    with rt.db.session(write=True) as session:
        changed = store.set_muted(session=session, user_id=user_id, muted=muted, now=now)
        if changed:
            store.record_event(
                session=session, at=now, by=user_id, action=Audit.MUTE if muted else Audit.UNMUTE, subject=user_id
            )
    command = rt.settings.transition_command
    if muted:
        text = (
            ":no_bell: Your deadline reminders are *off*"
            + ("" if changed else " (they already were)")
            + f". Turn them back on with `{command} nudges on`."
        )
    else:
        text = (
            ":bell: Your deadline reminders are *on*"
            + ("" if changed else " (they already were)")
            + f". Turn them off with `{command} nudges off`."
        )
    return Reply(text=text, blocks=[section(text)])


def set_paused(rt: Runtime, *, actor: str, paused: bool) -> Reply:
    """Pause or resume every nudge (admins only)."""
    require_admin(rt, actor, "pause or resume nudges")
    now = rt.clock.now()
    with rt.db.session(write=True) as session:
        was = store.get_setting(session=session, key=PAUSED_KEY) == "1"
        store.put_setting(session=session, key=PAUSED_KEY, value="1" if paused else "", by=actor, now=now)
        if was != paused:
            store.record_event(session=session, at=now, by=actor, action=Audit.PAUSE if paused else Audit.RESUME)
    command = rt.settings.transition_command
    if paused:
        text = (
            ":double_vertical_bar: All nudges are *paused*: no digests, no channel summaries"
            + ("" if not was else " (they already were)")
            + f". Resume with `{command} nudges resume`."
        )
    else:
        text = ":arrow_forward: Nudges are *running*" + ("" if was else " (they already were)") + "."
    return Reply(text=text, blocks=[section(text)])


def snooze(rt: Runtime, *, actor: str, partner_key: str) -> Reply:
    """Leave a partner out of digests for a week (its owner or an admin)."""
    now = rt.clock.now()
    until = rt.today() + dt.timedelta(days=SNOOZE_DAYS)
    with rt.db.session(write=True) as session:
        partner = lock_partner(session=session, key=partner_key)
        if partner is None:
            raise NotFound(f"There is no partner `{escape(partner_key[:64])}` any more.")
        if partner.owner_user_id != actor and not rt.is_admin(actor):
            raise NotAllowed(
                f"Only the owner of *{escape(partner.name)}* or an admin can snooze it.",
                hint="Ask its owner, or an admin.",
            )
        store.set_snooze(session=session, partner=partner, until=until)
        store.record_event(
            session=session,
            at=now,
            by=actor,
            action=Audit.SNOOZE,
            subject=partner.partner_key,
            detail=f"until {until.isoformat()}",
        )
        name, partner_id = partner.name, partner.partner_id
    back = format_date(until + dt.timedelta(days=1), "en")
    text = f":zzz: *{escape(name)}* (`{escape(partner_id)}`) is snoozed: it is back in your reminders on {back}."
    return Reply(text=text, blocks=[section(text)])


def run_now(
    rt: Runtime, *, actor: str, force: bool = False, chart: ChartRenderer | None = render_in_child
) -> RoundReport:
    """Run one round at once, whatever the day or hour; refused while paused unless `force`."""
    if not force and is_paused(rt):
        raise Conflict(
            "Nudges are paused, so no round was run.",
            hint="Resume them first, or force a round (`transition-bot nudge --now --force`).",
        )
    report = run_round(rt, mode=Mode.FORCE if force else Mode.NOW, chart=chart)
    with rt.db.session(write=True) as session:
        store.record_event(
            session=session,
            at=rt.clock.now(),
            by=actor,
            action=Audit.ROUND_FORCE if force else Audit.ROUND_NOW,
            detail=report.line(),
        )
    return report


def round_now_reply(rt: Runtime, *, actor: str, force: bool) -> Reply:
    """`/transition nudge now [force]`: run a round (admins only) and say what it sent."""
    require_admin(rt, actor, "run a nudge round")
    report = run_now(rt, actor=actor, force=force)
    text = f":mega: Nudge round done: {report.line()}."
    if report.closed:
        text += " The deadline has passed, so only the closing summary can go out."
    return Reply(text=text, blocks=[section(text)])


def describe_cadence(cadence: Cadence, today: dt.date) -> str:
    """Where the schedule stands today, in one sentence."""
    phase = cadence.phase(today)
    at = f"{cadence.hour:02d}:00 in each owner's time zone"
    if phase is Phase.WEEKLY:
        return f"Reminders go out on Mondays at {at}, then every weekday from {cadence.weekday_days} days before."
    if phase is Phase.WEEKDAYS:
        return f"Reminders go out every weekday at {at}, and every day in the last {cadence.daily_days} days."
    if phase is Phase.DAILY:
        return f"Reminders go out every day at {at} until the deadline."
    return "The deadline has passed: no more reminders."


def status(rt: Runtime, *, user_id: str) -> Reply:
    """`/transition nudges`: the caller's setting, the pause switch, the cadence."""
    with rt.db.session() as session:
        muted = store.is_muted(session=session, user_id=user_id)
        paused = store.get_setting(session=session, key=PAUSED_KEY) == "1"
    command = rt.settings.transition_command
    mine = (
        f":no_bell: Your reminders are *off* (`{command} nudges on` to turn them back on)."
        if muted
        else f":bell: Your reminders are *on* (`{command} nudges off` to mute them)."
    )
    everyone = ":double_vertical_bar: An admin has *paused* all nudges." if paused else ""
    plan = describe_cadence(Cadence.from_settings(rt.settings), rt.today())
    text = "\n".join(line for line in (mine, everyone, plan) if line)
    return Reply(text=text, blocks=[section("\n".join(line for line in (mine, everyone) if line)), context(plan)])


def audit(rt: Runtime, *, actor: str, limit: int = 15) -> Reply:
    """`/transition nudges log`: the latest changes of schedule state (admins only)."""
    require_admin(rt, actor, "read the nudge log")
    with rt.db.session() as session:
        events = store.recent_events(session=session, limit=limit)
    if not events:
        text = "No change to the nudge schedule yet."
        return Reply(text=text, blocks=[section(text)])
    tz = rt.settings.tz
    lines = [
        f"{e.at.astimezone(tz):%Y-%m-%d %H:%M} · {escape(e.by)} · *{escape(e.action)}*"
        + (f" {escape(e.subject)}" if e.subject else "")
        + (f" — {escape(e.detail)}" if e.detail else "")
        for e in events
    ]
    text = "*Latest nudge schedule changes:*\n" + "\n".join(lines)
    return Reply(text=text, blocks=[section(text)])
