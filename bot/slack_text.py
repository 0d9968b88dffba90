"""Text helpers shared by every surface: escaping for Slack, folding for matching, cleaning input."""

from __future__ import annotations

import re
import unicodedata

from storage.folding import fold

__all__ = ["as_typed", "clean", "escape", "fold", "mentions_as_text", "plain", "truncate", "unescape"]

_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufeff\ufffe\uffff]"
)
"""Characters dropped from input: controls, direction overrides, and lone surrogates (JSON's "\\ud800", or bytes
that were no UTF-8), which no encoder can write."""
_SPACES = re.compile(r"\s+")
_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
"""What Slack wraps in angle brackets in the text it sends: `<target|label>` or `<target>` (typed brackets arrive as
`&lt;` and `&gt;`)."""
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^<>]*))?>")


def escape(text: str) -> str:
    """Escape user text for Slack mrkdwn so that it can never ping or link (`&`, `<`, `>`)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo the entities Slack puts in text it sends (`&amp;`, `&lt;`, `&gt;`), so `A &amp; B` is `A & B` again."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def as_typed(text: str) -> str:
    """Text from Slack as the person typed it: links, e-mails, channels and @here that Slack recognised and marked
    up (`<mailto:a@b.fr|a@b.fr>`, `<https://x.fr|x.fr>`, `<#C1|ventes>`, `<!here>`) become their text again, and
    Slack's entities are undone. Mentions of people (`<@U…|name>`) stay, for the parsers that read who is meant."""

    def typed(markup: re.Match[str]) -> str:
        target, label = markup.group(1), markup.group(2)
        if target.startswith("@"):
            return markup.group(0)
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):  # <!here>, <!subteam^S1|@team>, <!date^…|fallback>
            return label or "@" + target[1:].split("^")[0]
        return label or target.removeprefix("mailto:")

    return unescape(_MARKUP.sub(typed, text))


def mentions_as_text(text: str) -> str:
    """`<@U0BRUNO01|bruno>` as `@bruno` (`@U0BRUNO01` without a name): text to keep and show, which pings nobody."""
    return _MENTION.sub(lambda mention: "@" + (mention.group(2) or mention.group(1)), text)


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
