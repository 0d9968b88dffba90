"""The Slack user cache: refresh in place, and no collision when processes cache one user at once."""

from __future__ import annotations

import datetime as dt
import threading

from storage.db import Database
from storage.users import find_user_by_email, get_user, recent_miss, record_miss, save_user

NOW = dt.datetime(2008, 9, 2, 8, 0, tzinfo=dt.UTC)


def test_save_refreshes_and_lowers_the_email(db: Database) -> None:
    with db.session(write=True) as session:
        save_user(
            session=session,
            user_id="U1",
            email="Alice@Example.com",
            name="alice",
            tz="Europe/Paris",
            deleted=False,
            now=NOW,
        )
    with db.session(write=True) as session:
        saved = save_user(
            session=session,
            user_id="U1",
            email="alice@example.com",
            name="Alice M.",
            tz="America/New_York",
            deleted=False,
            now=NOW + dt.timedelta(hours=1),
        )
        assert saved.tz == "America/New_York"
    with db.session() as session:
        user = find_user_by_email(session=session, email="ALICE@example.com")
        assert user is not None and user.name == "Alice M."
        assert user.fetched_at == NOW + dt.timedelta(hours=1)
        assert get_user(session=session, user_id="nobody") is None


def test_concurrent_saves_of_one_user_do_not_collide(database_url: str) -> None:
    engines = [Database(database_url), Database(database_url)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def worker(n: int) -> None:
        barrier.wait()
        try:
            with engines[n % 2].session(write=True) as session:
                save_user(
                    session=session,
                    user_id="URACE",
                    email="race@example.com",
                    name=f"n{n}",
                    tz="Europe/Paris",
                    deleted=False,
                    now=NOW,
                )
                record_miss(session=session, email="ghost@example.com", now=NOW)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    assert errors == []
    with Database(database_url).session() as session:
        assert get_user(session=session, user_id="URACE") is not None
        assert recent_miss(session=session, email="GHOST@example.com", since=NOW - dt.timedelta(minutes=1))
