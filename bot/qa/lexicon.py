"""How common a word is in English and in French: the word lists pyspellchecker ships, read once, offline."""

from __future__ import annotations

import gzip
import json
import math
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

from bot.memory import PackedCounts
from bot.qa.terms import fold_word

MIN_COUNT = 100
"""Fewer occurrences than this in a language's list and a word is treated as unknown there (lists hold noise)."""


@dataclass(frozen=True)
class Lexicon:
    """Folded word → occurrence count, in English and in French."""

    en: PackedCounts
    fr: PackedCounts

    def count(self, word: str, lang: str) -> int:
        """Occurrences of the folded `word` in `lang`'s list."""
        return (self.fr if lang == "fr" else self.en).get(word, 0)

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
        return float(self.fr.total() or 1)

    @cached_property
    def _en_total(self) -> float:
        return float(self.en.total() or 1)


_ENTRY = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:\s*(\d+)')
CHUNK = 1 << 20


def _word_counts(language: str) -> Iterator[tuple[str, int]]:
    """The (word, count) pairs of pyspellchecker's word list for `language`, read as a stream.

    The list is one flat JSON object of some 10 MB; loading it whole (as SpellChecker does) costs the
    bot tens of MB of peak memory for a moment at start, for words most of which are then dropped.
    """
    resource = resources.files("spellchecker.resources").joinpath(f"{language}.json.gz")
    with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        tail = ""
        while chunk := text.read(CHUNK):
            buffer = tail + chunk
            end = 0
            for match in _ENTRY.finditer(buffer):
                word = match.group(1)
                yield (json.loads(f'"{word}"') if "\\" in word else word), int(match.group(2))
                end = match.end()
            tail = buffer[end:]


def _folded_counts(language: str) -> dict[str, int]:
    folded: dict[str, int] = {}
    for word, count in _word_counts(language):
        if count < MIN_COUNT:
            continue
        key = fold_word(word)
        folded[key] = folded.get(key, 0) + count
    return folded


_lock = threading.Lock()
_lexicon: Lexicon | None = None


def lexicon() -> Lexicon:
    """The process-wide lexicon, loaded on first use (about a quarter of a second)."""
    global _lexicon
    with _lock:
        if _lexicon is None:
            _lexicon = Lexicon(en=PackedCounts(_folded_counts("en")), fr=PackedCounts(_folded_counts("fr")))
        return _lexicon
