"""The nudge log's guarantees at the storage level: one claim per key, compare-and-set on the token."""

from __future__ import annotations

import datetime as dt

from storage import nudges as store
from storage.db import Database
from tests.nudges.conftest import nudges_on

DAY = dt.date(2008, 9, 2)
NOW = dt.datetime(2008, 9, 2, 7, 30, tzinfo=dt.UTC)


def claim(db: Database, *, seq: int = 0, token: str = "a", recipient: str = "U1") -> int | None:  # noqa: S107
    with db.session(write=True) as session:
        row = store.claim_nudge(
            session=session, kind="digest", recipient=recipient, local_date=DAY, seq=seq, token=token, now=NOW
        )
        return row.id if row else None


def test_a_key_is_claimed_once_and_the_next_seq_follows(db: Database) -> None:
    assert claim(db, token="a") is not None
    assert claim(db, token="b") is None
    with db.session() as session:
        assert store.next_seq(session=session, kind="digest", recipient="U1", local_date=DAY) == 1
        assert store.next_seq(session=session, kind="digest", recipient="U2", local_date=DAY) == 0
        assert store.claimed_recipients(session=session, kind="digest", keys=[("U1", DAY), ("U2", DAY)]) == {
            ("U1", DAY): False
        }
    assert claim(db, seq=1, token="c") is not None


def test_only_the_token_holder_marks_and_a_takeover_needs_the_current_token(db: Database) -> None:
    nudge_id = claim(db, token="a")
    assert nudge_id is not None
    with db.session(write=True) as session:
        assert store.reclaim(session=session, nudge_id=nudge_id, old_token="a", new_token="b", now=NOW)
    with db.session(write=True) as session:
        assert not store.reclaim(session=session, nudge_id=nudge_id, old_token="a", new_token="c", now=NOW)
        assert not store.mark_sent(session=session, nudge_id=nudge_id, token="a", channel="D1", ts="1.0", now=NOW)
        assert store.mark_sent(session=session, nudge_id=nudge_id, token="b", channel="D1", ts="1.0", now=NOW)
    with db.session() as session:
        (row,) = nudges_on(session=session, local_date=DAY)
    assert (row.state, row.attempts, row.ts, row.claim_token) == ("sent", 2, "1.0", "b")
    with db.session(write=True) as session:  # a sent nudge can be neither taken over nor expired
        assert not store.reclaim(session=session, nudge_id=nudge_id, old_token="b", new_token="d", now=NOW)
        assert not store.expire(session=session, nudge_id=nudge_id, token="b")


def test_stale_pending_lists_only_old_pending_claims(db: Database) -> None:
    old = claim(db, recipient="U1")
    claim(db, recipient="U2")
    assert old is not None
    with db.session(write=True) as session:
        store.mark_failed_attempt(session=session, nudge_id=old, token="a", error="ratelimited", give_up=False)
    with db.session() as session:
        assert store.stale_pending(session=session, claimed_before=NOW) == []
        stale = store.stale_pending(session=session, claimed_before=NOW + dt.timedelta(minutes=1))
    assert sorted((r.recipient, r.error) for r in stale) == [("U1", "ratelimited"), ("U2", None)]


def test_settings_preferences_and_audit(db: Database) -> None:
    with db.session(write=True) as session:
        assert store.set_muted(session=session, user_id="U1", muted=True, now=NOW)
        assert not store.set_muted(session=session, user_id="U1", muted=True, now=NOW)
        store.put_setting(session=session, key="nudges_paused", value="1", by="U9", now=NOW)
        store.record_event(session=session, at=NOW, by="U9", action="pause")
    with db.session() as session:
        assert store.muted_users(session=session) == {"U1"}
        assert store.get_setting(session=session, key="nudges_paused") == "1"
        assert store.get_setting(session=session, key="missing") is None
        assert [e.action for e in store.recent_events(session=session)] == ["pause"]
