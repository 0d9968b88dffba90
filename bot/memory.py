"""How the long-running bot asks the C allocator to hold its memory (glibc's malloc, on Linux)."""

from __future__ import annotations

import ctypes
import platform

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


def release_free_memory() -> bool:
    """Hand the C heap's free pages back to the system (glibc's malloc_trim); False where the C library is not glibc.

    A burst of temporary objects (loading a model) leaves freed memory that glibc keeps for later and RSS still counts.
    """
    if platform.libc_ver()[0] != "glibc":
        return False
    return bool(ctypes.CDLL(None).malloc_trim(0))
