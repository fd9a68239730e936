"""What every rule kind shares: the analysed letter (`State`), findings, context conditions
(`when`), where in the letter a kind looks (`scope`, `within`) and the settings every kind
accepts.

A kind is a module in this package with three names:
- `Settings`: a pydantic model of the kind's own YAML keys (unknown keys are refused);
- `HONOURS`: which of the shared keys (`when`, `scope`, `within`) the kind acts on; a rule
  that sets one its kind would ignore is refused when the rules are loaded;
- `check(rule, state)`: yields the findings.
The engine evaluates `when` once for every rule before calling `check`.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from vcl_qa._compiled import CompiledFunction  # methods built by Cython are not fields
from vcl_qa.engine.concepts import Hit, find_concept
from vcl_qa.engine.fastsearch import TextIndex
from vcl_qa.engine.letter import Letter
from vcl_qa.engine.memo import TextMemo
from vcl_qa.engine.result import Finding, put
from vcl_qa.engine.structure import Document
from vcl_qa.engine.typography import fold

if TYPE_CHECKING:  # pragma: no cover
    from vcl_qa.engine.rules import Rule, RuleSet

Scope = Literal["body", "after_greeting", "letter"]
SHARED_KEYS = ("when", "scope", "within")


class Fit(BaseModel):
    """Where a suggestion may go into the letter with one click (it stays advice elsewhere), for
    the kinds that offer words to put in (substitution, existence):
    `next`, a pattern the words straight after the term must match; `previous`, a pattern the
    words just before it must end with; `decisions`, the decisions (context `decision`) whose
    letters are offered the suggestion at all, as a button or as advice ("the person charged"
    for "defendant" is wrong in a letter saying nobody will be charged; substitution)."""
    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(CompiledFunction,))
    next: str | None = None
    previous: str | None = None
    decisions: list[str] | None = None

    @field_validator("next", "previous")
    @classmethod
    def _compiles(cls, value):
        if value is not None:
            try:
                re.compile(value)
            except re.error as e:
                raise ValueError(f"not a regular expression: {e}") from None
        return value



class Suggests(BaseModel):
    """Words a rule suggests in place of what it found, and where each may be a one-click
    replacement (`fits`; elsewhere it stays advice). Every `fits` key must be a suggestion."""
    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(CompiledFunction,))
    suggest: list[str] = []
    fits: dict[str, Fit] = {}

    @model_validator(mode="after")
    def _fits_name_suggestions(self):
        unknown = set(self.fits) - set(self.suggest)
        if unknown:
            raise ValueError(f"fits names {sorted(unknown)}, which is not in suggest")
        return self

    @cached_property
    def fits_as_read(self) -> dict[str, dict]:
        """`fits` as engine/suggest.py reads them on a finding (plain dicts), worked out once
        (dumped again for every finding, they cost more than the finding). Read only."""
        return {s: fit.model_dump(exclude_none=True) for s, fit in self.fits.items()}


class SeverityWhen(BaseModel):
    """A severity other than the rule's own for the cases a condition names."""

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(CompiledFunction,))
    when: dict[str, Any]
    severity: Literal["error", "warning", "suggestion"]


class KindSettings(BaseModel):
    """Base of every kind's settings: unknown keys are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(CompiledFunction,))
    when: dict[str, Any] | None = None
    scope: Scope = "body"
    within: str | None = None  # a concept: look only in the sentences where it was found
    # The first entry whose `when` holds sets the findings' severity (a field it needs that is
    # missing leaves the rule's own severity). Any kind takes it.
    severity_when: list[SeverityWhen] = []
    # The languages the rule can read (missing: any). In a letter in another language the rule
    # is not assessed; in a bilingual letter it reads only the lines in its languages. The
    # engine honours it for every kind (run.py, `rule_state`).
    languages: list[Literal["en", "cy"]] | None = None


class InsertSettings(KindSettings):
    """Settings of a kind that suggests words to add (`insert_suggestion`): `insert`, in English,
    and `insert_cy`, the same in Welsh for a letter in Welsh (a rule that reads Welsh only)."""

    insert: str | dict[str, str] | None = None  # the words to add (per decision where they differ)
    insert_cy: str | dict[str, str] | None = None
    # In English to a bereaved family (context `bereaved`), in place of `insert`: "this decision
    # will be disappointing" is no way to write to a family whose relative died.
    insert_bereaved: str | dict[str, str] | None = None
    insert_bereaved_cy: str | dict[str, str] | None = None  # the same in Welsh, in place of `insert_cy`
    # In English to an Easy Read reader (context `reader: easy_read`), in place of `insert` (and
    # of `insert_bereaved`): sentences of a few words, one idea each, each on its own line, each
    # review step too. `insert`'s paragraphs, put in an Easy Read letter, raised the Easy Read
    # checks they were meant to leave alone ("The Crown Prosecution Service (CPS) is independent
    # of the police. We decide whether to charge a person with a crime, and we present cases at
    # court." is two ideas in one sentence).
    insert_easy_read: str | dict[str, str] | None = None
    # Where the letter page and the training page put the paragraph (api/static/insert.js):
    # 'opening' first under the greeting, 'early' after the paragraph giving the decision (or
    # the first under the greeting), 'body' before the sign-off.
    insert_place: Literal["opening", "early", "body"] = "body"

    @model_validator(mode="after")
    def _welsh_insert_needs_welsh(self):
        if self.insert_cy and self.languages is not None and "cy" not in self.languages:
            raise ValueError("insert_cy is for a rule that reads Welsh: add 'cy' to its languages")
        return self


@dataclass
class State:
    letter: Letter
    document: Document
    ruleset: "RuleSet"
    today: dt.date
    metrics: dict[str, Any] = field(default_factory=dict)
    concept_cache: dict[str, Hit | None] = field(default_factory=dict)
    window_cache: dict[tuple[int, int], Any] = field(default_factory=dict)  # engine/concepts.py
    late: bool | None = None
    language: str = "en"  # en, cy or cy+en (metrics.py, engine/language.py)
    # The letter with the lines in other languages blanked out, by the languages kept
    # ("en"): made for a bilingual letter, for the rules that read one language only.
    views: dict[str, "State"] = field(default_factory=dict)
    # Concepts the patterns found but the classifier's second opinion doubted, and where
    # (engine/second_opinion.py); read by the rule that needs the concept (kinds/required.py).
    doubted: dict[str, Any] = field(default_factory=dict)
    # The words the existence rules' patterns need, found in a stretch of the letter (lo, hi)
    # in one pass for all of them (kinds/existence.py).
    hints_found: dict[tuple[int, int], int] = field(default_factory=dict)
    # The ids of the rules whose `when` held for the letter, as the scoring decided them
    # (engine/run.py; None until then): the one-click checks run those of them that read words
    # and sentences on each edited window, and need not decide them again (engine/suggest.py).
    applying: frozenset[str] | None = None
    # Findings made as `Place`s, their rule and where only: the one-click checks (engine/
    # suggest.py) compare where findings are before and after an edit, and read nothing else of
    # them; their messages, lines, severities and paragraphs to insert are not worked out.
    positions_only: bool = False

    @property
    def lower_text(self) -> str:
        if self._lower is None:
            self._lower = self.document.text.lower()
        return self._lower

    # Worked out once a letter, when first asked for (a copy made by dataclasses.replace, with
    # another document, works them out afresh: they are not copied).
    _lower: str | None = field(default=None, init=False, repr=False, compare=False)
    _index: TextIndex | None = field(default=None, init=False, repr=False, compare=False)
    _squeezed_lower: str | None = field(default=None, init=False, repr=False, compare=False)
    # The configured classifier's folder (engine/second_opinion.py): read from the process's
    # settings once a letter, not once for every concept a second opinion reads.
    _model_folder: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def squeezed_lower(self) -> str:
        """`lower_text` with each run of space made one space (worked out once a letter)."""
        if self._squeezed_lower is None:
            self._squeezed_lower = _squeezed(self.lower_text)
        return self._squeezed_lower

    @property
    def text_index(self) -> TextIndex:
        """The letter's text with its word starts indexed (engine/fastsearch.py)."""
        if self._index is None:
            self._index = TextIndex(self.document.text)
        return self._index

    @property
    def original_text(self) -> str:
        """The letter as written: the document is analysed with typographic characters folded
        (engine/typography.py, same length), but findings quote the writer's own words."""
        text = self.letter.text
        return text if len(text) == len(self.document.text) else self.document.text

    def concept(self, name: str) -> Hit | None:
        if name not in self.concept_cache:
            concept = self.ruleset.concepts[name]
            hit = find_concept(concept, self.document, self.window_cache)
            if concept.second_opinion:
                from vcl_qa.engine.second_opinion import reconsider

                hit = reconsider(concept, hit, self)
            self.concept_cache[name] = hit
        return self.concept_cache[name]


class NotAssessed(Exception):
    """A check needs a context field the letter does not have."""


class Place:
    """A finding as the one-click checks read it (`State.positions_only`): its rule and where.
    (A kind may still read and set what it would on a finding: its message, suggestions,
    `_fits` or `_advice_only`.)"""

    message = ""
    suggestions: tuple = ()

    def __init__(self, rule: str, start: int | None, end: int | None):
        self.rule, self.start, self.end = rule, start, end


def finding(rule: "Rule", state: State, start: int | None = None, end: int | None = None,
            message: str | None = None, suggestions: list[str] | None = None,
            severity: str | None = None, **fmt: Any) -> Finding:
    if state.positions_only:
        return Place(rule.id, start, end)  # type: ignore[return-value]
    text = state.original_text[start:end] if start is not None and end is not None else None
    line = col = None
    if start is not None:
        line, col = state.document.line_col(start)
    template = message or rule.message
    quoted = text or ""
    if quoted.endswith(".") and '"{text}".' in template:
        quoted = quoted[:-1]  # a sentence quoted whole: '"... in this case."' then no second full stop
    msg = template.format(text=quoted, **fmt)
    severity = severity or case_severity(rule, state)
    return Finding.of(rule=rule.id, dimension=rule.dimension, severity=severity,
                      message=msg, start=start, end=end, line=line, column=col, text=text,
                      suggestions=suggestions or [], why=rule.why)


def case_severity(rule: "Rule", state: State) -> str:
    """The rule's severity for this letter: its `severity_when` entries, first that holds."""
    for entry in getattr(rule.config, "severity_when", ()):
        try:
            if condition(entry.when, state):
                return entry.severity
        except NotAssessed:
            continue
    return rule.severity


def rule_state(rule: "Rule", state: State) -> State:
    """The letter as the rule reads it: all of it; for a rule limited to some `languages`, in a
    bilingual letter, only its lines in those languages; in a letter in none of them, the rule
    is not assessed."""
    langs = rule.config.languages
    if not langs:
        return state
    parts = state.language.split("+")
    kept = [p for p in parts if p in langs]
    if len(kept) == len(parts):
        return state
    from vcl_qa.engine.language import named

    if not kept:
        raise NotAssessed(f"the letter is in {named(state.language)}")
    view = state.views.get("+".join(kept))
    if view is None:
        raise NotAssessed(f"the letter is in {named(state.language)}")
    return view


# --- context conditions -------------------------------------------------------------------

def applies(rule: "Rule", state: State) -> bool:
    """Does the rule's `when` hold? Raises NotAssessed when a needed field is missing."""
    when = rule.config.when
    if not when:
        return True
    return condition(when, state)


def condition(cond: dict[str, Any], state: State) -> bool:
    """All of the conditions hold. A condition on a missing field is unknown: the answer is
    still False when another condition is known to fail, and NotAssessed only when it matters."""
    unknown: NotAssessed | None = None
    for key, want in cond.items():
        try:
            if not _one_condition(key, want, state):
                return False
        except NotAssessed as why:
            unknown = unknown or why
    if unknown:
        raise unknown
    return True


def _one_condition(key: str, want: Any, state: State) -> bool:
    if key == "any":  # true if any branch is known true, even when another is unknown
        unknown: NotAssessed | None = None
        for branch in want:
            try:
                if condition(branch, state):
                    return True
            except NotAssessed as why:
                unknown = unknown or why
        if unknown:
            raise unknown
        return False
    if key == "late":
        if state.late is None:
            raise NotAssessed("needs decision_date and victim_category to tell if the letter is late")
        return state.late == want
    value = getattr(state.letter.context, key)
    if value is None:
        raise NotAssessed(f"needs '{key}' in the letter's details")
    if value == "unknown":  # withdrawal: unknown is as good as missing
        raise NotAssessed(f"needs '{key}' in the letter's details (it is given as unknown)")
    return value in want if isinstance(want, list) else value == want


def condition_keys(cond: Any) -> list[str]:
    """Every context key a `when` names (to check them when the rules load)."""
    keys: list[str] = []
    if isinstance(cond, dict):
        for key, want in cond.items():
            if key == "any" and isinstance(want, list):
                for branch in want:
                    keys += condition_keys(branch)
            else:
                keys.append(key)
    return keys


# --- where a kind looks -------------------------------------------------------------------

def scope_bounds(rule: "Rule", state: State) -> tuple[int, int]:
    scope = rule.config.scope
    doc = state.document
    if scope == "body":
        return 0, len(doc.text)
    start = doc.greeting.end if doc.greeting else doc.prose_start
    if scope == "after_greeting":
        return start, len(doc.text)
    end = doc.sign_off.start if doc.sign_off else len(doc.text)  # "letter": greeting to sign-off
    return start, end


def spans(rule: "Rule", state: State) -> list[tuple[int, int]]:
    """The stretches of text a kind looks in: its scope, narrowed to the sentences where the
    `within` concept was found (none at all when the concept is absent)."""
    lo, hi = scope_bounds(rule, state)
    within = rule.config.within
    if not within:
        return [(lo, hi)]
    hit = state.concept(within)
    if hit is None:
        return []
    doc = state.document
    first, last = doc.sentence_at(hit.start), doc.sentence_at(max(hit.start, hit.end - 1))
    start = doc.sentences[first].start if first is not None else hit.start
    end = doc.sentences[last].end if last is not None else hit.end
    start, end = max(lo, start), min(hi, end)
    return [(start, end)] if start < end else []


# --- a block at a time -------------------------------------------------------------------
#
# What a rule of a local kind finds in a block (the text between blank lines) depends on that
# block alone: its words, its sentences (which depend on the kinds of the lines it stands on:
# structure.py block_key) and the part of it the rule's scope covers. A place a pattern finds
# never reaches across a blank line. Letters are made of paragraphs met before (a template's,
# a draft checked again), so each rule keeps what each block gave it, counted from the block's
# start, and a letter of known paragraphs is checked without reading them again.

BLOCK_FINDS = TextMemo(32_768, 3_000_000)  # at most 3,000,000 characters of block text
_SERIALS = itertools.count(1)


def rule_serial(rule: "Rule") -> int:
    """A number for the rule object, for as long as it lives (a rule set loaded again, or one
    made by a test, gets new numbers: nothing kept for another rule's blocks is read)."""
    serial = rule.__dict__.get("_serial")
    if serial is None:
        serial = rule.__dict__["_serial"] = next(_SERIALS)
    return serial


def by_block(rule: "Rule", state: State, lo: int, hi: int,
             scan: Callable[[int, int], list[tuple[int, int, Any]]]) -> list[tuple[int, int, Any]]:
    """What `scan(a, b)` finds in [lo, hi) of the letter, asked of each block the span covers
    in turn, and kept per rule and block: (start, end, anything) each, in the letter's
    offsets. `scan` must read nothing outside [a, b) but the sentences and lines there."""
    serial = rule_serial(rule)
    out: list[tuple[int, int, Any]] = []
    for b0, b1, key in state.document.blocks:
        a, b = max(lo, b0), min(hi, b1)
        if a >= b:
            continue
        if key is None:  # a block too long to keep (a hostile paste): read each time
            out.extend(scan(a, b))
            continue
        k = (serial, key, a - b0, b - b0)
        kept = BLOCK_FINDS.get(k)
        if kept is None:
            kept = tuple((s - b0, e - b0, x) for s, e, x in scan(a, b))
            BLOCK_FINDS.put(k, kept, b1 - b0)
        if kept:
            out.extend([(s + b0, e + b0, x) for s, e, x in kept] if b0 else kept)
    return out


@lru_cache(maxsize=512)
def rx(pattern: str, case: bool = False) -> re.Pattern:
    return re.compile(pattern, 0 if case else re.I)


def sentence_text(state: State, offset: int) -> str:
    i = state.document.sentence_at(offset)
    if i is None:
        line = state.document.line_col(offset)[0]
        return state.document.lines[line - 1].text
    return state.document.sentences[i].text


def in_sentence(pattern: re.Pattern, state: State, offset: int, asked: dict | None = None) -> bool:
    """Does the pattern find anything in the sentence (or line) at `offset`? Kept in `asked` for
    a scan, per pattern and sentence: each match asked it of its own sentence, so a pasted
    "sentence" of 150-190 KB with thousands of matches was read thousands of times (9-14 s)."""
    if asked is None:
        return bool(pattern.search(sentence_text(state, offset)))
    doc = state.document
    i = doc.sentence_at(offset)
    # (by the pattern's id, which lives as long as `asked`, the scan's: hashing a compiled
    # pattern reads all of its code each time)
    key = (id(pattern), "sentence", i) if i is not None else (id(pattern), "line", doc.line_col(offset)[0])
    found = asked.get(key)
    if found is None:
        found = asked[key] = bool(pattern.search(sentence_text(state, offset)))
    return found


def for_both_halves(f: Finding, cfg: InsertSettings, state: State) -> Finding:
    """A finding of a rule that offers words to add, in a letter in Welsh and English (which is
    offered none: `insert_suggestion`), says that both halves need them."""
    if state.language == "cy+en" and (cfg.insert or cfg.insert_cy) and not f.suggestions:
        f.message = f"{f.message} The letter is in Welsh and English: add it to both."
    return f


def insert_suggestion(cfg: InsertSettings, state: State) -> list[str]:
    """The paragraph a content rule suggests adding (per decision where it differs), in the
    letter's language (to an Easy Read reader, in English, `insert_easy_read` where the rule has
    one): a letter in Welsh gets `insert_cy` (none: nothing to insert, rather than
    English in a Welsh letter); a letter in Welsh and English, none: what it lacks is lacking in
    both halves, and one paragraph in one place cannot mend both (the finding says what to add)."""
    language = state.language
    text = cfg.insert if language == "en" else cfg.insert_cy if language == "cy" else None
    if state.letter.context.bereaved:
        if language == "en" and cfg.insert_bereaved:
            text = cfg.insert_bereaved
        elif language == "cy" and cfg.insert_bereaved_cy:
            text = cfg.insert_bereaved_cy
    if language == "en" and cfg.insert_easy_read and state.letter.context.reader == "easy_read":
        text = cfg.insert_easy_read
    if not text:
        return []
    if isinstance(text, dict):
        text = text.get(state.letter.context.decision or "default") or text.get("default")
    if not text:
        return []
    paragraph = text.strip()
    # (the letter above where it goes is worked out only for a paragraph that spells a name
    # out: most spell none, and it copied most of the letter for each finding that offers one)
    return [_spelled_out_once(paragraph, _above_the_insert(cfg, state)) if _spelled_in(paragraph) else paragraph]


def _above_the_insert(cfg: InsertSettings, state: State) -> str:
    """The letter above where the paragraph goes (api/static/insert.js): above the sign-off for
    'body' (above the last line of prose in a letter with none), above the first paragraph for
    'opening', and for 'early' to the end of the line that gives the decision, or of the first
    line under the greeting (it goes after the paragraph holding them: "The Crown Prosecution
    Service (CPS) has decided ..."). A name spelled out only below it, in the signature ("Crown
    Prosecution Service (CPS) North West") or a later paragraph, is not spelled out where the
    reader meets the paragraph."""
    doc = state.document
    if cfg.insert_place == "early":
        return doc.text[:_line_end(doc.text, max(doc.prose_start, _decision_end(state)))]
    if cfg.insert_place != "body":
        return doc.text[:doc.prose_start]
    return doc.text[:doc.sign_off.start if doc.sign_off is not None else doc.prose_end]


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end


def _decision_end(state: State) -> int:
    """Where the first words that give the decision end (content.decision's concepts, as the
    letter page's `decision_place` starts), or 0 when the letter never gives it."""
    from vcl_qa.engine.kinds.required import concepts_for

    rule = state.ruleset.by_id.get("content.decision")
    if rule is None:
        return 0
    hits = [hit for name in concepts_for(rule.config, state) if (hit := state.concept(name)) is not None]
    return min(hits, key=lambda h: h.start).end if hits else 0


_SPELLED = re.compile(r"((?:[A-Z][\w'’-]*[ \t]+){0,6}[A-Z][\w'’-]*)[ \t]+\(([A-Z]{2,6})\)")


def _spelled_out_once(paragraph: str, letter: str) -> str:
    """The paragraph with a name it spells out ("The Crown Prosecution Service (CPS) is ...") given
    by its abbreviation alone ("The CPS is ...") when the letter spells it out already (has
    "(CPS)") above where the paragraph goes: a staff review found it spelled out a second time
    once the acronym's button had spelled it out above. (Spelled out only in the signature below
    it, the abbreviation alone was its first use, and raised "not spelled out".)"""
    spelled = _spelled_in(paragraph)
    if not spelled:
        return paragraph
    out, at = [], 0
    for start, end, whole, name, abbr in spelled:
        out += [paragraph[at:start], _shorter(whole, name, abbr, letter)]
        at = end
    out.append(paragraph[at:])
    return "".join(out)


@lru_cache(maxsize=256)
def _spelled_in(paragraph: str) -> tuple[tuple[int, int, str, str, str], ...]:
    """Where the paragraph spells out a name before its abbreviation (found once a paragraph:
    the rules offer a few, to every letter that lacks them)."""
    return tuple((m.start(), m.end(), m.group(0), m.group(1), m.group(2)) for m in _SPELLED.finditer(paragraph))


def _shorter(whole: str, name: str, abbr: str, letter: str) -> str:
    """The spelled-out name given by its abbreviation alone when the letter has "(ABBR)"."""
    if f"({abbr})" not in letter:
        return whole
    words = name.split()
    for k in range(len(words)):  # the words whose initials are the abbreviation, at the end
        if "".join(w[0] for w in words[k:]) == abbr:
            return " ".join(words[:k] + [abbr])
    return whole


# A gap in a paragraph a rule offers to insert: "[phone number]", "[name]".
_GAP = re.compile(r"\[[^\[\]\n]{1,300}\]")


def offer_insert(f: Finding, cfg: InsertSettings, state: State) -> Finding:
    """Give the finding the paragraph its rule offers to insert, unless that paragraph is in the
    letter already: then it says so and which gaps are still to fill in. (The contact paragraph,
    "... contact me on [phone number] or at [email address].", is no way to contact anyone until
    its gaps are filled in, so the finding stays after it is inserted; offered again, a second
    press put a second copy in the letter, and a third a third.)"""
    if state.positions_only:
        return f  # (only where it is counts: `Place`; the paragraph is not looked for)
    offered = insert_suggestion(cfg, state)
    gaps = inserted_already(offered[0], state) if offered else None
    if gaps is None:
        put(f, "suggestions", offered)
        return f
    put(f, "suggestions", [])
    f.message = (f"{f.message} The letter still has {_and(gaps)} to fill in, from the paragraph "
                 "suggested for this: fill in this case's details there." if gaps else
                 f"{f.message} The paragraph suggested for this is in the letter already: change it to fit this case.")
    return f


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def inserted_already(text: str, state: State) -> list[str] | None:
    """Is this paragraph to insert in the letter already? The gaps of it the letter still has
    (`[phone number]`, as the paragraph wrote them), each with a word or two of the paragraph
    beside it as the paragraph has them ("contact me on [phone number]"; the rest may have
    been reworded), when there are any: the paragraph was inserted and its gaps left; [] when
    the paragraph is there word for word with no gap; None when it is not there. (A gap alone
    is not enough: "[name]" left in another paragraph is not the decision's "... charge [name]
    with any offence", which the letter still lacks.)"""
    body = state.document.text
    gaps = []
    found, squeezed, pieces = _paragraph_gaps(text)
    for gap, sides in found:
        if gap in gaps or gap.lower() not in state.lower_text:
            continue
        if sides is not None and sides.search(body):
            gaps.append(gap)
    if gaps:
        return gaps
    # (its longest runs without space are in the letter's text as it stands if the paragraph is
    # in the letter at all: a run of the squeezed paragraph found in the squeezed letter is
    # there unsqueezed too, since squeezing changes nothing but space; most letters are told
    # so without squeezing all their text)
    lower = state.lower_text
    if all(run in lower for run in pieces) and squeezed in state.squeezed_lower:
        return []
    return None


# How many of a paragraph's longest runs without space are looked for in a letter before it
# is squeezed to look for the whole paragraph (`inserted_already`): the longest alone is often
# a word most letters have ("decision", "prosecution").
PIECES_LOOKED_FOR = 3


@lru_cache(maxsize=256)
def _paragraph_gaps(text: str) -> tuple[tuple[tuple[str, re.Pattern | None], ...], str, tuple[str, ...]]:
    """Each gap of a paragraph to insert, in order, with the pattern that finds it in a letter
    with a word or two of the paragraph beside it, the paragraph as `squeezed_lower` has
    a letter, and its PIECES_LOOKED_FOR longest runs without space (`inserted_already`; worked
    out once a paragraph: the rules offer a few)."""
    folded = fold(text)
    out = []
    for m in _GAP.finditer(folded):
        gap = m.group()
        before = _WORD.findall(folded[:m.start()])[-2:]
        after = _WORD.findall(folded[m.end():])[:2]
        sides = []
        if before:
            sides.append(r"\b" + r"\W+".join(map(re.escape, before)) + r"\W*" + re.escape(gap))
        if after:
            sides.append(re.escape(gap) + r"\W*" + r"\W+".join(map(re.escape, after)) + r"\b")
        out.append((gap, re.compile("|".join(sides), re.I) if sides else None))
    squeezed = _squeezed(folded.lower())
    runs = sorted(set(squeezed.split(" ")), key=lambda r: (-len(r), r))
    return tuple(out), squeezed, tuple(runs[:PIECES_LOOKED_FOR])


def _squeezed(text: str) -> str:
    """The text with each run of space made one space, none at either end."""
    return " ".join(text.split())


_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
