"""Typed queries for nudges: the once-only log, preferences, shared switches, the audit trail, the backlog."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select, update

from storage.models import NudgeLog, NudgePreference, Partner, ScheduleEvent, Setting, SlackUser, StatusChange
from storage.partners import OPEN_STATUSES

PENDING = "pending"
RELEASED = "released"
"""The claim token of a pending nudge whose last send failed: nobody is sending it, so anyone may take it over."""
SENT = "sent"
FAILED = "failed"
EXPIRED = "expired"
REGISTERED = "registered"


# ---- the backlog ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class OpenPartner:
    """One open partner as a digest shows it."""

    partner_key: str
    partner_id: str
    name: str
    status: str
    updated_at: dt.datetime


@dataclass(frozen=True)
class Backlog:
    """An owner's open, unsnoozed partners: the longest-untouched first few, and how many in all."""

    owner_user_id: str
    total: int
    first: tuple[OpenPartner, ...]
    registered: tuple[str, ...] = ()  # "Name (ID)" of their partners registered recently, when asked for


def digest_backlogs(
    *,
    session: Session,
    today: dt.date,
    per_owner: int,
    owner_user_id: str | None = None,
    registered_since: dt.datetime | None = None,
) -> dict[str, Backlog]:
    """Owner → backlog (of every owner, or of one), in one query returning at most `per_owner` rows per owner.

    Snoozed partners (snoozed_until on or after `today`) are left out, as everywhere else. With
    `registered_since`, each backlog also names the owner's partners registered since then.
    """
    rank = (
        func.row_number()
        .over(partition_by=Partner.owner_user_id, order_by=(col(Partner.updated_at), col(Partner.id)))
        .label("rank")
    )
    total = func.count().over(partition_by=Partner.owner_user_id).label("total")
    ranked_query = sa.select(
        col(Partner.owner_user_id),
        col(Partner.partner_key),
        col(Partner.partner_id),
        col(Partner.name),
        col(Partner.status),
        col(Partner.updated_at),
        rank,
        total,
    ).where(
        col(Partner.owner_user_id).is_not(None),
        col(Partner.status).in_(sorted(OPEN_STATUSES)),
        or_(col(Partner.snoozed_until).is_(None), col(Partner.snoozed_until) < today),
    )
    if owner_user_id is not None:
        ranked_query = ranked_query.where(col(Partner.owner_user_id) == owner_user_id)
    ranked = ranked_query.subquery()
    query = sa.select(ranked).where(ranked.c.rank <= per_owner).order_by(ranked.c.owner_user_id, ranked.c.rank)
    grouped: dict[str, list[OpenPartner]] = {}
    totals: dict[str, int] = {}
    for row in session.execute(query):
        owner = str(row.owner_user_id)
        totals[owner] = int(row.total)
        grouped.setdefault(owner, []).append(
            OpenPartner(
                partner_key=row.partner_key,
                partner_id=row.partner_id,
                name=row.name,
                status=row.status,
                updated_at=row.updated_at,
            )
        )
    recent = (
        registered_recently(session=session, since=registered_since, owner_user_id=owner_user_id)
        if registered_since is not None
        else {}
    )
    return {
        owner: Backlog(owner, totals[owner], tuple(items), tuple(recent.get(owner, ())))
        for owner, items in grouped.items()
    }


def registered_recently(
    *, session: Session, since: dt.datetime, owner_user_id: str | None = None
) -> dict[str, list[str]]:
    """Owner → "Name (ID)" of their partners registered since `since` and registered still."""
    query = (
        sa.select(col(Partner.owner_user_id), col(Partner.partner_id), col(Partner.name))
        .join(StatusChange, col(StatusChange.partner_pk) == col(Partner.id))
        .where(
            col(StatusChange.to_status) == REGISTERED,
            col(StatusChange.at) >= since,
            col(Partner.status) == REGISTERED,
            col(Partner.owner_user_id).is_not(None),
        )
        .distinct()
        .order_by(col(Partner.owner_user_id), col(Partner.partner_id))
    )
    if owner_user_id is not None:
        query = query.where(col(Partner.owner_user_id) == owner_user_id)
    found: dict[str, list[str]] = {}
    for owner, partner_id, name in session.execute(query):
        found.setdefault(str(owner), []).append(f"{name} ({partner_id})")
    return found


def registration_changes(*, session: Session) -> list[tuple[dt.datetime, int]]:
    """Every change into (+1) or out of (-1) `registered`, oldest first: the registrations curve."""
    into = col(StatusChange.to_status) == REGISTERED
    out_of = col(StatusChange.from_status) == REGISTERED
    query = (
        select(StatusChange.at, StatusChange.from_status, StatusChange.to_status)
        .where(or_(into, out_of))
        .where(
            or_(col(StatusChange.from_status).is_(None), col(StatusChange.from_status) != col(StatusChange.to_status))
        )
        .order_by(col(StatusChange.at), col(StatusChange.id))
    )
    return [(at, 1 if to_status == REGISTERED else -1) for at, _from, to_status in session.exec(query)]


def set_snooze(*, session: Session, partner: Partner, until: dt.date | None) -> None:
    """Hide `partner` from digests up to and including `until` (None: show it again)."""
    partner.snoozed_until = until
    session.add(partner)


def cached_profiles(
    *, session: Session, user_ids: Collection[str], fetched_since: dt.datetime
) -> dict[str, tuple[str | None, bool]]:
    """User ID → (time zone, deactivated), for the users whose cached profile is fresh enough (one query for all)."""
    if not user_ids:
        return {}
    query = select(col(SlackUser.user_id), col(SlackUser.tz), col(SlackUser.deleted)).where(
        col(SlackUser.user_id).in_(sorted(user_ids)), col(SlackUser.fetched_at) >= fetched_since
    )
    return {user_id: (tz, deleted) for user_id, tz, deleted in session.exec(query)}


# ---- the once-only log ----------------------------------------------------------------------------
def claimed_recipients(
    *, session: Session, kind: str, keys: Collection[tuple[str, dt.date]]
) -> dict[tuple[str, dt.date], bool]:
    """Which of the (recipient, local date) keys of `kind` already have a nudge (any seq, any state), each with
    whether all of its nudges were given up after failing."""
    if not keys:
        return {}
    recipients = sorted({recipient for recipient, _ in keys})
    dates = sorted({day for _, day in keys})
    query = select(col(NudgeLog.recipient), col(NudgeLog.local_date), col(NudgeLog.state)).where(
        NudgeLog.kind == kind, col(NudgeLog.recipient).in_(recipients), col(NudgeLog.local_date).in_(dates)
    )
    found: dict[tuple[str, dt.date], bool] = {}
    for recipient, day, state in session.exec(query):
        found[(recipient, day)] = found.get((recipient, day), True) and state == FAILED
    return {key: gave_up for key, gave_up in found.items() if key in set(keys)}


def next_seq(*, session: Session, kind: str, recipient: str, local_date: dt.date) -> int:
    """The seq a new nudge for this key would take: 0 for the first, then one more than the last."""
    query = select(func.max(NudgeLog.seq)).where(
        NudgeLog.kind == kind, NudgeLog.recipient == recipient, NudgeLog.local_date == local_date
    )
    last = session.exec(query).one()
    return 0 if last is None else int(last) + 1


def claim_nudge(
    *,
    session: Session,
    kind: str,
    recipient: str,
    local_date: dt.date,
    seq: int,
    token: str,
    now: dt.datetime,
) -> NudgeLog | None:
    """Insert the pending row that reserves this nudge; None when another sender already holds the key."""
    row = NudgeLog(
        kind=kind,
        recipient=recipient,
        local_date=local_date,
        seq=seq,
        state=PENDING,
        claimed_at=now,
        claim_token=token,
        attempts=1,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row


def mark_sent(*, session: Session, nudge_id: int, token: str, channel: str, ts: str, now: dt.datetime) -> bool:
    """Record Slack's channel and ts for the nudge this sender holds; False if the claim moved on."""
    result = session.execute(
        update(NudgeLog)
        .where(col(NudgeLog.id) == nudge_id, col(NudgeLog.claim_token) == token)
        .values(state=SENT, channel=channel, ts=ts, sent_at=now, error=None)
    )
    return bool(getattr(result, "rowcount", 0))


def mark_failed_attempt(*, session: Session, nudge_id: int, token: str, error: str, give_up: bool) -> bool:
    """Record why a send failed; unless `give_up`, the row stays pending, released for the sweep or a round now."""
    left = {"state": FAILED} if give_up else {"state": PENDING, "claim_token": RELEASED}
    result = session.execute(
        update(NudgeLog)
        .where(col(NudgeLog.id) == nudge_id, col(NudgeLog.claim_token) == token)
        .values(**left, error=error[:200])
    )
    return bool(getattr(result, "rowcount", 0))


def failing_errors(*, session: Session, since: dt.date) -> Counter[str]:
    """Why the nudges of `since` or later that failed and were not sent since did fail: Slack's error codes."""
    query = select(col(NudgeLog.error)).where(
        col(NudgeLog.local_date) >= since,
        col(NudgeLog.error).is_not(None),
        (col(NudgeLog.state) == FAILED) | (col(NudgeLog.claim_token) == RELEASED),
    )
    return Counter(str(error) for error in session.exec(query))


def revive_given_up(*, session: Session, since: dt.date) -> int:
    """Give the nudges given up after failing, for `since` or later, their attempts again: released, as after one
    failed send, for a round asked for now to take over. Returns how many."""
    result = session.execute(
        update(NudgeLog)
        .where(col(NudgeLog.state) == FAILED, col(NudgeLog.local_date) >= since)
        .values(state=PENDING, claim_token=RELEASED, attempts=0)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def released_pending(*, session: Session, limit: int = 500) -> list[NudgeLog]:
    """Pending nudges whose last send failed and that nobody has taken over since."""
    query = (
        select(NudgeLog)
        .where(col(NudgeLog.state) == PENDING, col(NudgeLog.claim_token) == RELEASED)
        .order_by(col(NudgeLog.claimed_at))
        .limit(limit)
    )
    return list(session.exec(query))


def remember_channel(*, session: Session, nudge_id: int, channel: str) -> None:
    """Keep the DM channel conversations.open gave, so the next sweep need not ask again."""
    session.execute(update(NudgeLog).where(col(NudgeLog.id) == nudge_id).values(channel=channel))


def stale_pending(*, session: Session, claimed_before: dt.datetime, limit: int = 500) -> list[NudgeLog]:
    """Pending nudges claimed before `claimed_before`: their sender died, or their send failed."""
    query = (
        select(NudgeLog)
        .where(col(NudgeLog.state) == PENDING, col(NudgeLog.claimed_at) < claimed_before)
        .order_by(col(NudgeLog.claimed_at))
        .limit(limit)
    )
    return list(session.exec(query))


def reclaim(*, session: Session, nudge_id: int, old_token: str, new_token: str, now: dt.datetime) -> bool:
    """Take over a pending nudge if nobody else has since; True when this caller now holds it."""
    result = session.execute(
        update(NudgeLog)
        .where(col(NudgeLog.id) == nudge_id, col(NudgeLog.claim_token) == old_token, col(NudgeLog.state) == PENDING)
        .values(claim_token=new_token, claimed_at=now, attempts=NudgeLog.attempts + 1)
    )
    return bool(getattr(result, "rowcount", 0))


def expire(*, session: Session, nudge_id: int, token: str) -> bool:
    """Give up on a pending nudge of a past day: it is never sent late."""
    result = session.execute(
        update(NudgeLog)
        .where(col(NudgeLog.id) == nudge_id, col(NudgeLog.claim_token) == token, col(NudgeLog.state) == PENDING)
        .values(state=EXPIRED)
    )
    return bool(getattr(result, "rowcount", 0))


# ---- preferences, switches, audit -----------------------------------------------------------------
def muted_users(*, session: Session) -> set[str]:
    """User IDs who muted their digests."""
    query = select(NudgePreference.user_id).where(col(NudgePreference.muted).is_(True))
    return set(session.exec(query))


def is_muted(*, session: Session, user_id: str) -> bool:
    """Say whether `user_id` muted their digests."""
    pref = session.get(NudgePreference, user_id)
    return bool(pref and pref.muted)


def set_muted(*, session: Session, user_id: str, muted: bool, now: dt.datetime) -> bool:
    """Mute or unmute; return whether anything changed."""
    pref = session.get(NudgePreference, user_id)
    if pref is None:
        pref = NudgePreference(user_id=user_id, muted=False, updated_at=now)
    changed = pref.muted != muted
    pref.muted = muted
    pref.updated_at = now
    session.add(pref)
    return changed


def get_setting(*, session: Session, key: str) -> str | None:
    """A shared switch's value, None when never set."""
    setting = session.get(Setting, key)
    return setting.value if setting else None


def put_setting(*, session: Session, key: str, value: str, by: str, now: dt.datetime) -> None:
    """Set a shared switch."""
    setting = session.get(Setting, key) or Setting(key=key, updated_at=now)
    setting.value = value
    setting.updated_at = now
    setting.updated_by = by
    session.add(setting)


def record_event(
    *, session: Session, at: dt.datetime, by: str, action: str, subject: str = "", detail: str = ""
) -> ScheduleEvent:
    """Append one entry to the schedule's audit trail."""
    event = ScheduleEvent(at=at, by=by[:64], action=action[:32], subject=subject[:100], detail=detail[:500])
    session.add(event)
    return event


def recent_events(*, session: Session, limit: int = 20) -> list[ScheduleEvent]:
    """The latest audit entries, newest first."""
    query = select(ScheduleEvent).order_by(col(ScheduleEvent.at).desc(), col(ScheduleEvent.id).desc()).limit(limit)
    return list(session.exec(query))
