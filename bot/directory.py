"""Slack users by ID or e-mail, through the Web API and cached in the database."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.clock import Clock
from storage import users as user_store
from storage.db import Database
from storage.models import SlackUser

log = logging.getLogger(__name__)
CACHE_TTL = dt.timedelta(hours=24)
MISS_TTL = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Person:
    """A Slack user as the bot needs them."""

    user_id: str
    email: str | None
    name: str
    tz: str | None
    locale: str | None = None
    """users.info's locale (`fr-FR`); `""` when Slack told none, None when users.info was not asked yet."""
    deleted: bool = False
    """Slack says the account is deactivated: it can own nothing and read nothing."""


class Directory:
    """Looks users up with users.info / users.lookupByEmail, at most once a day per user."""

    def __init__(self, *, db: Database, client: WebClient, clock: Clock) -> None:
        self._db = db
        self._client = client
        self._clock = clock

    def by_id(self, user_id: str, *, refresh: bool = False) -> Person | None:
        """The user with this ID (users.info when not cached or stale)."""
        now = self._clock.now()
        with self._db.session() as session:
            cached = user_store.get_user(session=session, user_id=user_id)
            # A profile cached from users.lookupByEmail has no locale yet: users.info tells it.
            if cached and not refresh and now - cached.fetched_at < CACHE_TTL and cached.locale is not None:
                return _person(cached)
        try:
            data = self._client.users_info(user=user_id, include_locale=True)
        except SlackApiError as exc:
            log.warning("users.info failed: %s", exc.response.get("error"))
            return _person(cached) if cached else None
        return self._store(data["user"], now, locale=str(data["user"].get("locale") or ""))

    def by_email(self, email: str) -> Person | None:
        """The user with this e-mail (users.lookupByEmail when not cached), or None."""
        email = email.strip().lower()
        now = self._clock.now()
        with self._db.session() as session:
            cached = user_store.find_user_by_email(session=session, email=email)
            if cached and now - cached.fetched_at < CACHE_TTL:
                return _person(cached)
            if user_store.recent_miss(session=session, email=email, since=now - MISS_TTL):
                return None
        try:
            data = self._client.users_lookupByEmail(email=email)
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error == "users_not_found":
                with self._db.session(write=True) as session:
                    user_store.record_miss(session=session, email=email, now=now)
                return None
            log.warning("users.lookupByEmail failed: %s", error)
            return _person(cached) if cached else None
        return self._store(data["user"], now)

    def _store(self, user: dict[str, Any], now: dt.datetime, *, locale: str | None = None) -> Person:
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("name") or user["id"]
        with self._db.session(write=True) as session:
            saved = user_store.save_user(
                session=session,
                user_id=user["id"],
                email=profile.get("email"),
                name=name,
                tz=user.get("tz"),
                deleted=bool(user.get("deleted")),
                now=now,
                locale=locale[:35] if locale is not None else None,
            )
            return _person(saved)


def _person(user: SlackUser) -> Person:
    return Person(user.user_id, user.email, user.name, user.tz, user.locale, deleted=user.deleted)
