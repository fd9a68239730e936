"""Find concepts (required content) by meaning, over windows of sentences.

A concept has alternatives; an alternative matches a window of consecutive segments (sentences,
headings, signature lines) when every one of its `all` patterns matches the window's text after
the `none` patterns' matches have been blanked out ("after reviewing the file" does not count as
the review right, but "the file was reviewed; you can ask for a review" still does).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from vcl_qa.engine.fastsearch import TextIndex, exists
from vcl_qa.engine.memo import LONGEST_KEPT, TextMemo
from vcl_qa.engine.prefilter import HintBits, WordFinder
from vcl_qa.engine.structure import Document

SPACES = re.compile(r"\s+")

# Required content as people name it, and the concepts (rules/concepts.yml) any of which shows
# it: used by the paraphrase corpus test and the held-out evaluation.
CONTENT_CONCEPTS = {
    "review_right": ["review_right"],
    "review_time_limit": ["review_ten_days", "review_three_months"],
    "meeting_offer": ["meeting_offer"],
    "support_services": ["support_services"],
    "contact": ["contact"],
    "acknowledgement": ["acknowledgement"],
    "condolence": ["condolence"],
    "delay_apology": ["delay_apology"],
    "decision_statement": ["decision_stop", "decision_no_evidence", "decision_charge_altered",
                           "decision_not_charged", "decision_left_on_file"],
    "specific_reason": ["specific_reason"],
    "future_reporting": ["future_reporting"],
    "victim_views": ["victim_views"],
    "cps_role": ["cps_role"],
}


@dataclass
class Concept:
    """A piece of content found by meaning, not by one word: any of several alternatives,
    each needing all of its patterns within a window of sentences and none of its exclusions."""

    name: str
    window: int
    alternatives: list[tuple[list[re.Pattern], list[re.Pattern]]]
    description: str = ""
    # A sentence classifier's second opinion (engine/second_opinion.py): "veto" doubts what the
    # patterns found, "rescue" finds what they missed; None: the patterns alone decide.
    second_opinion: str | None = None
    second_opinion_at: float | None = None  # the probability the opinion turns on; None: the model's own
    # A sentence the classifier may rescue must also match this (a word the concept cannot do
    # without: an acknowledgement speaks to the reader or of feelings); None: any sentence.
    rescue_needs: re.Pattern | None = None
    # ... and must not match this (a near miss the model takes for the concept: "This does not
    # mean we doubt you" is no acknowledgement of feelings); None: nothing ruled out.
    rescue_unless: re.Pattern | None = None

    # The rule set's index of every concept's pattern words (`WordIndex`, which keeps what each
    # segment holds of them: a window's words are its segments'), this concept's place in it
    # and its bits there; None until a concept made on its own is first read (`word_place`).
    word_index: tuple["WordIndex", int, int] | None = field(default=None, repr=False, compare=False)
    # ... and its place among the index's concepts: what each window of text already read gave
    # it (the index of the first alternative found there, or None) is kept in the index's
    # `answers`, one list a window for all the concepts, at this place (`find_concept`).
    slot: int = field(default=0, repr=False, compare=False)

    @cached_property
    def indexed(self) -> list[tuple[int, list[re.Pattern], list[re.Pattern]]]:
        """The alternatives with their places in the list, each one's patterns in the order
        they are tried: the shorter (cheaper) first, since all must match and one that does
        not ends the try ("because" before a list of 1,000 evidence nouns)."""
        return [(k, sorted(req, key=lambda p: len(p.pattern)), masks)
                for k, (req, masks) in enumerate(self.alternatives)]

    @cached_property
    def needs_any(self) -> tuple[int, ...]:
        """The distinct `needed_words` bits of the alternatives (for a quick "can any match")."""
        return tuple(dict.fromkeys(self.needed_words[1]))

    def possible(self, words: int) -> bool:
        """Could an alternative match a text with these `words_in` bits? (Kept per bits: the
        same few combinations of words come back window after window.)"""
        found = self._possible.get(words)
        if found is None:
            if len(self._possible) >= 4_096:
                self._possible.clear()
            found = self._possible[words] = any(words & need == need for need in self.needs_any)
        return found

    @cached_property
    def _possible(self) -> dict[int, bool]:
        return {}

    @cached_property
    def narrowed(self) -> TextMemo:
        """Where the words are in a window the concept was found in (`_narrow_kept`)."""
        return TextMemo(NARROWED_MAX, NARROWED_CHARS)

    @cached_property
    def narrowed_kept(self) -> list[bool]:
        """For each alternative, may where its words are in a window be kept (`_narrow_kept`):
        one pattern finds them, and it has no lookbehind (which may read before the window)."""
        return [len(required) == 1 and "(?<" not in required[0].pattern for required, _ in self.alternatives]

    @cached_property
    def needed_words(self) -> tuple[list[tuple[str, ...]], list[int]]:
        """The sets of words the patterns cannot match without (one word of each set must be
        there; engine/prefilter.py `hint_sets`), a bit each; and for each alternative, the bits
        of all its required patterns' sets. The exclusions' sets have bits too (`mask_bits`)."""
        return self._word_bits[0], self._word_bits[1]

    @cached_property
    def _word_bits(self) -> tuple[list[tuple[str, ...]], list[int], dict[re.Pattern, int]]:
        """The sets of words (engine/prefilter.py `hint_sets`: one word of each set must be in
        any text a pattern matches), a bit each, shared by the patterns that need the same
        set; each alternative's bits (all its required patterns' sets), and each exclusion's."""
        bits = HintBits()
        needs = [0] * len(self.alternatives)
        for k, (required, _) in enumerate(self.alternatives):
            for p in required:
                needs[k] |= bits.of(p.pattern)
        masks = {m: bits.of(m.pattern) for _, ms in self.alternatives for m in ms}
        return bits.sets, needs, masks

    @cached_property
    def mask_bits(self) -> list[list[tuple[re.Pattern, int]]]:
        """For each alternative, its exclusions in order, each with its words' bits (0: it has
        none, so it always runs): an exclusion some of whose words are not in a window cannot
        match there, and blanking out another's match never puts them in (it only puts spaces)."""
        bits = self._word_bits[2]
        return [[(m, bits[m]) for m in masks] for _, masks in self.alternatives]

    def word_place(self) -> tuple["WordIndex", int, int]:
        """The word index this concept's words are read with, its place in it and its bits
        there: the rule set's (rules.py), or, for a concept made on its own, one of its own."""
        if self.word_index is None:
            WordIndex([self])
        return self.word_index  # type: ignore[return-value]

    def may_be_in(self, low: str) -> bool:
        """Could an alternative match this lower-case text? (Not unless every one of its
        patterns' needed words is in it.)"""
        return self.may_have(self.word_place()[0].lower_bits(low))

    def may_have(self, all_bits: int) -> bool:
        """`may_be_in` a text whose bits in the concept's word index are these (`WordIndex.bits`,
        worked out once for every concept)."""
        _, at, mask = self.word_place()
        return self.possible(all_bits >> at & mask)


class WordIndex:
    """The words every concept's patterns need (`Concept.needed_words`), found in a sentence in
    one pass for all the concepts (an Aho-Corasick automaton: "review" in "reviewed" too), as
    one number: each concept's bits at its own place. A letter's sentences are read once for
    all 22 concepts instead of once for each; a concept none of whose alternatives has all its
    words anywhere in the letter is not looked for window by window (`find_concept`)."""

    def __init__(self, concepts: list[Concept]):
        masks: dict[str, int] = {}
        at = 0
        for slot, concept in enumerate(concepts):
            concept.slot = slot
            words, _ = concept.needed_words
            for bit, hints in enumerate(words):
                for h in hints:
                    masks[h] = masks.get(h, 0) | 1 << (at + bit)
            width = len(words)  # (a variable: `1 << len(words)` compiled is a 64-bit machine shift)
            concept.word_index = (self, at, (1 << width) - 1)
            at += width
        self.finder = WordFinder(masks)
        self.memo = TextMemo(MEMO_MAX, WORDS_MEMO_CHARS)
        # What each window of text already read gave each concept (`find_concept`): a list a
        # window, a place for each concept (`Concept.slot`; _UNSEEN until worked out), kept by
        # the window's segments' texts (`window_key`). A
        # window's answers depend on its text alone, so a sentence met again (the letter scored
        # again after an edit, a template paragraph in another letter, the one-click checks'
        # windows) is not matched again; and a letter's windows are looked up once for all the
        # concepts (looked up once for each, in a memo of its own, they cost a twentieth of a
        # letter's time).
        self.size = len(concepts)
        self.answers = TextMemo(MEMO_MAX, MEMO_CHARS)

    @cached_property
    def spaced(self) -> bool:
        """Has any of the words a space in it (so that it may be found over two parts of a text
        that space keeps apart)?"""
        return any(any(ch.isspace() for ch in word) for word in self.finder.words)

    def bits(self, text: str) -> int:
        """Every concept's `words_in` bits of the text, at their places (kept per text)."""
        found = self.memo.get(text)
        if found is None:
            found = self.lower_bits(text.lower())
            if len(text) <= MEMO_TEXT_MAX:
                self.memo.put(text, found, len(text))
        return found

    def lower_bits(self, low: str) -> int:
        """`bits` of a lower-case text, worked out (not kept; prefilter.WordFinder.bits)."""
        return self.finder.bits(low)


@dataclass
class Hit:
    start: int
    end: int
    text: str


def _mask(text: str, masks: list[tuple[re.Pattern, int]], words: int) -> str:
    """The text with each exclusion's matches blanked out, in order (`words`: the window's
    `Concept.words_in` bits; an exclusion whose bit is not among them cannot match)."""
    for m, bits in masks:
        if words & bits != bits:
            continue  # a word it cannot match without is not there
        if m.search(text):
            text = m.sub(lambda mo: " " * len(mo.group(0)), text)
    return text


# Windows whose answers are remembered before the memo is emptied (about 400 bytes each, with
# every concept's answer), and the characters of them (the windows of about 800 letters).
MEMO_MAX = 20_000
MEMO_CHARS = 2_000_000
WORDS_MEMO_CHARS = 400_000  # segments' words, for every concept at once (WordIndex): about 160 letters' new ones
# Windows a concept was found in, kept with where its words are (`_narrow_kept`), per concept.
NARROWED_MAX = 2_000
NARROWED_CHARS = 200_000
# Longer windows (a hostile run-on "sentence") are worked out each time, not kept.
MEMO_TEXT_MAX = LONGEST_KEPT
_UNSEEN: Any = object()


def find_concept(concept: Concept, document: Document, cache: dict) -> Hit | None:
    """The first window of segments where the concept is present, or None. `cache` keeps the
    letter's window texts (and their answers) between concepts."""
    segs = document.segments
    seg_bits = _segment_bits(concept, segs, cache)
    index, at, mask = concept.word_place()
    if not concept.possible(seg_bits[-1] >> at & mask):
        return None
    slot = concept.slot
    for size in range(1, concept.window + 1):
        answers = _answers(index, segs, size, cache)
        # What the memo says of every window, read at once: most letters' windows were all
        # met before, and most hold no concept.
        said = [a[slot] for a in answers]
        if said.count(None) == len(said):
            continue
        for i, found in enumerate(said):
            if found is _UNSEEN:
                found = answers[i][slot] = _work_out(concept, segs, cache, seg_bits, i, size)
            if found is None:
                continue
            required = concept.alternatives[found][0]
            first, last = segs[i], segs[i + size - 1]
            start, end = _narrow_kept(concept, found, required, document.text, first.start, last.end)
            start, end = _whole_words(document.text, start, end)
            return Hit(start, end, document.text[start:end])
    return None


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """The place widened to whole words: a pattern may end inside one ("review" of
    "reviewed"), and the finding would quote "... to be review"."""
    while end < len(text) and text[end].isalnum():
        end += 1
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    return start, end


def _segment_bits(concept: Concept, segs: list, cache: dict) -> list[int]:
    """Each segment's words, read once for every concept (an alternative whose words are not
    all in the letter cannot match any window of it), and last the whole letter's."""
    words_index = concept.word_place()[0]
    seg_bits = cache.get(words_index)
    if seg_bits is None:
        seg_bits = cache[words_index] = [words_index.bits(seg.text) for seg in segs]
        union = 0
        for b in seg_bits:
            union |= b
        seg_bits.append(union)  # (the last: the whole letter's)
    return seg_bits


def _answers(index: "WordIndex", segs: list, size: int, cache: dict) -> list[list]:
    """The answers kept for each of the letter's windows of `size` segments, one list a window
    with a place for each concept of the index (`WordIndex.answers`); a window met for the
    first time gets a list of _UNSEEN, kept unless it is too long (kept for every concept in
    the letter's `cache`)."""
    key = (index, size)
    found = cache.get(key)
    if found is None:
        memo, width = index.answers, index.size
        found = []
        for i in range(0, len(segs) - size + 1):
            k = window_key(segs, i, size)
            answers = memo.get(k)
            if answers is None:
                answers = [_UNSEEN] * width
                chars = key_chars(k)
                if chars <= MEMO_TEXT_MAX:
                    memo.put(k, answers, chars)
            found.append(answers)
        cache[key] = found
    return found


def window_key(segs: list, i: int, size: int) -> str | tuple[str, ...]:
    """A window's key in the memo of answers: its segments' own texts (a segment's text alone;
    two or three of them as a tuple). The window's text is worked out from them alone
    (`_joined`), so its answers are theirs. Not the text itself: joined and hashed for every
    window of every letter, about 40 microseconds a letter, where a letter's segments are
    mostly the same strings as in the letters before (a block's sentences are kept,
    structure.py), their hashes worked out already."""
    if size == 1:
        return segs[i].text
    if size == 2:
        return (segs[i].text, segs[i + 1].text)
    return tuple([s.text for s in segs[i:i + size]])


def key_chars(key: str | tuple[str, ...]) -> int:
    """The characters of a window's key: its segments and a space between each two (at least
    the window's text, `_joined`)."""
    if isinstance(key, str):
        return len(key)
    return sum(map(len, key)) + len(key) - 1


def _window_text(segs: list, i: int, size: int, cache: dict) -> str:
    """The text of the window of `size` segments from segment i (`_joined`), worked out only
    when a concept's answer there is not kept, and then kept for the letter's other concepts."""
    texts = cache.get(size)
    if texts is None:
        texts = cache[size] = [None] * (len(segs) - size + 1)
    text = texts[i]
    if text is None:
        text = texts[i] = _joined(segs, i, size)
    return text


def _work_out(concept: Concept, segs: list, cache: dict, seg_bits: list[int], i: int, size: int) -> int | None:
    """The first alternative found in the window of `size` segments from segment i, worked out
    (the caller keeps it among the window's answers). The window's text is joined only when
    its words allow an alternative (most windows met for the first time have none of them)."""
    _, at, mask = concept.word_place()
    # The words the patterns need, from the window's segments (a word never spans two of
    # them: they are joined by a space).
    words = 0
    for b in seg_bits[i:i + size]:
        words |= b
    words = words >> at & mask
    if concept.possible(words):
        found = _first_alternative(concept, words, TextIndex(_window_text(segs, i, size, cache)))
    else:
        found = None  # no alternative has all its words here
    return found


def _found_in(concept: Concept, answers: list[list], segs: list, cache: dict, seg_bits: list[int], i: int,
              size: int) -> bool:
    found = answers[i][concept.slot]
    if found is _UNSEEN:
        found = answers[i][concept.slot] = _work_out(concept, segs, cache, seg_bits, i, size)
    return found is not None


def _joined(segs: list, i: int, size: int) -> str:
    """The text of segments i .. i+size-1, joined by single spaces, runs of space made one."""
    if size == 1:
        text = segs[i].text
    else:
        text = " ".join(s.text for s in segs[i : i + size])
    if "\n" in text:
        if "-\n" in text or "- \n" in text:
            # a word hyphenated across a line break, as a PDF or an e-mail wraps it, read whole:
            # "to be re-\nviewed by a prosecutor" is "reviewed" (holdout30)
            text = _HYPHEN_BREAK.sub("", text)
        return SPACES.sub(" ", text)
    return SPACES.sub(" ", text) if "  " in text or "\t" in text or not text.isascii() else text


_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-[ \t]*\n\s*(?=[a-z])")


def _first_alternative(concept: Concept, words: int, window: TextIndex) -> int | None:
    """The index of the first alternative whose patterns all match the window (after its
    exclusions are blanked out), or None. `words`: the bits of `Concept.words_in` for the
    window (an alternative whose patterns' words are not all there cannot match)."""
    text = window.text
    needs = concept.needed_words[1]
    # Whether each pattern finds anything in the window, kept while its alternatives are
    # tried: alternatives share patterns (a wrong time limit for a review, said two ways, is
    # each time the same search through the window for a limit), and a search through a
    # window for a long pattern costs tens of microseconds.
    tried: dict[int, bool] = {}
    for k, required, masks in concept.indexed:
        need = needs[k]
        if words & need != need:
            continue
        if not all(_finds(p, window, tried) for p in required):
            continue
        masked = _mask(text, concept.mask_bits[k], words) if masks else text
        if masked is not text and not all(p.search(masked) for p in required):
            continue
        return k
    return None


def _finds(pattern: re.Pattern, window: TextIndex, tried: dict[int, bool]) -> bool:
    """Does the pattern find anything in the window (kept in `tried` by the pattern's id:
    hashing a compiled pattern reads all of its code each time)?"""
    found = tried.get(id(pattern))
    if found is None:
        found = tried[id(pattern)] = exists(pattern, window)
    return found


def hit_segments(concept: Concept, document: Document, cache: dict | None = None) -> list[int]:
    """Every segment where the concept's patterns find it, each segment read on its own (a hit
    over two segments, found in neither alone, counts both): what a second opinion looks at.
    `cache`: the letter's, as for find_concept, or None (a window is the same text whether it is read
    in the whole letter or alone, and its answer is kept in the concept's memo)."""
    segs = document.segments
    if not segs:
        return []
    cache = {} if cache is None else cache
    seg_bits = _segment_bits(concept, segs, cache)
    index, at, mask = concept.word_place()
    if not concept.possible(seg_bits[-1] >> at & mask):
        return []  # not in the letter's words: in none of its segments
    answers = _answers(index, segs, 1, cache)
    out = {i for i in range(len(segs)) if _found_in(concept, answers, segs, cache, seg_bits, i, 1)}
    if concept.window > 1:
        answers = _answers(index, segs, 2, cache)
        for i in range(len(segs) - 1):
            if i not in out and i + 1 not in out and _found_in(concept, answers, segs, cache, seg_bits, i, 2):
                out.update((i, i + 1))
    return sorted(out)


def _narrow(required: list[re.Pattern], text: str, start: int, end: int) -> tuple[int, int]:
    """The exact words, when one pattern found them; else the whole window of sentences."""
    if len(required) == 1:
        m = required[0].search(text, start, end)
        if m and m.end() > m.start():
            return m.start(), m.end()
    return start, end


def _narrow_kept(concept: Concept, k: int, required: list[re.Pattern], text: str, start: int,
                 end: int) -> tuple[int, int]:
    """`_narrow`, kept per alternative and window: a letter's concepts are found in sentences
    met before, and each was searched again for its words in every letter. A search from
    `start` to `end` reads the text there, and the character before it (a word boundary, a line
    start, the text's start); a pattern with a lookbehind may read further back, and is not
    kept (`Concept.narrowed_kept`). The answer is kept counted from `start`."""
    if not concept.narrowed_kept[k] or end - start > MEMO_TEXT_MAX:
        return _narrow(required, text, start, end)
    key = (k, text[start - 1:start] if start else "", text[start:end])
    found = concept.narrowed.get(key)
    if found is None:
        a, b = _narrow(required, text, start, end)
        found = (a - start, b - start)
        concept.narrowed.put(key, found, end - start + 1)
    return start + found[0], start + found[1]


