"""Text helpers shared by every surface: escaping for Slack, folding for matching, cleaning input."""

from __future__ import annotations

import re
import unicodedata

from storage.folding import fold

__all__ = ["clean", "escape", "fold", "plain", "truncate", "unescape"]

_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]"
)
_SPACES = re.compile(r"\s+")


def escape(text: str) -> str:
    """Escape user text for Slack mrkdwn so that it can never ping or link (`&`, `<`, `>`)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo the entities Slack puts in text it sends (`&amp;`, `&lt;`, `&gt;`), so `A &amp; B` is `A & B` again."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clean(text: str) -> str:
    """Drop control and direction-override characters, normalise to NFC, strip the ends."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut `text` to at most `limit` characters, marking the cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(ellipsis))] + ellipsis


def plain(text: str) -> str:
    """Remove mrkdwn-breaking characters from text shown in plain_text fields (buttons, headers)."""
    return _SPACES.sub(" ", clean(text))
