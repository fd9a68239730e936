"""The leftmost match of a regular expression, found faster for the common shape of the rules'
patterns: a word boundary and then a long alternation of words (`\\b(offer|arrange|meet|...)`).

Python's `re` tries every branch of such an alternation at every position of the text, and a
leading `\\b` stops it from skipping ahead by first character: about a millisecond per pattern
on a letter. Here the letter's word starts are indexed once, by their first two letters, and
the pattern is only tried (`pattern.match(text, pos)`) where one of its branches' literal
beginnings appears. Every position where the pattern could match is among those tried, in
order, so the first match found is the one `pattern.search(text)` returns: the same answer,
not an approximation. Patterns of any other shape, and texts with the three characters that
case-insensitive matching treats differently from `str.lower` (İ, ı, ſ), use `search` as is.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
import re._constants as C  # noqa: N812 (the regex parser's names, read only)
import re._parser as sre_parse
from functools import lru_cache

from vcl_qa.engine.memo import TextMemo

# Characters `re.IGNORECASE` equates with an ASCII letter although str.lower() does not
# (tests/test_fastsearch.py recomputes this list over every code point).
CASE_TRAPS = frozenset("\u0130\u0131\u017f")
_WORD_START = re.compile(r"\b\w")
_WORDY = re.compile(r"\w")


def faithful_lower(text: str) -> str | None:
    """The text in lower case, where it reads as case-blind matching reads the text: each
    character keeps its place (lower case does not change the length) and none is one of the
    CASE_TRAPS; else None. (Each trap is looked for in the text: a set of a letter's characters
    took 15 microseconds.)"""
    low = text.lower()
    if text.isascii() or (len(low) == len(text) and not any(c in text for c in CASE_TRAPS)):
        return low
    return None


class TextIndex:
    """A text with its word starts indexed by their first two lower-case characters.

    The index is kept a block at a time (the stretches between blank lines, which come back
    from letter to letter: a template's paragraphs, a draft checked again), with the word
    starts each pattern's beginnings find in each block: a letter made of paragraphs met before
    is searched without reading its words again. Every word start is inside one block (the
    text between blocks is whitespace) and is found there as in the whole text."""

    __slots__ = ("text", "_lower", "_blocks", "_firsts")

    def __init__(self, text: str):
        self.text = text
        self._lower: str | bool | None = None  # (False: lower case would mislead; None: not asked yet)
        self._blocks: list[tuple[int, str, tuple | None]] | None = None
        self._firsts: list[int] = []  # where each block starts

    @property
    def usable(self) -> bool:
        """May the text be searched by its word index: read in lower case as case-blind
        matching reads it (`faithful_lower`). (An ASCII text always may, without lowering it.)"""
        return self.text.isascii() or self.lower is not None

    @property
    def lower(self) -> str | None:
        """`faithful_lower` of the text, worked out once, when first asked (a window of a few
        sentences searched as it is never asks)."""
        if self._lower is None:
            low = faithful_lower(self.text)
            self._lower = False if low is None else low
        return None if self._lower is False else self._lower

    def _split(self) -> list[tuple[int, str, tuple | None]]:
        """(offset, block, its own index when too long to keep between letters)."""
        blocks, pos, text = [], 0, self.text
        for b_start, b_end in breaks(text):
            if b_start > pos:
                blocks.append((pos, text[pos:b_start]))
            pos = b_end
        if pos < len(text):
            blocks.append((pos, text[pos:]))
        self._blocks = [(at, b, None if len(b) <= BLOCK_KEPT else _index(b)) for at, b in blocks]
        self._firsts = [at for at, _ in blocks]
        return self._blocks

    def starts(self, plan: "Plan", lo: int = 0, hi: int | None = None) -> list[int]:
        """Word starts where one of the plan's lower-case beginnings is, in order."""
        # (a beginning with a space in it, "at the end of the day", could reach past a block's
        # end into the blank line after it: in a block it is looked for up to the space, which
        # finds every place the whole beginning is, and perhaps a few more to try)
        plan = plan.in_blocks
        blocks = self._blocks if self._blocks is not None else self._split()
        found: list[int] = []
        if lo or hi is not None:  # only the blocks that reach into [lo, hi): a block at a time
            first = max(0, bisect_right(self._firsts, lo) - 1)  # (the kinds ask for each block of a
            last = bisect_left(self._firsts, len(self.text) if hi is None else hi)  # long letter)
            blocks = blocks[first:last]
        for at, block, own in blocks:
            if own is not None:
                # a long block (a hostile paste) is indexed for this letter only
                rel = _starts(block.lower(), *own, plan)
            else:
                kept = _BLOCKS.get(block)  # one call: another thread may empty the memo
                if kept is None:
                    kept = (*_index(block), {})
                    _BLOCKS.put(block, kept, len(block))
                by2, by1, found_by_plan = kept
                rel = found_by_plan.get(plan)
                if rel is None:
                    rel = found_by_plan[plan] = _starts(block.lower(), by2, by1, plan)
            if rel:
                found.extend([at + r for r in rel] if at else rel)
        return found


def _index(text: str) -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
    """A text's word starts by their first two lower-case characters, and by their first."""
    by2: dict[str, list[int]] = {}
    by1: dict[str, list[int]] = {}
    low = text.lower()
    for m in _WORD_START.finditer(text):
        pos = m.start()
        by2.setdefault(low[pos : pos + 2], []).append(pos)
        by1.setdefault(low[pos], []).append(pos)
    # (kept as tuples of numbers, which the garbage collector stops looking at: lists it
    # would walk on every full collection, for as long as the block is kept)
    return {k: tuple(v) for k, v in by2.items()}, {k: tuple(v) for k, v in by1.items()}


def _starts(low: str, by2: dict[str, list[int]], by1: dict[str, list[int]], plan: "Plan") -> tuple[int, ...]:
    """The word starts of an indexed text where one of the plan's beginnings is, in order."""
    found = []
    for key in plan.by2.keys() & by2.keys():
        beginnings = plan.by2[key]
        for pos in by2[key]:
            for p in beginnings:
                if low.startswith(p, pos):
                    found.append(pos)
                    break
    if plan.by1:
        found.extend(pos for key in plan.by1 & by1.keys() for pos in by1[key])
        found = sorted(set(found))
    else:
        found.sort()
    return tuple(found)


# Blocks are whitespace with a blank line in it apart (the same breaks as engine/structure.py).
_BREAK = re.compile(r"[^\S\n]*\n\s*?\n\s*")


def breaks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each match of `_BREAK` in the text, as `_BREAK.finditer` finds them, but
    tried only where a line ends: the pattern begins with spaces that may be none, so `re`
    would try it at every character (32 -> 9 microseconds a letter). A match starts at the
    spaces (not line ends) just before a line end, or at the line end; if it fails there, it
    fails wherever those spaces begin (tests/test_fast_paths.py compares the two)."""
    out: list[tuple[int, int]] = []
    pos = 0
    find, match = text.find, _BREAK.match
    while True:
        i = find("\n", pos)
        if i < 0:
            return out
        s = i
        while s > pos and text[s - 1] != "\n" and text[s - 1].isspace():  # (\s is str.isspace)
            s -= 1
        m = match(text, s)
        if m:
            out.append((s, m.end()))
            pos = m.end()
        else:
            pos = i + 1
BLOCK_KEPT = 3_000  # the longest block whose index is kept between letters
# Each block kept: its word starts, and the starts each pattern's beginnings found in it;
# at most 4,096 blocks and 800,000 characters of them (about 25 MB at most).
_BLOCKS = TextMemo(4_096, 800_000)
_SPACE = re.compile(r"\s")


class Plan:
    """A pattern's possible beginnings, grouped by their first two characters."""

    __slots__ = ("by2", "by1", "in_blocks")

    def __init__(self, beginnings: tuple[str, ...]):
        by2: dict[str, list[str]] = {}
        for p in beginnings:
            if len(p) >= 2:
                by2.setdefault(p[:2], []).append(p)
        self.by2 = {k: tuple(v) for k, v in by2.items()}
        self.by1 = frozenset(p for p in beginnings if len(p) == 1)
        # The beginnings as looked for inside a block: each up to its first space (they all
        # begin with a word character, so none is empty).
        cut = tuple(sorted({_SPACE.split(p, maxsplit=1)[0] for p in beginnings}))
        self.in_blocks = self if cut == tuple(sorted(beginnings)) else Plan(cut)


# Below this length the pattern runs on the text as it is: indexing would cost more. (Measured
# on the concepts' windows of 300 bench_score letters, 100 characters on average, indexed
# afresh: 0.25-0.37 s with this at 100, 0.21-0.27 s at 300, 1,000 or 3,000. Whole letters,
# 2,000 characters and more, are indexed.)
SHORT_TEXT = 1000


def search(pattern: re.Pattern, index: TextIndex) -> re.Match | None:
    """`pattern.search(index.text)`, trying only the positions where it can match."""
    text = index.text
    if len(text) < SHORT_TEXT or not index.usable:
        return pattern.search(text)
    plan = _plan(pattern.pattern, pattern.flags)
    if plan is None:
        return pattern.search(text)
    for pos in index.starts(plan):
        m = pattern.match(text, pos)
        if m:
            return m
    return None


def exists(pattern: re.Pattern, index: TextIndex) -> bool:
    """`pattern.search(index.text) is not None`: for a short text (a window of a few
    sentences), a case-blind pattern written in lower case is searched without its
    IGNORECASE flag (`lowered`) in the text put in lower case (`TextIndex.lower`), which finds a match exactly
    where it finds one, about twice as fast: case-blind, `re` lowers each character of the text
    as it compares it, again for each word of an alternation, and cannot tell from a branch's
    first letter that it fails. (A match object would hold the lower-case text, so only
    whether there is one is answered this way.)"""
    text = index.text
    if len(text) >= SHORT_TEXT:
        return search(pattern, index) is not None
    kept = _LOWERED.get(id(pattern))
    if kept is None or kept[0] is not pattern:  # (an id may be reused once its pattern is gone)
        if len(_LOWERED) >= 4_096:
            _LOWERED.clear()
        kept = _LOWERED[id(pattern)] = (pattern, lowered(pattern))
    twin = kept[1]
    low = index.lower if twin is not None else None  # (the window lowered once for all its patterns)
    if low is None:
        return pattern.search(text) is not None
    return twin.search(low) is not None


# Each pattern's lower-case twin (`lowered`), kept by the pattern's id with the pattern itself
# (hashing a compiled pattern reads all its code each time).
_LOWERED: dict[int, tuple[re.Pattern, re.Pattern | None]] = {}


def lowered(pattern: re.Pattern) -> re.Pattern | None:
    """The pattern without IGNORECASE, to be searched in lower-case text: the same answer as
    the pattern in the text as it is, in the text's `faithful_lower` (lower case keeps its
    length, and it has none of the CASE_TRAPS, whose case-blind matching `str.lower` does not
    copy). Only for a pattern whose every letter is lower case and ASCII (a case-blind pattern
    compares each character's lower case with them) and that never turns case-blindness off
    (`(?-i:`) nor needs a flag that changes what case-blind means (ASCII, LOCALE, VERBOSE, whose
    comments may hold any letter); else None (searched as it is)."""
    flags = pattern.flags
    if not flags & re.IGNORECASE or flags & (re.ASCII | re.LOCALE | re.VERBOSE) or not isinstance(pattern.pattern, str):
        return None
    text, i = pattern.pattern, 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            nxt = text[i + 1:i + 2]
            if nxt in ("u", "U", "N") or nxt.isdigit():
                return None  # (a character by its code or name, or a group's text: may be a capital)
            if nxt == "x":
                code = text[i + 2:i + 4]
                if len(code) < 2 or not _uncased_or_lower(chr(int(code, 16))):
                    return None
                i += 4
                continue
            i += 2  # an escape: \b, \s, \W, \. ... (their letters are not letters to match)
            continue
        if c == "(":
            flags_group = _INLINE_FLAGS.match(text, i)
            if flags_group:
                on, _, off = flags_group.group(1).partition("-")
                if any(f in on + off for f in "aLx") or "i" in off:
                    return None
                i = flags_group.end()
                continue
        if not _uncased_or_lower(c):
            return None
        i += 1
    return re.compile(text, flags & ~re.IGNORECASE)


_INLINE_FLAGS = re.compile(r"\(\?([aiLmsux]*(?:-[imsx]*)?)[:)]")


def _uncased_or_lower(c: str) -> bool:
    """Is the character lower case and ASCII, or not a letter with cases at all ("’", "3")?"""
    return c == c.lower() and (c.isascii() or c == c.upper())


def finditer(pattern: re.Pattern, index: TextIndex, lo: int, hi: int):
    """`pattern.finditer(index.text, lo, hi)`, trying only the positions where it can match.
    (A fast-path pattern always begins with a word character, so it never matches empty.)"""
    text = index.text
    plan = _plan(pattern.pattern, pattern.flags) if index.usable and len(text) >= SHORT_TEXT else None
    if plan is None:
        yield from pattern.finditer(text, lo, hi)
        return
    pos = lo
    for start in index.starts(plan, lo, hi):
        if start < pos:
            continue
        if start >= hi:
            break
        m = pattern.match(text, start, hi)
        if m:
            yield m
            pos = m.end()


@lru_cache(maxsize=8192)
def _plan(pattern: str, flags: int) -> Plan | None:
    beginnings = word_prefixes(pattern, flags)
    return Plan(beginnings) if beginnings else None


@lru_cache(maxsize=8192)
def word_prefixes(pattern: str, flags: int) -> tuple[str, ...] | None:
    """For a pattern `\\b` + something that always begins with one of some ASCII words'
    first letters: those beginnings, lower case. None for any other shape."""
    if not flags & re.IGNORECASE or flags & (re.VERBOSE | re.MULTILINE):
        return None
    try:
        items = list(sre_parse.parse(pattern, flags))
    except re.error:
        return None
    if len(items) < 2 or items[0] != (C.AT, C.AT_BOUNDARY):
        return None
    found = _prefixes(items[1:])
    if not found or not all(p.isascii() and _WORDY.match(p) for p in found):
        return None
    return tuple(sorted({p.lower() for p in found}))


def _prefixes(items: list) -> set[str] | None:
    """Literal beginnings of a parsed sequence (every way it can start), or None."""
    text = ""
    for i, (op, av) in enumerate(items):
        if op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] == 0:
            # optional: it begins with this item's beginnings or with what follows it
            inner, after = _prefixes(list(av[2])), _prefixes(items[i + 1:])
            if inner is None or after is None:
                return {text} if text else None
            return {text + r for r in inner | after}
        if op is C.LITERAL:
            text += chr(av)
            continue
        rest = None
        if op is C.SUBPATTERN and not av[1] and not av[2]:
            rest = _prefixes(list(av[3]))
        elif op is C.BRANCH:
            subs = [_prefixes(list(branch)) for branch in av[1]]
            rest = None if any(s is None for s in subs) else set().union(*subs)
        elif op is C.IN and all(o is C.LITERAL for o, _ in av):
            rest = {chr(v) for _, v in av}
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] >= 1:
            inner = _prefixes(list(av[2]))
            rest = {p[:1] for p in inner} if inner else None
        if rest is None:
            return {text} if text else None
        return {text + r for r in rest}
    return {text} if text else None
