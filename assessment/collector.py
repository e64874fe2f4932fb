"""Python's cyclic garbage collector paused around work that makes many objects at once (docs/performance.md).

A PDF render (WeasyPrint's boxes and styles) or a rescoring chunk (model rows, cards, answers) allocates
hundreds of thousands of objects in one go, so the collector runs its young collections hundreds of times and
its full ones, each walking the whole heap (Django, fonts, caches): 12–22 % of a report's CPU, a third of a
rescore's. Reference counting still frees almost everything as it goes; the few cycles left are collected by
the first young collection after the collector is back on (peak memory did not move). Process-wide: with
threads, the collector comes back when the work that paused it ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
