"""Give freed heap memory back to the operating system after large transient allocations.

Parsing and summarising millions of rows allocate and free many arrays of tens of megabytes;
glibc keeps much of that freed memory in its heap, where it still counts as the process's
memory. ``malloc_trim(0)`` returns it. Elsewhere (not glibc) this is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.cache
def _malloc_trim():
    try:
        library = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = library.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> None:
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
