"""Folding text for forgiving comparisons: the one definition, here because stored keys (name_folded) use it."""

from __future__ import annotations

import unicodedata


def fold(text: str, *, ligatures: bool = False) -> str:
    """Lower-case, strip accents and collapse spaces; with `ligatures`, spell œ and æ out (cœur → coeur)."""
    text = text.casefold()
    if ligatures:
        text = text.replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())
