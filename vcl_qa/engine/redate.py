"""A letter's result for another day, worked out from its result for one day, without scoring
its text again.

A letter's date changes few things in its result: the figures `metrics.timeliness_figures`
works out (its date, working days taken and late, and whether it is late), the findings of the
rules that read them (kind `timeliness`: its message gives the dates and the days late) and what
they cost (`rules/scoring.yml`: the first finding's points, and `points_per_unit` of a figure
that depends on the date), and so their dimension, the score and the verdict. Everything else
(every other finding, its words, places, suggestions and one-click replacements, the
rules whose `when` names `late`, which rules were assessed) depends on the date only through
whether the letter is late. So a result for day A of a letter, its details and its "not a
problem" marks gives the result for day B of the same, when the letter is late on both days
or on neither: `redated`. It refuses (None) whenever it cannot be sure, and the caller scores
the letter in full: another lateness, another rules version, a result whose date figures are
not what the calendar gives now, a rule set with a rule whose findings could depend on the date
otherwise (a kind not known here, a `when` or `severity_when` naming `letter_date`, a `metric`
rule reading a date figure, a `timeliness` rule limited to some languages).

`head` keeps of a result only what `redated` needs (the findings of the dimensions the date
changes, whether any other finding is a must-fix, and the rules found): a letter of thousands
of findings has a head of a few KB, enough for its score and verdict on any day
(letters/service.py: the letters list and the dashboard). tests/test_redate.py compares
`redated` with the letter scored in full for hundreds of letters and days.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from vcl_qa.engine.kinds import KINDS, NotAssessed, State, applies
from vcl_qa.engine.kinds.base import condition_keys
from vcl_qa.engine.letter import Letter, LetterContext
from vcl_qa.engine.metrics import timeliness_figures
from vcl_qa.engine.result import DIMENSIONS, DimensionResult
from vcl_qa.engine.rules import RuleSet, load_rules
from vcl_qa.engine.scoring import apply_penalties, dimension_results, overall

# Kinds whose findings read the letter's text and details and, of its date, only whether it is
# late (through `when: {late: ...}`, decided before the kind runs). A kind added later is not
# here, and its rule set is never redated until it is looked at.
DATE_FREE_KINDS = frozenset({"existence", "substitution", "required", "forbidden", "companions",
                             "sentence_length", "salutation", "sign_off", "acronym", "passive",
                             "header_line", "own_line", "case_details", "details"})
# Kinds that read the figures: `timeliness` is worked out again; `metric` only when its figure
# does not depend on the date.
FIGURE_KINDS = frozenset({"timeliness", "metric"})
# A finding's fields a timeliness rule's finding must keep from one day to another (its message
# changes; its penalty is worked out again; the rest is the engine's doing after the kind's).
_KEPT_FIELDS = ("rule", "dimension", "severity", "start", "end", "line", "column", "text", "suggestions", "why")
HEAD_KEY = "elsewhere"  # in a head: what the findings left out of it amount to


@dataclass(frozen=True)
class Plan:
    """What the date changes, for one rule set: the rules whose findings are worked out again
    (kind timeliness), those whose findings cost more or less with a date figure, and their
    dimensions."""
    timeliness: tuple  # the timeliness rules, in the rule set's order
    repriced: frozenset[str]  # ids of every rule whose findings' penalties are worked out again
    dimensions: frozenset[str]


def date_figures() -> frozenset[str]:
    """The figures that depend on the letter's date (those `timeliness_figures` gives)."""
    figures, _ = timeliness_figures(LetterContext(decision_date=dt.date(2025, 1, 6), victim_category="standard"),
                                    dt.date(2025, 1, 7))
    return frozenset(figures)


def plan(rs: RuleSet) -> Plan | None:
    """What the date changes for this rule set, or None when a rule's findings could depend on
    it otherwise (then no result is redated)."""
    kept = _plans.get(id(rs))
    if kept is None or kept[0] is not rs:
        if len(_plans) > 8:
            _plans.clear()
        kept = _plans[id(rs)] = (rs, _plan(rs))
    return kept[1]


_plans: dict[int, tuple[RuleSet, Plan | None]] = {}  # by rule set (each kept with its own)


def _plan(rs: RuleSet) -> Plan | None:
    figures = date_figures()
    timeliness, repriced = [], set()
    for rule in rs.rules:
        cfg = rule.config
        keys = condition_keys(getattr(cfg, "when", None) or {})
        for entry in getattr(cfg, "severity_when", ()) or ():
            keys += condition_keys(entry.when)
        if "letter_date" in keys:
            return None
        if rule.kind == "timeliness":
            if getattr(cfg, "languages", None):
                return None
            timeliness.append(rule)
            repriced.add(rule.id)
        elif rule.kind == "metric":
            if getattr(cfg, "metric", None) in figures:
                return None
        elif rule.kind not in DATE_FREE_KINDS:
            return None
    for rule_id, spec in (rs.scoring.get("points_per_unit") or {}).items():
        if isinstance(spec, dict) and spec.get("metric") in figures:
            repriced.add(rule_id)
    if any(r not in rs.by_id for r in repriced):
        return None  # (a scoring entry for a rule that does not exist: nothing to be sure of)
    dims = frozenset(rs.by_id[r].dimension for r in repriced)
    if not dims <= set(DIMENSIONS):
        return None
    return Plan(tuple(timeliness), frozenset(repriced), dims)


class _Row:
    """A stored finding (a dict) read as the scoring functions read a Finding; a penalty set
    is written to a copy of it (`out`)."""

    __slots__ = ("out",)

    def __init__(self, finding: dict):
        self.out = finding

    @property
    def rule(self) -> str:
        return self.out["rule"]

    @property
    def dimension(self) -> str:
        return self.out["dimension"]

    @property
    def severity(self) -> str:
        return self.out["severity"]

    @property
    def suppressed(self) -> bool:
        return self.out.get("suppressed", False)

    @property
    def penalty(self) -> float:
        return self.out.get("penalty", 0)

    @penalty.setter
    def penalty(self, value: float) -> None:
        if value != self.out.get("penalty") or type(value) is not type(self.out.get("penalty")):
            self.out = {**self.out, "penalty": value}


class _MustFix:
    """A must-fix finding outside a head (only `overall` reads it)."""
    severity = "error"
    suppressed = False


def head(result: dict, rs: RuleSet | None = None) -> dict | None:
    """The result with only the findings `redated` changes or reads (those of the dimensions the
    date changes), and under `elsewhere`: whether any finding left out is a must-fix not set
    aside (`must_fix`), and every rule the result finds, not set aside, with how many times
    (`rules`: the same on every day of the same lateness). None when the rule set cannot be
    redated."""
    rs = rs or load_rules()
    p = plan(rs)
    if p is None or result.get("rules_version") != rs.version:
        return None
    kept, error = [], False
    rules: Counter = Counter()
    for f in result.get("findings") or ():
        if f["dimension"] in p.dimensions:
            kept.append(f)
        elif f["severity"] == "error" and not f.get("suppressed"):
            error = True
        if not f.get("suppressed"):
            rules[f["rule"]] += 1
    return {**result, "findings": kept, HEAD_KEY: {"must_fix": error, "rules": dict(rules)}}


def redated(result: dict, context: LetterContext, today: dt.date, rs: RuleSet | None = None) -> dict | None:
    """The result (as JSON: `Result.model_dump(mode="json")`, or its `head`) of the letter with
    `context` on another day, worked out for `context` and `today` as `run.score_letter` would
    (the letter's date is `context.letter_date`, else `today`), or None when that cannot be done
    exactly (see the module's notes). `result` must be the same letter's, with the same details
    but its date and the same "not a problem" marks, scored with this rule set: its date is
    read from its figures. A head gives a head."""
    rs = rs or load_rules()
    p = plan(rs)
    if p is None or result.get("rules_version") != rs.version:
        return None
    metrics = result.get("metrics") or {}
    try:
        was = dt.date.fromisoformat(metrics.get("letter_date") or "")
    except (TypeError, ValueError):
        return None
    old, late_then = timeliness_figures(context.model_copy(update={"letter_date": was}), was)
    if any(k not in metrics or metrics[k] != v for k, v in old.items()):
        return None  # not this letter's details, or the calendar has changed since
    new, late = timeliness_figures(context, today)
    if late != late_then or new.keys() != old.keys():
        return None
    if new == old:
        return result
    figures = {**metrics, **new}
    findings = list(result.get("findings") or ())
    if not _reworded(findings, p, rs, context, today, figures, late):
        return None
    # What each finding of a rule repriced costs (a rule's penalties depend on its own findings
    # only, in order), then the dimensions they are in, then the score.
    priced = [(i, _Row(f)) for i, f in enumerate(findings) if f["rule"] in p.repriced]
    if any(row.dimension not in p.dimensions for _, row in priced):
        return None
    apply_penalties([row for _, row in priced], rs.scoring, figures)
    for i, row in priced:
        findings[i] = row.out
    old_dims = result.get("dimensions") or {}
    if not p.dimensions <= old_dims.keys():
        return None
    dims = dict(old_dims)
    for dim in p.dimensions:
        mine = [_Row(f) for f in findings if f["dimension"] == dim]
        was_dim = old_dims[dim]
        dims[dim] = dimension_results(mine, {dim: list(was_dim.get("not_assessed") or [])},
                                      {dim: 1 if was_dim.get("assessed") else 0})[dim].model_dump(mode="json")
    elsewhere = result.get(HEAD_KEY)
    everything = [_Row(f) for f in findings] + ([_MustFix()] if elsewhere and elsewhere.get("must_fix") else [])
    score, verdict = overall({d: DimensionResult.model_validate(v) for d, v in dims.items()}, everything, rs.scoring)
    return {**result, "score": score, "verdict": verdict, "dimensions": dims, "findings": findings,
            "metrics": figures}


def _reworded(findings: list[dict], p: Plan, rs: RuleSet, context: LetterContext, today: dt.date,
              figures: dict[str, Any], late: bool | None) -> bool:
    """Each timeliness rule's findings worked out again for the new figures, in place (their
    messages); False when they are not the same findings but for their words."""
    state: State | None = None
    for rule in p.timeliness:
        places = [i for i, f in enumerate(findings) if f["rule"] == rule.id]
        if state is None:
            state = State(Letter.model_construct(text="", context=context, source=None), _empty(), rs, today,
                          metrics=figures, late=late, language=figures.get("language") or "en")
        try:
            fresh = list(KINDS[rule.kind].check(rule, state)) if applies(rule, state) else []
        except NotAssessed:
            fresh = []
        if len(fresh) != len(places):
            return False
        for i, f in zip(places, fresh):
            made = f.model_dump(mode="json")
            if any(made[k] != findings[i].get(k) for k in _KEPT_FIELDS):
                return False
            if made["message"] != findings[i]["message"]:
                findings[i] = {**findings[i], "message": made["message"]}
    return True


@lru_cache(maxsize=1)
def _empty():
    from vcl_qa.engine.structure import analyse

    return analyse("")


def fingerprint() -> str:
    """What a result depends on besides the letter, its details, its marks and the rules
    version: the engine's code, the classifier giving its second opinion (its folder's files;
    none when it has no model), the libraries that read the words, and the rules folder's other
    files (rules/wording.yml changes one-click replacements, not the rules version). A result kept to be
    redated later (letters/service.py) is read back only by a process with the same fingerprint.
    Worked out once a process (the model is not loaded for it)."""
    from vcl_qa import config

    folder = config.concept_model_dir().resolve()
    has_model = (folder / "meta.json").is_file() and (folder / "config.cfg").is_file()
    return _fingerprint(str(folder) if has_model else "", str(config.__file__), str(config.rules_dir()))


@lru_cache(maxsize=4)
def _fingerprint(model_folder: str, config_file: str, rules_folder: str) -> str:
    from importlib import metadata
    from pathlib import Path

    h = hashlib.sha256()
    package = Path(config_file).resolve().parent
    engine = package / "engine"
    files = [(f"engine/{p.relative_to(engine)}", p) for p in sorted(engine.rglob("*.py"))]
    files += [(f"rules/{p.name}", p) for p in sorted(Path(rules_folder).glob("*.yml"))]
    files += [("wording", p) for p in (package.parent / "rules" / "wording.yml",) if p.is_file()]
    for name, path in files:
        h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    for lib in ("spacy", "textstat", "pyphen", "holidays", "pydantic"):
        try:
            h.update(f"{lib}={metadata.version(lib)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{lib}=none\0".encode())
    if model_folder:
        h.update(model_folder.encode() + b"\0")
        for path in sorted(Path(model_folder).rglob("*")):
            if path.is_file():
                st = path.stat()
                h.update(f"{path.relative_to(model_folder)}:{st.st_size}:{st.st_mtime_ns}\0".encode())
    return h.hexdigest()[:16]
