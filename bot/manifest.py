"""The Slack app manifest, built from the code's own commands, events and scopes."""

from __future__ import annotations

from typing import Any

from bot.config import Settings

BOT_SCOPES = [
    "app_mentions:read",  # app_mention events
    "chat:write",  # replies, digests, summaries
    "commands",  # /partner, /transition
    "im:history",  # message.im events; checking a digest landed before resending it
    "im:write",  # conversations.open for digests
    "channels:history",  # checking a summary landed before resending it
    "groups:history",
    "users:read",  # users.info: owners' time zones
    "users:read.email",  # users.lookupByEmail: owners from the partner file
    "files:write",  # the progress chart and partner exports (files_upload_v2)
    "files:read",  # partner files admins drop into the bot's DM (files.info, url_private_download)
]
BOT_EVENTS = [
    "app_mention",
    "message.im",
    "app_home_opened",
    # Slack sends these only to apps subscribed to them (no scope needed): the bot records that it
    # lost its token, skips nudge rounds and reports it in /healthz (bot/installation.py).
    "app_uninstalled",
    "tokens_revoked",
]


def build_manifest(
    settings: Settings,
    *,
    request_url: str = "https://example.com/slack/events",
    socket_mode: bool | None = None,
) -> dict[str, Any]:
    """A manifest for Slack's "create app from manifest"; Socket Mode follows SLACK_APP_TOKEN."""
    socket = bool(settings.slack_app_token) if socket_mode is None else socket_mode

    def command(name: str, description: str, hint: str) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "command": name,
            "description": description,
            "usage_hint": hint,
            "should_escape": True,  # mentions arrive as <@U…|name>, which the parsers read
        }
        if not socket:
            entry["url"] = request_url
        return entry

    settings_block: dict[str, Any] = {
        "event_subscriptions": {"bot_events": BOT_EVENTS},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": socket,
        "token_rotation_enabled": False,
    }
    if not socket:
        settings_block["event_subscriptions"]["request_url"] = request_url
        settings_block["interactivity"]["request_url"] = request_url
        settings_block["interactivity"]["message_menu_options_url"] = request_url
    return {
        "display_information": {
            "name": "Transition Bot",
            "description": "Brings Linksys partners into the Cisco Channel Partner Program before the deadline.",
            "background_color": "#1d4f91",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": "transition-bot", "always_online": True},
            "slash_commands": [
                command(
                    settings.partner_command,
                    "Track Linksys partners' registration",
                    "help | show <partner> | update <partner> <status> [note] | assign | mine | find | export | import",
                ),
                command(
                    settings.transition_command,
                    "Ask about the Linksys → Cisco transition",
                    "help | deadline | progress | <your question>",
                ),
            ],
        },
        "oauth_config": {"scopes": {"bot": BOT_SCOPES}},
        "settings": settings_block,
    }
