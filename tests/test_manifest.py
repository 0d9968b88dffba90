"""The Slack app manifest matches what the code registers and calls."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from bot.config import Settings
from bot.manifest import BOT_EVENTS, BOT_SCOPES, build_manifest

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
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "message.im",
        "app_home_opened",
    }
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
    assert set(BOT_EVENTS) == {"app_mention", "message.im", "app_home_opened"}


def test_cli_prints_valid_json(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "manifest"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["oauth_config"]["scopes"]["bot"] == BOT_SCOPES
