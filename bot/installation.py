"""Whether Slack still lets the bot speak: `tokens_revoked` and `app_uninstalled` stop it, a good auth.test resumes it.

The state lives in the database (the settings table), not in a process's memory: the HTTP worker that
receives the event is often not the process that sends (`transition-bot scheduler`, other workers),
and a restart must not forget that the token is dead. Every process reads it there; whichever sees
auth.test succeed again (after a reinstall) clears it for all.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from slack_sdk.errors import SlackClientError

from bot.runtime import Runtime
from storage import nudges as store

log = logging.getLogger(__name__)

REVOKED_KEY = "slack_revoked"
RECHECK_EVERY_S = 60.0
"""How often /healthz may ask auth.test whether a revoked bot was reinstalled (the scheduler asks every tick)."""
REVOKING_EVENTS = frozenset({"tokens_revoked", "app_uninstalled"})


def revokes_the_bot(event: dict[str, Any]) -> bool:
    """Say whether an event takes the bot's own token away (a user token revoked leaves the bot able to speak)."""
    if event.get("type") == "app_uninstalled":
        return True
    if event.get("type") == "tokens_revoked":
        return bool((event.get("tokens") or {}).get("bot"))
    return False


def mark_revoked(rt: Runtime, *, why: str) -> None:
    """Record that Slack took the bot's token away, for every process sharing the database."""
    with rt.db.session(write=True) as session:
        store.put_setting(session=session, key=REVOKED_KEY, value=why[:64], by="slack", now=rt.clock.now())
    log.warning("Slack revoked the bot (%s): nothing is sent until auth.test succeeds again", why[:64])


def revoked(rt: Runtime) -> str | None:
    """Why the bot may not send (the event's type), or None when it may."""
    with rt.db.session() as session:
        return store.get_setting(session=session, key=REVOKED_KEY) or None


def recheck(rt: Runtime) -> bool:
    """Ask auth.test whether the token works again; clear the revocation if so; say whether the bot may send."""
    try:
        rt.client.auth_test()
    except (SlackClientError, OSError):
        return False
    with rt.db.session(write=True) as session:
        was = store.get_setting(session=session, key=REVOKED_KEY)
        store.put_setting(session=session, key=REVOKED_KEY, value="", by="auth.test", now=rt.clock.now())
    if was:
        log.info("auth.test succeeds again: the bot sends again")
    return True


class Gate:
    """One process's view of the revocation: logs the skip once per revocation, asks auth.test at most so often."""

    def __init__(self, rt: Runtime, *, recheck_every_s: float = RECHECK_EVERY_S) -> None:
        self._rt = rt
        self._every = recheck_every_s
        self._last_check = float("-inf")
        self._told = False
        self._lock = threading.Lock()

    def blocked(self, *, force_check: bool = False) -> str | None:
        """Why the bot may not send now, or None; while revoked, try auth.test when one is due."""
        why = revoked(self._rt)
        if why is None:
            return None
        with self._lock:
            due = force_check or time.monotonic() - self._last_check >= self._every
            if due:
                self._last_check = time.monotonic()
        if due and recheck(self._rt):
            return None
        return why

    def may_send(self, *, what: str, force_check: bool = False) -> bool:
        """Say whether `what` may go to Slack now; the first refusal of each revocation is logged."""
        why = self.blocked(force_check=force_check)
        if why is None:
            self._told = False
            return True
        if not self._told:
            self._told = True
            log.warning("%s skipped: Slack revoked the bot (%s); waiting for a reinstall", what, why)
        return False
