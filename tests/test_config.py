"""Settings: the contract's keys, defaults, and one clear line for a bad value."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.i18n import Lang


def test_defaults_follow_the_contract(monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str]) -> None:
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith(("SLACK_", "DATABASE_URL", "ADMIN_", "NUDGE_", "EXPERTS_", "TRANSITION_", "PORT")):
            monkeypatch.delenv(key)
    settings = load_settings()
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///./transition.db"
    assert settings.transition_deadline == dt.date(2008, 9, 16)
    assert settings.transition_timezone == "Europe/Paris"
    assert settings.port == 3000
    assert settings.admin_user_ids == frozenset()
    assert settings.experts_channel_id is None


def test_lists_urls_and_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_USER_IDS", " U1, U2 ,,")
    monkeypatch.setenv("DATABASE_URL", "postgres://me@db/bot")
    monkeypatch.setenv("NUDGE_CHANNEL", "C1")
    monkeypatch.delenv("EXPERTS_CHANNEL", raising=False)
    settings = load_settings()
    assert settings.admin_user_ids == frozenset({"U1", "U2"})
    assert settings.database_url == "postgresql+psycopg://me@db/bot"
    # The sales channel is no place for questions nobody answered: they wait in `faq gaps`.
    assert settings.experts_channel_id is None


def test_languages_may_be_written_as_locales(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en_US")
    monkeypatch.setenv("EXPERTS_CHANNEL_LANGUAGE", "fr_FR")
    monkeypatch.setenv("NUDGE_CHANNEL_LANGUAGE", "fr-CA")
    settings = load_settings()
    assert settings.default_language is Lang.EN
    assert settings.experts_language is Lang.FR and settings.nudge_language is Lang.FR


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("TRANSITION_DEADLINE", "16/09/2008"),
        ("TRANSITION_TIMEZONE", "Mars/Olympus"),
        ("PORT", "eighty"),
        ("SLACK_API_URL", "slack.com"),
        ("DATABASE_URL", "mysql://x"),
        ("SLACK_BOT_TOKEN", "not-a-token"),
        ("METRICS_BIND", "everywhere"),
        ("METRICS_BIND", "127.0.0.1:99999"),
        ("ESCALATIONS_PER_HOUR", "-1"),
        ("MAX_REQUEST_BYTES", "12"),
        ("EXPERTS_CHANNEL_LANGUAGE", "de_DE"),
        ("PARTNER_COMMAND", "partner"),
        ("TRANSITION_COMMAND", ""),
        ("TRANSITION_COMMAND", "/partner"),
        ("LOG_LEVEL", "bogus"),
    ],
)
def test_malformed_value_names_the_key(monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value).startswith(key + ":")


def test_run_without_token_stops_with_one_line(tmp_path: os.PathLike[str]) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_dot_env_not_in_utf8_stops_with_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes("# échéance du programme\nDEFAULT_LANGUAGE=fr\n".encode("cp1252"))
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "manifest"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "transition-bot: .env: not UTF-8 text (byte 2): save it as UTF-8"


def test_bad_deadline_stops_with_one_line(tmp_path: os.PathLike[str]) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "TRANSITION_DEADLINE": "soon"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "manifest"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("transition-bot: TRANSITION_DEADLINE:")
    assert "Traceback" not in result.stderr


def test_metrics_bind_and_experts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METRICS_BIND", " 127.0.0.1:9100 ")
    monkeypatch.setenv("EXPERT_USER_IDS", "U1,U2")
    monkeypatch.setenv("ADMIN_USER_IDS", "U9")
    settings = load_settings()
    assert settings.metrics_address == ("127.0.0.1", 9100)
    assert settings.is_expert("U2") and settings.is_expert("U9") and not settings.is_expert("U3")
    assert not settings.is_expert("")
    monkeypatch.setenv("METRICS_BIND", "OFF")
    assert load_settings().metrics_bind == "off" and load_settings().metrics_address is None


def test_ids_that_are_no_slack_user_id_are_named_for_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_USER_IDS", "U0ADMIN01, alice@example.com, W012AB3CD")
    monkeypatch.setenv("EXPERT_USER_IDS", "#experts,U0CHLOE01")
    doubts = load_settings().doubtful_ids()
    assert len(doubts) == 2
    assert doubts[0].startswith("ADMIN_USER_IDS: 'alice@example.com' is not a Slack user ID")
    assert doubts[1].startswith("EXPERT_USER_IDS: '#experts' is not a Slack user ID")
