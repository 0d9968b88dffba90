"""Events API deliveries: take each event_id once, across every process sharing the database."""

from __future__ import annotations

import datetime as dt

from bot.runtime import Runtime
from storage.events import claim_event, forget_events_before

KEEP_CLAIMS = dt.timedelta(hours=2)
"""Slack retries a delivery for about an hour; claims older than this can no longer matter."""


def first_delivery(rt: Runtime, event_id: str) -> bool:
    """Claim `event_id`; False when another delivery (or another process) already took it."""
    with rt.db.session(write=True) as session:
        return claim_event(session=session, event_id=event_id, now=rt.clock.now())


def forget_old_deliveries(rt: Runtime) -> int:
    """Delete claims Slack can no longer retry; return how many."""
    with rt.db.session(write=True) as session:
        return forget_events_before(session=session, before=rt.clock.now() - KEEP_CLAIMS)
