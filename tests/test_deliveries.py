"""Event claims through the bot: first delivery wins, old claims are forgotten by the housekeeping job."""

from __future__ import annotations

import datetime as dt

from bot.clock import FixedClock
from bot.deliveries import KEEP_CLAIMS, first_delivery, forget_old_deliveries
from bot.runtime import Runtime


def test_first_delivery_then_redelivery_then_forgotten(rt: Runtime, clock: FixedClock) -> None:
    assert first_delivery(rt, "EvA")
    assert not first_delivery(rt, "EvA")
    clock.advance(KEEP_CLAIMS + dt.timedelta(minutes=1))
    assert first_delivery(rt, "EvB")
    assert forget_old_deliveries(rt) == 1
    assert first_delivery(rt, "EvA")  # a claim Slack can no longer retry is gone
    assert not first_delivery(rt, "EvB")
