"""`/partner`: parse the text, check who may do what, change or show partners."""

from __future__ import annotations

from bot import help as help_texts
from bot.errors import BadInput
from bot.replies import Outcome
from bot.runtime import Runtime
from bot.text import fold


def handle(rt: Runtime, *, user_id: str, text: str, channel_id: str = "") -> Outcome:
    """Answer one `/partner` command."""
    words = text.split()
    head = fold(words[0]) if words else ""
    command = rt.settings.partner_command
    if head in ("", "help", "aide", "?"):
        return help_texts.partner_help(command)
    raise BadInput(f"`{help_texts.quote(text)}` is not a {command} command.", hint=f"Try `{command} help`.")
