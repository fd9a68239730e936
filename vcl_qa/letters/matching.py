"""Which findings of one version of a letter are the same problems as another version's, as a
reader would pair them: fixed (gone), new, or still there.

A problem is still there when the later version has a finding of the same rule that is its
counterpart, even if the words around it were edited: a long sentence shortened by a one-click
fix but still too long ("28 words" now "26 words"), a reason that could fit any case in a
sentence that was reworded, a letter-wide finding (no place in the letter) whose figures moved.
Each finding is paired at most once, so the counts always add up: fixed + still there = the
earlier version's findings, new + still there = the later version's.

Pairs are taken in this order, within one rule only, the closest first:
  1. the same words in the same place (the earlier place mapped through the edit);
  2. the same words elsewhere (moved), or the same letter-wide finding (no place in either);
  3. other words in the same place: the earlier span, mapped through the edit, overlaps the
     later one (the same sentence edited);
  4. a letter-wide finding whose words changed, and a finding with a place in one version
     and none in the other (a reason that could fit any case before, no reason at all now).
Two findings of one rule in different places with different words are two problems: one
fixed, one new. The edit is worked out with difflib, line by line and then word by word
within the lines that changed (`OffsetMap`); a changed stretch maps onto its replacement in
proportion, so that findings inside a rewritten paragraph keep their order.
Nothing here scores a letter: it compares stored results."""
from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Iterable
from functools import cached_property

# A letter's lines, then the words and runs of punctuation of a changed stretch: an edit's
# pieces (spaces are not pieces: they would match one another everywhere).
LINES = re.compile(r"[^\n]*\n|[^\n]+$")
TOKENS = re.compile(r"\w+|[^\w\s]+")
# Comparing n words with m costs up to n * m steps: beyond these, a changed stretch maps in
# proportion (a 200 KB letter rewritten throughout still compares in well under a second).
WORD_DIFF_LIMIT = 1_000_000
WORD_DIFF_BUDGET = 4_000_000
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


class OffsetMap:
    """Character offsets of the earlier text carried to where the same place is in the later
    one. Without both texts (a purged letter keeps neither) offsets are taken as they are.

    Lines are compared first (fast: most lines of a letter differ from one another), then
    the words of each stretch of lines that changed; a stretch too long to compare word by
    word in good time (WORD_DIFF_LIMIT: the product of its word counts) maps in proportion."""

    def __init__(self, old: str | None, new: str | None):
        self.old, self.new = old, new

    @cached_property
    def _blocks(self) -> list[tuple[int, int, int, int]] | None:
        """(old start, old end, new start, new end) in characters for every stretch of the
        diff, equal or changed, in order; None when the texts are the same or unknown."""
        diff = self._diff
        return None if diff is None else [blk[:4] for blk in diff]

    @cached_property
    def _diff(self) -> list[tuple[int, int, int, int, bool]] | None:
        """The stretches of `_blocks`, each with whether it is the same words in both texts."""
        if self.old is None or self.new is None or self.old == self.new:
            return None
        la, lb = _pieces(LINES, self.old), _pieces(LINES, self.new)
        blocks: list[tuple[int, int, int, int, bool]] = []
        budget = WORD_DIFF_BUDGET
        for op, a1, a2, b1, b2 in _opcodes(la, lb, 0, len(self.old), 0, len(self.new), autojunk=True):
            if op != "replace":
                blocks.append((a1, a2, b1, b2, op == "equal"))
                continue
            wa = _pieces(TOKENS, self.old, a1, a2)
            wb = _pieces(TOKENS, self.new, b1, b2)
            cost = len(wa) * len(wb)
            if cost > WORD_DIFF_LIMIT or cost > budget:
                blocks.append((a1, a2, b1, b2, False))
                continue
            budget -= cost
            blocks.extend((c1, c2, d1, d2, o == "equal") for o, c1, c2, d1, d2
                          in _opcodes(wa, wb, a1, a2, b1, b2))
        return blocks

    def kept(self, start: int, end: int) -> tuple[int, int] | None:
        """Where the words from `start` to `end` of the earlier text are in the later one, when
        the edit left them as they were (in stretches the diff found the same in both: the
        sentence round them may have been edited); None when they were rewritten, taken out, or
        the texts are not both known."""
        if self.old is None or self.new is None:
            return None
        if self.old == self.new:
            return start, end
        if not 0 <= start < end <= len(self.old):
            return None
        diff = self._diff or []
        i = max(bisect.bisect_right(self._starts, start) - 1, 0)
        while i < len(diff) and diff[i][0] < end:
            a1, a2, _b1, _b2, same = diff[i]
            if a2 > start and not same:
                return None
            i += 1
        new = self.span(start, end)
        return new if self.new[new[0]:new[1]] == self.old[start:end] else None

    @cached_property
    def _starts(self) -> list[int]:
        return [blk[0] for blk in self._blocks or []]

    def offset(self, pos: int, end: bool = False) -> int:
        """Where `pos` of the earlier text is in the later one. `end`: `pos` is the end of a
        span (exclusive), so a span ending where an edit starts stays before it."""
        blocks = self._blocks
        if blocks is None:
            return pos
        i = bisect.bisect_right(self._starts, pos - 1 if end and pos > 0 else pos) - 1
        i = min(max(i, 0), len(blocks) - 1)
        a1, a2, b1, b2 = blocks[i]
        if a2 == a1:  # an insertion: nothing of the earlier text is here
            return b1 if not end else b2
        pos = min(max(pos, a1), a2)
        if a2 - a1 == b2 - b1:  # equal stretch (or an edit of the same length)
            return b1 + (pos - a1)
        return b1 + round((pos - a1) * (b2 - b1) / (a2 - a1))

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.offset(start), self.offset(end, end=True)


def carry(places: Iterable, old: str | None, new: str | None) -> list[list[int]]:
    """Places (`[start, end]`) in the earlier text carried to the later one through the edit:
    those whose words the edit left as they were (`OffsetMap.kept`), however the sentence round
    them was edited; a place rewritten or taken out is dropped, so that what stood there is
    looked at afresh, never taken for the same place by a guess."""
    moved = OffsetMap(old, new)
    out = []
    for start, end in places:
        at = moved.kept(start, end)
        if at is not None:
            out.append([at[0], at[1]])
    return out


def _pieces(pattern: re.Pattern, text: str, lo: int = 0,
            hi: int | None = None) -> list[tuple[int, int, str]]:
    hi = len(text) if hi is None else hi
    return [(m.start(), m.end(), m.group()) for m in pattern.finditer(text, lo, hi)]


def _opcodes(a: list[tuple[int, int, str]], b: list[tuple[int, int, str]],
             a_lo: int, a_hi: int, b_lo: int, b_hi: int, autojunk: bool = False):
    """difflib's opcodes over the pieces, as character offsets: each stretch runs from its
    first piece's start to the next stretch's (the first from `lo`, the last to `hi`), so the
    stretches cover the text from `lo` to `hi` with nothing left between them. `autojunk`:
    difflib's own, for lines (blank lines, very common, do not anchor a match)."""
    def first(pieces, i, lo, hi):
        return lo if i == 0 else hi if i >= len(pieces) else pieces[i][0]

    def last(pieces, i, lo, hi):
        return hi if i >= len(pieces) else lo if i == 0 else pieces[i][0]

    matcher = difflib.SequenceMatcher(None, [p[2] for p in a], [p[2] for p in b], autojunk=autojunk)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        yield (op, first(a, i1, a_lo, a_hi), last(a, i2, a_lo, a_hi), first(b, j1, b_lo, b_hi),
               last(b, j2, b_lo, b_hi))


def _placed(f: dict) -> bool:
    return f.get("start") is not None and f.get("end") is not None


def _words(f: dict) -> str:
    return " ".join((f.get("text") or "").split()).casefold()


def change_note(before: str | None, after: str | None) -> str | None:
    """A short note when a finding still there says something different: its figures moved
    ("was 28 words"), else nothing (the earlier message is kept beside it)."""
    if not before or not after or before == after:
        return None
    old_parts, new_parts = NUMBER.split(before), NUMBER.split(after)
    old_nums, new_nums = NUMBER.findall(before), NUMBER.findall(after)
    if old_parts != new_parts or len(old_nums) != len(new_nums):
        return None
    notes = []
    for k, (o, n) in enumerate(zip(old_nums, new_nums)):
        if o != n:
            unit = re.match(r"(?:[ ]+[A-Za-z]+){1,3}", old_parts[k + 1])  # "28 words", "3 working days late"
            notes.append(f"was {o}{unit.group(0)}" if unit else f"was {o}")
    return ", ".join(notes) or None


def match(before: list[dict], after: list[dict], old_text: str | None = None,
          new_text: str | None = None) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair the earlier findings with the later ones. Returns (pairs of indices (before,
    after), indices of `before` with no counterpart (fixed), indices of `after` with none
    (new)). Findings of different rules are never paired."""
    moved = OffsetMap(old_text, new_text)
    mapped = {i: moved.span(f["start"], f["end"]) for i, f in enumerate(before) if _placed(f)}
    words_before = [_words(f) for f in before]
    words_after = [_words(g) for g in after]
    used_before: set[int] = set()
    used_after: set[int] = set()
    pairs: list[tuple[int, int]] = []

    def take(candidates: list[tuple]) -> None:
        """Closest first (each candidate ends with its two indices); each finding once."""
        for *_, i, j in sorted(candidates):
            if i not in used_before and j not in used_after:
                used_before.add(i)
                used_after.add(j)
                pairs.append((i, j))

    def left(rule_of: dict[str, list[int]], used: set[int]) -> dict[str, list[int]]:
        return {r: [k for k in ks if k not in used] for r, ks in rule_of.items()}

    rules_before: dict[str, list[int]] = {}
    rules_after: dict[str, list[int]] = {}
    for i, f in enumerate(before):
        rules_before.setdefault(f["rule"], []).append(i)
    for j, g in enumerate(after):
        rules_after.setdefault(g["rule"], []).append(j)

    def overlapping(same_words: bool) -> list[tuple]:
        """Placed pairs whose spans overlap once the earlier one is mapped (with the same
        words, or with other words), largest overlap first."""
        out = []
        b_left, a_left = left(rules_before, used_before), left(rules_after, used_after)
        for rule, js in a_left.items():
            js = sorted((j for j in js if _placed(after[j])), key=lambda j: after[j]["start"])
            if not js:
                continue
            starts = [after[j]["start"] for j in js]
            longest = max(after[j]["end"] - after[j]["start"] for j in js)
            for i in b_left.get(rule, ()):
                if i not in mapped:
                    continue
                s, e = mapped[i]
                for k in range(bisect.bisect_left(starts, s - longest), bisect.bisect_left(starts, e)):
                    j = js[k]
                    g = after[j]
                    overlap = min(e, g["end"]) - max(s, g["start"])
                    if overlap > 0 and (words_before[i] == words_after[j]) == same_words:
                        out.append((-overlap, abs(s - g["start"]), i, j))
        return out

    def by_words(key_before, key_after) -> list[tuple]:
        """Pairs of the same rule with the same key, nearest first (in order when there are
        too many to weigh each against each)."""
        out = []
        groups: dict[tuple, tuple[list[int], list[int]]] = {}
        for rule, i_s in left(rules_before, used_before).items():
            for i in i_s:
                k = key_before(i)
                if k is not None:
                    groups.setdefault((rule, k), ([], []))[0].append(i)
        for rule, j_s in left(rules_after, used_after).items():
            for j in j_s:
                k = key_after(j)
                if k is not None and (rule, k) in groups:
                    groups[(rule, k)][1].append(j)
        for i_s, j_s in groups.values():
            if len(i_s) * len(j_s) <= 10_000:
                out.extend((_distance(i, j), i, j) for i in i_s for j in j_s)
            else:
                i_s = sorted(i_s, key=lambda i: mapped.get(i, (0, 0))[0])
                j_s = sorted(j_s, key=lambda j: after[j].get("start") or 0)
                out.extend((n, i, j) for n, (i, j) in enumerate(zip(i_s, j_s)))
        return out

    def _distance(i: int, j: int) -> int:
        if i in mapped and _placed(after[j]):
            return abs(mapped[i][0] - after[j]["start"])
        return 0 if (i in mapped) == _placed(after[j]) else 1

    def unplaced(placed: bool) -> str | None:
        return None if placed else ""

    # 1. the same words in the same place
    take(overlapping(same_words=True))
    # 2. the same words elsewhere, or both with no place (a letter-wide finding)
    take(by_words(lambda i: words_before[i], lambda j: words_after[j]))
    # 3. other words in the same place: the same sentence edited
    take(overlapping(same_words=False))
    # 4. a finding with no place in the later version (a letter-wide one whose words changed
    #    first), then one with no place in the earlier version
    take(by_words(lambda i: "", lambda j: unplaced(_placed(after[j]))))
    take(by_words(lambda i: unplaced(i in mapped), lambda j: ""))

    pairs.sort(key=lambda p: p[1])
    fixed = [i for i in range(len(before)) if i not in used_before]
    new = [j for j in range(len(after)) if j not in used_after]
    return pairs, fixed, new


def compare_findings(before: Iterable[dict], after: Iterable[dict], old_text: str | None = None,
                     new_text: str | None = None) -> dict[str, list[dict]]:
    """{"fixed": earlier findings gone, "new": later findings with no counterpart,
    "unchanged": later findings still there, each with `before` (the earlier finding's message,
    words and place) and `note` (what changed in its message, e.g. "was 28 words", or None),
    "set_aside": later findings still there but marked "not a problem" since (not fixed: the
    words are still in the letter)}. Findings already set aside in the earlier version are left
    out, and so are those set aside in the later one that have no earlier counterpart.
    fixed + unchanged + set_aside = the earlier findings counted; new + unchanged = the later."""
    before = [f for f in before if not f.get("suppressed")]
    after = list(after)
    pairs, fixed, new = match(before, after, old_text, new_text)
    unchanged, set_aside = [], []
    for i, j in pairs:
        f, g = before[i], after[j]
        (set_aside if g.get("suppressed") else unchanged).append(
            {**g, "before": {k: f.get(k) for k in ("message", "text", "start", "end")},
             "note": change_note(f.get("message"), g.get("message"))})
    return {"fixed": [before[i] for i in fixed], "new": [after[j] for j in new if not after[j].get("suppressed")],
            "unchanged": unchanged, "set_aside": set_aside}
