"""The bot's settings: environment variables or a `.env` file, validated once at start."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.i18n import Lang, parse_lang
from storage.db import normalise_url

SEED_DEADLINE = dt.date(2008, 9, 16)
_USER_ID = re.compile(r"[UW][A-Z0-9]+")
_COMMAND = re.compile(r"/[a-z0-9_-]{1,31}")
"""Slack's rule for a slash command's name: 32 characters at most, lower case."""
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
"""The seed article's deadline: partners have until 16 September (2008, the article's year) to register."""


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the key."""


class Settings(BaseSettings):
    """Every key of the contract's configuration table, and a few internal knobs."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = "sqlite:///./transition.db"
    admin_user_ids: Annotated[frozenset[str], NoDecode] = frozenset()
    expert_user_ids: Annotated[frozenset[str], NoDecode] = frozenset()
    nudge_channel: str | None = None
    experts_channel: str | None = None
    transition_deadline: dt.date = SEED_DEADLINE
    transition_timezone: str = "Europe/Paris"
    port: int = Field(default=3000, ge=1, le=65535)
    metrics_bind: str = "same"
    default_language: Lang = Lang.EN
    nudge_channel_language: Lang | None = None
    experts_channel_language: Lang | None = None

    # Internal knobs, not part of the contract's table but documented in .env.example.
    partner_command: str = "/partner"
    transition_command: str = "/transition"
    http_threads: int = Field(default=32, ge=2, le=512)
    nudge_hour: int = Field(default=9, ge=0, le=23)
    nudge_daily_days: int = Field(default=3, ge=0)
    nudge_weekday_days: int = Field(default=14, ge=0)
    nudge_digest_max_partners: int = Field(default=10, ge=1, le=20)
    log_level: str = "INFO"
    import_max_bytes: int = Field(default=10_000_000, ge=1_000, le=100_000_000)
    import_max_rows: int = Field(default=50_000, ge=1, le=1_000_000)
    max_request_bytes: int = Field(default=1_000_000, ge=10_000, le=100_000_000)
    escalations_per_hour: int = Field(default=10, ge=0, le=10_000)
    qa_refit_minutes: float = Field(default=10.0, gt=0, le=10_080)

    @field_validator("partner_command", "transition_command")
    @classmethod
    def _command_name(cls, value: str, info: ValidationInfo) -> str:
        if not _COMMAND.fullmatch(value):
            raise ValueError("must be a slash command such as /partner (a slash, then lower-case letters, - or _)")
        if info.field_name == "transition_command" and value == info.data.get("partner_command"):
            raise ValueError("must differ from PARTNER_COMMAND: Slack gives each command one request URL")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("admin_user_ids", "expert_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator(
        "slack_app_token",
        "nudge_channel",
        "experts_channel",
        "slack_bot_token",
        "slack_signing_secret",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("default_language", "nudge_channel_language", "experts_channel_language", mode="before")
    @classmethod
    def _language(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            if not value.strip():
                return Lang.EN if info.field_name == "default_language" else None
            lang = parse_lang(value)
            if lang is None:
                raise ValueError("must be en or fr (or a locale such as fr_FR)")
            return lang
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xox"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        value = normalise_url(value)
        if not value.startswith(("sqlite://", "postgresql+psycopg://")):
            raise ValueError("must be sqlite:///path.db or postgresql://user@host/db")
        return value

    @field_validator("metrics_bind")
    @classmethod
    def _metrics_bind(cls, value: str) -> str:
        value = value.strip().lower()
        if value in ("same", "off"):
            return value
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ValueError("must be same, off, or HOST:PORT such as 127.0.0.1:9100")
        return value

    @property
    def metrics_address(self) -> tuple[str, int] | None:
        """Where /metrics gets its own listener (METRICS_BIND=HOST:PORT); None for `same` or `off`."""
        if self.metrics_bind in ("same", "off"):
            return None
        host, _, port = self.metrics_bind.rpartition(":")
        return host.strip("[]"), int(port)

    @field_validator("transition_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("must be an IANA time zone such as Europe/Paris") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The deadline's time zone."""
        return ZoneInfo(self.transition_timezone)

    @property
    def experts_channel_id(self) -> str | None:
        """Where unanswered questions are posted (EXPERTS_CHANNEL); unset, they wait in `faq gaps`."""
        return self.experts_channel

    @property
    def nudge_language(self) -> Lang:
        """The language of the channel summaries: NUDGE_CHANNEL_LANGUAGE, else DEFAULT_LANGUAGE."""
        return self.nudge_channel_language or self.default_language

    @property
    def experts_language(self) -> Lang:
        """The language of the experts' posts: EXPERTS_CHANNEL_LANGUAGE, else DEFAULT_LANGUAGE."""
        return self.experts_channel_language or self.default_language

    @property
    def deadline_end(self) -> dt.datetime:
        """The deadline as an instant: the end of the deadline day in its zone."""
        next_day = self.transition_deadline + dt.timedelta(days=1)
        return dt.datetime.combine(next_day, dt.time(0), tzinfo=self.tz)

    def is_admin(self, user_id: str) -> bool:
        """Say whether a Slack user is listed in ADMIN_USER_IDS."""
        return user_id in self.admin_user_ids

    def is_expert(self, user_id: str) -> bool:
        """Say whether a Slack user may answer for the bot: listed in EXPERT_USER_IDS, or an admin."""
        return bool(user_id) and (user_id in self.expert_user_ids or self.is_admin(user_id))

    def doubtful_ids(self) -> list[str]:
        """What to warn the operator of in ADMIN_USER_IDS and EXPERT_USER_IDS: entries that are no Slack user ID (an
        e-mail, a name, a channel), which give nobody any power. A warning, not a refusal: IDs change shape rarely,
        but they may."""
        listed = {"ADMIN_USER_IDS": self.admin_user_ids, "EXPERT_USER_IDS": self.expert_user_ids}
        return [
            f"{key}: {value!r} is not a Slack user ID (like U012AB3CD): nobody gets that power through it"
            for key, ids in listed.items()
            for value in sorted(ids)
            if not _USER_ID.fullmatch(value)
        ]


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings, raising ConfigError with one line naming the bad key."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except UnicodeDecodeError as exc:  # .env saved by an editor in Windows-1252 or Latin-1
        raise ConfigError(f".env: not UTF-8 text (byte {exc.start}): save it as UTF-8") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][0]).upper() if first["loc"] else "configuration"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{key}: {message}") from None


def require(settings: Settings, *keys: str) -> None:
    """Raise ConfigError naming the first of `keys` that is unset."""
    for key in keys:
        if not getattr(settings, key.lower()):
            raise ConfigError(f"{key.upper()} is required but not set (see .env.example)")
