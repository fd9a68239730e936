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

Letters and digits typed in compatibility forms are read as the letters they stand for, as
Unicode's NFKC would read them: full-width forms ("\uff24\uff45\uff41\uff52 \uff2d\uff53"), the
mathematical bold and italic letters social media posts are written in, ligatures ("\ufb01"),
circled, superscript and subscript letters and digits, and the like (`COMPATIBILITY`). A
character may stand for more than one ("\ufb01" for "fi"); each of them is placed at it.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from vcl_qa.engine.fastsearch import CASE_TRAPS
from vcl_qa.engine.result import Result

# Characters that show nothing, left out wherever they are: soft hyphen; zero-width space,
# non-joiner and joiner; the left-to-right, right-to-left and Arabic letter marks (they move no
# Latin letter: "Oka\u200ffor" shows as "Okafor"); word joiner and the invisible operators;
# the deprecated format controls; the byte-order mark; the combining grapheme joiner; variation
# selectors (an emoji's "\ufe0f" too: the checks lose nothing by it); the Mongolian and Khmer
# invisible marks; Hangul fillers (drawn as blank, no wider than nothing in a word); the
# interlinear annotation marks; musical format marks; tag characters. And the control characters
# (NUL, BEL, DEL, the C1 controls, U+0085 with them: no page or Word document shows them as a
# break), but not tab, line feed, carriage return, vertical tab or form feed, which stand
# between words (vertical tab and form feed read as line feeds: LINE_BREAKS). Not the
# right-to-left embedding, override and isolate controls (U+202A-202E,
# U+2066-2069): they change the order words are shown in, and a check reads them
# (content.hidden_order). Found in a review: each of these inside "failed" hid "You failed to
# attend court" from the checks, and inside a name kept it from the panel's anonymised copy.
INVISIBLE_BMP = (
    "\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u2060-\u2064\u206a-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb")
INVISIBLE_RANGES = INVISIBLE_BMP + "\U0001d173-\U0001d17a\U000e0000-\U000e007f\U000e0100-\U000e01ef"
_PRIVATE = "\ue000-\uf8ff\U000f0000-\U0010fffd"
# A quick look first, as fast as a class of the few first found: the characters of the
# Basic Multilingual Plane, and any beyond it (an emoji too: then the slow look).
_ANY = re.compile(f"[{INVISIBLE_BMP}\ue000-\uf8ff\U00010000-\U0010ffff]")
_INVISIBLE = re.compile(f"[{INVISIBLE_RANGES}]")
_ASCII_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f]")  # (the ones of INVISIBLE_BMP in ASCII)
_PRIVATE_IN_WORD = re.compile(f"(?<=\\w)[{_PRIVATE}]+(?=\\w)")
# Private-use characters (a symbol font's glyphs: Word's "\uf0b7" bullet) are left out only
# inside a word, where they show as nothing or a box and split it for the checks; a bullet
# before a list item stays as it is.

# Letters of other alphabets drawn like Latin ones ("Sio\u0431han" is not it, but "Si\u043ebhan"
# with a Cyrillic o looks exactly like "Siobhan"), read as the Latin letter inside a word that
# has Latin letters too (a word wholly in Cyrillic or Greek stays as it is). One character for
# one. (Full-width forms, "\uff44\uff49\uff53\uff43\uff4f\uff4e\uff54\uff49\uff4e\uff55\uff45", are
# read with the other compatibility forms below.)
_LOOKALIKES = str.maketrans(
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u0501\u04bb\u0410\u0412\u0415\u041a\u041c\u041d"
    "\u041e\u0420\u0421\u0422\u0425\u0423\u0406\u0408\u0405\u03bf\u039f\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c"
    "\u039d\u03a1\u03a4\u03a5\u03a7\u03b9\u03ba\u03bd",
    "aeopcyxijsdhABEKMHOPCTXYIJSoOABEZHIKMNPTYXikv")
_FOREIGN = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f]")
_MIXED_WORD = re.compile(r"\w*(?:[A-Za-z]\w*[\u0370-\u052f]|[\u0370-\u052f]\w*[A-Za-z])\w*")


def _lookalikes(text: str) -> str:
    """Other alphabets' Latin lookalikes as Latin inside a word with Latin letters; the same
    length as `text`."""
    return _MIXED_WORD.sub(lambda m: m.group().translate(_LOOKALIKES), text)


# Compatibility forms read as what they stand for (their NFKC form), when that is made of plain
# letters, digits, punctuation and symbols of the Latin alphabet: the kinds of form below (a
# font's, full width, circled, superscript ...), found in the Basic Multilingual Plane and the
# planes' mathematical letters, enclosed letters and segmented digits. Left as they were, the
# letters ordinary letters are written with: an accented or Welsh letter (composed by NFC, not
# here), the pound sign, curly quotes; and these forms that stand for more than a letter:
#  - the ellipsis "\u2026" (NFKC's "..." would change where sentences end);
#  - the no-break space and hyphen (`<noBreak>`) and the other characters typography.py makes
#    plain, one for one, after this (a no-break space stays a space a name may not be split at
#    in the panel's copy; "\u2033" stays one double quote): only the full-width ones are read here;
#  - fractions ("\u00bd" is "1\u20442"), spacing accents ("\u00b4" is a space and an accent), and
#    forms of other alphabets (a Greek micro sign, Arabic presentation forms, CJK radicals).
_FORMS = {"<wide>", "<narrow>", "<font>", "<circle>", "<compat>", "<super>", "<sub>", "<square>",
          "<small>", "<vertical>"}
_PLANES = (range(0xA0, 0x10000), range(0x1D400, 0x1D800), range(0x1F100, 0x1F200), range(0x1FBF0, 0x1FC00))


def _plain_latin(ch: str) -> bool:
    o = ord(ch)
    return 0x20 <= o < 0x7F or (0xA0 < o < 0x250 and unicodedata.category(ch)[0] in "LNPS")


def _compatibility() -> dict[int, str]:
    from vcl_qa.engine.typography import TABLE as TYPOGRAPHY

    out: dict[int, str] = {}
    for plane in _PLANES:
        for cp in plane:
            ch = chr(cp)
            form = unicodedata.decomposition(ch).split(" ", 1)[0]
            if form not in _FORMS or ch == "\u2026" or (cp in TYPOGRAPHY and form != "<wide>"):
                continue
            read = unicodedata.normalize("NFKC", ch)
            if read != ch and all(_plain_latin(c) for c in read):
                out[cp] = read
    return out


def _class_of(points: list[int]) -> str:
    """A regular expression character class of the code points (in order), as ranges."""
    parts, i = [], 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        parts.append(re.escape(chr(points[i])) + ("-" + re.escape(chr(points[j])) if j > i else ""))
        i = j + 1
    return "[" + "".join(parts) + "]"


COMPATIBILITY = _compatibility()
# Looked for in two parts: Python's `re` tests a character against a class of characters beyond
# the Basic Multilingual Plane range by range, and against one within it by a table look-up, so
# the one class of both took 90 microseconds a letter with a pound sign or curly quote in it, and
# nearly all of that was the few ranges of the planes above. Those are looked for only in a text
# that has a character from there (`_ANY` finds one, with the invisible ones).
_COMPATIBLE = re.compile(_class_of(sorted(cp for cp in COMPATIBILITY if cp < 0x10000)))
_COMPATIBLE_ABOVE = re.compile(_class_of(sorted(cp for cp in COMPATIBILITY if cp >= 0x10000)))


@dataclass
class Places:
    """For each character of the plain text, where it comes from in the letter as written:
    `starts[i]` to `ends[i]` (a composed character spans the letter and its accents)."""
    starts: list[int]
    ends: list[int]

    def span(self, start: int, end: int, length: int) -> tuple[int, int]:
        """The span [start, end) of the plain text, in the text as written (`length` long): a
        start past the plain text's end is the written text's end; an end takes in the whole of
        the last character it covers and nothing after it."""
        size = len(self.starts)
        a = self.starts[start] if start < size else length
        return a, (max(a, self.ends[min(end, size) - 1]) if end > 0 else a)

    @classmethod
    def crlf(cls, sent: str) -> "Places":
        """The places of a text whose line breaks "\r\n" were made "\n" (each "\n" spans
        both characters as sent)."""
        starts: list[int] = []
        ends: list[int] = []
        i, n = 0, len(sent)
        while i < n:
            j = i + 2 if sent.startswith("\r\n", i) else i + 1
            starts.append(i)
            ends.append(j)
            i = j
        return cls(starts, ends)


# Line breaks other than a line feed, read as one: Word's manual line break (Shift+Enter) and
# page break, vertical tab and form feed in text taken from it, and Unicode's line and paragraph
# separators. Read as spaces, a letter typed with them was one long line: its greeting and
# "Private" heading not found, its address block one 33-word "sentence", and in the panel's
# anonymised copy the town of the victim's address shown (an audit). One character for one.
LINE_BREAKS = "\x0b\x0c\u2028\u2029"
_LINE_BREAK = re.compile(f"[{LINE_BREAKS}]")
_AS_LINE_FEED = str.maketrans({c: "\n" for c in LINE_BREAKS})
# The ASCII characters a letter holds as it should: tab, line feed, carriage return and the
# printable ones. The rest (_ASCII_INVISIBLE, and the vertical tab and form feed) are unusual.
_ASCII_USUAL = b"\t\n\r" + bytes(range(0x20, 0x7F))


def _ascii_unusual(text: str) -> bool:
    """Has an ASCII text an unusual character? Anything left of its bytes with the usual ones
    deleted, in one pass through a table (a tenth of a regular expression's time on a letter)."""
    return bool(text.encode("ascii").translate(None, _ASCII_USUAL))


def line_start(text: str, at: int) -> int:
    """Where the line holding offset `at` starts: after the last line break before it (a line
    feed or one of LINE_BREAKS), else 0."""
    return max(text.rfind(c, 0, at) for c in ("\n", *LINE_BREAKS)) + 1


def _settled_characters() -> str:
    """The characters beyond ASCII that a letter may hold with nothing to make plain, whatever
    stands around them: a pound or euro sign, accented Latin letters typed whole (Welsh "ŵ",
    "ŷ", "ô"), typographic quotes and dashes. Each is a letter, figure, mark or symbol that is
    shown, composed and a starter (no combining mark, and none composes with the character
    before it in these ranges), no compatibility form, lookalike or line break
    (tests/test_invisible.py checks each beside every other and every ASCII character)."""
    kept = []
    for lo, hi in ((0xA1, 0x24F), (0x1E00, 0x1EFF), (0x2010, 0x2027), (0x2030, 0x205E), (0x20A0, 0x20C0)):
        for cp in range(lo, hi + 1):
            c = chr(cp)
            if (unicodedata.category(c)[0] in "LNPS" and unicodedata.combining(c) == 0
                    and not unicodedata.decomposition(c).startswith("<") and unicodedata.is_normalized("NFC", c)
                    and cp not in COMPATIBILITY and c not in CASE_TRAPS  # (İ, ı, ſ: left to the full look)
                    and not (_ANY.search(c) or _FOREIGN.search(c) or _LINE_BREAK.search(c))):
                kept.append(c)
    return "".join(kept)


def plain(text: str) -> tuple[str, Places | None]:
    """The text without invisible characters, composed (NFC), with compatibility forms read as
    what they stand for, lookalike letters read as Latin and other line breaks as line feeds
    (LINE_BREAKS), and where each of its characters is in `text`; (text, None) when it has none
    of them."""
    if text.isascii() and not _ascii_unusual(text):
        return text, None  # (most letters: nothing to fold, and no need to look three times)
    if not _UNSETTLED.search(text):
        # (a letter with a pound sign, an accented name or a curly quote, and nothing else
        # beyond ASCII: one look, not the five of the full one; a letter in six had them)
        return text, None
    out, places = _plain(text)
    if _LINE_BREAK.search(out):
        out = out.translate(_AS_LINE_FEED)
        if places is None:
            places = Places(list(range(len(text))), list(range(1, len(text) + 1)))
    return out, places


def _plain(text: str) -> tuple[str, Places | None]:
    """`plain`, but for LINE_BREAKS."""
    if text.isascii() and not _ASCII_INVISIBLE.search(text):
        return text, None
    gone: set[int] = set()  # where the characters left out are
    unusual = _ANY.search(text) is not None
    if unusual:
        for pattern in (_INVISIBLE, _PRIVATE_IN_WORD):
            for m in pattern.finditer(text):
                gone.update(range(m.start(), m.end()))
    compatible = not text.isascii() and (_COMPATIBLE.search(text) is not None
                                         or (unusual and _COMPATIBLE_ABOVE.search(text) is not None))
    if not gone and not compatible and unicodedata.is_normalized("NFC", text):
        if not _FOREIGN.search(text):
            return text, None
        folded = _lookalikes(text)
        if folded == text:
            return text, None
        return folded, Places(list(range(len(text))), list(range(1, len(text) + 1)))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        if i in gone:
            i += 1
            continue
        j = i + 1  # a character and the accents that go with it
        while j < n and j not in gone and unicodedata.combining(text[j]):
            j += 1
        piece = text[i:j]
        if not piece.isascii():
            if compatible:  # (first: a full-width letter and an accent typed apart compose)
                piece = piece.translate(COMPATIBILITY)
            piece = unicodedata.normalize("NFC", piece)
        out.append(piece)
        starts += [i] * len(piece)
        ends += [j] * len(piece)
        i = j
    joined = "".join(out)
    return (_lookalikes(joined) if _FOREIGN.search(joined) else joined), Places(starts, ends)


def map_back(result: Result, places: Places, original: str) -> None:
    """Offsets in the plain text (`plain`) made offsets in `original`, in place."""
    for f in result.findings:
        if f.start is not None:
            if f.end is not None:
                f.start, f.end = places.span(f.start, f.end, len(original))
                if f.text is not None:
                    f.text = original[f.start:f.end]
            else:
                f.start = places.span(f.start, 0, len(original))[0]
            f.column = f.start - line_start(original, f.start) + 1  # (the lines: `plain`'s)
        if f.replace_start is not None and f.replace_end is not None:
            f.replace_start, f.replace_end = places.span(f.replace_start, f.replace_end, len(original))


# Anything but ASCII's plain characters (tab, line feed, carriage return, space to "~") and
# `_settled_characters`: where it finds nothing, `plain` has nothing to do.
SETTLED = _settled_characters()
_UNSETTLED = re.compile("[^\\t\\n\\r\\x20-\\x7e" + re.escape(SETTLED) + "]")
