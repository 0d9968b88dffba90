"""Listeners for this surface (filled in by its issue)."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Runtime


def register(app: App, rt: Runtime) -> None:
    """Register this surface's listeners."""
