"""Cheap literal pre-checks for regular expressions, so most patterns never run on a letter.

`literal_hints(pattern)` returns words one of which must appear (lower-cased) in any text the
pattern matches: of the pattern's mandatory parts it picks the most selective, so
`\\byou\\s+failed\\s+to` needs "failed" and `\\b(because|as a result)` needs "because" or "as".
It returns None when it cannot tell (the pattern then always runs). Only for case-insensitive
patterns.
"""
from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z]+(?:\\x27[A-Za-z]+|'[A-Za-z]+)?")


# An escape, a character class (passed over whole: "[()|]" holds no group), a bracket or a bar:
# what the scans stop at.
_SPECIAL = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|[()|]", re.S)


def _split_top(group: str) -> list[str] | None:
    """Split the inside of a group at its top-level '|'."""
    parts, depth, last = [], 0, 0
    for m in _SPECIAL.finditer(group):
        c = m.group()
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(group[last:m.start()])
            last = m.end()
    parts.append(group[last:])
    return parts


# Flags for a group's own text ("(?-i:...)"), but not verbose ("x": its spaces and comments
# are not the text's): the group reads as one that captures nothing.
_SCOPED_FLAGS = re.compile(r"\?[aiLmsu]*(?:-[imsx]*)?:")


def _group_at(pattern: str, start: int = 0) -> tuple[str, int] | None:
    """(inside, end) of the group that starts at `start`: `end` is just after its ")"."""
    depth = 0
    for m in _SPECIAL.finditer(pattern, start):
        c = m.group()
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                inside = pattern[start + 1:m.start()]
                if inside.startswith("?:"):
                    inside = inside[2:]
                elif inside.startswith(("?=", "?!", "?<=", "?<!")):
                    return "", m.end()  # a look-around takes no characters: nothing mandatory in it
                elif flags := _SCOPED_FLAGS.match(inside):
                    return inside[flags.end():], m.end()  # "(?-i:INSERT)"
                elif inside.startswith("?"):
                    return None  # named groups, flags: give up
                return inside, m.end()
    return None


# Patterns made from word lists (engine/wordlist.py `words_pattern`), each with the words one of
# which it cannot match without: its text, a tree of letters ("c(?:amera|ctv)"), does not show
# them, but the list it was made from did.
_LISTED: dict[str, tuple[str, ...]] = {}


def listed(pattern: str, hints: tuple[str, ...]) -> None:
    """Record that `pattern`, made from a word list, needs one of `hints` (lower case)."""
    if _LISTED.get(pattern) != hints:
        _LISTED[pattern] = hints
        literal_hints.cache_clear()
        hint_sets.cache_clear()


@lru_cache(maxsize=4096)
def literal_hints(pattern: str) -> tuple[str, ...] | None:
    """The most selective set of words one of which must appear, or None."""
    options = _mandatory_sets(pattern)
    if not options:
        return None
    return max(options, key=lambda hs: (min(len(h) for h in hs), -len(hs)))


@lru_cache(maxsize=4096)
def hint_sets(pattern: str) -> tuple[tuple[str, ...], ...]:
    """Every set of words one of which must appear (each of them must: "\\bvictim\\S*\\s+right
    to\\s+review" needs "victim", "right" and "review"); () when it cannot tell. The sets are
    `literal_hints`' choices; a check that asks for all of them skips more texts."""
    return tuple(dict.fromkeys(_mandatory_sets(pattern)))


def _mandatory_sets(p: str) -> list[tuple[str, ...]]:
    """Walk the pattern's top level; each mandatory literal word or group gives a hint set. A
    pattern of alternatives at its top level ("a say\b|not a matter for") gives one set: a
    hint of each alternative (one of them matched), when each has one."""
    if p in _LISTED:
        return [_LISTED[p]]
    branches = _split_top(p)
    if len(branches) > 1:
        alts = [literal_hints(b) for b in branches]
        return [tuple(dict.fromkeys(h for hs in alts for h in hs))] if all(alts) else []  # type: ignore[union-attr]
    sets: list[tuple[str, ...]] = []
    i = 0
    while i < len(p):
        c = p[i]
        if c == "|":
            return []  # a top-level alternation: nothing is mandatory for sure
        if c == "\\":
            e = p[i + 1 : i + 2]
            if e and not e.isalnum() and not e.isspace() and not _optional(p, i + 2):
                sets.append((e,))  # an escaped mark ("\\[", "\\*"): that character, as it is
            i += 2 if e != "x" else 4
            continue
        if c == "(":
            found = _group_at(p, i)
            if not found:
                return sets
            inside, end = found
            optional = p[end:end + 1] in ("?", "*") or p.startswith("{0", end)
            if not optional:
                alts = [literal_hints(alt) for alt in _split_top(inside)]
                if all(alts):
                    sets.append(tuple(h for hs in alts for h in hs))
            i = end
            continue
        if c == "[":
            i = _class_end(p, i)
            continue
        if c == "{":
            q = _QUANTIFIER.match(p, i)
            if q:  # how many times what came before repeats: no character of the text
                i = q.end()
                continue
        if c in _MARKS and not _optional(p, i + 1):
            sets.append((c,))  # a mark standing for itself ("<<", "_{5,}", "«")
            i += 1
            continue
        # (a letter in capitals is the same letter to a pattern read case-blind, and in the
        # text as lower-cased: "(?-i:INSERT)" needs "insert" as much as "insert" does)
        m = _WORD.match(p, i) if c.isascii() and c.isalpha() else None
        run = _INNER_OPTIONAL.match(p, i) if m else None
        if run:
            # letters some of which may be left out inside the word ("app?oll?og"): each way
            # of writing it, when there are few and each is long enough ("apolog", "appolog",
            # "apollog", "appollog"); else the letters before the first that may be left out
            ways = _spellings(run.group(0), p, run.end())
            if ways:
                sets.append(ways)
                i = run.end()
                continue
        if m:
            word, j = m.group(0).lower(), m.end()
            if p[j : j + 1] in ("?", "*") or p[j : j + 2] == "{0" or p[j : j + 2] == "{,":
                word = word[:-1]  # the last letter may repeat zero times: the rest still holds
            else:
                times = _AT_LEAST.match(p, j)
                if times and int(times.group(1)) > 1:
                    # "X{3,}": the last letter at least that many times ("xxx")
                    word += word[-1] * (int(times.group(1)) - 1)
            if len(word) >= 3:
                sets.append((word.replace("\\x27", "'"),))
            i = j
            continue
        i += 1
    return sets


# A run of letters with one left out at will inside it ("p?" before more letters): "app?oll?og".
_INNER_OPTIONAL = re.compile(r"(?:[A-Za-z]\??)*[A-Za-z]\?[A-Za-z](?:[A-Za-z]\??)*")


def _spellings(run: str, p: str, end: int) -> tuple[str, ...] | None:
    """Every way of writing a run of letters some of which may be left out (`_INNER_OPTIONAL`),
    lower case: None when there are more than 16, or one is shorter than three letters. A last
    letter the pattern lets repeat zero times ("x*" after the run) is left out of each."""
    ways = [""]
    k = 0
    while k < len(run):
        letter = run[k].lower()
        if run[k + 1:k + 2] == "?":
            ways = [w + x for w in ways for x in ("", letter)]
            k += 2
        else:
            ways = [w + letter for w in ways]
            k += 1
        if len(ways) > 16:
            return None
    if p[end:end + 1] == "*" or p.startswith("{0", end) or p.startswith("{,", end):
        if run.endswith("?"):
            return None
        ways = [w[:-1] for w in ways]
    if any(len(w) < 3 for w in ways):
        return None
    return tuple(dict.fromkeys(sorted(ways)))


def _class_end(p: str, i: int) -> int:
    """Just after the character class that starts at i ("[^\\]\\n]" ends at its last "]")."""
    j = i + 1
    if p[j : j + 1] == "^":
        j += 1
    if p[j : j + 1] == "]":
        j += 1  # a "]" first in a class is one of its characters
    while j < len(p):
        if p[j] == "\\":
            j += 2
            continue
        if p[j] == "]":
            return j + 1
        j += 1
    return len(p)


# Characters that stand for themselves in a pattern, outside a class, and read the same in
# lower case: a pattern that has one (not made optional) matches only text that has it.
_MARKS = frozenset("<>«»_#@&%=!~`\"';:,/")


_QUANTIFIER = re.compile(r"\{\d*(?:,\d*)?\}")
_AT_LEAST = re.compile(r"\{(\d+)(?:,\d*)?\}")  # a quantifier's least number of times


def _optional(p: str, j: int) -> bool:
    """Is what ends just before j made optional (may repeat zero times) by what follows?"""
    return p[j : j + 1] in ("?", "*") or p.startswith("{0", j) or p.startswith("{,", j)


# What `str.lower` leaves of the characters re.IGNORECASE equates with an ASCII letter
# (fastsearch.CASE_TRAPS: "ſ" and "ı" stay, "İ" becomes "i" and a combining dot).
LOWER_CASE_TRAPS = frozenset("\u017f\u0131\u0307")


class WordFinder:
    """Words (lower case), each with its bits, found in a text in one pass (an Aho-Corasick
    automaton: "review" in "reviewed" too): `bits` is the OR of the bits of the words there.
    What the engine's pre-checks read a sentence or a block with (concepts.WordIndex,
    kinds/existence.py)."""

    def __init__(self, masks: dict[str, int]):
        import ahocorasick

        self.words = tuple(masks)
        self.automaton = ahocorasick.Automaton()
        for word, mask in masks.items():
            self.automaton.add_word(word, mask)
        self.empty = not masks
        if not self.empty:
            self.automaton.make_automaton()

    def bits(self, low: str) -> int:
        """The bits of the words in a lower-case text. A text with a character that case-blind
        matching takes for an ASCII letter though lower case does not ("ſ" for s, "ı" for i,
        the dot "İ" leaves) has every word (-1: nothing is skipped)."""
        if not low.isascii() and any(c in low for c in LOWER_CASE_TRAPS):  # (each looked for: isdisjoint
            return -1  # went through the text a character at a time, 25 microseconds a letter)
        found = 0
        if not self.empty:
            for _, mask in self.automaton.iter(low):
                found |= mask
        return found


class HintBits:
    """The sets of words patterns cannot match without (`hint_sets`), a bit each, shared by the
    patterns that need the same set: `of(pattern)` is the pattern's bits (0: it always runs),
    `sets` the sets in bit order, `masks()` each word with the bits of the sets it is in (for a
    `WordFinder`). Used by the concepts' and existence's pre-checks."""

    def __init__(self) -> None:
        self.sets: list[tuple[str, ...]] = []
        self._bit: dict[tuple[str, ...], int] = {}
        # The next set's bit. Not `1 << len(self.sets)`: compiled (vcl_qa/_compiled.py), that is
        # a 64-bit machine shift, and there are hundreds of sets.
        self._next = 1

    def of(self, pattern: str) -> int:
        out = 0
        for hints in hint_sets(pattern):
            bit = self._bit.get(hints)
            if bit is None:
                bit = self._bit[hints] = self._next
                self._next <<= 1
                self.sets.append(hints)
            out |= bit
        return out

    def masks(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for hints, bit in self._bit.items():
            for h in hints:
                found[h] = found.get(h, 0) | bit
        return found


def may_match(hints: tuple[str, ...] | None, lower_text: str) -> bool:
    return hints is None or any(h in lower_text for h in hints)
