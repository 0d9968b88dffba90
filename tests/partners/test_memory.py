"""What bot/memory.py asks of glibc's malloc holds: many threads share the capped arenas, and big blocks freed leave
the process (glibc only).

Here with the partner tests because the fuzzy lookups' memory (issue 6) is what it was measured on.
"""

from __future__ import annotations

import platform
import subprocess
import sys

import numpy as np
import pytest

from bot.memory import Int8Rows

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc arenas are glibc's")

ARENAS_AFTER_THREADS = """
import ctypes, os, re, sys, tempfile, threading
from bot.memory import cap_malloc_arenas
if sys.argv[1] == "capped":
    assert cap_malloc_arenas(2)
def work():
    kept = [bytearray(4096) for _ in range(100)]  # above pymalloc's 512 bytes: malloc itself
    barrier.wait()
barrier = threading.Barrier(12)
threads = [threading.Thread(target=work) for _ in range(12)]
for thread in threads: thread.start()
for thread in threads: thread.join()
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
path = os.path.join(tempfile.mkdtemp(), "malloc_info.xml")
out = ctypes.c_void_p(libc.fopen(path.encode(), b"w"))
libc.malloc_info(0, out)
libc.fclose(out)
print(len(re.findall('<heap nr=', open(path).read())))
"""


def arenas(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", ARENAS_AFTER_THREADS, mode], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


def test_threads_share_the_capped_arenas() -> None:
    assert arenas("capped") <= 2
    assert arenas("default") > 2  # without the cap, these threads do make more


HELD_AFTER_FREE = """
import sys
from bot.memory import fix_mmap_threshold
if sys.argv[1] == "fixed":
    assert fix_mmap_threshold()
def rss_mb():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 >> 20
first = bytearray(8 << 20)
del first  # freeing a mapped block: glibc's own threshold rises to 8 MB
base = rss_mb()
blocks = [bytearray(1 << 20) for _ in range(64)]
above = [bytearray(1000) for _ in range(100)]  # small blocks above them: the heap's top cannot shrink
del blocks
print(rss_mb() - base)
"""


def held_after_free(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", HELD_AFTER_FREE, mode], capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_big_blocks_freed_leave_the_process_with_the_threshold_fixed() -> None:
    assert held_after_free("fixed") < 8
    assert held_after_free("default") > 48  # without it, glibc keeps the 64 MB in its heap


def _unit_rows(n: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, 512)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_int8_rows_give_float32_products_to_within_rounding() -> None:
    rows = _unit_rows(300, 1)  # not a multiple of the chunk: the last chunk is short
    rows[7] = 0  # a row of zeros stays zeros
    packed = Int8Rows(rows)
    others = _unit_rows(3, 2)
    assert packed.nbytes < rows.nbytes / 3
    assert np.abs(packed @ others[0] - rows @ others[0]).max() < 2e-3
    assert np.abs(packed @ others.T - rows @ others.T).max() < 2e-3
    assert (packed @ others.T).shape == (300, 3)
    assert np.abs(packed[[3, 299]] - rows[[3, 299]]).max() < 2e-3
    mask = np.zeros(300, bool)
    mask[[0, 7]] = True
    assert np.array_equal(packed[mask][1], np.zeros(512, np.float32))


def test_no_int8_rows_give_empty_products() -> None:
    packed = Int8Rows(np.zeros((0, 512), np.float32))
    assert len(packed) == 0
    assert (packed @ np.ones(512, np.float32)).shape == (0,)
    assert packed[[]].shape == (0, 512)


def test_int8_rows_encoded_a_chunk_at_a_time_are_the_rows_packed_at_once() -> None:
    rows = _unit_rows(300, 3)
    texts = [str(i) for i in range(300)]
    asked: list[int] = []
    seen: list[tuple[slice, np.ndarray]] = []

    def encode(chunk: list[str]) -> np.ndarray:
        asked.append(len(chunk))
        return rows[[int(text) for text in chunk]]

    packed = Int8Rows.encoded(encode, texts, 512, seen=lambda at, vectors: seen.append((at, vectors.copy())))
    assert max(asked) == Int8Rows.CHUNK and sum(asked) == 300  # never all texts at once
    assert np.array_equal(packed[np.arange(300)], Int8Rows(rows)[np.arange(300)])
    assert all(np.array_equal(rows[at], vectors) for at, vectors in seen) and sum(len(v) for _, v in seen) == 300
    assert len(Int8Rows.encoded(encode, [], 512)) == 0


def test_int8_rows_refuse_fewer_rows_than_announced() -> None:
    with pytest.raises(ValueError, match="2 rows given for 3"):
        Int8Rows.encoded(lambda chunk: np.ones((2, 4), np.float32), ["a", "b", "c"], 4)
