"""The Slack app manifest matches what the code registers and calls."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App

from bot.config import Settings
from bot.manifest import BOT_EVENTS, BOT_SCOPES, build_manifest
from bot.runtime import Runtime
from handlers import register_all

ROOT = Path(__file__).resolve().parent.parent

# Which scope each Web API method the code calls needs (Slack's method reference).
SCOPE_OF = {
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write",
    "users_info": "users:read",
    "users_lookupByEmail": "users:read.email",
    "conversations_open": "im:write",
    "conversations_history": "im:history",
    "files_upload_v2": "files:write",
}


def test_manifest_has_commands_events_interactivity() -> None:
    manifest = build_manifest(Settings(_env_file=None))  # type: ignore[call-arg]
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert commands == {"/partner", "/transition"}
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == set(BOT_EVENTS)
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["display_information"]["name"]


def test_socket_mode_manifest_has_no_urls() -> None:
    manifest = build_manifest(Settings(_env_file=None), socket_mode=True)  # type: ignore[call-arg]
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in json.dumps(manifest)


def test_every_called_method_has_its_scope() -> None:
    called: set[str] = set()
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/**/*.py")]:
        called |= set(
            re.findall(
                r"\.(chat_\w+|users_\w+|conversations_\w+|files_upload_v2|views_\w+)\(",
                path.read_text(encoding="utf-8"),
            )
        )
    for method in called:
        scope = SCOPE_OF.get(method)
        if scope:
            assert scope in BOT_SCOPES, f"{method} needs {scope}"
    assert "commands" in BOT_SCOPES and "app_mentions:read" in BOT_SCOPES


class EventRecorder(App):
    """An App that notes the event type of every listener registered on it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.event_types: set[str] = set()

    def event(self, event: Any, *args: Any, **kwargs: Any) -> Any:
        self.event_types.add(event if isinstance(event, str) else str(event["type"]))
        return super().event(event, *args, **kwargs)


@pytest.mark.parametrize("socket_mode", [False, True])
def test_manifest_subscribes_to_every_handled_event(rt: Runtime, socket_mode: bool) -> None:
    app = EventRecorder(client=rt.client, signing_secret="s", token_verification_enabled=False)
    register_all(app, rt)
    # The bot reads messages only in its DMs; mentions elsewhere arrive as app_mention.
    subscribed = {"message" if name == "message.im" else name for name in BOT_EVENTS}
    assert subscribed == app.event_types
    manifest = build_manifest(rt.settings, socket_mode=socket_mode)
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == BOT_EVENTS


def test_cli_prints_valid_json(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "manifest"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["oauth_config"]["scopes"]["bot"] == BOT_SCOPES
