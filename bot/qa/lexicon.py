"""How common a word is in English and in French: the word lists pyspellchecker ships, read once, offline."""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from spellchecker import SpellChecker

from bot.qa.text import fold_word

MIN_COUNT = 100
"""Fewer occurrences than this in a language's list and a word is treated as unknown there (lists hold noise)."""


@dataclass(frozen=True)
class Lexicon:
    """Folded word → occurrence count, in English and in French."""

    en: Mapping[str, int]
    fr: Mapping[str, int]

    def count(self, word: str, lang: str) -> int:
        """Occurrences of the folded `word` in `lang`'s list."""
        return (self.fr if lang == "fr" else self.en).get(word, 0)

    def is_word(self, word: str) -> bool:
        """Say whether the folded `word` is a real English or French word (so not a typo)."""
        return word in self.en or word in self.fr

    def lean(self, word: str) -> float:
        """Positive when the folded `word` is more French than English, negative the other way, 0 if neither."""
        fr, en = self.fr.get(word, 0), self.en.get(word, 0)
        if not fr and not en:
            return 0.0
        # Relative frequencies, as a capped log ratio, so that one word never decides alone.
        ratio = math.log((fr + 1) / self._fr_total) - math.log((en + 1) / self._en_total)
        return max(-1.0, min(1.0, ratio / 4.0))

    @cached_property
    def _fr_total(self) -> float:
        return float(sum(self.fr.values()) or 1)

    @cached_property
    def _en_total(self) -> float:
        return float(sum(self.en.values()) or 1)


def _folded_counts(language: str) -> dict[str, int]:
    folded: dict[str, int] = {}
    for word, count in SpellChecker(language=language, distance=1).word_frequency.dictionary.items():
        if count < MIN_COUNT:
            continue
        key = fold_word(word)
        folded[key] = folded.get(key, 0) + int(count)
    return folded


_lock = threading.Lock()
_lexicon: Lexicon | None = None


def lexicon() -> Lexicon:
    """The process-wide lexicon, loaded on first use (about a quarter of a second)."""
    global _lexicon
    with _lock:
        if _lexicon is None:
            _lexicon = Lexicon(en=_folded_counts("en"), fr=_folded_counts("fr"))
        return _lexicon
