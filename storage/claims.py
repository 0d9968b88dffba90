"""Exactly-once handling of Events API deliveries, across processes sharing one database."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete

from storage.models import ProcessedEvent


def claim_event(*, session: Session, event_id: str, now: dt.datetime) -> bool:
    """Record `event_id` as taken; False when another delivery (or process) already took it."""
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(event_id=event_id, received_at=now))
            session.flush()
    except IntegrityError:
        return False
    return True


def forget_events_before(*, session: Session, before: dt.datetime) -> int:
    """Delete claims older than `before` (Slack stops retrying after about an hour)."""
    result = session.execute(delete(ProcessedEvent).where(sa.column("received_at") < before))
    return int(getattr(result, "rowcount", 0) or 0)
