"""Per-process memos of what depends on a piece of text alone, that keep no long text.

A hostile letter (one run-on "sentence" of 100,000 characters) must not be kept as a key, over
and over: every memo here works out a text longer than its limit each time instead of keeping
it (bench/bench_hostile.py: a stream of such letters grows the process by about 1 MB).
"""
from __future__ import annotations

from functools import lru_cache, wraps
from typing import Callable, TypeVar

T = TypeVar("T")

# The longest window of sentences, or sentence, kept by the engine's memos (concepts.py,
# suggest.py, classifier.py); a letter's sentences are far shorter.
LONGEST_KEPT = 3_000


def keep_short(maxsize: int, longest: int) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """`lru_cache(maxsize)` for a function of one text, bypassed for texts over `longest`."""
    def wrap(func: Callable[[str], T]) -> Callable[[str], T]:
        cached = lru_cache(maxsize=maxsize)(func)

        @wraps(func)
        def call(text: str) -> T:
            return cached(text) if len(text) <= longest else func(text)

        call.cache_info = cached.cache_info  # type: ignore[attr-defined]
        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call
    return wrap
