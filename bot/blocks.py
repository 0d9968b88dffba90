"""Small, pure Block Kit constructors shared by every builder (limits enforced here)."""

from __future__ import annotations

from typing import Any

from bot.slack_text import plain, truncate

SECTION_TEXT_MAX = 3000
HEADER_TEXT_MAX = 150
BUTTON_TEXT_MAX = 75
CONTEXT_TEXT_MAX = 2000
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100

Block = dict[str, Any]


def section(text: str, *, accessory: Block | None = None, block_id: str | None = None) -> Block:
    """A mrkdwn section; text longer than Slack's limit is cut (use `split_sections` to keep it all)."""
    block: Block = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(text or " ", SECTION_TEXT_MAX)},
    }
    if accessory is not None:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = block_id
    return block


def split_sections(text: str, limit: int = SECTION_TEXT_MAX) -> list[Block]:
    """Sections holding all of `text`, split at paragraph, line or word boundaries."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = max(rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit), rest.rfind(" ", 0, limit))
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest.strip():
        chunks.append(rest)
    return [section(chunk) for chunk in chunks]


def header(text: str) -> Block:
    """A plain-text header."""
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(plain(text), HEADER_TEXT_MAX), "emoji": True},
    }


def context(text: str) -> Block:
    """A small grey line."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, CONTEXT_TEXT_MAX)}]}


def divider() -> Block:
    """A horizontal rule."""
    return {"type": "divider"}


def button(text: str, action_id: str, value: str = "", *, style: str | None = None) -> Block:
    """A button; `style` is `primary` or `danger`."""
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": truncate(plain(text), BUTTON_TEXT_MAX), "emoji": True},
        "action_id": action_id,
    }
    if value:
        element["value"] = value[:2000]
    if style:
        element["style"] = style
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    """A row of interactive elements (at most 25)."""
    block: Block = {"type": "actions", "elements": list(elements)[:25]}
    if block_id:
        block["block_id"] = block_id
    return block


def plain_text(text: str, limit: int = 150) -> dict[str, Any]:
    """A plain_text object."""
    return {"type": "plain_text", "text": truncate(plain(text), limit), "emoji": True}
