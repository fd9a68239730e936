"""Recognise the parts of a letter and split its prose into sentences.

The header, address block, reference lines, greeting and sign-off are found by line patterns in
rules/structure.yml. Only the prose between greeting and sign-off feeds the readability figures
and sentence counts; every check still reports offsets into the whole body.
"""
from __future__ import annotations

import itertools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from functools import lru_cache

from spacy.tokens import Doc

from vcl_qa import config
from vcl_qa.engine.fastsearch import breaks as blank_line_breaks
from vcl_qa.engine.memo import LONGEST_KEPT, TextMemo, keep_short
from vcl_qa.engine.nlp import get_nlp
from vcl_qa.engine.rules_data import load_yaml

WORD = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class StructurePatterns:
    header: list[re.Pattern]
    greeting: list[re.Pattern]
    sign_off: list[re.Pattern]
    reference_line: list[re.Pattern]
    line_end_sentence: re.Pattern
    abbreviations: frozenset[str]
    bullet: re.Pattern
    list_item_goes_on: re.Pattern
    page_furniture: re.Pattern
    slips: dict[str, str]
    heading_max_words: int
    prose_min_words: int
    running_header_max_words: int = 12
    # A prose line at least this long is no line of a paragraph wrapped at a line length (an
    # e-mail's plain text wraps at 72-80): it is a paragraph typed as one line, as a Word file's
    # paragraphs or the editor's are read, and one with no full stop ends its sentence at its
    # end when the next line starts with a capital or a figure (`_ends_long_line`).
    unwrapped_line_min_chars: int = 90
    # `page_furniture` with its leading "^" made a line break ("\n" + the rest): looked for in a
    # letter, a pattern that starts with a character is sought from one line break to the next,
    # where "^" is tried at every character (9 -> 3 microseconds a letter); None when the
    # pattern does not start with "^" (`has_page_furniture`).
    page_furniture_after_break: re.Pattern | None = None


def _after_break(pattern: str, flags: int) -> re.Pattern | None:
    if not pattern.startswith("^"):
        return None
    try:
        return re.compile("\n" + pattern[1:], flags)
    except re.error:  # ("^(?i)...": inline flags must stay first)
        return None


def has_page_furniture(text: str, pats: "StructurePatterns") -> bool:
    """Is there a line of page furniture anywhere in the text? The answer of
    `page_furniture.search(text) is not None`: a match at a line's start is one at the text's
    start, or one of the pattern made a line break from the break before that line (where "^"
    begins only the first of the pattern's alternatives, another matches as it did)."""
    after = pats.page_furniture_after_break
    if after is None:
        return pats.page_furniture.search(text) is not None
    return pats.page_furniture.match(text) is not None or after.search(text) is not None


@lru_cache(maxsize=1)
def patterns() -> StructurePatterns:
    data = load_yaml("structure.yml")

    def comp(key: str) -> list[re.Pattern]:
        return [re.compile(p, re.I) for p in data[key]]

    return StructurePatterns(
        header=comp("header"),
        greeting=comp("greeting"),
        sign_off=[re.compile(rf"^(?:{sign_off_alternatives()})[,.!]?$", re.I)],
        reference_line=comp("reference_line"),
        line_end_sentence=re.compile(data["line_end_sentence"]),
        abbreviations=frozenset(a.lower() for a in data["abbreviations"]),
        bullet=re.compile(data["bullet"]),
        list_item_goes_on=re.compile(data["list_item_goes_on"], re.I),
        page_furniture=re.compile(data["page_furniture"], re.I | re.M),
        page_furniture_after_break=_after_break(data["page_furniture"], re.I | re.M),
        slips=_slips(data.get("slips") or {}),
        heading_max_words=int(data["heading_max_words"]),
        prose_min_words=int(data["prose_min_words"]),
        # (an area's own rules folder made before this setting: the 12 it was)
        running_header_max_words=int(data.get("running_header_max_words", 12)),
        unwrapped_line_min_chars=int(data.get("unwrapped_line_min_chars", 90)),
    )


def _slips(data: dict) -> dict[str, str]:
    """rules/structure.yml `slips`, checked: each misspelling and its correction lower case,
    letters only, of the same length (the text is mended letter for letter)."""
    out = {}
    for wrong, right in data.items():
        wrong, right = str(wrong).lower(), str(right).lower()
        if len(wrong) != len(right) or not wrong.isalpha() or not right.isalpha():
            raise ValueError(f"rules/structure.yml slips: {wrong!r} -> {right!r} must be letters of the same length")
        out[wrong] = right
    return out


def sign_off_alternatives() -> str:
    """The sign-offs of rules/structure.yml as one regular-expression alternation."""
    phrases = sorted((str(p) for p in load_yaml("structure.yml")["sign_offs"]), key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in phrases)


def impersonal_greetings() -> list[str]:
    """Words after "Dear" that address nobody in particular (rules/structure.yml)."""
    return [str(w) for w in load_yaml("structure.yml")["impersonal_greetings"]]


def title_lists() -> dict[str, list[str]]:
    """`honorifics` and `ranks` as written in rules/structure.yml."""
    data = load_yaml("structure.yml")["titles"]
    return {"honorifics": [str(t) for t in data["honorifics"]], "ranks": [str(t) for t in data["ranks"]]}


@lru_cache(maxsize=1)
def first_name_titles() -> frozenset[str]:
    """Honorifics that go with the first name ("Sir John"), lower case (rules/structure.yml)."""
    return frozenset(str(t).lower() for t in load_yaml("structure.yml").get("first_name_titles") or [])


@lru_cache(maxsize=1)
def post_nominals() -> frozenset[str]:
    """Letters and honours after a name ("Jr", "OBE"), lower case (rules/structure.yml; read
    once: it was read from the file for every new victim_name, 1-2 ms each)."""
    return frozenset(str(t).lower() for t in load_yaml("structure.yml").get("post_nominals") or [])


@lru_cache(maxsize=1)
def post_nominals_as_written() -> frozenset[str]:
    """Letters after a name that are also names or words in another case ("MA", "RN", "Esq"),
    as written, and in capitals (rules/structure.yml post_nominals_as_written)."""
    words = [str(t).rstrip(".") for t in load_yaml("structure.yml").get("post_nominals_as_written") or []]
    return frozenset(words + [w.upper() for w in words])


@lru_cache(maxsize=1)
def post_nominals_or_surnames() -> frozenset[str]:
    """Letters after a name that are surnames too ("MA", "BA"), as listed (rules/structure.yml)."""
    return frozenset(str(t) for t in load_yaml("structure.yml").get("post_nominals_or_surnames") or [])


@lru_cache(maxsize=1)
def greeting_title_list() -> tuple[str, ...]:
    """Titles the greeting check alone knows, as rules/structure.yml writes them ("Lt", "Rabbi")."""
    return tuple(str(t) for t in load_yaml("structure.yml").get("greeting_titles") or [])


@lru_cache(maxsize=1)
def greeting_titles() -> frozenset[str]:
    """greeting_title_list, lower case without a full stop ("lt", "rabbi")."""
    return frozenset(t.lower().rstrip(".") for t in greeting_title_list())


@lru_cache(maxsize=1)
def rank_first_words() -> frozenset[str]:
    """First words of a rank written in full that are also first names, lower case ("group",
    "lance"; rules/structure.yml rank_first_words)."""
    return frozenset(str(t).lower() for t in load_yaml("structure.yml").get("rank_first_words") or [])


@lru_cache(maxsize=1)
def peer_titles() -> frozenset[str]:
    """Peers' titles, lower case (rules/structure.yml peer_titles)."""
    return frozenset(str(t).lower() for t in load_yaml("structure.yml").get("peer_titles") or [])


@lru_cache(maxsize=1)
def not_a_person() -> re.Pattern:
    """A victim_name standing for people it does not name (rules/structure.yml not_a_person)."""
    return re.compile(load_yaml("structure.yml").get("not_a_person") or "(?!)")


@lru_cache(maxsize=1)
def title_forms() -> dict[str, str]:
    """Each title's short form to its full form, lower case ("col": "colonel"; rules/structure.yml)."""
    return {str(k).lower().rstrip("."): str(v).lower()
            for k, v in (load_yaml("structure.yml").get("title_forms") or {}).items()}


@lru_cache(maxsize=1)
def titles_left_out_in_greeting() -> frozenset[str]:
    """Titles a greeting leaves out before the rank after them, full forms, lower case ("lieutenant")."""
    forms = title_forms()
    return frozenset(forms.get(w, w) for w in (str(t).lower().rstrip(".") for t in
                                                load_yaml("structure.yml").get("titles_left_out_in_greeting") or []))


def _post_nominal(words: list[str], written: frozenset[str]) -> bool:
    """Is the last of a name's words a post_nominals_as_written one (as listed, or in capitals),
    with a first name and a surname before it ("Mrs Ann Lee MA"; not "Mrs Ann Ma", "Mrs Ann MA")?"""
    if words[-1].strip(",.") not in written:
        return False
    known = titles()
    return sum(1 for w in words[:-1] if w.strip(",.").lower() not in known) >= 2


_SURNAME_FIRST = re.compile(r"^([^,()]+?)\s*,\s*([^,()]+?)\s*(?:,\s*([^,()]+?)\s*)?(?:\(\s*([^()]*?)\s*\))?$")
_INITIAL = re.compile(r"^[A-Za-z]\.?$")


@lru_cache(maxsize=1)
def _never_surnames() -> frozenset[str]:
    return frozenset(str(t).lower() for t in load_yaml("structure.yml").get("never_surnames") or [])


def surname_at(words: list[str], i: int) -> bool:
    """Is the i-th of a name's lower-case words (full stops off) its surname whatever it is?
    The last of two or more is, even a word the titles list holds ("Ms Jane Judge", "Ms Dame":
    Judge, Lord, Constable, Dame are surnames too), unless rules/structure.yml never_surnames
    holds it (Mr, Mrs, Ms, Mx). Read by the greeting and addressee checks and the redaction."""
    return 0 < i == len(words) - 1 and words[i] not in _never_surnames()


@lru_cache(maxsize=512)
def as_written(victim: str) -> str:
    """victim_name as a name is written in a letter: a case system's "Okafor, Jane", "OKAFOR,
    Jane (Ms)", "Okafor, Jane, Ms" or "Ms Okafor, Jane" put in order ("Ms Jane Okafor"), and
    letters or honours after it left out ("John Smith Jr", "Amina Yusuf, OBE": rules/structure.yml
    post_nominals). Any other name as given ("Sarah Jones (mother of Ella)": the note is left out
    where the name is used; "Mr D. Okafor, Mrs J. Okafor": two people)."""
    name = victim.strip()
    after, written = post_nominals(), post_nominals_as_written()
    words = name.split()
    while len(words) > 2 and (words[-1].strip(",.").lower() in after or _post_nominal(words, written)
                              or (words[-1].lower() in ("(hons)", "(hon)") and len(words) > 3)):
        words.pop()
    name = " ".join(words).rstrip(" ,")
    m = _SURNAME_FIRST.match(name)
    if not m:
        return name
    surname, given = m.group(1).split(), m.group(2).split()
    trailing, note = m.group(3), m.group(4)
    known = titles() | greeting_titles()  # ("WARD, John, Capt" too)

    def all_titles(text: str | None) -> bool:
        return bool(text) and all(w.rstrip(".").lower() in known for w in text.split())

    if trailing and not all_titles(trailing):
        return name  # "Okafor, Jane, mother of Ella": not a name in another order
    lead = []
    while surname and surname[0].rstrip(".").lower() in known and len(surname) > 1:
        lead.append(surname.pop(0))
    while given and given[-1].rstrip(".").lower() in known:  # "Okafor, Jane Ms"
        lead.append(given.pop())
    lead += trailing.split() if trailing else []
    if all_titles(note):
        lead += note.split()  # (any other note is left out, as it is where the name is used)
    # The given names are names (capitalised unless the whole name is in lower case, at most
    # four, no title among them), and the surname is one with its particles at most ("de la
    # Cruz", no initial): else the comma is something else ("Jane Okafor, mother of Ella",
    # "Mr D. Okafor, Mrs J. Okafor").
    lower = name.islower()
    if (not given or len(given) > 4 or not 1 <= len(surname) <= 4
            or not all(lower or w[:1].isupper() for w in given)
            or any(w.rstrip(".").lower() in known for w in given)
            or any(_INITIAL.match(w) for w in surname)
            or not (lower or surname[-1][:1].isupper())):
        return name
    return " ".join(lead + given + surname)


def surname_particles() -> list[str]:
    """Words that belong to the surname after them ("de la", "van der", "ap"): rules/structure.yml."""
    return [str(w) for w in load_yaml("structure.yml").get("surname_particles") or []]


@lru_cache(maxsize=1)
def titles() -> frozenset[str]:
    """Every title, lower case without a full stop ("mrs", "dc")."""
    lists = title_lists()
    return frozenset(t.lower().rstrip(".") for t in lists["honorifics"] + lists["ranks"])


class Tok(NamedTuple):
    """What the checks need of a spaCy token, read once (spaCy builds a new Token per access)."""

    text: str
    lower: str
    idx: int
    space: bool
    punct: bool
    like_num: bool
    is_title: bool
    is_upper: bool


def read_tokens(doc: Doc) -> list[Tok]:
    """The tokens of a spaCy Doc (the reference `tokenize` is tested against)."""
    return [Tok(t.text, t.lower_, t.idx, t.is_space, t.is_punct, t.like_num, t.is_title, t.is_upper)
            for t in doc]


class Toks(Sequence):
    """A letter's tokens, kept as its blocks' own (each counted from its block's start, and
    kept between letters: structure.py `_block_tokens`) and moved to their place in the letter
    only when asked for: most letters are checked from what their blocks gave before, and
    need few of their tokens, or none."""

    __slots__ = ("_parts", "_firsts", "_idx", "_n", "_all")

    def __init__(self, parts: list[tuple[int, tuple]]):
        # parts: (shift, tokens), in order; a token's place in the letter is its idx + shift
        self._parts = [(shift, rel) for shift, rel in parts if rel]
        self._firsts: list[int] = []  # the number in the letter of each part's first token
        self._idx: list[int] = []  # where in the letter each part's first token starts
        n = 0
        for shift, rel in self._parts:
            self._firsts.append(n)
            self._idx.append(rel[0][2] + shift)
            n += len(rel)
        self._n = n
        self._all: list[Tok] | None = None

    def __len__(self) -> int:
        return self._n

    def _whole(self) -> list[Tok]:
        if self._all is None:
            out: list[Tok] = []
            for shift, rel in self._parts:
                out.extend(_moved(rel, shift))
            self._all = out
        return self._all

    def __iter__(self):
        return iter(self._whole())

    def __getitem__(self, i):
        if self._all is not None:
            return self._all[i]
        if isinstance(i, slice):
            start, stop, step = i.indices(self._n)
            if step != 1:
                return self._whole()[i]
            return self._slice(start, stop)
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("token index out of range")
        p = bisect_right(self._firsts, i) - 1
        shift, rel = self._parts[p]
        t = rel[i - self._firsts[p]]  # (`_moved`, for one token)
        if not shift:
            return tuple.__new__(Tok, t)
        return tuple.__new__(Tok, (t[0], t[1], t[2] + shift, t[3], t[4], t[5], t[6], t[7]))

    def _slice(self, start: int, stop: int) -> list[Tok]:
        out: list[Tok] = []
        if start >= stop:
            return out
        p = bisect_right(self._firsts, start) - 1
        while p < len(self._parts) and self._firsts[p] < stop:
            shift, rel = self._parts[p]
            first = self._firsts[p]
            out.extend(_moved(rel[max(0, start - first):stop - first], shift))
            p += 1
        return out

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, (list, tuple, Toks)) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def at_or_after(self, offset: int) -> int:
        """The number of the first token that starts at or after `offset` (len when none)."""
        p = bisect_right(self._idx, offset) - 1
        if p < 0:
            return 0
        shift, rel = self._parts[p]
        return self._firsts[p] + bisect_left(rel, offset - shift, key=_IDX)


def _IDX(t: Tok) -> int:  # noqa: N802 (a key function for bisect)
    return t[2]


def _moved(rel, shift: int) -> list[Tok]:
    """Tokens counted from a block's start (kept as plain tuples), counted from the letter's."""
    new = tuple.__new__
    if not shift:
        return [new(Tok, t) for t in rel]
    return [new(Tok, (t[0], t[1], t[2] + shift, t[3], t[4], t[5], t[6], t[7])) for t in rel]


_RUNS = re.compile(r"\S+|\s+")


@keep_short(maxsize=100_000, longest=100)
def _chunk(chunk: str) -> tuple[tuple, ...]:
    """spaCy's tokens of one run of text between spaces, with what the checks read of each:
    (offset in the run, text, lower, space, punct, like_num, is_title, is_upper)."""
    return tuple((t.idx, t.text, t.lower_, t.is_space, t.is_punct, t.like_num, t.is_title, t.is_upper)
                 for t in get_nlp().tokenizer(chunk))


# A run of text between spaces longer than this goes to spaCy in pieces (vcl_qa/config.py).
LONGEST_RUN = config.LONGEST_TOKEN_RUN


def run_pieces(run: str):
    """(offset, piece) of a run longer than LONGEST_RUN, cut into pieces of that length."""
    for i in range(0, len(run), LONGEST_RUN):
        yield i, run[i:i + LONGEST_RUN]


def tokenize(text: str) -> list[Tok]:
    """The same tokens as spaCy's tokenizer over the whole text, but cached per run of text.

    spaCy splits on whitespace first and tokenizes each run on its own; it caches a run's
    tokens, but stops caching for the rest of a text once it meets a special case ("Mr.",
    "don't"), which every letter has: so most runs were tokenized afresh each time. Here each
    run is tokenized once per process and no Doc is built. A single space after a word belongs
    to that word (no token); other whitespace becomes tokens, as in spaCy.
    """
    out: list[Tok] = []
    _tokenize_into(text, out, 0)
    return out


def _tokenize_into(text: str, out: list, start: int, plain: bool = False) -> None:
    """Append the tokens of `text` to `out`, as `tokenize` finds them in a longer text where
    `text` stands at offset `start` and begins a new run of text (offsets are the longer
    text's); `plain`: as plain tuples of Tok's fields (what a block's memo keeps), not Toks."""
    append, new = out.append, tuple.__new__
    for run in _RUNS.findall(text):
        size = len(run)
        if start and run[0] == " ":
            if size == 1:
                start += 1
                continue
            pos, run = start + 1, run[1:]
        else:
            pos = start
        if len(run) <= LONGEST_RUN:
            for off, piece, lower, space, punct, num, title, upper in _chunk(run):
                t = (piece, lower, pos + off, space, punct, num, title, upper)
                append(t if plain else new(Tok, t))
        else:
            for at, part in run_pieces(run):
                for off, piece, lower, space, punct, num, title, upper in _chunk(part):
                    t = (piece, lower, pos + at + off, space, punct, num, title, upper)
                    append(t if plain else new(Tok, t))
        start += size


@dataclass(slots=True)
class Line:
    start: int
    end: int
    text: str
    kind: str = "prose"  # header | address | reference | greeting | prose | heading | sign_off | signature | blank


@dataclass(slots=True)
class Sentence:
    start: int
    end: int
    text: str
    tok_start: int
    tok_end: int
    words: int
    paragraph: int


@dataclass
class Document:
    text: str
    toks: Toks
    lines: list[Line]
    sentences: list[Sentence]
    prose_start: int
    prose_end: int
    greeting: Line | None
    sign_off: Line | None
    line_starts: list[int] = field(default_factory=list)
    segments: list[Sentence] = field(default_factory=list)
    # The blocks (text between blank lines): (start, end, key), the key a number naming the
    # block and the kinds of the lines it stands on, all its sentences depend on (`block_id`;
    # None for a block too long to keep). The rule kinds keep what each block gave them
    # (kinds/base.py by_block).
    blocks: list[tuple[int, int, int | None]] = field(default_factory=list)
    _starts: list[int] | None = None

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a 0-based offset."""
        i = bisect_right(self.line_starts, offset) - 1
        return i + 1, offset - self.line_starts[i] + 1

    def tok_span(self, lo: int, hi: int) -> tuple[int, int]:
        """Indexes i, j such that toks[i:j] are the tokens starting at lo <= idx < hi."""
        return self.toks.at_or_after(lo), self.toks.at_or_after(hi)

    def sentences_in(self, lo: int, hi: int) -> list[Sentence]:
        """The sentences that start in [lo, hi)."""
        if self._starts is None:
            self._starts = [s.start for s in self.sentences]
        return self.sentences[bisect_left(self._starts, lo):bisect_left(self._starts, hi)]

    def sentence_at(self, offset: int) -> int | None:
        if self._starts is None:
            self._starts = [s.start for s in self.sentences]
        i = bisect_right(self._starts, offset) - 1
        if i >= 0 and offset < self.sentences[i].end:
            return i
        return None



def _matches(pats: list[re.Pattern], text: str) -> bool:
    return any(p.match(text) for p in pats)


def classify_lines(text: str) -> tuple[list[Line], Line | None, Line | None]:
    pats = patterns()
    lines: list[Line] = []
    pos = 0
    for raw in text.split("\n"):
        lines.append(Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    stripped = [ln.text.strip() for ln in lines]
    traits = [_line_traits(s, pats) for s in stripped]
    greeting_i = next((i for i, t in enumerate(traits) if t[0]), None)
    sign_i = None
    for i in range(len(lines) - 1, (greeting_i if greeting_i is not None else -1), -1):
        if traits[i][1]:
            sign_i = i
            break
    first_prose = greeting_i + 1 if greeting_i is not None else _guess_prose_start(lines, pats)
    for i, ln in enumerate(lines):
        s = stripped[i]
        if not s:
            ln.kind = "blank"
        elif i == greeting_i:
            ln.kind = "greeting"
        elif sign_i is not None and i == sign_i:
            ln.kind = "sign_off"
        elif sign_i is not None and i > sign_i:
            ln.kind = "signature"
        elif traits[i][2]:
            ln.kind = "header"
        elif traits[i][3]:
            ln.kind = "reference"
        elif i < first_prose:
            ln.kind = "address"
        elif traits[i][4] and not _goes_on(lines[i - 1] if i else None, stripped[i - 1] if i else "", s, pats):
            ln.kind = "heading"
    greeting = lines[greeting_i] if greeting_i is not None else None
    sign = lines[sign_i] if sign_i is not None else None
    return lines, greeting, sign


# What each line's own text says of it (greeting, sign-off, header, reference line, heading),
# worked out once per line text: letters share most of their lines.
_TRAITS = TextMemo(50_000, 2_000_000)
# The structure patterns each memo here was filled with (`_kept_for`).
_FILLED_WITH: dict[int, StructurePatterns] = {}


def _kept_for(memo: TextMemo, pats: StructurePatterns) -> TextMemo:
    """`memo` (one of this module's memos of answers that depend on the structure patterns),
    emptied first when it was filled with other patterns (rules/structure.yml loaded again, or
    patterns a test made): no answer worked out with one set is given for another."""
    if _FILLED_WITH.get(id(memo)) is not pats:
        memo.clear()
        _FILLED_WITH[id(memo)] = pats
    return memo


def _line_traits(s: str, pats: StructurePatterns) -> tuple[bool, bool, bool, bool, bool]:
    """(greeting, sign-off, header, reference line, heading) of a stripped line."""
    found = _kept_for(_TRAITS, pats).get(s)
    if found is None:
        found = (_matches(pats.greeting, s), _matches(pats.sign_off, s), _matches(pats.header, s),
                 _matches(pats.reference_line, s), bool(s) and _is_heading(s, pats) and not pats.bullet.match(s))
        if len(s) <= LONGEST_KEPT:
            _TRAITS.put(s, found, len(s))
    return found


def _goes_on(prev: Line | None, prev_text: str, s: str, pats: StructurePatterns) -> bool:
    """Does this short line carry on the prose line above it, rather than head what follows?
    It does when that line breaks off mid-phrase ("- call Victim Support on 0808 168 9111 or" /
    "Victim Care on 0300 303 0157"; `list_item_goes_on`), or when this one starts with a small
    letter under a line with no end to its sentence ("- talk to your" / "support worker about
    it"): both were headings, out of the sentence they finish."""
    if prev is None or prev.kind != "prose" or not prev_text or pats.line_end_sentence.search(prev_text):
        return False
    return _breaks_off(prev_text, pats) or s[:1].islower()


def line_shape(line: str) -> tuple:
    """What of a line's own text decides its kind and where the sentences around it break,
    beyond its punctuation: whether it reads as a heading on its own, how its first character
    starts (a capital or figure, a small letter), whether it breaks off mid-phrase
    (`list_item_goes_on`), and whether it is too long to be a line of a wrapped paragraph
    (`unwrapped_line_min_chars`). A one-click edit that changes none of these (and no punctuation or
    line break) leaves the letter's sentences where they were (engine/suggest.py `_spliced`)."""
    pats = patterns()
    s = line.strip()
    first = s[:1]
    # (a heading has at most heading_max_words words: a line of a paragraph is not split whole)
    short = len(s.split(None, pats.heading_max_words)) <= pats.heading_max_words
    return (bool(s) and short and _is_heading(s, pats) and not pats.bullet.match(s),
            "A" if first.isupper() or first.isdigit() else "a" if first.islower() else first,
            _breaks_off(s, pats), len(line.rstrip()) >= pats.unwrapped_line_min_chars)


def _breaks_off(text: str, pats: StructurePatterns) -> bool:
    """Does the line end mid-phrase (`list_item_goes_on`)? Only its last characters are read:
    the pattern is anchored at the end, and searched over a paragraph typed as one line it was
    tried at every character (a fifth of a millisecond a one-click check, twice)."""
    tail = text.rstrip()[-_GOES_ON_TAIL:]
    memo = _kept_for(_GOES_ON, pats)
    found = memo.get(tail)  # one call: another thread may empty the memo
    if found is None:
        found = bool(pats.list_item_goes_on.search(tail))
        memo.put(tail, found, len(tail))
    return found


# Whether a line's last characters break off mid-phrase, kept by those characters (for the
# patterns `_kept_for` says): a one-click check reads the edited line and the line as it was,
# whose endings are mostly the same, and a line's ending recurs from letter to letter.
_GOES_ON = TextMemo(20_000, 500_000)


# Characters read from a line's end for `list_item_goes_on`: more than its longest word and
# the one before it (a match at the slice's first character would need a 24-letter word).
_GOES_ON_TAIL = 24


def _is_heading(s: str, pats: StructurePatterns) -> bool:
    """A short line with no sentence punctuation standing alone, e.g. 'What happens next'."""
    return (len(s.split()) <= pats.heading_max_words and not pats.line_end_sentence.search(s)
            and s[-1:] not in ",-")


def _guess_prose_start(lines: list[Line], pats: StructurePatterns) -> int:
    """No greeting: prose starts at the first line that reads like a sentence."""
    for i, ln in enumerate(lines):
        s = ln.text.strip()
        if len(s.split()) >= pats.prose_min_words and re.search(r"[a-z]", s) and not re.match(r"^\d", s):
            return i
    return 0


def prepared(text: str) -> str:
    """The text as the checks read it: page breaks inside sentences made spaces, common
    misspellings mended (both letter for letter: same length, every offset the letter's)."""
    return _prepared(text)[0]


def _prepared(text: str) -> tuple[str, list[tuple[int, int]]]:
    """`prepared`, and its blank-line breaks (`blank_line_breaks`), found once for the mending
    and the blocks: mending changes no space, so the joined text's breaks are the mended one's."""
    joined = join_page_breaks(text)
    breaks = blank_line_breaks(joined)
    return mend_slips(joined, breaks), breaks


def analyse(text: str) -> Document:
    text, breaks = _prepared(text)
    lines, greeting, sign = classify_lines(text)
    line_starts = [ln.start for ln in lines]
    toks, sentences, blocks = _blocks(text, lines, line_starts, breaks)
    prose_lines = [ln for ln in lines if ln.kind in ("prose",)]
    prose_start = prose_lines[0].start if prose_lines else len(text)
    prose_end = prose_lines[-1].end if prose_lines else len(text)
    segments = sorted(sentences + _line_segments(lines, greeting), key=lambda s: s.start)
    return Document(text, toks, lines, sentences, prose_start, prose_end, greeting, sign, line_starts, segments,
                    blocks)


def join_page_breaks(text: str) -> str:
    """The text with each page break that falls inside a sentence made spaces (same length,
    so every offset is the letter's): a letter exported from a PDF or a case system carries its
    page furniture ("Page 2 of 3", "OFFICIAL - SENSITIVE", a running header or footer repeated
    from page 1) where the page ended, and "You can ask us to / Page 2 of 3 / OFFICIAL -
    SENSITIVE / look at our decision again" was two sentences, neither the review right
    (holdout30). Joined only where the line before the break does not end its sentence and the
    line after goes on with it (a small letter, or the line before breaks off mid-phrase);
    furniture between paragraphs, or at the top or foot of the letter, stays as it is
    (`page_furniture` in rules/structure.yml)."""
    pats = patterns()
    if not has_page_furniture(text, pats):
        return text
    lines = text.split("\n")
    starts = [0]
    for ln in lines[:-1]:
        starts.append(starts[-1] + len(ln) + 1)
    stripped = [ln.strip() for ln in lines]
    seen: dict[str, int] = {}
    for i, s in enumerate(stripped):
        seen.setdefault(s, i)

    def furniture(i: int) -> bool:
        s = stripped[i]
        if not s or pats.page_furniture.match(s):
            return True
        # a running header or footer: a short line the letter has had before, with no
        # template gap in it (a placeholder in a footer must still be found)
        return (seen[s] < i and len(s.split()) <= pats.running_header_max_words
                and not any(c in s for c in "[]<>«»_{}"))

    out = list(text)
    i = 0
    while i < len(lines):
        if not (stripped[i] and pats.page_furniture.match(stripped[i])):
            i += 1
            continue
        a, b = i, i
        while a > 0 and furniture(a - 1):
            a -= 1
        while b + 1 < len(lines) and furniture(b + 1):
            b += 1
        i = b + 1
        if a == 0 or b + 1 >= len(lines):
            continue
        before, after = stripped[a - 1], stripped[b + 1]
        if pats.line_end_sentence.search(before) or pats.bullet.match(after):
            continue
        if not (after[:1].islower() or _breaks_off(before, pats)):
            continue
        lo = starts[a - 1] + len(lines[a - 1].rstrip())
        hi = starts[b + 1] + (len(lines[b + 1]) - len(lines[b + 1].lstrip()))
        out[lo:hi] = " " * (hi - lo)
    return "".join(out)


def mend_slips(text: str, breaks: list[tuple[int, int]] | None = None) -> str:
    """The text with the common misspellings of words the checks read put right, letter for
    letter (`slips` in rules/structure.yml: each the same length as its correction, so every
    offset is the letter's, and findings still quote the writer's own words). "You can ask us
    to reveiw it" is the review right, "a meating with the prosecutor" a meeting offer, to the
    victim who reads them (holdout31); only where a word starts with the slip ("reveiwed").

    Mended a block at a time (the stretches between blank lines), each block's answer kept: a
    letter of paragraphs met before is not searched for each slip again (twenty searches of the
    whole letter, a fifth of analysing a letter whose blocks are all known). The same answer as
    mending the whole text: a slip is letters only, so it never reaches over a blank line, and
    the character before a block's first is the whitespace of the break, never a letter.
    `breaks`: the text's blank-line breaks (`blank_line_breaks`), when found already."""
    pats = patterns()
    slips = pats.slips
    if not slips:
        return text
    memo = _kept_for(_MENDED, pats)
    out: list[str] = []
    changed = False
    pos = 0
    if breaks is None:
        breaks = blank_line_breaks(text)
    for b_start, b_end in [*breaks, (len(text), len(text))]:
        if b_start > pos:
            block = text[pos:b_start]
            mended = memo.get(block)  # one call: another thread may empty the memo
            if mended is None:
                mended = _mend(block, slips)
                if len(block) <= LONGEST_KEPT:
                    memo.put(block, mended, len(block))
            changed = changed or mended != block
            out.append(mended)
        out.append(text[b_start:b_end])
        pos = b_end
    return "".join(out) if changed else text


# Each block's mended text (the block itself when it has no slip), by block, for the slips of
# the patterns `_kept_for` says (a block of a letter is a few hundred characters).
_MENDED = TextMemo(4_096, 600_000)


def _mend(text: str, slips: dict[str, str]) -> str:
    """`mend_slips` of one text, read whole."""
    low = text.lower()
    found = [w for w in slips if w in low]
    if not found:
        return text
    out = list(text)
    for wrong in found:
        right = slips[wrong]
        at = low.find(wrong)
        while at != -1:
            if at == 0 or not low[at - 1].isalpha():
                for k, c in enumerate(right):
                    out[at + k] = c.upper() if text[at + k].isupper() else c
            at = low.find(wrong, at + 1)
    return "".join(out)


def _line_segments(lines: list[Line], greeting: Line | None) -> list[Sentence]:
    """Headings, sign-off and signature lines: not prose, but content can be stated there."""
    out = []
    after_greeting = greeting is None
    for ln in lines:
        if ln is greeting:
            after_greeting = True
        if ln.kind in ("heading", "signature", "reference", "sign_off") and (after_greeting or ln.kind == "reference"):
            stripped = ln.text.strip()
            lead = len(ln.text) - len(ln.text.lstrip())
            start = ln.start + lead
            sentences_words = len(stripped.split())
            out.append(Sentence(start, start + len(stripped), stripped, -1, -1, sentences_words, -1))
    return out


def _count_words(toks: list[Tok], cur: list[int]) -> int:
    """Words as a reader counts them: runs of text between spaces with a letter or digit in
    them. spaCy splits some single words ("cannot" is "can" + "not", "well-known" three
    tokens); those count once, as a person counting a sentence's words would count them."""
    words, end, counted = 0, -1, False
    for i in cur:
        text, idx = toks[i][0], toks[i][2]
        if idx != end:  # a space before it: a new run of text
            counted = False
        if not counted and _is_word(text):
            words += 1
            counted = True
        end = idx + len(text)
    return words


@keep_short(maxsize=100_000, longest=40)
def _is_word(tok: str) -> bool:
    """A word for counting: not punctuation, and not a clitic split off a word ("'s", "n't")."""
    return bool(WORD.search(tok)) and tok[0] not in "'’" and tok.lower() not in ("n't", "n’t")


def _split_sentences(toks: list[Tok], text: str, lines: list[Line]) -> list[Sentence]:
    """Sentences of the prose lines: punctuation, blank lines, list items and line layout."""
    return _split_counted(toks, text, lines)[0]


def _split_counted(toks: list[Tok], text: str, lines: list[Line]) -> tuple[list[Sentence], int]:
    """`_split_sentences`, and how many new paragraphs it counted."""
    pats = patterns()
    sentences: list[Sentence] = []
    cur: list[int] = []  # token indices of the current sentence
    paragraph = 0
    prev_line = -1
    li = 0
    n = len(toks)

    def flush() -> None:
        if not cur:
            return
        first, last = toks[cur[0]], toks[cur[-1]]
        words = _count_words(toks, cur)
        if words:
            start, end = first.idx, last.idx + len(last.text)
            sentences.append(Sentence(start, end, text[start:end], cur[0], cur[-1] + 1, words, paragraph))
        cur.clear()

    taken = -1  # a closing quote already ended the sentence before
    # Where the list label of line `label_line` ends ("1. ", "(a) ", "• "): the label is no
    # part of the item's sentence. Taken in, "1." was a sentence of one word before "Write to
    # us within 10 days.", and every numbered list lowered the letter's words a sentence.
    label_line, label_end = -1, -1
    item = False  # the current sentence began on a list item's line
    for i, tok in enumerate(toks):
        while li + 1 < len(lines) and lines[li + 1].start <= tok.idx:
            li += 1
        if i == taken:
            continue
        if tok.space:
            if tok.text.count("\n") >= 2:
                flush()
                paragraph += 1
            continue
        if lines[li].kind != "prose":
            if cur:
                flush()
            prev_line = li
            continue
        if li != prev_line and cur:
            # A line break inside the prose: does it end the sentence?
            prev_text = lines[prev_line].text.rstrip() if prev_line >= 0 else ""
            if (
                li - prev_line > 1
                or not prev_text
                or pats.line_end_sentence.search(prev_text)
                or pats.bullet.match(lines[li].text)
                or (item and _ends_item(prev_text, lines[li].text, pats))
                or _ends_long_line(prev_text, lines[li].text, pats)
            ):
                flush()
                if li - prev_line > 1:
                    paragraph += 1
        prev_line = li
        if li != label_line:
            label_line = li
            m = pats.bullet.match(lines[li].text)
            label_end = lines[li].start + m.end() if m else -1
        if tok.idx < label_end:
            continue
        if not cur:
            item = label_end != -1
        cur.append(i)
        t = tok.text
        # (a lower-case letter and a full stop ends a sentence when a capital follows: Welsh
        # "... gen i. Diolch"; a capital one is an initial: "J. Smith")
        if t in (".", "!", "?", "…") or (len(t) == 2 and t[1] == "." and t[0].isalpha() and t[0].islower()) or (
            t.endswith(".") and len(t) > 1 and tok.lower not in pats.abbreviations
            and not tok.like_num and t.count(".") == 1 and i + 1 < n and toks[i + 1].space
        ):
            nxt = toks[i + 1] if i + 1 < n else None
            # (a capital first letter counts too: "It's" and Welsh "Rwy'n" are not is_title)
            if (nxt is None or nxt.space or nxt.text in ("\"", "'", "”", "’", ")") or nxt.is_title
                    or nxt.text[:1].isupper() or nxt.is_upper or nxt.like_num):
                # A closing quote or bracket straight after the full stop ends the sentence with
                # it ('"stop."'); one after a space opens the next ('sorry. "Lie on file"
                # means'): before, both were taken, and the next sentence, starting inside the
                # one before, was dropped from every check.
                if (nxt is not None and nxt.text in ("\"", "'", "”", "’", ")")
                        and nxt.idx == tok.idx + len(t)):
                    cur.append(i + 1)
                    taken = i + 1
                flush()
    flush()
    # Drop duplicates of a closing quote appended above.
    out: list[Sentence] = []
    for s in sentences:
        if out and s.start < out[-1].end:
            continue
        out.append(s)
    return out, paragraph


def _ends_item(prev_text: str, line: str, pats: StructurePatterns) -> bool:
    """A list item with no full stop ends at its line's end when the next line starts at the
    margin with a capital or a figure and the item does not break off mid-phrase (`list_item_goes_on`:
    "... on 0808 168 9111 or" / "Victim Care on ..."): "- call Victim Support on 0808 168 9111"
    then "We are sorry for the worry" was one sentence of 16 words, read by every check as one."""
    first = line[:1]
    return (first.isupper() or first.isdigit()) and not _breaks_off(prev_text, pats)


def _ends_long_line(prev_text: str, line: str, pats: StructurePatterns) -> bool:
    """A prose line too long to be a line of a wrapped paragraph (`unwrapped_line_min_chars`),
    with no full stop, ends its sentence when the next line starts with a capital or a figure,
    unless it breaks off mid-phrase or at a comma (`list_item_goes_on`; a colon or a semicolon
    ends a sentence at a line's end already, `line_end_sentence`): a Word paragraph with no
    full stop ("I am writing to tell you about our decision and what happens next") was read
    into the next paragraph's first sentence, one "sentence" of 37 words told to be broken up."""
    if len(prev_text) < pats.unwrapped_line_min_chars:
        return False
    first = line.lstrip()[:1]
    return (first.isupper() or first.isdigit()) and not _breaks_off(prev_text, pats)


# --- the letter a block at a time ----------------------------------------------------------
#
# Letters are made of paragraphs, and the same paragraphs come back (a template's, a draft
# checked again after a small change). A paragraph's tokens and sentences depend on its own
# text and on the kinds of its lines alone: whitespace with a blank line in it always becomes a
# token of its own that ends the sentence and starts a new paragraph, so nothing carries
# across it. `analyse` therefore works out each block between such breaks once per process and
# only moves it to its place in the letter. The answers are those of `tokenize` and
# `_split_sentences` over the whole text (tests/test_fast_paths.py compares them).

# Whitespace holding a blank line, the whole run of it from its first character, is where one
# block ends and the next begins (fastsearch.breaks, shared with the search index).
_BLOCKS_KEPT = 4_096
_BLOCK_CHARS = 600_000  # characters of blocks whose tokens are kept (about 45 bytes each)


@keep_short(maxsize=_BLOCKS_KEPT, longest=LONGEST_KEPT, chars=_BLOCK_CHARS)
def _block_tokens(block: str) -> tuple[tuple, ...]:
    """The tokens of a block standing at the start of a text, as plain tuples (the fields of
    Tok): kept for thousands of blocks, and the garbage collector stops looking at tuples of
    plain values, though not at named tuples."""
    out: list[tuple] = []
    _tokenize_into(block, out, 0, plain=True)
    return tuple(out)


_SENTENCES = TextMemo(_BLOCKS_KEPT, 2 * _BLOCK_CHARS)

# A number for each block key met (`block_id`): the rule kinds' memo looks a block up by it, a
# few small numbers, rather than by its key, a tuple with the block's text in it, whose hash
# Python works out again at every look-up (each rule asked each block: about 100 a letter).
# A number is never given twice: a key met again after the memo was emptied gets a new one,
# and every rule reads the block again (kinds/base.py BLOCK_FINDS keeps their answers by
# number). Kept for as many blocks as the token memo, the numbers were emptied every 800 or so
# new letters, before the answers kept by them (about 1,400): so they are kept for four times
# as many (a key is a few hundred bytes; emptying the token memo loses no rule's answers).
_BLOCK_IDS = TextMemo(4 * _BLOCKS_KEPT, 4 * _BLOCK_CHARS)
_NEXT_ID = itertools.count(1)


def block_id(key: tuple | None) -> int | None:
    """The number of a block key (`block_key`): the same for equal keys, while kept."""
    if key is None:
        return None
    found = _BLOCK_IDS.get(key)
    if found is None:
        found = next(_NEXT_ID)
        _BLOCK_IDS.put(key, found, len(key[0]) + len(key[2]) + len(key[3]))
    return found


def block_key(block: str, lines: list[Line], b0: int) -> tuple | None:
    """What a block's sentences depend on: its text and the lines it stands on (`b0`: where
    the block starts in the letter); None for a block too long to keep."""
    first, last = lines[0], lines[-1]
    # (the first and last lines may reach outside the block, into the whitespace around it)
    if len(block) + len(first.text) + len(last.text) > LONGEST_KEPT:
        return None
    return (block, first.start - b0, first.text, last.text, tuple(ln.kind for ln in lines))


def _block_sentences(block: str, toks: tuple[tuple, ...], lines: list[Line], b0: int,
                     key: tuple | None) -> tuple[tuple[tuple, ...], int]:
    """The sentences of a block (start, end, text, first token, end token, words, paragraph,
    all counted from the block's start) and how many paragraphs it starts, given the lines it
    stands on (`b0`: where the block starts in the letter; `key`: its `block_key`)."""
    first, last = lines[0], lines[-1]
    # (where sentences break turns on the structure patterns: rules/structure.yml read again
    # gives every block's sentences afresh)
    memo = _kept_for(_SENTENCES, patterns())
    kept = memo.get(key) if key else None
    if kept is not None:
        return kept
    local = [Line(ln.start - b0, ln.end - b0, ln.text, ln.kind) for ln in lines]
    found, paragraphs = _split_counted(_moved(toks, 0), block, local)
    kept = (tuple((x.start, x.end, x.text, x.tok_start, x.tok_end, x.words, x.paragraph) for x in found),
            paragraphs)
    if key:
        memo.put(key, kept, len(block) + len(first.text) + len(last.text))
    return kept


_BREAKS = TextMemo(4_096, 200_000)


def _break_tokens(space: str, at_start: bool) -> tuple[tuple[tuple, ...], int]:
    """The tokens of the whitespace between two blocks, counted from its start (plain tuples),
    and how many of them hold a blank line (new paragraphs); `at_start`: it begins the text."""
    key = (space, at_start)
    found = _BREAKS.get(key)
    if found is None:
        out: list[tuple] = []
        _tokenize_into(space, out, 0 if at_start else 1, plain=True)  # (after a block, a first space is its own)
        shift = 0 if at_start else 1
        toks = tuple((t[0], t[1], t[2] - shift, t[3], t[4], t[5], t[6], t[7]) for t in out)
        found = (toks, sum(1 for t in toks if t[0].count("\n") >= 2))
        if len(space) <= LONGEST_KEPT:
            _BREAKS.put(key, found, len(space))
    return found


def _blocks(text: str, lines: list[Line], line_starts: list[int],
            breaks: list[tuple[int, int]]) -> tuple[Toks, list[Sentence], list[tuple]]:
    """The tokens and sentences of the whole text, put together from its blocks, and the
    blocks (start, end, key); `breaks`: the text's blank-line breaks (`blank_line_breaks`)."""
    parts: list[tuple[int, tuple]] = []
    sentences: list[Sentence] = []
    blocks: list[tuple[int, int, int | None]] = []
    n = 0  # tokens so far
    paragraph = 0
    pos = 0
    for b_start, b_end in [*breaks, (len(text), len(text))]:
        if b_start > pos:
            block = text[pos:b_start]
            rel = _block_tokens(block)
            parts.append((pos, rel))
            first = bisect_right(line_starts, pos) - 1
            upto = bisect_left(line_starts, b_start)
            on = lines[first:upto]
            key = block_key(block, on, pos)
            blocks.append((pos, b_start, block_id(key)))
            found, paragraphs = _block_sentences(block, rel, on, pos, key)
            for start, end, words_text, tok_start, tok_end, words, para in found:
                sentences.append(Sentence(start + pos, end + pos, words_text, tok_start + n, tok_end + n,
                                          words, para + paragraph))
            paragraph += paragraphs
            n += len(rel)
        if b_end > b_start:
            # The break itself: its whitespace tokens, each with a blank line a new paragraph.
            between, paragraphs = _break_tokens(text[b_start:b_end], b_start == 0)
            parts.append((b_start, between))
            paragraph += paragraphs
            n += len(between)
        pos = b_end
    return Toks(parts), sentences, blocks
