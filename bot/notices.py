"""Fixed texts shared by several surfaces, in the reader's language."""

from __future__ import annotations

from bot.i18n import t


def database_down() -> str:
    """The reply when the database does not answer."""
    return t("error.database_down")


def internal_error() -> str:
    """The reply when something unexpected failed."""
    return t("error.internal")
