"""Changing the nudge schedule's state: mute, pause, snooze, a round now. Every change is audited."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from bot.blocks import context, section
from bot.errors import BadInput, Conflict, NotAllowed, NotFound
from bot.i18n import number, t, tn
from bot.nudges.cadence import Cadence, Phase
from bot.nudges.chart import render_in_child
from bot.nudges.rounds import (
    PAUSED_KEY,
    ChartRenderer,
    Kind,
    Mode,
    RoundReport,
    is_paused,
    run_round,
    snooze_until,
)
from bot.progress import format_date
from bot.replies import Reply
from bot.runtime import Runtime
from bot.slack_text import escape
from storage import nudges as store
from storage.models import ScheduleEvent
from storage.partners import lock_partner

UNTIL = "until "
"""How a snooze's audit entry starts its detail, before the ISO date."""


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
    """Refuse `what` (`pause`, `round`, `log`) to anyone not in ADMIN_USER_IDS."""
    if not rt.is_admin(user_id):
        raise NotAllowed(t(f"nudges.admins_only_{what}"), hint=t("nudges.admins_only_hint", command=_command(rt)))


def _command(rt: Runtime) -> str:
    return rt.settings.transition_command


def set_muted(rt: Runtime, *, user_id: str, muted: bool) -> Reply:
    """Mute or unmute the caller's own digests."""
    now = rt.clock.now()
    with rt.db.session(write=True) as session:
        changed = store.set_muted(session=session, user_id=user_id, muted=muted, now=now)
        if changed:
            store.record_event(
                session=session, at=now, by=user_id, action=Audit.MUTE if muted else Audit.UNMUTE, subject=user_id
            )
    already = "" if changed else " " + t("nudges.already")
    text = t("nudges.muted" if muted else "nudges.unmuted", already=already, command=_command(rt))
    return Reply(text=text, blocks=[section(text)])


def set_paused(rt: Runtime, *, actor: str, paused: bool) -> Reply:
    """Pause or resume every nudge (admins only)."""
    require_admin(rt, actor, "pause")
    now = rt.clock.now()
    with rt.db.session(write=True) as session:
        was = store.get_setting(session=session, key=PAUSED_KEY) == "1"
        store.put_setting(session=session, key=PAUSED_KEY, value="1" if paused else "", by=actor, now=now)
        if was != paused:
            store.record_event(session=session, at=now, by=actor, action=Audit.PAUSE if paused else Audit.RESUME)
    if paused:
        already = " " + t("nudges.already") if was else ""
        text = t("nudges.paused", already=already, command=_command(rt))
    else:
        text = t("nudges.resumed", already="" if was else " " + t("nudges.already"))
    return Reply(text=text, blocks=[section(text)])


def snooze(rt: Runtime, *, actor: str, partner_key: str) -> Reply:
    """Leave a partner out of digests for a week (its owner or an admin), or until the last days' reminders."""
    now = rt.clock.now()
    until = snooze_until(rt)
    if until is None:
        raise BadInput(tn("nudges.snooze_too_late", rt.settings.nudge_daily_days))
    with rt.db.session(write=True) as session:
        partner = lock_partner(session=session, key=partner_key)
        if partner is None:
            raise NotFound(t("error.no_partner", key=f"`{escape(partner_key[:64])}`"))
        if partner.owner_user_id != actor and not rt.is_admin(actor):
            raise NotAllowed(
                t("nudges.snooze_refused", partner=f"*{escape(partner.name)}*"), hint=t("nudges.snooze_refused_hint")
            )
        store.set_snooze(session=session, partner=partner, until=until)
        store.record_event(
            session=session,
            at=now,
            by=actor,
            action=Audit.SNOOZE,
            subject=partner.partner_key,
            detail=f"{UNTIL}{until.isoformat()}",
        )
        name, partner_id = partner.name, partner.partner_id
    back = format_date(until + dt.timedelta(days=1))
    text = t("nudges.snoozed", partner=f"*{escape(name)}* (`{escape(partner_id)}`)", back=back)
    return Reply(text=text, blocks=[section(text)])


def run_now(
    rt: Runtime, *, actor: str, force: bool = False, chart: ChartRenderer | None = render_in_child
) -> RoundReport:
    """Run one round at once, whatever the day or hour; refused while paused unless `force`."""
    if not force and is_paused(rt):
        raise Conflict(t("nudges.paused_no_round"), hint=t("nudges.paused_no_round_hint"))
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
    require_admin(rt, actor, "round")
    report = run_now(rt, actor=actor, force=force)
    text = t("nudges.round_done", report=report_text(report))
    if report.closed:
        text += " " + t("nudges.round_closed")
    return Reply(text=text, blocks=[section(text)])


def report_text(report: RoundReport) -> str:
    """What a round did, in the reader's language (`RoundReport.line` is the logs' and the CLI's)."""
    digests = report.sent[Kind.DIGEST]
    summaries = report.sent[Kind.SUMMARY] + report.sent[Kind.CLOSING]
    parts = [
        tn("nudges.report_digests", digests) + " " + tn("nudges.report_summaries", summaries),
        tn("nudges.report_already", report.already_sent),
        tn("nudges.report_muted", report.muted),
        tn("nudges.report_failed", report.failed) + (f" (`{report.why}`)" if report.failed and report.why else ""),
    ]
    if report.deferred:
        parts.append(tn("nudges.report_deferred", report.deferred))
    if report.deactivated:
        parts.append(tn("nudges.report_deactivated", report.deactivated))
    if report.unmatched:
        parts.append(tn("nudges.report_unmatched", report.unmatched))
    return t("nudges.report_join").join(parts)


def describe_cadence(cadence: Cadence, today: dt.date) -> str:
    """Where the schedule stands today, in one sentence."""
    phase = cadence.phase(today)
    at = t("nudges.at", hour=f"{cadence.hour:02d}:00")
    if phase is Phase.WEEKLY:
        return t("nudges.cadence_weekly", at=at, days=number(cadence.weekday_days))
    if phase is Phase.WEEKDAYS:
        return t("nudges.cadence_weekdays", at=at, days=number(cadence.daily_days))
    if phase is Phase.DAILY:
        return t("nudges.cadence_daily", at=at)
    return t("nudges.cadence_over")


def status(rt: Runtime, *, user_id: str) -> Reply:
    """`/transition nudges`: the caller's setting, the pause switch, the cadence."""
    with rt.db.session() as session:
        muted = store.is_muted(session=session, user_id=user_id)
        paused = store.get_setting(session=session, key=PAUSED_KEY) == "1"
    mine = t("nudges.status_off" if muted else "nudges.status_on", command=_command(rt))
    everyone = t("nudges.status_paused") if paused else ""
    plan = describe_cadence(Cadence.from_settings(rt.settings), rt.today())
    text = "\n".join(line for line in (mine, everyone, plan) if line)
    return Reply(text=text, blocks=[section("\n".join(line for line in (mine, everyone) if line)), context(plan)])


def audit(rt: Runtime, *, actor: str, limit: int = 15) -> Reply:
    """`/transition nudges log`: the latest changes of schedule state (admins only)."""
    require_admin(rt, actor, "log")
    with rt.db.session() as session:
        events = store.recent_events(session=session, limit=limit)
    if not events:
        text = t("nudges.log_empty")
        return Reply(text=text, blocks=[section(text)])
    tz = rt.settings.tz
    lines = [f"{e.at.astimezone(tz):%Y-%m-%d %H:%M} · {escape(e.by)} · {event_text(e)}" for e in events]
    text = t("nudges.log_head") + "\n" + "\n".join(lines)
    return Reply(text=text, blocks=[section(text)])


def event_text(event: ScheduleEvent) -> str:
    """One audit entry in the reader's language: what was done, to what, and its detail, read from what is stored."""
    known = event.action in tuple(Audit)
    text = f"*{t(f'nudges.event_{event.action}') if known else escape(event.action)}*"
    if event.subject:
        text += f" {escape(event.subject)}"
    return text + (f" — {_event_detail(event)}" if event.detail else "")


def _event_detail(event: ScheduleEvent) -> str:
    if event.action == Audit.SNOOZE and event.detail.startswith(UNTIL):
        try:
            return t("nudges.event_until", day=format_date(dt.date.fromisoformat(event.detail.removeprefix(UNTIL))))
        except ValueError:
            pass
    if event.action in (Audit.ROUND_NOW, Audit.ROUND_FORCE):
        mode = Mode.FORCE if event.action == Audit.ROUND_FORCE else Mode.NOW
        report = RoundReport.from_line(event.detail, mode)
        if report is not None:
            return report_text(report)
    return escape(event.detail)
