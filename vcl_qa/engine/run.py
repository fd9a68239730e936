"""Score one letter: analyse it once, run every rule, apply suppressions, score."""
from __future__ import annotations

import datetime as dt
import difflib
import gc
import threading
from collections import defaultdict

from vcl_qa.engine import invisible
from vcl_qa.engine.kinds import KINDS, NotAssessed, State, applies
from vcl_qa.engine.kinds.base import rule_state
from vcl_qa.engine.letter import Letter
from vcl_qa.engine.metrics import compute_metrics
from vcl_qa.engine.result import Finding, Result
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
    text, places = invisible.plain(letter.text)
    try:
        if places is None:
            return _score(letter, today, ruleset)
        result = _score(letter.model_copy(update={"text": text}), today, ruleset)
        invisible.map_back(result, places, letter.text)
        return result
    finally:
        _trim_libraries_memos()


def decision_stated(letter: Letter, *, ruleset: RuleSet | None = None) -> tuple[int, int] | None:
    """Where the letter states its decision, as content.decision finds it (the first of the
    decision's concepts in the letter), in the letter as written; None when it never says (or
    the rule set has no such rule). The letter page puts a paragraph acknowledging feelings just
    after the paragraph that holds it (api/static/insert.js): put after the letter's first
    paragraph, it could come before the victim had been told what was decided."""
    from vcl_qa.engine.kinds.required import concepts_for

    rs = ruleset or load_rules()
    rule = rs.by_id.get("content.decision")
    if rule is None:
        return None
    if not _settled:
        settle()
    text, places = invisible.plain(letter.text)
    state = State(letter.model_copy(update={"text": text}) if places else letter, analyse(fold(text)), rs,
                  clock.today())
    hits = [hit for name in concepts_for(rule.config, state) if (hit := state.concept(name))]
    if not hits:
        return None
    first = min(hits, key=lambda h: h.start)
    return (first.start, first.end) if places is None else places.span(first.start, first.end, len(letter.text))


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
        _settled = True


def unsettle() -> None:
    """Give what was set aside back to the collector (a pipeline about to be replaced)."""
    global _settled
    with _settling:
        gc.unfreeze()
        _settled = False


def _score(letter: Letter, today: dt.date | None, ruleset: RuleSet | None) -> Result:
    rs = ruleset or load_rules()
    # Curly quotes, dashes and special spaces are matched as plain ones; the folded text has
    # the same length, so findings still quote the letter as written (kinds/base.py finding).
    state = State(letter, analyse(fold(letter.text)), rs, today or clock.today())
    compute_metrics(state)
    findings: list[Finding] = []
    not_assessed: dict[str, list[str]] = defaultdict(list)
    assessed: dict[str, int] = defaultdict(int)
    for rule in rs.rules:
        try:
            # `when` and `languages` are decided here, once for every rule: a rule whose
            # condition does not hold was still assessed (and found nothing to say); a rule
            # that cannot read the letter's language was not (kinds/base.py: rule_state).
            if applies(rule, state):
                findings.extend(KINDS[rule.kind].check(rule, rule_state(rule, state)))
        except NotAssessed as why:
            not_assessed[rule.dimension].append(f"{rule.id}: {why}")
            continue
        assessed[rule.dimension] += 1
    findings.sort(key=lambda f: (f.start is None, f.start or 0, f.rule))
    suppress(findings, letter, rs)
    add_replacements(findings, state)  # one-click texts: only those checked safe (engine/suggest.py)
    apply_penalties(findings, rs.scoring, state.metrics)
    dims = dimension_results(findings, not_assessed, assessed)
    score, verdict = overall(dims, findings, rs.scoring)
    return Result(score=score, verdict=verdict, dimensions=dims, findings=findings,
                  metrics=state.metrics, rules_version=rs.version)


def suppress(findings: list[Finding], letter: Letter, rs: RuleSet) -> None:
    """Mark (never drop) findings silenced by the letter's `suppress:` or the area vocabulary.
    A rule id there that no rule has is an error (a typo would otherwise silence nothing)."""
    unknown = [s.rule for s in letter.context.suppress if s.rule not in rs.by_id]
    if unknown:
        def hint(rule: str) -> str:
            near = difflib.get_close_matches(rule, list(rs.by_id), n=1)
            return f" (did you mean {near[0]}?)" if near else ""
        raise LetterError.many([("suppress", f"no rule is called '{r}'{hint(r)}") for r in dict.fromkeys(unknown)])
    for f in findings:
        term = fold(f.text or "").lower()
        for s in letter.context.suppress:
            if s.rule == f.rule and (s.term is None or fold(s.term).lower() == term):
                f.suppressed, f.suppressed_reason = True, s.reason
                break
        else:
            if term and term in rs.vocabulary:
                f.suppressed, f.suppressed_reason = True, "accepted in the area vocabulary (rules/vocabulary.yml)"
