"""Typed errors of the domain; one Slack error handler turns them into plain replies."""

from __future__ import annotations

from storage.db import DatabaseUnavailable

__all__ = ["BadInput", "BotError", "Conflict", "DatabaseUnavailable", "NotAllowed", "NotFound"]


class BotError(Exception):
    """An error whose message is written for the person who caused it."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def user_text(self) -> str:
        """The reply to show in Slack."""
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class BadInput(BotError):
    """The request could not be understood; the hint says how to write it."""


class NotFound(BotError):
    """The named thing does not exist."""


class NotAllowed(BotError):
    """The user may not do this."""


class Conflict(BotError):
    """The request clashes with the current state (e.g. undo after the window closed)."""
