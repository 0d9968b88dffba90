"""The app factory: the one place (with the CLI and console) that sees handlers, bot and storage."""

from __future__ import annotations

import logging
from concurrent.futures import Executor

from slack_bolt import App
from slack_sdk import WebClient

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.directory import Directory
from bot.runtime import Runtime
from bot.server import BoundedExecutor, QuestionPool
from bot.slack_client import make_client
from handlers import register_all
from storage.db import Database

log = logging.getLogger(__name__)
# About three seconds of updates at one process's pace: past it, acks wait for the work (bot/server.py).
LISTENER_BACKLOG = 500
QUESTION_WORKERS = 2
"""Answering is CPU work under one interpreter lock: more threads than cores only interleave it."""
QUESTION_BACKLOG = 100
"""Questions waiting beyond the workers; past it the asker is told the bot is busy."""


def build_runtime(
    settings: Settings,
    *,
    db: Database | None = None,
    clock: Clock | None = None,
    client: WebClient | None = None,
) -> Runtime:
    """Assemble settings, database, clock and Web API client into one Runtime."""
    db = db or Database(settings.database_url)
    clock = clock or SystemClock()
    client = client or make_client(settings)
    return Runtime(
        settings=settings,
        db=db,
        clock=clock,
        client=client,
        directory=Directory(db=db, client=client, clock=clock),
    )


def create_app(
    rt: Runtime,
    *,
    signing_secret: str | None = None,
    executor: Executor | None = None,
    token_verification: bool = True,
) -> App:
    """A Bolt App with every listener registered.

    Listeners acknowledge in the request thread and hand their work to `executor` (handlers.common
    ack_then; process_before_response), so no ack waits on a poll loop or on the work.
    """
    app = App(
        client=rt.client,
        signing_secret=signing_secret if signing_secret is not None else rt.settings.slack_signing_secret,
        process_before_response=True,
        token_verification_enabled=token_verification,
        listener_executor=executor or BoundedExecutor(workers=16, backlog=LISTENER_BACKLOG),
        logger=logging.getLogger("bolt"),
        # Bolt answers url_verification and checks X-Slack-Signature / timestamps itself.
        request_verification_enabled=True,
        ignoring_self_events_enabled=True,
        # Requests no listener takes reach the error handler, which answers 200 (Bolt's default is 404:
        # Slack retries such events and shows users an error for such interactions).
        raise_error_for_unhandled_request=True,
    )
    if rt.questions is None:
        rt.questions = QuestionPool(workers=QUESTION_WORKERS, backlog=QUESTION_BACKLOG, executor=executor)
    register_all(app, rt)
    return app
