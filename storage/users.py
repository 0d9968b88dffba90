"""The cache of Slack users (e-mail, name, time zone) and of e-mails Slack did not know."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from storage.models import EmailLookupMiss, SlackUser


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
) -> SlackUser:
    """Insert or refresh a cached user."""
    user = session.get(SlackUser, user_id) or SlackUser(user_id=user_id, fetched_at=now)
    user.email = email.lower() if email else None
    user.name = name
    user.tz = tz
    user.deleted = deleted
    user.fetched_at = now
    session.add(user)
    return user


def recent_miss(*, session: Session, email: str, since: dt.datetime) -> bool:
    """Say whether Slack answered users_not_found for `email` after `since`."""
    miss = session.get(EmailLookupMiss, email.lower())
    return miss is not None and miss.checked_at >= since


def record_miss(*, session: Session, email: str, now: dt.datetime) -> None:
    """Remember that Slack did not know `email`."""
    miss = session.get(EmailLookupMiss, email.lower()) or EmailLookupMiss(email=email.lower(), checked_at=now)
    miss.checked_at = now
    session.add(miss)
