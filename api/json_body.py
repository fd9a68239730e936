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

json.loads also reads NaN, Infinity and -Infinity, which are not JSON (RFC 8259 has no such
values): `"letter_id": NaN` was answered "'nan' is not a whole number", and a policy's NaN share
"must be 1.0 or less", as if the client had sent a number. `problems` raises `NotJson` for them,
and the API answers 400 malformed_json, as for any body that is not JSON, naming the word and its
line and column. `syntax_problem` says where and why a body is not JSON in the same words.
"""
from __future__ import annotations

import json
import re
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


class NotJson(ValueError):
    """A body that JSON readers read, but that is not JSON: the message says where and why
    ("line 1, column 14: NaN is not a JSON value ...")."""


class _Constant(Exception):
    """Raised from json.loads on NaN, Infinity or -Infinity: the word found."""

    def __init__(self, word: str):
        super().__init__(word)
        self.word = word


def _refuse_constant(word: str) -> Any:
    raise _Constant(word)


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
        value = json.loads(body, object_pairs_hook=reading.pairs, parse_int=reading.number,
                           parse_constant=_refuse_constant)
    except _Constant as found:  # the first, in the order they stand
        raise NotJson(_constant_problem(body, found.word)) from None
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


# A JSON text in double quotes (the body has been read up to the word looked for, so each is
# whole), or one of the words json.loads reads that are not JSON.
_STRING_OR_CONSTANT = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|(NaN|-?Infinity)', re.S)


def _constant_problem(body: bytes, word: str) -> str:
    """Where the first NaN, Infinity or -Infinity stands in `body`, and what to send instead."""
    doc = body.decode(json.detect_encoding(body), "surrogatepass")  # as json.loads decodes it
    found = next((m for m in _STRING_OR_CONSTANT.finditer(doc) if m.group(1)), None)
    where = f"{_line_column(doc, found.start())}: " if found else ""
    return (f"{where}{word} is not a JSON value (JSON has no NaN, Infinity or -Infinity): send a number, "
            "written in digits")


def _line_column(doc: str, pos: int) -> str:
    """A place in the body as an editor gives it, as the json module counts (from 1; a line ends at \\n)."""
    return f"line {doc.count(chr(10), 0, pos) + 1:,}, column {pos - doc.rfind(chr(10), 0, pos):,}"


_JSON_SPACE = " \t\n\r"
_STRUCTURE = '{}[],:"'
_TRAILING_COMMA = ("a comma with nothing after it before the closing {closing}: take the comma out (JSON has no "
                   "comma after the last item)")


def _found(doc: str, pos: int) -> str:
    """What stands at `pos`, quoted: one character of JSON's own, else the word there (at most 20)."""
    if pos >= len(doc):
        return "the end of the body"
    if doc[pos] in _STRUCTURE:
        return f"'{doc[pos]}'"
    end = pos
    while end < len(doc) and end - pos < 20 and doc[end] not in _STRUCTURE and doc[end] not in _JSON_SPACE:
        end += 1
    return f"'{doc[pos:max(end, pos + 1)]}'"


def syntax_problem(doc: str, pos: int, reason: str) -> str:
    """Where and why `doc` is not JSON, in words: "line 1, column 16: a comma with nothing after
    it before the closing }: take the comma out". `pos` and `reason` are the json module's
    (JSONDecodeError .pos and .msg). Its words say what the reader expected ("Expecting property
    name enclosed in double quotes"), not the slip that a person made (a comma after the last
    field), so the common slips are said as such, at the place to mend (the comma, not the } after
    it); any other reason is given in the json module's words."""
    pos = max(0, min(pos, len(doc)))
    here = doc[pos:pos + 1]
    last = len(doc[:pos].rstrip(_JSON_SPACE)) - 1  # the character before, spaces left out
    before = doc[last] if last >= 0 else ""
    at, ended = pos, pos >= len(doc.rstrip(_JSON_SPACE))
    if reason.startswith("Illegal trailing comma"):  # Python 3.13's words, at the comma
        what = _TRAILING_COMMA.format(closing="}" if "object" in reason else "]")
    elif reason.startswith(("Expecting property name", "Expecting value")) and before == "," and here in ("}", "]"):
        at = last
        what = _TRAILING_COMMA.format(closing=here)
    elif ended and reason.startswith("Expecting"):
        what = "the body ends here, before the JSON is complete (is it cut short?)"
    elif reason.startswith("Expecting property name"):
        what = ("a field name in single quotes: JSON takes double quotes (\"name\")" if here == "'" else
                f"expected a field name in double quotes (\"name\"), found {_found(doc, pos)}")
    elif reason.startswith("Expecting value"):
        what = ("expected a value (text in double quotes, a number, true, false, null, a list [...] or an "
                f"object {{...}}), found {_found(doc, pos)}")
    elif reason.startswith("Expecting ':'"):
        what = f"expected a colon (:) after the field name, found {_found(doc, pos)}"
    elif reason.startswith("Expecting ','"):
        what = f"expected a comma (,) before the next item, or the end of the list or object, found {_found(doc, pos)}"
        if before == '"' and here not in _STRUCTURE + _JSON_SPACE:  # "he said "hi"": a word after the text
            what += ' (a double quote inside text is written \\")'
    elif reason.startswith("Unterminated string"):
        what = "text in double quotes starts here and has no closing \" (is the body cut short?)"
    elif reason.startswith("Invalid control character"):
        if here in ("\n", "\r"):
            what = "a line break inside text in double quotes: write it as \\n"
        elif here == "\t":
            what = "a tab inside text in double quotes: write it as \\t"
        else:
            what = (f"a control character (U+{ord(here or chr(0)):04X}) inside text in double quotes: write it "
                    f"as \\u{ord(here or chr(0)):04x}")
    elif reason.startswith("Invalid \\uXXXX"):
        at = pos - 1 if pos and doc[pos - 1] == "\\" else pos
        what = "\\u must be followed by four hexadecimal digits (0 to 9, a to f), such as \\u00e9"
    elif reason.startswith("Invalid \\escape"):
        what = (f"'{doc[pos:pos + 2]}' is not an escape JSON has (\\n, \\t, \\\", \\\\, \\/, \\b, \\f, \\r, "
                "\\uXXXX): write a backslash itself as \\\\")
    elif reason.startswith("Extra data"):
        what = f"more after the end of the JSON value, starting {_found(doc, pos)}: send one JSON object"
    else:
        what = reason[:1].lower() + reason[1:]
    return f"{_line_column(doc, at)}: {what}"
