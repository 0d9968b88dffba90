"""How the long-running bot holds its memory: what it asks of the C allocator (glibc's malloc, on Linux), and compact
containers for the data it keeps for its whole life."""

from __future__ import annotations

import ctypes
import mmap
import platform
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import accumulate

import numpy as np

M_ARENA_MAX = -8
"""mallopt parameter number of the arena cap, from glibc's malloc.h."""

ARENA_MAX = 2
"""malloc arenas for the whole process, instead of glibc's up to 8 per core."""


def cap_malloc_arenas(arenas: int = ARENA_MAX) -> bool:
    """Make the threads share `arenas` malloc arenas; False where the C library is not glibc.

    glibc gives a thread that finds the arenas busy a new one, up to 8 per core (16 on a 2-core host,
    for 32 waitress threads and 16 listener workers), and each arena keeps the high-water mark of the
    work done in it. Python threads hold the GIL while they allocate, so more arenas buy little speed.
    Call it before the threads start: arenas glibc has made stay.
    """
    if platform.libc_ver()[0] != "glibc":
        return False
    return bool(ctypes.CDLL(None).mallopt(M_ARENA_MAX, arenas))


M_MMAP_THRESHOLD = -3
"""mallopt parameter number of the size from which a block gets its own mapping, from glibc's malloc.h."""

MMAP_THRESHOLD = 128 * 1024
"""glibc's own starting value, kept fixed."""


def fix_mmap_threshold(size: int = MMAP_THRESHOLD) -> bool:
    """Give every block of `size` bytes or more its own mapping, for good; False where the C library is not glibc.

    glibc raises the threshold each time such a block is freed, up to 32 MB, so that later big blocks (numpy's
    arrays of a question's words, a page of query results) come from the heap, where freeing them leaves holes
    that RSS still counts: 4 to 5 MB more in the memory benchmark. With the threshold fixed they are unmapped when
    freed. Call it before the work starts.
    """
    if platform.libc_ver()[0] != "glibc":
        return False
    return bool(ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, size))


def release_free_memory() -> bool:
    """Hand the C heap's free pages back to the system (glibc's malloc_trim); False where the C library is not glibc.

    A burst of temporary objects (loading a model) leaves freed memory that glibc keeps for later and RSS still counts.
    """
    if platform.libc_ver()[0] != "glibc":
        return False
    return bool(ctypes.CDLL(None).malloc_trim(0))


class PackedCounts(Mapping[str, int]):
    """Word → count, packed: the words in one string, their hashes, ends and counts in arrays.

    As dicts, the 78,000 words of both languages took 9 MB of small objects for the life of the bot; packed, 2 MB.
    A lookup finds the word's hash by binary search, then compares the word itself.
    """

    def __init__(self, counts: Mapping[str, int]) -> None:
        words = sorted(counts, key=hash)
        self._hashes = array("q", map(hash, words))
        self._text = "".join(words)
        self._ends = array("q", accumulate(map(len, words)))
        self._counts = array("q", (counts[word] for word in words))

    def _word(self, i: int) -> str:
        return self._text[self._ends[i - 1] if i else 0 : self._ends[i]]

    def _find(self, word: str) -> int:
        """The word's place, or -1."""
        key = hash(word)
        i = bisect_left(self._hashes, key)
        while i < len(self._hashes) and self._hashes[i] == key:
            if self._word(i) == word:
                return i
            i += 1
        return -1

    def __getitem__(self, word: str) -> int:
        i = self._find(word)
        if i < 0:
            raise KeyError(word)
        return self._counts[i]

    def get(self, word: str, default: int = 0) -> int:  # type: ignore[override]
        i = self._find(word)
        return self._counts[i] if i >= 0 else default

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._find(word) >= 0

    def __len__(self) -> int:
        return len(self._hashes)

    def __iter__(self) -> Iterator[str]:
        return (self._word(i) for i in range(len(self)))

    def total(self) -> int:
        """The sum of the counts."""
        return sum(self._counts)


class MappedRows:
    """Rows of a table found by sorted 64-bit keys: the keys in memory, the rows on disk, mapped and read on demand."""

    def __init__(self, keys: np.ndarray, rows: np.ndarray, mapping: mmap.mmap | None) -> None:
        self._keys, self._rows, self._mapping = keys, rows, mapping

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positions in `keys` of those the table holds, in order, and their rows."""
        if not len(self._keys):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        rows = np.minimum(self._keys.searchsorted(keys), len(self._keys) - 1)
        found = (self._keys[rows] == keys).nonzero()[0]
        return found, rows[found]

    def rows_of(self, rows: np.ndarray) -> np.ndarray:
        """These rows, as float32."""
        try:
            return self._rows[rows].astype(np.float32)
        finally:
            if self._mapping is not None:
                # The rows read stay in the page cache for the next index, but leave this process's RSS (6 MB).
                self._mapping.madvise(mmap.MADV_DONTNEED)


class Int8Rows:
    """Rows of unit vectors held as int8, one scale per row: a quarter of float32's memory, dot products within 0.002.

    The knowledge's sentence vectors (5,000 texts) took 12 MB as float32. A product converts `CHUNK` rows at a time
    into a buffer small enough for the heap (a bigger temporary would be mapped and unmapped at each call) and costs
    some 0.6 ms more than float32's for those 5,000 rows.
    """

    CHUNK = 64

    def __init__(self, rows: np.ndarray) -> None:
        # a chunk at a time: no temporary as big as `rows`
        self._fill((rows[first : first + self.CHUNK] for first in range(0, len(rows), self.CHUNK)), rows.shape)

    @classmethod
    def encoded(
        cls,
        encode: Callable[[list[str]], np.ndarray],
        texts: list[str],
        dim: int,
        *,
        seen: Callable[[slice, np.ndarray], object] | None = None,
    ) -> Int8Rows:
        """The vectors `encode` gives `texts`, asked CHUNK texts at a time, so that no float32 copy of them all
        exists at once; `seen` gets each chunk with its place.

        Building the knowledge's index from one float32 copy of its 5,000 vectors (and another of the shipped ones)
        raised the bot's peak memory by 20 MB at start, and again each time an entry added in Slack rebuilt it.
        """

        def chunks() -> Iterator[np.ndarray]:
            for first in range(0, len(texts), cls.CHUNK):
                chunk = encode(texts[first : first + cls.CHUNK])
                if seen is not None:
                    seen(slice(first, first + len(chunk)), chunk)
                yield chunk

        made = cls.__new__(cls)
        made._fill(chunks(), (len(texts), dim))
        return made

    def _fill(self, chunks: Iterable[np.ndarray], shape: tuple[int, ...]) -> None:
        self._codes: np.ndarray = np.empty(shape, np.int8)
        self._scale: np.ndarray = np.empty(shape[0], np.float32)
        first = 0
        for chunk in chunks:
            scale = np.abs(chunk).max(axis=1, initial=0.0) / 127
            scale[scale == 0] = 1.0
            self._codes[first : first + len(chunk)] = np.round(chunk / scale[:, None])
            self._scale[first : first + len(chunk)] = scale
            first += len(chunk)
        if first != shape[0]:
            raise ValueError(f"{first} rows given for {shape[0]}")

    def __len__(self) -> int:
        return len(self._codes)

    @property
    def nbytes(self) -> int:
        """The memory the rows take."""
        return int(self._codes.nbytes + self._scale.nbytes)

    def __getitem__(self, rows: np.ndarray | list[int]) -> np.ndarray:
        """These rows (positions or a mask), as float32."""
        return self._codes[rows] * self._scale[rows, None]

    def __matmul__(self, other: np.ndarray) -> np.ndarray:
        """The rows times `other`, (dim,) or (dim, k), as float32 would give them to within rounding."""
        out = np.empty((len(self), *other.shape[1:]), np.float32)
        buffer = np.empty((min(self.CHUNK, len(self)), self._codes.shape[-1]), np.float32)
        for first in range(0, len(self), self.CHUNK):
            codes = self._codes[first : first + self.CHUNK]
            np.copyto(buffer[: len(codes)], codes, casting="unsafe")
            np.matmul(buffer[: len(codes)], other, out=out[first : first + len(codes)])
        return out * (self._scale if other.ndim == 1 else self._scale[:, None])
