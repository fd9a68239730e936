"""The numbers and bullets Word shows before the paragraphs of its lists, as text
(engine/letter.py puts each at the start of its paragraph's line).

Word's automatic numbering is not part of a paragraph's text: the paragraph names a list and a
level (w:numPr: w:numId and w:ilvl, on the paragraph or on its paragraph style, such as "List
Number"), and numbering.xml says how that list's levels are numbered. Before, the reader left
the numbers out, so the steps "1. Write to us", "2. ..." typed in Word were checked, shown and
downloaded without them.

The numbers are counted as Word counts them:
- a list (w:num) uses an abstract definition (w:abstractNum) of up to nine levels, each with a
  format (w:numFmt), a pattern (w:lvlText: "%1.", "(%1)", "%1.%2.") and a first number (w:start);
- lists that share an abstract definition share its count, as Word goes on numbering across
  them (other paragraphs, or another list, between two items do not restart a list); a list
  that restarts a level (w:lvlOverride/w:startOverride) does so at its first paragraph there;
- an item sets the levels below its own back to their first number (w:lvlRestart can say
  otherwise).

How a label is written: the label, a space, then the paragraph's text ("1. Write to us"); each
level below the top indented by `INDENT` ("    a. by post" under "1."); every bullet is "•",
whatever symbol its font shows (U+F0B7 in Symbol, "o" in Courier New, a Wingdings square): those
characters mean nothing as text, and rules/structure.yml's `bullet` reads "•" as a list item.
Formats other than numbers, letters, roman numerals, bullets and none are written as numbers.

A definition that is damaged or missing (a list or abstract definition that is not there, a
number that is not a number, a level out of range) gives its paragraph no label: nothing here
raises but the reader's own limits. The work is bounded by the file: numbering.xml and the
styles are indexed in one pass each, each definition is read once, a style's base styles are
followed at most `MOST_STYLE_STEPS` steps, a pattern over `MOST_PATTERN_CHARS` is not used, and
the labels stop at the letter size limit; what is looked at counts against the reader's element
budget (letter.py `_Reading`).
"""
from __future__ import annotations

import re
from typing import NamedTuple

from vcl_qa import config
from vcl_qa.errors import LetterError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_VAL = _W + "val"
INDENT = "    "  # a level below the top: four spaces a level
BULLET = "•"
LEVELS = 9  # Word's levels, w:ilvl 0 to 8
MOST_STYLE_STEPS = 20  # base styles followed from a paragraph's style (Word's own run a few deep)
MOST_LINKS = 3  # numbering-style links followed (w:numStyleLink) before giving up
MOST_PATTERN_CHARS = 100  # "Step %1:" is 8; a longer pattern is no list number
MOST_NUMBER = 2**31 - 1  # Word's numbers are 32-bit
_PLACEHOLDER = re.compile("%([1-9])")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")  # a symbol font's glyphs: bullets to a reader
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


class _Level(NamedTuple):
    fmt: str  # w:numFmt: decimal, lowerLetter, bullet, none...
    pattern: str  # w:lvlText
    start: int
    restart: int | None  # w:lvlRestart: the level (1 to 9) whose items restart this one; 0 never
    legal: bool  # w:isLgl: the levels named in the pattern shown as numbers
    space: str  # between the label and the text (w:suff "nothing": none)
    picture: bool  # a picture bullet (w:lvlPicBulletId)


class _Abstract(NamedTuple):
    levels: dict[int, _Level | None]  # None: a level there but damaged
    styles: dict[str, int]  # a level tied to a paragraph style (the level's w:pStyle)
    link: str | None  # w:numStyleLink: the definition is the numbering style's


class _Num(NamedTuple):
    abstract: int
    starts: dict[int, int]  # w:lvlOverride/w:startOverride by level
    levels: dict[int, _Level | None]  # w:lvlOverride/w:lvl: a level defined again


def _int(text: str | None, lowest: int = 0, highest: int = MOST_NUMBER) -> int | None:
    """A whole number written in decimal within [lowest, highest]; None for anything else."""
    if text is None or not 0 < len(text) <= 12:
        return None
    try:
        value = int(text)
    except ValueError:
        return None
    return value if lowest <= value <= highest else None


def _val(parent, name: str) -> str | None:
    """w:val of parent's child w:<name>; None when there is no such child or it has no w:val."""
    if parent is None:
        return None
    child = parent.find(_W + name)
    return None if child is None else child.get(_VAL)


def _on(parent, name: str) -> bool:
    """A child w:<name> that is switched on (w:val absent, or not false/0/off)."""
    child = parent.find(_W + name) if parent is not None else None
    return child is not None and child.get(_VAL) not in ("false", "0", "off")


def _related(document, reltype: str):
    """The root element of the document's part of that relationship; None when there is no
    such part, more than one, or one not read as XML (a damaged file: read without it)."""
    try:
        part = document.part.part_related_by(reltype)
    except (KeyError, ValueError):
        return None
    return getattr(part, "element", None)


class WordLists:
    """The list labels of one Word file, counted paragraph by paragraph in reading order
    (`label`). Nothing is indexed until a paragraph needs it."""

    def __init__(self, document, reading):
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        self.reading = reading  # letter.py _Reading: take(count), source
        self.numbering = _related(document, RT.NUMBERING)
        self.document, self._styles_type = document, RT.STYLES
        self.nums: dict[int, object] | None = None  # numId -> w:num, then _Num (or None)
        self.abstracts: dict[int, object] = {}  # abstractNumId -> w:abstractNum, then _Abstract
        self.styles: dict[str, object] | None = None  # styleId -> w:style
        self.default_style: str | None = None
        self.by_style: dict[str, tuple[int | None, int | None]] = {}
        self.counts: dict[int, list[int | None]] = {}  # abstractNumId -> the count at each level
        self.seen: set[tuple[int, int]] = set()  # (numId, level) that had an item
        self.chars = 0

    def label(self, p) -> str:
        """The label of paragraph `p` with the space after it ("1. ", "    a) ", "• "), or ""
        when it is not a list item (or its list is damaged). Counts the item."""
        if self.numbering is None:
            return ""
        props = p.find(_W + "pPr")
        mark = props.find(_W + "rPr") if props is not None else None
        if mark is not None and (mark.find(_W + "del") is not None or _on(mark, "vanish")):
            return ""  # a paragraph taken out, or hidden: Word shows no number for it
        found = self._list_of(props)
        if found is None:
            return ""
        num_id, level, style = found
        num = self._num(num_id)
        resolved = self._abstract_of(num) if num is not None else None
        if resolved is None:
            return ""
        key, abstract = resolved
        if level is None:  # numbered through the style: the level tied to that style, else the top
            level = abstract.styles.get(style, 0) if style is not None else 0
        definition = self._level(num, abstract, level)
        if definition is None:
            return ""
        self._count(num_id, num, abstract, key, level, definition)
        return self._written(num, abstract, key, level, definition)

    def _list_of(self, props) -> tuple[int, int | None, str | None] | None:
        """(numId, level or None, style) a paragraph's properties name, directly or through
        its style; None when it is in no list, or what names the list is damaged."""
        style = _val(props, "pStyle")
        numbered = props.find(_W + "numPr") if props is not None else None
        num_text, level_text = _val(numbered, "numId"), _val(numbered, "ilvl")
        num_id = _int(num_text)
        level = _int(level_text, 0, LEVELS - 1)
        if (num_text is not None and num_id is None) or (level_text is not None and level is None):
            return None
        from_style = num_id is None
        if num_id is None or level is None:
            style_num, style_level = self._style_list(style if style is not None else self._default_style())
            num_id = num_id if num_id is not None else style_num
            level = level if level is not None else style_level
        if not num_id:  # none, or 0: "no numbering", which also takes away a style's
            return None
        return num_id, level, (style if from_style else None)

    def _count(self, num_id: int, num: _Num, abstract: _Abstract, key: int, level: int,
               definition: _Level) -> None:
        """One more item at `level` of the count the abstract definition `key` keeps."""
        counts = self.counts.setdefault(key, [None] * LEVELS)
        if (num_id, level) not in self.seen:
            self.seen.add((num_id, level))
            if level in num.starts:  # this list restarts the level at its first item there
                counts[level] = num.starts[level] - 1
        counts[level] = definition.start if counts[level] is None else counts[level] + 1
        for lower in range(level + 1, LEVELS):
            below = self._level(num, abstract, lower)
            restart = below.restart if below is not None else None
            # w:lvlRestart 0: never restarts; n: only after an item at level n or above
            if restart is None or restart > lower or (restart and level < restart):
                counts[lower] = None

    def _written(self, num: _Num, abstract: _Abstract, key: int, level: int, definition: _Level) -> str:
        """The label as Word shows it (the pattern, each %n the count at level n in that level's
        format; "•" for a bullet), indented for its level, with the space after it."""
        if definition.fmt == "bullet":
            text = BULLET if definition.pattern or definition.picture else ""
        else:
            counts = self.counts[key]

            def number(found: re.Match) -> str:
                named = int(found.group(1)) - 1
                other = self._level(num, abstract, named)
                if other is None:
                    return ""
                value = counts[named] if counts[named] is not None else other.start
                return _number(value, "decimal" if definition.legal and other.fmt != "none" else other.fmt)

            text = _PRIVATE_USE.sub(BULLET, _PLACEHOLDER.sub(number, definition.pattern)).strip()
        if not text:
            return ""
        label = INDENT * level + text + definition.space
        self.chars += len(label)
        if self.chars > config.MAX_LETTER_BYTES:  # its list numbers alone: no need to read on
            limit = config.MAX_LETTER_BYTES // 1024
            raise LetterError(f"the Word document holds more than {limit} KB of text with its list "
                              f"numbers; the limit is {limit} KB", source=self.reading.source)
        return label

    # --- definitions, each read once

    def _num(self, num_id: int) -> _Num | None:
        if self.nums is None:
            self._index_numbering()
        found = self.nums.get(num_id)
        if found is None or isinstance(found, _Num):
            return found
        self.reading.take(len(found) + 1)
        abstract = _int(_val(found, "abstractNumId"))
        starts: dict[int, int] = {}
        levels: dict[int, _Level | None] = {}
        for override in found.iterchildren(_W + "lvlOverride"):
            self.reading.take(len(override) + 1)
            level = _int(override.get(_W + "ilvl"), 0, LEVELS - 1)
            if level is None:
                continue
            start = _int(_val(override, "startOverride"))
            if start is not None:
                starts.setdefault(level, start)
            again = override.find(_W + "lvl")
            if again is not None:
                levels.setdefault(level, _level(again))
        num = _Num(abstract, starts, levels) if abstract is not None else None
        self.nums[num_id] = num
        return num

    def _abstract_of(self, num: _Num) -> tuple[int, _Abstract] | None:
        """The abstract definition a list uses (and its id, which keys its count), through at
        most MOST_LINKS numbering-style links; None when it is not there or the links loop."""
        key = num.abstract
        for _ in range(MOST_LINKS + 1):
            abstract = self._abstract(key)
            if abstract is None:
                return None
            if abstract.link is None:
                return key, abstract
            linked = self._num(self._style_list(abstract.link)[0] or 0)
            if linked is None:
                return None
            key = linked.abstract
        return None

    def _abstract(self, key: int) -> _Abstract | None:
        found = self.abstracts.get(key)
        if found is None or isinstance(found, _Abstract):
            return found
        self.reading.take(len(found) + 1)
        levels: dict[int, _Level | None] = {}
        styles: dict[str, int] = {}
        for lvl in found.iterchildren(_W + "lvl"):
            self.reading.take(len(lvl) + 1)
            level = _int(lvl.get(_W + "ilvl"), 0, LEVELS - 1)
            if level is None or level in levels:
                continue
            levels[level] = _level(lvl)
            style = _val(lvl, "pStyle")
            if style is not None:
                styles.setdefault(style, level)
        abstract = _Abstract(levels, styles, _val(found, "numStyleLink"))
        self.abstracts[key] = abstract
        return abstract

    def _level(self, num: _Num, abstract: _Abstract, level: int) -> _Level | None:
        return num.levels[level] if level in num.levels else abstract.levels.get(level)

    def _index_numbering(self) -> None:
        """numId -> w:num and abstractNumId -> w:abstractNum (the first of each id), in one pass."""
        self.nums = {}
        self.reading.take(len(self.numbering))
        for child in self.numbering.iterchildren(_W + "num", _W + "abstractNum"):
            if child.tag == _W + "num":
                key = _int(child.get(_W + "numId"))
                if key is not None:
                    self.nums.setdefault(key, child)
            else:
                key = _int(child.get(_W + "abstractNumId"))
                if key is not None:
                    self.abstracts.setdefault(key, child)

    # --- styles

    def _default_style(self) -> str | None:
        if self.styles is None:
            self._index_styles()
        return self.default_style

    def _style_list(self, style_id: str | None) -> tuple[int | None, int | None]:
        """(numId, level) a style gives its paragraphs, from its own w:numPr or its nearest
        base style's (w:basedOn, followed at most MOST_STYLE_STEPS steps, never round a loop)."""
        if style_id is None:
            return None, None
        if style_id in self.by_style:
            return self.by_style[style_id]
        if self.styles is None:
            self._index_styles()
        num_id = level = None
        seen: set[str] = set()
        current = style_id
        while current is not None and current not in seen and len(seen) < MOST_STYLE_STEPS:
            seen.add(current)
            style = self.styles.get(current)
            if style is None:
                break
            self.reading.take(1)
            numbered = style.find(_W + "pPr")
            numbered = numbered.find(_W + "numPr") if numbered is not None else None
            if level is None:
                level = _int(_val(numbered, "ilvl"), 0, LEVELS - 1)
            num_id = _int(_val(numbered, "numId"))
            if num_id is not None:
                break
            current = _val(style, "basedOn")
        self.by_style[style_id] = (num_id, level)
        return num_id, level

    def _index_styles(self) -> None:
        self.styles = {}
        root = _related(self.document, self._styles_type)
        if root is None:
            return
        self.reading.take(len(root))
        for style in root.iterchildren(_W + "style"):
            style_id = style.get(_W + "styleId")
            if style_id is not None:
                self.styles.setdefault(style_id, style)
                if (self.default_style is None and style.get(_W + "type") == "paragraph"
                        and style.get(_W + "default") in ("1", "true", "on")):
                    self.default_style = style_id


def _level(lvl) -> _Level | None:
    """A level's definition; None when it is damaged (a first number that is not a number in
    Word's range, a pattern far longer than a label)."""
    start_text = _val(lvl, "start")
    start = _int(start_text) if start_text is not None else 0  # no w:start: Word counts from 0
    pattern = _val(lvl, "lvlText") or ""
    if start is None or len(pattern) > MOST_PATTERN_CHARS:
        return None
    fmt = _val(lvl, "numFmt") or "decimal"
    return _Level(fmt=fmt, pattern=pattern, start=start, restart=_int(_val(lvl, "lvlRestart"), 0, LEVELS),
                  legal=_on(lvl, "isLgl"), space="" if _val(lvl, "suff") == "nothing" else " ",
                  picture=lvl.find(_W + "lvlPicBulletId") is not None)


def _number(value: int, fmt: str) -> str:
    """A count as a format writes it: 3 is "3", "c", "C", "iii", "III", "03"; a format with
    nothing to show (none, bullet) is ""; any other, and a count a format cannot write (0 as a
    letter, 4,000 as a roman numeral), is the number."""
    if fmt in ("none", "bullet"):
        return ""
    if fmt in ("lowerLetter", "upperLetter") and 1 <= value <= 26 * 30:  # Word: z, aa, bb ... 30 times
        letters = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman") and 1 <= value < 4000:
        roman = []
        for size, numeral in _ROMAN:
            count, value = divmod(value, size)
            roman.append(numeral * count)
        return "".join(roman).upper() if fmt == "upperRoman" else "".join(roman)
    if fmt == "decimalZero" and 0 <= value < 10:
        return f"0{value}"
    return str(value)
