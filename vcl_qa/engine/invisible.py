"""Characters nobody sees, and letters typed in two pieces, made plain before a letter is read;
every offset put back into the letter as written after.

Text pasted from Word or the web can carry characters that show nothing: a soft hyphen, a
zero-width space or joiner, a word joiner, a byte-order mark. Inside a word they split it for
the checks ("fai\u200cled" is not "failed"), so a letter could read "You failed to attend" and
raise nothing. And a letter can be typed as a letter and a combining accent ("e" + U+0308, as
some systems export "ë"), which then does not match the same name typed in one piece. The
engine scores the letter with the first left out and the second composed (Unicode NFC); the
findings' places are then put back into the letter as written (`map_back`), so a page, the Word
download and a one-click replacement all work on the stored text (a replacement drops any such
character in the words it replaces).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from vcl_qa.engine.result import Result

# Soft hyphen, zero-width space, zero-width non-joiner, zero-width joiner, word joiner, BOM.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_ANY = re.compile(f"[{INVISIBLE}]")


@dataclass
class Places:
    """For each character of the plain text, where it comes from in the letter as written:
    `starts[i]` to `ends[i]` (a composed character spans the letter and its accents)."""
    starts: list[int]
    ends: list[int]


def plain(text: str) -> tuple[str, Places | None]:
    """The text without invisible characters and composed (NFC), and where each of its
    characters is in `text`; (text, None) when it has neither."""
    if not _ANY.search(text) and unicodedata.is_normalized("NFC", text):
        return text, None
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] in INVISIBLE:
            i += 1
            continue
        j = i + 1  # a character and the accents that go with it
        while j < n and text[j] not in INVISIBLE and unicodedata.combining(text[j]):
            j += 1
        piece = text[i:j]
        if not piece.isascii():
            piece = unicodedata.normalize("NFC", piece)
        out.append(piece)
        starts += [i] * len(piece)
        ends += [j] * len(piece)
        i = j
    return "".join(out), Places(starts, ends)


def map_back(result: Result, places: Places, original: str) -> None:
    """Offsets in the plain text (`plain`) made offsets in `original`, in place."""
    size = len(places.starts)

    def start(i: int) -> int:
        return places.starts[i] if i < size else len(original)

    def end(i: int, lo: int) -> int:
        return max(lo, places.ends[i - 1]) if i > 0 else lo  # not taking in one just after the words

    for f in result.findings:
        if f.start is not None:
            f.start = start(f.start)
            if f.end is not None:
                f.end = end(f.end, f.start)
                if f.text is not None:
                    f.text = original[f.start:f.end]
            f.column = f.start - (original.rfind("\n", 0, f.start) + 1) + 1  # lines are unchanged
        if f.replace_start is not None and f.replace_end is not None:
            f.replace_start = start(f.replace_start)
            f.replace_end = end(f.replace_end, f.replace_start)
