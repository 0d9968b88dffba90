"""What every bot function needs, built once by the app factory and passed in."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.clock import Clock, days_left, local_today
from bot.config import Settings
from bot.directory import CACHE_TTL, Directory
from bot.i18n import Lang, from_locale, parse_lang
from bot.qa.semantic import Encoder, shared_encoder
from storage import users as user_store
from storage.db import Database, DatabaseUnavailable

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Settings, the database, the clock and the Web API client of one bot process."""

    settings: Settings
    db: Database
    clock: Clock
    client: WebClient
    directory: Directory
    qa: Any = None  # the question-answering engine (bot.qa.service.Engine), built on first question
    questions: Any = None  # the threads that answer questions (bot.server.QuestionPool), set by the app factory
    encoder: Encoder = field(default_factory=shared_encoder)  # sentence vectors: one model per process

    def today(self) -> dt.date:
        """Today's date in the deadline's time zone."""
        return local_today(self.clock, self.settings.tz)

    def days_left(self) -> int:
        """Calendar days from today to the deadline, both in TRANSITION_TIMEZONE."""
        return days_left(self.today(), self.settings.transition_deadline)

    def language_of(self, user_id: str, *, stored_only: bool = False) -> Lang:
        """The language `user_id` reads: the one they chose, else their Slack locale's, else DEFAULT_LANGUAGE.

        `stored_only` reads what the database holds already, without asking Slack or caching its answer.
        """
        default = self.settings.default_language
        if not user_id:
            return default
        try:
            with self.db.session() as session:
                chosen = parse_lang(user_store.chosen_language(session=session, user_id=user_id))
                cached = user_store.get_user(session=session, user_id=user_id) if stored_only else None
            if chosen is not None:
                return chosen
            if stored_only:
                return from_locale(cached.locale if cached else None) or default
            person = self.directory.by_id(user_id)
        except (DatabaseUnavailable, SlackClientError, OSError) as exc:
            # Even an error's reply needs a language: the default will do when neither store answers.
            log.warning("language of %s unknown for now: %s", user_id, type(exc).__name__)
            return default
        return from_locale(person.locale if person else None) or default

    def languages_of(self, user_ids: Collection[str]) -> dict[str, Lang]:
        """`language_of` for many people at once (a nudge round's owners): two queries, Slack only for the rest."""
        try:
            with self.db.session() as session:
                known = user_store.languages_known(
                    session=session, user_ids=user_ids, fetched_since=self.clock.now() - CACHE_TTL
                )
        except DatabaseUnavailable:
            known = {}
        languages: dict[str, Lang] = {}
        for user_id in user_ids:
            chosen, locale = known.get(user_id, (None, None))
            if locale is None and chosen is None:
                languages[user_id] = self.language_of(user_id)
            else:
                languages[user_id] = parse_lang(chosen) or from_locale(locale) or self.settings.default_language
        return languages

    def is_admin(self, user_id: str) -> bool:
        """Say whether `user_id` is an admin (ADMIN_USER_IDS)."""
        return self.settings.is_admin(user_id)
