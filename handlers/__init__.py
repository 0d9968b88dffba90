"""Slack glue: one module per surface, each with `register(app, rt)`."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Runtime


def register_all(app: App, rt: Runtime) -> None:
    """Register the middleware, the error handler and every surface's listeners."""
    from handlers import (
        errors,
        home,
        messages,
        middleware,
        nudge_actions,
        operations,
        partner_actions,
        partner_commands,
        partner_files,
        question_actions,
        transition_commands,
    )

    middleware.register(app, rt)
    errors.register(app, rt)
    for surface in (
        partner_files,  # before messages: a spreadsheet in an admin's DM is an import, not a message
        partner_commands,
        partner_actions,
        transition_commands,
        messages,
        question_actions,
        nudge_actions,
        home,
        operations,
    ):
        surface.register(app, rt)
