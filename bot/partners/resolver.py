"""Find the partner a person means: by ID in any case, exact name, folded name, word prefix, then fuzzy."""

from __future__ import annotations

import heapq
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, islice

from sqlmodel import Session

from bot.slack_text import clean, fold
from storage import partners as store
from storage.models import Partner

MAX_CHOICES = 5
"""Buttons offered when a name matches several partners."""

MIN_PREFIX_LEN = 3
"""Shorter texts are not matched as word prefixes (they would match half the book)."""

FUZZY_CUTOFF = 72
"""rapidfuzz WRatio score (0–100) from which a partner is offered as a likely match."""

CLOSEST_CUTOFF = 40
"""Score from which a partner is named as one of the closest when nothing matches."""

FUZZY_MAX_CHARS = 80
"""Characters of a text compared fuzzily with every name: the cost grows with both, and nobody types longer names."""

ID_MAX_CHARS = 64
"""Characters of an ID-like text compared with every ID: no stored ID is longer."""

CLOSEST_SHOWN = 3
"""Closest partners named when nothing matches."""

LOOSE_READINGS = 2
"""Readings of a typed command matched by word prefix and fuzzily, the likeliest first; all are matched exactly."""

SCAN_CHUNK = 1024
"""Names packed together and scored per rapidfuzz call (each call allocates C++ arrays as long as its choices)."""


@dataclass(frozen=True)
class Candidate:
    """A partner offered in a choice or named as a close match."""

    key: str
    partner_id: str
    name: str


@dataclass(frozen=True)
class Found:
    """Exactly one partner matches."""

    partner: Partner


@dataclass(frozen=True)
class Ambiguous:
    """Several partners match (or one only loosely): the person must choose."""

    query: str
    candidates: tuple[Candidate, ...]
    total: int


@dataclass(frozen=True)
class Missing:
    """No partner matches; the closest names (or IDs, when `by_id`), if any, help to write it right."""

    query: str
    closest: tuple[Candidate, ...]
    by_id: bool = False
    """The text looks like an ID and no partner has it: the closest are the nearest IDs."""


Resolution = Found | Ambiguous | Missing


def _candidate(partner: Partner) -> Candidate:
    return Candidate(partner.partner_key, partner.partner_id, partner.name)


def _of(query: str, partners: Sequence[Partner]) -> Found | Ambiguous | None:
    if len(partners) == 1:
        return Found(partners[0])
    if partners:
        return Ambiguous(query, tuple(_candidate(p) for p in partners[:MAX_CHOICES]), len(partners))
    return None


def _bare(text: str) -> str:
    """The text without control characters, nor the backticks or quotes people paste around IDs and names."""
    return " ".join(clean(text).strip("`'\"“”«»").split())


def resolve_exact(session: Session, text: str) -> Found | Ambiguous | None:
    """The partner whose ID (any case), exact name or folded name is `text`."""
    query = _bare(text)
    if not query or len(query) > 300:
        return None
    if len(query) <= 64 and (partner := store.get_partner(session=session, key=query)) is not None:
        return Found(partner)
    return _of(query, store.partners_named(session=session, name=query)) or _of(
        query, store.partners_folded(session=session, folded=fold(query))
    )


def resolve_prefix(session: Session, text: str) -> Found | Ambiguous | None:
    """Partners with a word of their name starting with `text` (accent- and case-insensitive)."""
    query = _bare(text)
    folded = fold(query)
    if len(folded) < MIN_PREFIX_LEN or len(folded) > 300:
        return None
    return _of(query, store.partners_with_word_prefix(session=session, folded=folded))


@dataclass(frozen=True)
class _Packed:
    """Strings kept as one string and where each ends: two allocations instead of one object per string."""

    text: str
    ends: array[int]

    @classmethod
    def of(cls, strings: Sequence[str]) -> _Packed:
        return cls("".join(strings), array("I", accumulate(map(len, strings))))

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i: int) -> str:
        return self.text[self.ends[i - 1] if i else 0 : self.ends[i]]

    def unpack(self) -> list[str]:
        """Every string, in order."""
        return [self.text[start:end] for start, end in zip(chain((0,), self.ends), self.ends, strict=False)]


@dataclass(frozen=True)
class _Chunk:
    keys: _Packed
    partner_ids: _Packed
    names: _Packed
    folded: _Packed

    @classmethod
    def of(cls, entries: Sequence[store.NameEntry]) -> _Chunk:
        return cls(
            _Packed.of([e.key for e in entries]),
            _Packed.of([e.partner_id for e in entries]),
            _Packed.of([e.name for e in entries]),
            _Packed.of([e.name_folded for e in entries]),
        )

    def entry(self, i: int) -> store.NameEntry:
        return store.NameEntry(self.keys[i], self.partner_ids[i], self.names[i], self.folded[i])


@dataclass(frozen=True)
class NameIndex:
    """Every partner's key, ID, name and folded name, packed `chunk` partners at a time.

    As 20,000 NameEntry objects the names took 8 MB of small objects, scattered among the rows they
    were read from so that the heap could not shrink (15 MB of RSS); packed, 2 MB. They are read and
    packed a chunk at a time, and fuzzy matching unpacks one chunk at a time, while it scores it.
    """

    chunks: tuple[_Chunk, ...]
    chunk: int
    size: int

    @classmethod
    def of(cls, entries: Iterable[store.NameEntry], *, chunk: int = SCAN_CHUNK) -> NameIndex:
        """The index of `entries`, taken `chunk` at a time: they need not all be in memory at once."""
        stream = iter(entries)
        parts = []
        while part := list(islice(stream, chunk)):
            parts.append(_Chunk.of(part))
        return cls(tuple(parts), chunk, sum(len(part.keys) for part in parts))

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, i: int) -> store.NameEntry:
        if not 0 <= i < self.size:
            raise IndexError(i)
        return self.chunks[i // self.chunk].entry(i % self.chunk)

    def __iter__(self) -> Iterator[store.NameEntry]:
        return (part.entry(i) for part in self.chunks for i in range(len(part.keys)))

    def folded_parts(self) -> Iterator[list[str]]:
        """The folded names, a chunk at a time."""
        return (part.folded.unpack() for part in self.chunks)

    def key_parts(self) -> Iterator[list[str]]:
        """The keys (upper-case IDs), a chunk at a time."""
        return (part.keys.unpack() for part in self.chunks)


def best_scores(
    query: str,
    parts: Iterable[Sequence[str]],
    scorer: Callable[..., float],
    limit: int,
    cutoff: float = CLOSEST_CUTOFF,
) -> list[tuple[float, int]]:
    """The `limit` best (score, index) of the choices scoring `cutoff` or more, best first, ties by index.

    The choices come in consecutive `parts` (indexes count across them), and the result is what one
    `process.extract` over them all would rank: one call over 20,000 names allocated ~1.5 MB of C++
    arrays in the calling thread's malloc arena, which every listener thread kept afterwards (the
    memory benchmark's typo'd finds grew the bot by ~20 MB). A name in the overall top is in its
    part's top, so merging the parts' tops loses nothing.
    """
    from rapidfuzz import process

    best: list[tuple[float, int]] = []
    start = 0
    for part in parts:
        found = process.extract(query, part, scorer=scorer, limit=limit, score_cutoff=cutoff)
        best.extend((score, start + i) for _choice, score, i in found)
        start += len(part)
    return heapq.nsmallest(limit, best, key=lambda scored: (-scored[0], scored[1]))


def looks_like_id(query: str) -> bool:
    """Whether `query` is written as partner IDs are: one word with a digit in it."""
    return bool(query) and " " not in query and any(ch.isdigit() for ch in query)


def resolve_fuzzy(text: str, index: NameIndex) -> Ambiguous | Missing:
    """Partners whose name is close to `text`, offered as a choice — never taken as the answer.

    A text that looks like an ID and is no partner's ID (resolution looks IDs up first) names no
    partner: IDs that differ by a digit or two are other partners, not spellings of it, so the
    nearest IDs are only suggested, never offered as partners that match.
    """
    from rapidfuzz import fuzz
    from rapidfuzz.distance import Levenshtein

    query = _bare(text)
    folded = fold(query)[:FUZZY_MAX_CHARS]
    if len(folded) < MIN_PREFIX_LEN or not index:
        return Missing(query, ())
    names = best_scores(folded, index.folded_parts(), fuzz.WRatio, MAX_CHOICES * 2)
    ranked = sorted(names, key=lambda scored: (-scored[0], index[scored[1]].name_folded))
    likely = [i for score, i in ranked if score >= FUZZY_CUTOFF]
    if likely:
        return Ambiguous(query, tuple(_entry_candidate(index, i) for i in likely[:MAX_CHOICES]), len(likely))
    closest = [i for _score, i in ranked]
    if looks_like_id(query):
        # Edits, not fuzz.ratio's insertions and deletions: a digit typed wrong is one step away, not two.
        key = query.upper()[:ID_MAX_CHARS]
        scorer = Levenshtein.normalized_similarity
        ids = best_scores(key, index.key_parts(), scorer, CLOSEST_SHOWN, cutoff=CLOSEST_CUTOFF / 100)
        nearest = [i for _score, i in ids]
        closest = nearest + [i for i in closest if i not in nearest]
        return Missing(query, tuple(_entry_candidate(index, i) for i in closest[:CLOSEST_SHOWN]), by_id=True)
    return Missing(query, tuple(_entry_candidate(index, i) for i in closest[:CLOSEST_SHOWN]))


def _entry_candidate(index: NameIndex, i: int) -> Candidate:
    entry = index[i]
    return Candidate(entry.key, entry.partner_id, entry.name)


class _NameIndexCache:
    """Every partner's names, loaded once per process and reloaded only when they change.

    Loading 20,000 names for each fuzzy lookup cost ~30 ms and, with concurrent requests, hundreds
    of MB of short-lived objects; one PK read of the names version tells whether the copy is current.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: str | None = None
        self._index = NameIndex.of(())

    def get(self, session: Session) -> NameIndex:
        version = store.names_version(session=session)
        with self._lock:
            if version != self._version or not version:
                self._index = NameIndex.of(store.name_index(session=session))
                self._version = version
            return self._index


_names = _NameIndexCache()


def name_index(session: Session) -> NameIndex:
    """The partners' names for fuzzy matching, from the process-wide cache."""
    return _names.get(session)


def resolve(session: Session, text: str) -> Resolution:
    """The partner `text` names, a choice among several, or the closest names when none matches."""
    return resolve_exact(session, text) or resolve_prefix(session, text) or resolve_fuzzy(text, name_index(session))


def resolve_first(session: Session, texts: Sequence[str]) -> tuple[int, Resolution]:
    """Resolve the first of several readings that names a partner; exact readings beat loose ones.

    Returns the index of the reading used with its resolution; when none matches, the first
    reading's closest names.
    """
    if not texts:
        return 0, Missing("", ())
    for i, text in enumerate(texts):
        found = resolve_exact(session, text)
        if found is not None:
            return i, found
    # Loose matching scans every partner: only the likeliest readings get it, or a command with many status-like
    # words would scan the whole book once per reading (1.2 s with 20,000 partners).
    for i, text in enumerate(texts[:LOOSE_READINGS]):
        found = resolve_prefix(session, text)
        if found is not None:
            return i, found
    index = name_index(session)
    misses: list[tuple[int, Missing]] = []
    for i, text in enumerate(texts[:LOOSE_READINGS]):
        result = resolve_fuzzy(text, index)
        if isinstance(result, Ambiguous):
            return i, result
        misses.append((i, result))
    return misses[0]
