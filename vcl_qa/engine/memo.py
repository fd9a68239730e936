"""Per-process memos of what depends on a piece of text alone, that keep no long text.

A hostile letter (one run-on "sentence" of 100,000 characters) must not be kept as a key, over
and over: every memo here works out a text longer than its limit each time instead of keeping
it (bench/bench_hostile.py: a stream of such letters grows the process by about 1 MB).

Nor may a stream of ordinary-sized letters of words never met before grow the process without
end: every memo is bounded by the characters of text it keeps as well as by its entries, and is
emptied when it would pass either (`TextMemo`); the answers are worked out again after that,
the same as before (tests/test_memo_bounds.py adds up every memo's bound).
"""
from __future__ import annotations

from functools import wraps
from types import SimpleNamespace
from typing import Any, Callable, TypeVar

T = TypeVar("T")

# The longest window of sentences, or sentence, kept by the engine's memos (concepts.py,
# suggest.py, classifier.py); a letter's sentences are far shorter.
LONGEST_KEPT = 3_000


class TextMemo(dict):
    """Answers kept by text: emptied when it would hold more than `most` entries or more than
    `chars` characters of text in its keys (a key's text is its `size`)."""

    def __init__(self, most: int, chars: int):
        super().__init__()
        self.most, self.chars, self.held = most, chars, 0

    def put(self, key: Any, value: Any, size: int) -> None:
        if len(self) >= self.most or self.held + size > self.chars:
            self.clear()
        self[key] = value
        self.held += size

    def clear(self) -> None:
        super().clear()
        self.held = 0


def keep_short(maxsize: int, longest: int, chars: int | None = None) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """A memo of a function of one text, of at most `maxsize` texts and `chars` characters
    (default: `maxsize` texts of a tenth of `longest`), bypassed for texts over `longest`."""
    def wrap(func: Callable[[str], T]) -> Callable[[str], T]:
        memo = TextMemo(maxsize, chars if chars is not None else max(maxsize * longest // 10, longest))
        hits = [0, 0]

        @wraps(func)
        def call(text: str) -> T:
            found = memo.get(text, memo)  # one call: another thread may empty the memo
            if found is not memo:
                hits[0] += 1
                return found
            hits[1] += 1
            value = func(text)
            if len(text) <= longest:
                memo.put(text, value, len(text))
            return value

        call.cache_info = lambda: SimpleNamespace(hits=hits[0], misses=hits[1], currsize=len(memo),  # type: ignore[attr-defined]
                                                  maxsize=maxsize, chars=memo.held)
        call.cache_clear = memo.clear  # type: ignore[attr-defined]
        call.memo = memo  # type: ignore[attr-defined]
        return call
    return wrap
