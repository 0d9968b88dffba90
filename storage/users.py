"""The cache of Slack users (e-mail, name, time zone) and of e-mails Slack did not know."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from storage.db import dialect_insert
from storage.models import EmailLookupMiss, LanguageChoice, SlackUser


def get_user(*, session: Session, user_id: str) -> SlackUser | None:
    """The cached user, if any."""
    return session.get(SlackUser, user_id)


def find_user_by_email(*, session: Session, email: str) -> SlackUser | None:
    """The cached user with this e-mail (case-insensitive), if any."""
    return session.exec(select(SlackUser).where(SlackUser.email == email.lower())).first()


def save_user(
    *,
    session: Session,
    user_id: str,
    email: str | None,
    name: str,
    tz: str | None,
    deleted: bool,
    now: dt.datetime,
    locale: str | None = None,
) -> SlackUser:
    """Insert or refresh a cached user; an upsert, so two processes caching one user cannot collide.

    `locale` is users.info's (`""` when it told none); None leaves the cached one as it is.
    """
    values = {
        "user_id": user_id,
        "email": email.lower() if email else None,
        "name": name,
        "tz": tz,
        "deleted": deleted,
        "fetched_at": now,
    }
    if locale is not None:  # users.lookupByEmail tells no locale: keep the one users.info told
        values["locale"] = locale
    _upsert(session, SlackUser, values, key="user_id")
    user = session.get(SlackUser, user_id, populate_existing=True)
    assert user is not None
    return user


def _upsert(session: Session, table: type[SQLModel], values: dict[str, Any], *, key: str) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE, on SQLite and PostgreSQL."""
    insert = dialect_insert(session.get_bind().dialect.name)
    statement = insert(table).values(**values)
    updates = {name: statement.excluded[name] for name in values if name != key}
    session.execute(statement.on_conflict_do_update(index_elements=[key], set_=updates))


def recent_miss(*, session: Session, email: str, since: dt.datetime) -> bool:
    """Say whether Slack answered users_not_found for `email` after `since`."""
    miss = session.get(EmailLookupMiss, email.lower())
    return miss is not None and miss.checked_at >= since


def record_miss(*, session: Session, email: str, now: dt.datetime) -> None:
    """Remember that Slack did not know `email`."""
    _upsert(session, EmailLookupMiss, {"email": email.lower(), "checked_at": now}, key="email")


def chosen_language(*, session: Session, user_id: str) -> str | None:
    """The language `user_id` chose with `/transition language`, if any."""
    choice = session.get(LanguageChoice, user_id)
    return choice.language if choice else None


def choose_language(*, session: Session, user_id: str, language: str, now: dt.datetime) -> None:
    """Record the language `user_id` chose; it wins over their Slack locale from now on."""
    _upsert(session, LanguageChoice, {"user_id": user_id, "language": language, "chosen_at": now}, key="user_id")


def languages_known(
    *, session: Session, user_ids: Collection[str], fetched_since: dt.datetime
) -> dict[str, tuple[str | None, str | None]]:
    """User ID → (language chosen, locale cached since `fetched_since`), for those with either (two queries)."""
    if not user_ids:
        return {}
    ids = sorted(user_ids)
    chosen = session.exec(
        select(col(LanguageChoice.user_id), col(LanguageChoice.language)).where(col(LanguageChoice.user_id).in_(ids))
    )
    known: dict[str, tuple[str | None, str | None]] = {user_id: (language, None) for user_id, language in chosen}
    cached = session.exec(
        select(col(SlackUser.user_id), col(SlackUser.locale)).where(
            col(SlackUser.user_id).in_(ids),
            col(SlackUser.fetched_at) >= fetched_since,
            col(SlackUser.locale).is_not(None),
        )
    )
    for user_id, locale in cached:
        known[user_id] = (known.get(user_id, (None, None))[0], locale)
    return known
