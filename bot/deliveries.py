"""Events API deliveries, commands and clicks: take each once, across every process sharing the database."""

from __future__ import annotations

import base64
import datetime as dt

from bot.runtime import Runtime
from storage.claims import claim_event, forget_events_before

KEEP_CLAIMS = dt.timedelta(hours=2)
"""Slack retries a delivery for about an hour and honours a signature for 5 minutes: older claims no longer matter."""


def request_claim(signature: str) -> str | None:
    """The claim key of a signed command or interaction: its `v0=` signature, shortened to fit the claims' key."""
    try:
        digest = bytes.fromhex(signature.removeprefix("v0="))
    except ValueError:
        return None
    if len(digest) != 32:
        return None
    return "sig:" + base64.urlsafe_b64encode(digest).decode()


def first_delivery(rt: Runtime, event_id: str) -> bool:
    """Claim `event_id`; False when another delivery (or another process) already took it."""
    with rt.db.session(write=True) as session:
        return claim_event(session=session, event_id=event_id, now=rt.clock.now())


def forget_old_deliveries(rt: Runtime) -> int:
    """Delete claims Slack can no longer retry; return how many."""
    with rt.db.session(write=True) as session:
        return forget_events_before(session=session, before=rt.clock.now() - KEEP_CLAIMS)
