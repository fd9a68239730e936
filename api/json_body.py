"""What a JSON request body holds that json.loads reads wrongly or not at all, with each place.

json.loads keeps the last of a key given twice in one object (`"victim_category": "standard",
"victim_category": "enhanced"` was scored as enhanced, and nobody was told), and refuses a whole
number of more digits than Python turns into an int (4,300 by default: the body was answered
"could not be read as JSON", naming nothing). `problems` reads a body as JSON readers do, and
lists each such place as a (field, message) pair, the field a path as the 422's other details
give it (`context.victim_category`, `decisions.2.urn`; `body` for the body itself). The API
refuses a body with any (api/errors.py, `StrictJson`) before its fields are checked, as it
refuses a body that is not JSON at all: a letter file's front matter refuses a field given
twice the same way (vcl_qa/engine/letter.py). Only the first few places are named (the answer
names at most 50, api/errors.py), and all are counted.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from itertools import islice
from operator import itemgetter
from typing import Any, Iterator


class _TooLong:
    """Where a number too long to read stood: how many digits it has."""

    __slots__ = ("digits",)

    def __init__(self, digits: int):
        self.digits = digits


class _Object(dict):
    """A JSON object with a key given more than once: each such key, and how many times."""

    __slots__ = ("repeated",)


# A reported place is cut after this many characters (the error answer cuts it shorter still).
LONGEST_PATH = 1000


class _Reading:
    def __init__(self) -> None:
        self.total = 0  # problems found while reading (the value is walked only when there are any)

    def number(self, digits: str) -> Any:
        try:
            return int(digits)
        except ValueError:  # over sys.get_int_max_str_digits() (PYTHONINTMAXSTRDIGITS)
            self.total += 1
            return _TooLong(len(digits.lstrip("-")))

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict:
        out = dict(pairs)
        if len(out) == len(pairs):
            return out
        counts = Counter(map(itemgetter(0), pairs))  # in the order keys first stand
        repeated = _Object(out)
        repeated.repeated = {k: n for k, n in counts.items() if n > 1}
        self.total += len(repeated.repeated)
        return repeated


def problems(body: bytes, most: int = 50) -> tuple[list[tuple[str, str]], int]:
    """The first `most` keys given twice in one object and numbers too long to read in a JSON
    body, as (field, message) object by object in the order they stand, and how many there are
    in all. ([], 0) for a body with none, and for one that is not JSON (the API's own reading
    says what is wrong with that). The work is in proportion to the body, whatever its shape:
    a path is put together only for a problem reported (review: 150,000 repeated keys 900
    objects deep each built its whole path, 12.7 s and 2 GB for 3.1 MB)."""
    reading = _Reading()
    try:
        value = json.loads(body, object_pairs_hook=reading.pairs, parse_int=reading.number)
    except (ValueError, RecursionError):  # not JSON, not UTF-8/16/32, nested too deeply
        return [], 0
    return (_walk(value, most) if reading.total else []), reading.total


def _walk(value: Any, most: int) -> list[tuple[str, str]]:
    """The first `most` problems in a value read by `_Reading`, each with its path, in the order
    they stand. Not recursive: a body may nest lists up to the reader's own depth, near Python's
    recursion limit. Each item carries its place as (its parent's place, its key), never a copy
    of the path, and an object's items are taken one at a time, so the walk stops as soon as it
    has found `most`, at any depth and however many items there are."""
    out: list[tuple[str, str]] = []
    stack = [iter([(None, value)])]  # per object or list being walked: its (place, item) still to come
    while stack and len(out) < most:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            continue
        place, item = step
        if isinstance(item, _TooLong):
            out.append((_path(place), f"is a number {item.digits:,} digits long, too long to read (the most is "
                                      f"{_most_digits():,} digits); no field takes a number anywhere near that long"))
        elif isinstance(item, (dict, list)):
            for key, times in islice(getattr(item, "repeated", {}).items(), most - len(out)):
                twice = "twice" if times == 2 else f"{times} times"
                out.append((_path((place, key)), f"is given {twice} in the same object: keep only the one you mean"))
            stack.append(_items(place, item))
    return out


def _items(place: tuple | None, item: dict | list) -> Iterator[tuple[tuple, Any]]:
    pairs = item.items() if isinstance(item, dict) else enumerate(item)
    return (((place, key), value) for key, value in pairs)


def _path(place: tuple | None) -> str:
    """A place as the 422's other details give it (`decisions.2.urn`; `body` for the body
    itself), cut after LONGEST_PATH characters: a key may be long, and a body nest deep."""
    parts = []
    while place is not None:
        place, key = place
        parts.append(key)
    out, size = [], 0
    for key in reversed(parts):
        out.append(str(key)[:LONGEST_PATH])
        size += len(out[-1]) + 1
        if size > LONGEST_PATH:
            return ".".join(out)[:LONGEST_PATH].rstrip(".") + "..."
    return ".".join(out) or "body"


def _most_digits() -> int:
    return sys.get_int_max_str_digits()
