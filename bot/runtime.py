"""What every bot function needs, built once by the app factory and passed in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot.clock import Clock, days_left, local_today
from bot.config import Settings
from bot.directory import Directory
from storage.db import Database


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

    def today(self) -> dt.date:
        """Today's date in the deadline's time zone."""
        return local_today(self.clock, self.settings.tz)

    def days_left(self) -> int:
        """Calendar days from today to the deadline, both in TRANSITION_TIMEZONE."""
        return days_left(self.today(), self.settings.transition_deadline)

    def is_admin(self, user_id: str) -> bool:
        """Say whether `user_id` is an admin (ADMIN_USER_IDS)."""
        return self.settings.is_admin(user_id)
