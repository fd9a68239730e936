"""The rule kinds. Each check takes (rule, state) and yields findings; `state` holds the letter,
its analysed document and context facts computed once (due date, lateness)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterator

import textstat

from vcl_qa.engine.concepts import Hit, find_concept
from vcl_qa.engine.letter import Letter
from vcl_qa.engine.nlp import lemma
from vcl_qa.engine.prefilter import literal_hints, may_match
from vcl_qa.engine.result import Finding
from vcl_qa.engine.rules import Rule, RuleSet
from vcl_qa.engine.structure import Document
from vcl_qa.engine.workdays import due_date, limit_for, working_days_between


@dataclass
class State:
    letter: Letter
    document: Document
    ruleset: RuleSet
    today: dt.date
    metrics: dict[str, Any] = field(default_factory=dict)
    concept_cache: dict[str, Hit | None] = field(default_factory=dict)
    window_cache: dict[tuple[int, int], str] = field(default_factory=dict)
    late: bool | None = None

    @property
    def lower_text(self) -> str:
        if self._lower is None:
            self._lower = self.document.text.lower()
        return self._lower

    _lower: str | None = None

    def concept(self, name: str) -> Hit | None:
        if name not in self.concept_cache:
            self.concept_cache[name] = find_concept(
                self.ruleset.concepts[name], self.document, self.window_cache
            )
        return self.concept_cache[name]


class NotAssessed(Exception):
    """A check needs a context field the letter does not have."""


def finding(rule: Rule, state: State, start: int | None = None, end: int | None = None,
            message: str | None = None, suggestions: list[str] | None = None,
            severity: str | None = None, **fmt: Any) -> Finding:
    text = state.document.text[start:end] if start is not None and end is not None else None
    line = col = None
    if start is not None:
        line, col = state.document.line_col(start)
    msg = (message or rule.message).format(text=text or "", **fmt)
    return Finding(rule=rule.id, dimension=rule.dimension, severity=severity or rule.severity,
                   message=msg, start=start, end=end, line=line, column=col, text=text,
                   suggestions=suggestions or [], why=rule.why)


# --- context conditions -------------------------------------------------------------------

def applies(rule: Rule, state: State) -> bool:
    """Does the rule's `when` hold? Raises NotAssessed when a needed field is missing."""
    when = rule.settings.get("when")
    if not when:
        return True
    return _condition(when, state)


def _condition(cond: dict[str, Any], state: State) -> bool:
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
                if _condition(branch, state):
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
    return value in want if isinstance(want, list) else value == want


# --- kinds --------------------------------------------------------------------------------

def _scope_bounds(rule: Rule, state: State) -> tuple[int, int]:
    scope = rule.settings.get("scope", "body")
    doc = state.document
    if scope == "body":
        return 0, len(doc.text)
    if scope == "after_greeting":
        start = doc.greeting.end if doc.greeting else doc.prose_start
        return start, len(doc.text)
    if scope == "letter":  # between greeting and sign-off
        start = doc.greeting.end if doc.greeting else doc.prose_start
        end = doc.sign_off.start if doc.sign_off else len(doc.text)
        return start, end
    raise ValueError(f"unknown scope {scope}")


@lru_cache(maxsize=512)
def _rx(pattern: str, case: bool) -> re.Pattern:
    return re.compile(pattern, 0 if case else re.I)


def check_existence(rule: Rule, state: State) -> Iterator[Finding]:
    lo, hi = _scope_bounds(rule, state)
    text = state.document.text
    case = bool(rule.settings.get("case_sensitive"))
    seen: set[tuple[int, int]] = set()
    for entry in rule.settings["patterns"]:
        if isinstance(entry, str):
            entry = {"pattern": entry}
        if not case and not may_match(literal_hints(entry["pattern"]), state.lower_text):
            continue
        rx = _rx(entry["pattern"], case)
        unless = _rx(entry["unless"], case) if entry.get("unless") else None
        only = _rx(entry["only"], False) if entry.get("only") else None
        for m in rx.finditer(text, lo, hi):
            if m.end() == m.start() or any(a < m.end() and m.start() < b for a, b in seen):
                continue
            if unless and unless.search(_sentence_text(state, m.start())):
                continue
            if only and not only.search(_sentence_text(state, m.start())):
                continue
            seen.add((m.start(), m.end()))
            yield finding(rule, state, m.start(), m.end(), message=entry.get("message"),
                          suggestions=list(entry.get("suggest") or []))


def _sentence_text(state: State, offset: int) -> str:
    i = state.document.sentence_at(offset)
    if i is None:
        line = state.document.line_col(offset)[0]
        return state.document.lines[line - 1].text
    return state.document.sentences[i].text


def _next_sentence_text(state: State, offset: int) -> str:
    i = state.document.sentence_at(offset)
    if i is None or i + 1 >= len(state.document.sentences):
        return ""
    return state.document.sentences[i + 1].text


_SWAP_TABLES: dict[tuple[str, str], dict[str, list[tuple[tuple[str, ...], dict]]]] = {}


def _term_key(term: str) -> tuple[str, ...]:
    """A base-form word matches its inflections ("notify": "notified"); any other form matches
    only itself ("concerning" must not match "concerns")."""
    key = []
    for w in re.findall(r"[\w']+", term.lower()):
        base = lemma(w)
        key.append(base if base == w else "=" + w)
    return tuple(key)


def _swap_table(rule: Rule, version: str) -> dict[str, list[tuple[tuple[str, ...], dict]]]:
    """First word of each term -> (whole term key, entry), longest terms first."""
    key = (rule.id, version)
    if key not in _SWAP_TABLES:
        index: dict[str, list[tuple[tuple[str, ...], dict]]] = {}
        for group in rule.settings["groups"]:
            shared = {k: v for k, v in group.items() if k != "swap"}
            for term, spec in group["swap"].items():
                spec = {"suggest": spec} if isinstance(spec, list) else dict(spec or {})
                tkey = _term_key(str(term))
                index.setdefault(tkey[0], []).append((tkey, {**shared, **spec, "term": str(term)}))
        for entries in index.values():
            entries.sort(key=lambda e: -len(e[0]))
        _SWAP_TABLES[key] = index
    return _SWAP_TABLES[key]


def _token_matches(part: str, tok) -> bool:
    return tok.lower == part[1:] if part[0] == "=" else lemma(tok.lower) == part


def check_substitution(rule: Rule, state: State) -> Iterator[Finding]:
    index = _swap_table(rule, state.ruleset.version)
    lo, hi = _scope_bounds(rule, state)
    words = [t for t in state.document.toks if not t.space and lo <= t.idx < hi and not t.punct]
    i = 0
    while i < len(words):
        tok = words[i]
        candidates = index.get(lemma(tok.lower), []) + index.get("=" + tok.lower, [])
        hit = None
        for tkey, entry in sorted(candidates, key=lambda e: -len(e[0])):
            n = len(tkey)
            if i + n <= len(words) and all(_token_matches(p, words[i + k]) for k, p in enumerate(tkey)):
                start, end = tok.idx, words[i + n - 1].idx + len(words[i + n - 1].text)
                if _swap_applies(entry, state, start, end):
                    hit = (n, entry, start, end)
                    break
        if not hit:
            i += 1
            continue
        n, entry, start, end = hit
        i += n
        yield finding(rule, state, start, end, message=entry.get("message"),
                      suggestions=list(entry.get("suggest") or []), severity=entry.get("severity"))


def _swap_applies(entry: dict, state: State, start: int, end: int) -> bool:
    sentence = _sentence_text(state, start)
    if entry.get("only") and not _rx(entry["only"], False).search(sentence):
        return False
    if entry.get("unless") and _rx(entry["unless"], False).search(sentence):
        return False
    if entry.get("explain_ok"):
        after = state.document.text[end : end + 200]
        sentence_rest = after.split(".")[0] if "." in after else after
        explained = state.ruleset.scoring.get("explanation_markers") or []
        following = sentence_rest + " " + _next_sentence_text(state, start)
        if any(_rx(p, False).search(following) for p in explained):
            return False
    return True


def check_required(rule: Rule, state: State) -> Iterator[Finding]:
    if not applies(rule, state):
        return
    names = _concepts_for(rule, state)
    if any(state.concept(n) for n in names):
        return
    generic = rule.settings.get("generic_concept")
    hit = state.concept(generic) if generic else None
    if hit:
        yield finding(rule, state, hit.start, hit.end, message=rule.settings.get("generic_message"))
        return
    f = finding(rule, state)
    f.suggestions = _insert_suggestion(rule, state)
    yield f


def _concepts_for(rule: Rule, state: State) -> list[str]:
    by_decision = rule.settings.get("concept_by_decision")
    if by_decision:
        decision = state.letter.context.decision
        if decision is None:
            return list(dict.fromkeys(c for cs in by_decision.values() for c in cs))
        return list(by_decision.get(decision) or [])
    return [rule.settings["concept"]]


def _insert_suggestion(rule: Rule, state: State) -> list[str]:
    text = rule.settings.get("insert")
    if not text:
        return []
    if isinstance(text, dict):
        text = text.get(state.letter.context.decision or "default") or text.get("default")
    return [text.strip()] if text else []


def check_forbidden(rule: Rule, state: State) -> Iterator[Finding]:
    if not applies(rule, state):
        return
    hit = state.concept(rule.settings["concept"])
    if hit:
        yield finding(rule, state, hit.start, hit.end)


def check_companions(rule: Rule, state: State) -> Iterator[Finding]:
    """A concept that is present needs its companions (the review right its time limits), and
    must not come with a stale one ("five working days")."""
    if not applies(rule, state):
        return
    anchor = state.concept(rule.settings["concept"])
    if anchor is None:
        return
    stale = rule.settings.get("stale_concept")
    hit = state.concept(stale) if stale else None
    if hit:
        yield finding(rule, state, hit.start, hit.end, message=rule.settings.get("stale_message"))
        return
    missing = [label for name, label in rule.settings["needs"].items() if not state.concept(name)]
    if missing:
        yield finding(rule, state, anchor.start, anchor.end, missing=" and ".join(missing),
                      suggestions=_insert_suggestion(rule, state))


def check_sentence_length(rule: Rule, state: State) -> Iterator[Finding]:
    limit = int(rule.settings["max_words"])
    for s in state.document.sentences:
        if s.words > limit:
            yield finding(rule, state, s.start, s.end, words=s.words, max_words=limit)


def check_metric(rule: Rule, state: State) -> Iterator[Finding]:
    name = rule.settings["metric"]
    value = state.metrics.get(name)
    if value is None:
        raise NotAssessed("the letter has too little prose to measure")
    minimum = rule.settings.get("min")
    if minimum is not None and value < minimum:
        yield finding(rule, state, value=round(value, 1), min=minimum)


def check_timeliness(rule: Rule, state: State) -> Iterator[Finding]:
    m = state.metrics
    if state.late is None:
        raise NotAssessed("needs decision_date and victim_category")
    if state.late:
        due = dt.date.fromisoformat(m["due_date"])
        late, limit = m["working_days_late"], m["limit_working_days"]
        yield finding(rule, state, due=f"{due:%A} {due.day} {due:%B %Y}", late=late, limit=limit,
                      late_days="day" if late == 1 else "days", limit_days="day" if limit == 1 else "days")


def check_salutation(rule: Rule, state: State) -> Iterator[Finding]:
    doc = state.document
    g = doc.greeting
    impersonal = [_rx(p, False) for p in rule.settings["impersonal"]]
    if g is None:
        yield finding(rule, state, message=rule.settings["missing_message"])
        return
    lead = len(g.text) - len(g.text.lstrip())
    start, end = g.start + lead, g.start + len(g.text.rstrip())
    line = g.text.strip()
    if any(p.search(line) for p in impersonal):
        yield finding(rule, state, start, end, message=rule.settings["impersonal_message"],
                      suggestions=_greeting_suggestion(state))
        return
    victim = state.letter.context.victim_name
    if not victim:
        return
    m = re.match(r"(?i)^dear\s+(.+?)[\s,.!:;]*$", line)
    if not m:
        return
    titles = {t.lower() for t in rule.settings["titles"]}
    said = _name_tokens(m.group(1))
    known = _name_tokens(victim)
    said_names = [t for t in said if t not in titles]
    known_names = [t for t in known if t not in titles]
    said_titles = [t for t in said if t in titles]
    known_titles = [t for t in known if t in titles]
    ok = bool(said_names) and all(t in known_names for t in said_names)
    if ok and said_titles and known_titles and said_titles != known_titles:
        ok = False
    if ok and said_titles and not said_names[-1:] == known_names[-1:]:
        ok = False  # "Dear Ms Jane" is not how to address Ms Jane Okafor
    if not ok:
        yield finding(rule, state, start, end, message=rule.settings["wrong_name_message"],
                      suggestions=_greeting_suggestion(state), name=victim)


def _name_tokens(name: str) -> list[str]:
    return [t.lower().rstrip(".") for t in re.findall(r"[^\s,]+", name)]


def _greeting_suggestion(state: State) -> list[str]:
    victim = state.letter.context.victim_name
    if not victim:
        return ["Dear <the victim's title and surname>"]
    parts = victim.split()
    if len(parts) >= 3 and parts[0].rstrip(".").lower() in {"mr", "mrs", "ms", "miss", "mx", "dr"}:
        return [f"Dear {parts[0]} {parts[-1]}"]
    return [f"Dear {victim}"]


def check_acronym(rule: Rule, state: State) -> Iterator[Finding]:
    doc = state.document
    text = doc.text
    allow = set(str(rule.settings["allow"]).upper().split())
    emphasis = set(str(rule.settings["emphasis_words"]).upper().split())
    expansions = {k.upper(): v for k, v in (rule.settings.get("expansions") or {}).items()}
    skip = frozenset(str(rule.settings["expansion_skip_words"]).lower().split())
    share = float(rule.settings["capitals_line_share"])
    lo, hi = _scope_bounds(rule, state)
    seen: set[str] = set()
    for m in _rx(rule.settings["pattern"], True).finditer(text, lo, hi):
        acr = m.group(1)
        if acr in seen or acr in allow or acr in emphasis or len(set(acr)) == 1:
            continue
        line = doc.lines[doc.line_col(m.start())[0] - 1].text
        letters = re.sub(r"[^A-Za-z]", "", line)
        if letters and sum(c.isupper() for c in letters) / len(letters) > share:
            continue  # a line in capitals (a heading), not an acronym in running text
        seen.add(acr)
        if _defined(acr, text, m.start(), m.end(), expansions.get(acr), skip):
            continue
        sugg = [f"{expansions[acr]} ({acr})"] if acr in expansions else []
        yield finding(rule, state, m.start(), m.start() + len(acr), suggestions=sugg)


def _initials(words: list[str], skip: frozenset[str]) -> str:
    return "".join(w[0].upper() for w in words if w.lower() not in skip and w[:1].isalpha())


def _defined(acr: str, text: str, start: int, end: int, expansion: str | None,
             skip: frozenset[str]) -> bool:
    before = text[max(0, start - 120) : start]
    after = text[end : end + 120]
    # "Crown Prosecution Service (CPS)"
    if before.rstrip().endswith("(") and after.startswith(")"):
        words = re.findall(r"[A-Za-z']+|&", before[:-1].rstrip().rstrip("(").rstrip())[-(len(acr) + 4):]
        for k in range(len(words)):
            if _initials(words[k:], skip) == acr:
                return True
        if expansion and expansion.lower() in before.lower():
            return True
    # "CPS (Crown Prosecution Service)" or "CPS, the Crown Prosecution Service"
    m = re.match(r"\s*(\(|,\s*(the|our)?\s*|\s+-\s+|\s+–\s+)([^)\n]{3,100})", after)
    if m:
        words = re.findall(r"[A-Za-z']+|&", m.group(3))
        for k in range(1, len(words) + 1):
            if _initials(words[:k], skip) == acr:
                return True
        if expansion and m.group(3).lower().startswith(expansion.lower()):
            return True
    if expansion and expansion.lower() in text[:start].lower():
        return True  # spelled out in full earlier in the letter
    return False


def check_passive(rule: Rule, state: State) -> Iterator[Finding]:
    be = set(rule.settings["be_forms"])
    adverbs = set(rule.settings["adverbs"])
    irregular = set(rule.settings["irregular_participles"])
    not_passive = set(rule.settings["adjectives"])
    all_toks = state.document.toks
    for sent in state.document.sentences:
        toks = all_toks[sent.tok_start : sent.tok_end]
        for i, tok in enumerate(toks):
            if tok.lower not in be:
                continue
            j = i + 1
            while j < len(toks) and (toks[j].lower in adverbs):
                j += 1
            if j >= len(toks):
                continue
            w = toks[j].lower
            if w in not_passive:
                continue
            if (w.endswith("ed") and len(w) > 4) or w in irregular:
                start, end = tok.idx, toks[j].idx + len(toks[j].text)
                yield finding(rule, state, start, end)
                break  # one passive finding per sentence is enough


CHECKS: dict[str, Callable[[Rule, State], Iterator[Finding]]] = {
    "existence": check_existence,
    "substitution": check_substitution,
    "required": check_required,
    "forbidden": check_forbidden,
    "companions": check_companions,
    "sentence_length": check_sentence_length,
    "metric": check_metric,
    "timeliness": check_timeliness,
    "salutation": check_salutation,
    "acronym": check_acronym,
    "passive": check_passive,
}


def compute_metrics(state: State) -> None:
    """Readability figures over the prose, and the timeliness facts; filled in before checks."""
    doc = state.document
    sents = doc.sentences
    words = sum(s.words for s in sents)
    m = state.metrics
    m["words"] = words
    m["sentences"] = len(sents)
    m["average_sentence_words"] = round(words / len(sents), 1) if sents else 0.0
    m["longest_sentence_words"] = max((s.words for s in sents), default=0)
    # textstat over the prose only, one sentence per line ending in a full stop, so that
    # headings and list items count as the short sentences they are.
    prose = " ".join(s.text.replace("\n", " ").rstrip(" .!?:;") + "." for s in sents)
    if words >= int(state.ruleset.scoring.get("reading_figures_min_words", 30)):
        m["flesch_reading_ease"] = round(float(textstat.flesch_reading_ease(prose)), 1)
        m["flesch_kincaid_grade"] = round(float(textstat.flesch_kincaid_grade(prose)), 1)
    else:
        m["flesch_reading_ease"] = None
        m["flesch_kincaid_grade"] = None
    ctx = state.letter.context
    m["due_date"] = None
    m["working_days_taken"] = None
    m["limit_working_days"] = limit_for(ctx.victim_category)
    letter_date = ctx.letter_date or state.today
    m["letter_date"] = letter_date.isoformat()
    if ctx.decision_date:
        m["working_days_taken"] = working_days_between(ctx.decision_date, letter_date)
    if ctx.decision_date and ctx.victim_category:
        due = due_date(ctx.decision_date, ctx.victim_category)
        m["due_date"] = due.isoformat()
        late_by = working_days_between(due, letter_date)
        m["working_days_late"] = max(0, late_by)
        state.late = letter_date > due
