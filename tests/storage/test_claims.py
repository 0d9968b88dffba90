"""Exactly-once claims of Events API deliveries, also across processes sharing one database."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

from storage.claims import claim_event, forget_events_before
from storage.db import Database

NOW = dt.datetime(2008, 9, 2, 8, 0, tzinfo=dt.UTC)


def test_second_claim_of_the_same_event_is_refused(db: Database) -> None:
    with db.session() as session:
        assert claim_event(session=session, event_id="Ev1", now=NOW)
    with db.session() as session:
        assert not claim_event(session=session, event_id="Ev1", now=NOW)
        assert claim_event(session=session, event_id="Ev2", now=NOW)


def test_two_databases_racing_claim_each_event_once(database_url: str) -> None:
    # Two engines stand for two bot processes on one database.
    first, second = Database(database_url), Database(database_url)
    wins: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker(database: Database) -> None:
        barrier.wait()
        for n in range(25):
            with database.session() as session:
                won = claim_event(session=session, event_id=f"Ev{n}", now=NOW)
            if won:
                with lock:
                    wins[f"Ev{n}"] += 1

    threads = [threading.Thread(target=worker, args=(first if i % 2 else second,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first.dispose()
    second.dispose()
    assert wins == Counter({f"Ev{n}": 1 for n in range(25)})


def test_old_claims_are_forgotten(db: Database) -> None:
    with db.session() as session:
        claim_event(session=session, event_id="EvOld", now=NOW - dt.timedelta(hours=3))
        claim_event(session=session, event_id="EvNew", now=NOW)
    with db.session() as session:
        assert forget_events_before(session=session, before=NOW - dt.timedelta(hours=1)) == 1
    with db.session() as session:
        assert claim_event(session=session, event_id="EvOld", now=NOW)
        assert not claim_event(session=session, event_id="EvNew", now=NOW)
