"""What to do with a message that reaches the bot's DM: answer it, ignore it, or say the bot reads only text."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from bot.i18n import t
from bot.replies import Reply

SLACKBOT = "USLACKBOT"
"""Slackbot's notices (the bot removed from a channel, reminders) arrive as a user's message with no subtype."""

# Whatever carries one of these was posted by an app, a bot or a workflow, never typed by a person.
_APP_MARKS = ("bot_id", "bot_profile", "app_id", "workflow_id")


class Handling(StrEnum):
    """What becomes of a direct message."""

    ANSWER = "answer"
    IGNORE = "ignore"
    TEXT_ONLY = "text_only"


def from_a_person(event: dict[str, Any]) -> bool:
    """Say whether a message event was typed by a person somewhere the bot can answer (not Slackbot, not an app)."""
    if event.get("hidden") or any(event.get(mark) for mark in _APP_MARKS):
        return False
    if event.get("user") == SLACKBOT:
        return False
    return all(isinstance(event.get(key), str) and event[key] for key in ("user", "channel")) and isinstance(
        event.get("text", ""), str
    )


def handling(event: dict[str, Any]) -> Handling:
    """Decide what the bot does with a message event in its DM; anything not in a DM is ignored here."""
    if event.get("channel_type") != "im" or not from_a_person(event):
        return Handling.IGNORE
    subtype = event.get("subtype")
    if subtype is None:
        return Handling.ANSWER
    if subtype == "file_share":  # a screenshot with a question: the question is in the text
        return Handling.ANSWER if str(event.get("text") or "").strip() else Handling.TEXT_ONLY
    return Handling.IGNORE  # edits, deletions, joins, /me, thread broadcasts, system notices


def build_text_only() -> Reply:
    """The answer to a file sent without a word: the bot reads only text (in the sender's language)."""
    return Reply(text=t("inbox.text_only"))
