"""Score one letter: analyse it once, run every rule, apply suppressions, score."""
from __future__ import annotations

import datetime as dt
import difflib
import gc
import threading
from collections import Counter, defaultdict

from vcl_qa.engine import invisible
from vcl_qa.engine.kinds import KINDS, NotAssessed, State, applies
from vcl_qa.engine.kinds.base import rule_state
from vcl_qa.engine.letter import Letter
from vcl_qa.engine.metrics import compute_metrics
from vcl_qa.engine.result import Finding, Result, put
from vcl_qa.engine.rules import RuleSet, load_rules
from vcl_qa.engine.scoring import apply_penalties, dimension_results, overall
from vcl_qa.engine.structure import analyse
from vcl_qa.engine.suggest import add_replacements
from vcl_qa.engine.typography import fold
from vcl_qa.errors import LetterError
from vcl_qa import clock


def score_letter(letter: Letter, *, today: dt.date | None = None, ruleset: RuleSet | None = None) -> Result:
    # Characters nobody sees (a zero-width space inside "fai\u200bled") would hide words from
    # every check, and an accent typed apart from its letter would not match the same name
    # typed whole: scored plain, every place put back into the letter after (engine/invisible.py).
    if not _settled:
        settle()
    plain, places = _plain(letter)
    try:
        written = None if places is None else (lambda a, b: places.span(a, b, len(letter.text)))
        result = _score(plain, today, ruleset, written)
        if places is not None:
            invisible.map_back(result, places, letter.text)
        return result
    finally:
        _trim_libraries_memos()


def _plain(letter: Letter) -> tuple[Letter, invisible.Places | None]:
    """The letter as it is scored: its text plain (invisible.plain), and the victim's name and
    case reference in its details read the same way, so that a name typed there in full-width letters
    ("Ms Jane Ｏｋａｆｏｒ") is the name the letter's plain greeting gives; and where each of
    the plain text's characters is in the letter (None: where it was)."""
    text, places = invisible.plain(letter.text)
    update: dict = {"text": text} if places is not None else {}
    details = {}
    for field in ("victim_name", "urn"):  # (the case reference too: "４２AB..." is the letter's "42AB...")
        value = getattr(letter.context, field)
        if value and not value.isascii() and (plain_value := invisible.plain(value)[0]) != value:
            details[field] = plain_value
    if details:
        update["context"] = letter.context.model_copy(update=details)
    return (letter.model_copy(update=update) if update else letter), places


def decision_stated(letter: Letter, *, ruleset: RuleSet | None = None) -> tuple[int, int] | None:
    """Where the letter states its decision, in the letter as written, for the letter page's
    inserts: a paragraph acknowledging feelings goes just after the paragraph that holds the
    end of this place (api/static/insert.js); put after the letter's first paragraph, it could
    come before the victim had been told what was decided. None when the letter never says (or
    the rule set has no such rule).

    The place starts where content.decision finds the decision (the first of the decision's
    concepts in the letter). It ends further on where the words found only announce it: for a
    decision with a `placed_after` concept (a changed charge: "I am writing about a change to
    the charge against Mr Lane"), at the first sentence within `placed_within` that finds it
    ("He now faces a charge of common assault"); and where they are a heading ("The charge has
    changed"), at the end of the sentence under it, so that nothing comes between a heading and
    its paragraph."""
    from vcl_qa.engine.concepts import hit_segments
    from vcl_qa.engine.kinds.required import concepts_for

    rs = ruleset or load_rules()
    rule = rs.by_id.get("content.decision")
    if rule is None:
        return None
    if not _settled:
        settle()
    plain, places = _plain(letter)
    text = plain.text
    state = State(plain, analyse(fold(text)), rs, clock.today())
    hits = [hit for name in concepts_for(rule.config, state) if (hit := state.concept(name))]
    if not hits:
        return None
    first = min(hits, key=lambda h: h.start)
    start, end = first.start, first.end
    doc = state.document
    segments = doc.segments
    at = next((i for i, seg in enumerate(segments) if seg.end > start), None)
    placed = (getattr(rule.config, "placed_after", None) or {}).get(letter.context.decision or "")
    if placed and at is not None:
        within = range(at, min(len(segments), at + 1 + rule.config.placed_within))
        found = [i for i in hit_segments(rs.concepts[placed], doc, state.window_cache) if i in within]
        if found:
            end = max(end, segments[found[0]].end)
    if doc.sentence_at(max(start, end - 1)) is None:  # a heading: the sentence under it too
        after = doc.sentences_in(end, len(text))
        if after and (doc.sign_off is None or after[0].start < doc.sign_off.start):
            end = after[0].end
    return (start, end) if places is None else places.span(start, end, len(letter.text))


# The most places read_together tries a paragraph at (each costs the letter checked again,
# about 2 ms): a letter of one line a paragraph, the decision near the top, has one a paragraph.
READ_TOGETHER_TRIES = 30
# ... and the most characters checked again in all (tries times the letter's length): a letter
# is a few thousand characters, so 30 tries read about 100,000; a pasted 199 KB draft, each try
# half a second, would have held the page, and the scoring slot, for 15 s. Past it the places
# not tried are not kept together (the page puts the paragraph as it did before).
READ_TOGETHER_CHARS = 600_000


def read_together(letter: Letter, *, after: int = 0, ruleset: RuleSet | None = None,
                  today: dt.date | None = None) -> list[tuple[int, int]]:
    """Where a paragraph put in would come between two sentences the checker reads together:
    a term and the sentence after it that explains it ("... under the Code for Crown
    Prosecutors." / "This is the set of rules every prosecutor must follow."), content found
    over two sentences (a review right, what the Code is), a cold phrase the next sentence makes
    kind. Each is [the first sentence's start, the second's end], in the letter as written: the
    letter page does not put a paragraph after the decision between them (api/static/insert.js),
    but after the second. Found as the page would do it: a paragraph (the rule set's own
    acknowledgement of feelings) is put in at each line break between two sentences from the
    sentence at `after` on, and the letter checked again; the place is one to keep together
    when a finding comes that the letter did not have (anything the paragraph's own words
    raise, and the letter-wide reading-ease figure, aside). It stops at the first place that
    raises none before a blank line (where a paragraph of a letter set out with blank lines
    ends, the page goes no further), or after READ_TOGETHER_TRIES places, or once the next would
    take the characters checked again over READ_TOGETHER_CHARS (none, for a letter longer than it)."""
    rs = ruleset or load_rules()
    if not _settled:
        settle()
    plain, places = _plain(letter)
    text = plain.text
    state, base, _, _ = _checked(plain, today, rs)
    probe = _probe_paragraph(rs, welsh=state.language == "cy")
    doc = state.document
    lowest = doc.greeting.end if doc.greeting is not None else 0
    if places is not None and after:
        after = next((i for i, a in enumerate(places.starts) if a >= after), len(text))
    end = doc.sign_off.start if doc.sign_off is not None else len(text)
    metric = {r.id for r in rs.rules if r.kind == "metric"}
    had = _finding_keys(base, metric)
    segments = doc.segments
    out: list[tuple[int, int]] = []
    tries = 0
    for one, two in zip(segments, segments[1:]):
        if one.end <= max(after, lowest) or two.start >= end:
            continue
        gap = text[one.end:two.start]
        if "\n" not in gap:
            continue
        if tries == READ_TOGETHER_TRIES or (tries + 1) * len(text) > READ_TOGETHER_CHARS:
            break
        at = one.end + gap.index("\n")
        blank = not gap[gap.index("\n") + 1:].split("\n")[0].strip() and gap.count("\n") >= 2
        put = ("\n\n" if blank else "\n") + probe
        tries += 1
        _, found, _, _ = _checked(plain.model_copy(update={"text": text[:at] + put + text[at:]}), today, rs)
        now = _finding_keys(found, metric, at, len(put))
        if now - had:
            out.append((one.start, two.end))
        elif blank:
            break
    if places is None:
        return out
    return [places.span(a, b, len(letter.text)) for a, b in out]


# The rule whose paragraph read_together tries first: an acknowledgement of feelings, words no
# check reads together with the sentences around them (not "What the CPS does", which also goes
# after the decision, and spells out "CPS").
PROBE_RULE = "empathy.acknowledgement"


def _probe_paragraph(rs: RuleSet, *, welsh: bool = False) -> str:
    """The paragraph read_together tries: PROBE_RULE's, else the first of the rule set's
    paragraphs that go after the decision (`insert_place: early`), in Welsh for a letter in
    Welsh where there is one, else a plain one."""
    rules = sorted(rs.rules, key=lambda r: r.id != PROBE_RULE)
    for rule in rules:
        if getattr(rule.config, "insert_place", None) == "early" and isinstance(rule.config.insert, str):
            cy = rule.config.insert_cy
            return cy if welsh and isinstance(cy, str) else rule.config.insert
    return "I am sorry for the worry this has caused you."


def _finding_keys(findings: list[Finding], skip: set[str], at: int = 0, size: int = 0) -> "Counter":
    """The findings as (rule, start, end), in the letter before `size` characters were put in at
    `at` (those in what was put in left out), without the rules in `skip`."""
    keys: Counter = Counter()
    for f in findings:
        if f.rule in skip:
            continue
        if f.start is None or f.end is None:
            keys[(f.rule, None, None)] += 1
            continue
        start, end = f.start, f.end
        if size:
            if f.start >= at + size:
                start, end = start - size, end - size
            elif f.end > at:
                continue  # in the paragraph put in, or across it
        keys[(f.rule, start, end)] += 1
    return keys


# What the libraries under the engine remember of every word they have ever met, which a
# stream of letters of new words (an attacker's, or years of real ones) would grow without
# end: the hyphenation dictionary's syllables (pyphen, under textstat), and spaCy's vocabulary
# (a lexeme for every new word, in the tokenizer's pipeline and in the classifier's). Past
# these sizes each is emptied, or built again, and works out the same answers afresh
# (engine/memo.py bounds the engine's own memos; bench/bench_hostile.py measures the stream).
HYPHENATION_WORDS_KEPT = 100_000
VOCABULARY_KEPT = 150_000


def _trim_libraries_memos() -> None:
    import pyphen

    from vcl_qa.engine import classifier
    from vcl_qa.engine.nlp import get_nlp

    for hd in list(pyphen.hdcache.values()):
        if len(hd.cache) > HYPHENATION_WORDS_KEPT:
            hd.cache.clear()
    if len(get_nlp().vocab) > VOCABULARY_KEPT:
        unsettle()  # (what was set aside from the collector may now be let go)
        get_nlp.cache_clear()  # the next letter builds spacy.blank("en") again (a few ms)
    if any(len(model.vocab) > VOCABULARY_KEPT for model in classifier.loaded_models()):
        unsettle()
        classifier.reload()  # (never loads one: a letter that needs no second opinion loads none)


# What every letter needs and the process keeps for its whole life: the rules, spaCy's
# pipeline, the syllable counts (engine/syllables.py) and the classifier: about 100,000
# Python objects that the garbage collector would otherwise go through again and again,
# looking for cycles that are not there. Once loaded, they are set aside from the collector
# (`gc.freeze`; each is still freed as usual when nothing uses it). Done before the first
# letter, and again after the libraries' memos are trimmed (which builds a pipeline or a
# classifier afresh).
_settled = False
_settling = threading.Lock()

# The collector looks through the newest objects every GC_YOUNG containers made (and not yet
# freed), not Python's 700: a letter makes tens of thousands of short-lived lists, tuples and
# findings, nearly all freed the moment they are done with, and a look every 700 went through
# them again and again for cycles that are not there (1.3% of the instructions of scoring a
# letter, counted by callgrind on bench_score's letters; no fewer again at 20,000). A larger
# setting made by the program around the engine is kept.
GC_YOUNG = 5_000


def settle() -> None:
    """Load what every letter needs, then set it aside from the garbage collector."""
    global _settled
    from vcl_qa.engine import classifier, syllables
    from vcl_qa.engine.nlp import get_nlp

    with _settling:
        if _settled:
            return
        load_rules()
        get_nlp()
        classifier.load_model()
        syllables.counts()
        gc.collect()
        gc.freeze()
        young, *older = gc.get_threshold()
        if young < GC_YOUNG:
            gc.set_threshold(GC_YOUNG, *older)
        _settled = True


def unsettle() -> None:
    """Give what was set aside back to the collector (a pipeline about to be replaced)."""
    global _settled
    with _settling:
        gc.unfreeze()
        _settled = False


def _score(letter: Letter, today: dt.date | None, ruleset: RuleSet | None, written=None) -> Result:
    rs = ruleset or load_rules()
    state, findings, not_assessed, assessed = _checked(letter, today, rs)
    suppress(findings, letter, rs, written)
    add_replacements(findings, state)  # one-click texts: only those checked safe (engine/suggest.py)
    apply_penalties(findings, rs.scoring, state.metrics)
    dims = dimension_results(findings, not_assessed, assessed)
    score, verdict = overall(dims, findings, rs.scoring)
    return Result.of(score=score, verdict=verdict, dimensions=dims, findings=findings,
                     metrics=state.metrics, rules_version=rs.version)


def _checked(letter: Letter, today: dt.date | None, rs: RuleSet
             ) -> tuple[State, list[Finding], dict[str, list[str]], dict[str, int]]:
    """Every rule run on the letter: its state, the findings in letter order (no suppressions
    marked, no one-click replacements), and the rules not assessed and assessed by dimension."""
    # Curly quotes, dashes and special spaces are matched as plain ones; the folded text has
    # the same length, so findings still quote the letter as written (kinds/base.py finding).
    state = State(letter, analyse(fold(letter.text)), rs, today or clock.today())
    compute_metrics(state)
    findings: list[Finding] = []
    not_assessed: dict[str, list[str]] = defaultdict(list)
    assessed: dict[str, int] = defaultdict(int)
    applying: list[str] = []
    for rule in rs.rules:
        try:
            # `when` and `languages` are decided here, once for every rule: a rule whose
            # condition does not hold was still assessed (and found nothing to say); a rule
            # that cannot read the letter's language was not (kinds/base.py: rule_state).
            if applies(rule, state):
                applying.append(rule.id)
                findings.extend(KINDS[rule.kind].check(rule, rule_state(rule, state)))
        except NotAssessed as why:
            not_assessed[rule.dimension].append(f"{rule.id}: {why}")
            continue
        assessed[rule.dimension] += 1
    findings.sort(key=lambda f: (f.start is None, f.start or 0, f.rule))
    state.applying = frozenset(applying)
    return state, findings, not_assessed, assessed


def suppress(findings: list[Finding], letter: Letter, rs: RuleSet, written=None) -> None:
    """Mark (never drop) findings silenced by the letter's `suppress:` or the area vocabulary.
    A rule id there that no rule has is an error (a typo would otherwise silence nothing).
    A wording marked with `places` (a stored letter's mark) is set aside only where it was
    marked, carried through later edits: the same words in a new place were never looked at,
    so they count, with `marked_elsewhere` saying so. `written(start, end)`: a finding's place
    in the letter as written (the places count there), when the text scored is plain."""
    unknown = [s.rule for s in letter.context.suppress if s.rule not in rs.by_id]
    if unknown:
        def hint(rule: str) -> str:
            near = difflib.get_close_matches(rule, list(rs.by_id), n=1)
            return f" (did you mean {near[0]}?)" if near else ""
        raise LetterError.many([("suppress", f"no rule is called '{r}'{hint(r)}") for r in dict.fromkeys(unknown)])
    if not letter.context.suppress and not rs.vocabulary:
        for f in findings:  # (nothing to set aside: each counts, and is marked nowhere else)
            put(f, "marked_elsewhere", None)
        return
    for f in findings:
        term = fold(f.text or "").lower()
        elsewhere = None
        for s in letter.context.suppress:
            if s.rule == f.rule and (s.term is None or fold(s.term).lower() == term):
                if s.term is not None and s.places is not None and not _in_places(f, s.places, written):
                    elsewhere = elsewhere or s.reason
                    continue
                f.suppressed, f.suppressed_reason = True, s.reason
                break
        else:
            if term and term in rs.vocabulary:
                f.suppressed, f.suppressed_reason = True, "accepted in the area vocabulary (rules/vocabulary.yml)"
            else:
                f.marked_elsewhere = elsewhere


def _in_places(f: Finding, places: list[tuple[int, int]], written=None) -> bool:
    """Whether the finding's words overlap one of the places a wording was marked in (places
    in the letter as written). A finding with no place has the whole letter for its place."""
    if f.start is None or f.end is None:
        return True
    start, end = written(f.start, f.end) if written is not None else (f.start, f.end)
    return any(min(end, e) - max(start, s) > 0 for s, e in places)
