"""What a JSON request body holds that json.loads reads wrongly or not at all, with each place.

json.loads keeps the last of a key given twice in one object (`"victim_category": "standard",
"victim_category": "enhanced"` was scored as enhanced, and nobody was told), and refuses a whole
number of more digits than Python turns into an int (4,300 by default: the body was answered
"could not be read as JSON", naming nothing). `problems` reads a body as JSON readers do, and
lists each such place as a (field, message) pair, the field a path as the 422's other details
give it (`context.victim_category`, `decisions.2.urn`; `body` for the body itself). The API
refuses a body with any (api/errors.py, `StrictJson`) before its fields are checked, as it
refuses a body that is not JSON at all: a letter file's front matter refuses a field given
twice the same way (vcl_qa/engine/letter.py).
"""
from __future__ import annotations

import json
import sys
from typing import Any


class _TooLong:
    """Where a number too long to read stood: how many digits it has."""

    __slots__ = ("digits",)

    def __init__(self, digits: int):
        self.digits = digits


class _Object(dict):
    """A JSON object with a key given more than once: each such key, and how many times."""

    __slots__ = ("repeated",)


class _Reading:
    def __init__(self) -> None:
        self.found = False  # anything to report (else the value is not walked)

    def number(self, digits: str) -> Any:
        try:
            return int(digits)
        except ValueError:  # over sys.get_int_max_str_digits() (PYTHONINTMAXSTRDIGITS)
            self.found = True
            return _TooLong(len(digits.lstrip("-")))

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict:
        out = dict(pairs)
        if len(out) == len(pairs):
            return out
        self.found = True
        counts: dict[str, int] = {}
        for key, _ in pairs:
            counts[key] = counts.get(key, 0) + 1
        repeated = _Object(out)
        repeated.repeated = {k: n for k, n in counts.items() if n > 1}
        return repeated


def problems(body: bytes) -> list[tuple[str, str]]:
    """Every key given twice in one object, and every number too long to read, in a JSON body,
    as (field, message), object by object in the order they stand. [] for a body with none, and
    for one that is not JSON (the API's own reading says what is wrong with that)."""
    reading = _Reading()
    try:
        value = json.loads(body, object_pairs_hook=reading.pairs, parse_int=reading.number)
    except (ValueError, RecursionError):  # not JSON, not UTF-8/16/32, nested too deeply
        return []
    return _walk(value) if reading.found else []


def _walk(value: Any) -> list[tuple[str, str]]:
    """The problems in a value read by `_Reading`, each with its path. Not recursive: a body
    may nest lists up to the reader's own depth, near Python's recursion limit."""
    out: list[tuple[str, str]] = []
    stack: list[tuple[tuple, Any]] = [((), value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, _TooLong):
            out.append((_path(path), f"is a number {item.digits:,} digits long, too long to read (the most is "
                                     f"{_most_digits():,} digits); no field takes a number anywhere near that long"))
        elif isinstance(item, dict):
            for key, times in getattr(item, "repeated", {}).items():
                twice = "twice" if times == 2 else f"{times} times"
                out.append((_path((*path, key)), f"is given {twice} in the same object: keep only the one you mean"))
            stack.extend(((*path, k), v) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(item))))
    return out


def _path(parts: tuple) -> str:
    return ".".join(str(p) for p in parts) or "body"


def _most_digits() -> int:
    return sys.get_int_max_str_digits()
