"""What a bot function hands back to a handler: text with an optional Block Kit rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Blocks = list[dict[str, Any]]


@dataclass(frozen=True)
class Reply:
    """A message to send; `text` is always set (it is the notification and fallback text)."""

    text: str
    blocks: Blocks | None = None
    ephemeral: bool = True
    replace_original: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def as_respond_kwargs(self) -> dict[str, Any]:
        """Arguments for Bolt's `respond()` (response_url)."""
        kwargs: dict[str, Any] = {
            "text": self.text,
            "response_type": "ephemeral" if self.ephemeral else "in_channel",
            "replace_original": self.replace_original,
        }
        if self.blocks is not None:
            kwargs["blocks"] = self.blocks
        return kwargs

    def as_message_kwargs(self) -> dict[str, Any]:
        """Arguments for chat.postMessage."""
        kwargs: dict[str, Any] = {"text": self.text, **self.extra}
        if self.blocks is not None:
            kwargs["blocks"] = self.blocks
        return kwargs


@dataclass(frozen=True)
class OpenModal:
    """Open a modal (views.open) with the request's trigger_id instead of replying."""

    view: dict[str, Any]


Outcome = Reply | OpenModal
"""What a command handler gets back from bot/: a reply to send, or a modal to open."""
