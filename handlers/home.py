"""The App Home: published whenever a person opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.partners.service import open_home
from bot.runtime import Runtime
from handlers.common import ack_then


def register(app: App, rt: Runtime) -> None:
    """Listen for app_home_opened."""

    def publish_home(body: dict[str, Any], client: WebClient) -> None:
        event = body.get("event") or {}
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        client.views_publish(user_id=event["user"], view=open_home(rt, event["user"]))

    app.event("app_home_opened")(ack_then(app, publish_home))
