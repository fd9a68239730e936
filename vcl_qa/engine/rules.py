"""Rules as data: load rules/*.yml into typed rules the checks run.

Each rule has an id (`dimension.name`), a kind (one of KINDS), a severity, a message, a reason
(`why`) and a source, kind-specific settings, and examples it must flag and must pass.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from pydantic import ValidationError

from vcl_qa.errors import RulesError
from vcl_qa.engine.concepts import Concept, WordIndex
from vcl_qa.engine.kinds import KINDS
from vcl_qa.engine.kinds.base import SHARED_KEYS, KindSettings, condition_keys
from vcl_qa.engine.letter import LetterContext
from vcl_qa.engine.rules_data import load_yaml, rules_dir
from vcl_qa.engine.wordlist import WordListError, words_pattern

# Keys every rule has; the rest are the kind's own settings (vcl_qa/engine/kinds/<kind>.py).
COMMON_KEYS = ("id", "kind", "severity", "title", "message", "why", "source", "examples", "contract",
               "markable")
# Context keys a `when` may test: the letter's details, and `late` (worked out from them).
CONDITION_KEYS = set(LetterContext.model_fields) - {"suppress"} | {"late", "any"}
SEVERITIES = ("error", "warning", "suggestion")
RULE_FILES = ("timeliness.yml", "content.yml", "readability.yml", "empathy.yml")
# The files whose content changes a score: their hash is the results' `rules_version`
# (panel rubric and redaction settings do not score letters, so they are left out).
SCORING_FILES = RULE_FILES + ("concepts.yml", "scoring.yml", "vocabulary.yml", "calendar.yml", "structure.yml",
                              "language.yml")


@dataclass
class Rule:
    id: str
    kind: str
    severity: str
    message: str
    why: str
    source: str
    settings: dict[str, Any]  # the kind's settings as written in the YAML
    examples: dict[str, list[Any]]
    file: str
    title: str = ""
    config: KindSettings = field(default_factory=KindSettings)  # the same, checked and typed
    contract: bool = False  # a rule id the contract names (docs, tests and bench read this)
    # Can a finding be marked "not a problem"? Not one worked out from the letter's details
    # alone (timeliness.late: the dates say it; wrong dates are corrected, not set aside).
    markable: bool = True

    @cached_property
    def dimension(self) -> str:
        # (worked out once: asked for on every rule, and every finding, of every letter)
        return self.id.split(".", 1)[0]


@dataclass
class RuleSet:
    rules: list[Rule]
    concepts: dict[str, Concept]
    scoring: dict[str, Any]
    vocabulary: list[str]
    version: str
    by_id: dict[str, Rule] = field(default_factory=dict)


def _compile(pattern: str | dict, where: str) -> re.Pattern:
    if isinstance(pattern, dict):  # `{words: [...], patterns: [...]}` (engine/wordlist.py)
        try:
            pattern = words_pattern(pattern, where)
        except WordListError as exc:
            raise RulesError(str(exc)) from None
    try:
        return re.compile(pattern, re.I)
    except re.error as exc:
        raise RulesError(f"{where}: bad regular expression {pattern!r}: {exc}") from None


CONCEPT_KEYS = ("any", "none", "window", "description", "second_opinion", "second_opinion_at", "rescue_needs",
                "rescue_unless")


def _load_concepts() -> dict[str, Concept]:
    data = load_yaml("concepts.yml") or {}
    out = {}
    for name, spec in data.items():
        if not isinstance(spec, dict):
            raise RulesError(f"{rules_dir() / 'concepts.yml'}: concept {name}: needs 'any: [...]'")
        unknown = [k for k in spec if k not in CONCEPT_KEYS]
        if unknown:
            raise RulesError(f"{rules_dir() / 'concepts.yml'}: concept {name}: unknown key '{unknown[0]}' "
                             f"(known: {', '.join(CONCEPT_KEYS)})")
        alts = []
        for i, alt in enumerate(spec.get("any") or []):
            where = f"concepts.yml: {name} alternative {i + 1}"
            if isinstance(alt, str):
                alts.append(([_compile(alt, where)], []))
                continue
            if not isinstance(alt, dict) or "all" not in alt:
                raise RulesError(f"{where}: needs 'all: [patterns]' or a single pattern")
            alts.append(
                (
                    [_compile(p, where) for p in alt["all"]],
                    [_compile(p, where) for p in alt.get("none") or []],
                )
            )
        if not alts:
            raise RulesError(f"concepts.yml: {name} has no alternatives")
        for i, (required, _) in enumerate(alts):
            for pattern in required:
                # e.g. an empty alternative, "\\b(a|b||c)": it matches at any word boundary
                if pattern.search("") is not None or pattern.search("zqxj vwkq") is not None:
                    raise RulesError(f"concepts.yml: {name} alternative {i + 1}: the pattern {pattern.pattern!r} "
                                     "matches any text, so it would find the concept in every letter "
                                     "(look for '||', '(|' or '|)')")
        none_all = [_compile(p, f"concepts.yml: {name}") for p in spec.get("none") or []]
        alts = [(a, n + none_all) for a, n in alts]
        opinion = spec.get("second_opinion")
        if opinion is not None:
            from vcl_qa.engine.classifier import CONCEPTS as CLASSIFIED

            if opinion not in ("veto", "rescue"):
                raise RulesError(f"{rules_dir() / 'concepts.yml'}: concept {name}: second_opinion must be "
                                 f"veto or rescue, not {opinion!r}")
            if name not in CLASSIFIED:
                raise RulesError(f"{rules_dir() / 'concepts.yml'}: concept {name}: the classifier has no "
                                 f"opinion on it (it knows {', '.join(CLASSIFIED)})")
        at = spec.get("second_opinion_at")
        if at is not None and (opinion is None or isinstance(at, bool) or not isinstance(at, (int, float))
                               or not 0 < at < 1):
            raise RulesError(f"{rules_dir() / 'concepts.yml'}: concept {name}: second_opinion_at must be a "
                             f"probability between 0 and 1, with second_opinion set (got {at!r})")
        needs, unless = spec.get("rescue_needs"), spec.get("rescue_unless")
        for key, value in (("rescue_needs", needs), ("rescue_unless", unless)):
            if value is not None and opinion != "rescue":
                raise RulesError(f"{rules_dir() / 'concepts.yml'}: concept {name}: {key} is for a concept "
                                 "with second_opinion: rescue")
        out[name] = Concept(name, int(spec.get("window", 1)), alts, spec.get("description", ""), opinion,
                            float(at) if at is not None else None,
                            rescue_needs=_compile(needs, f"concepts.yml: {name}: rescue_needs") if needs else None,
                            rescue_unless=_compile(unless, f"concepts.yml: {name}: rescue_unless") if unless else None)
    WordIndex(list(out.values()))  # each concept's words found with all the others' (engine/concepts.py)
    return out


def _load_rules(concepts: dict[str, Concept]) -> list[Rule]:
    rules: list[Rule] = []
    seen: set[str] = set()
    for fname in RULE_FILES:
        data = load_yaml(fname) or {}
        for raw in data.get("rules") or []:
            rid = raw.get("id")
            where = f"{rules_dir() / fname}: rule {rid or '(no id)'}"
            if not rid or "." not in rid:
                raise RulesError(f"{where}: every rule needs an id like 'dimension.name'")
            if rid in seen:
                raise RulesError(f"{where}: duplicate rule id")
            seen.add(rid)
            kind = raw.get("kind")
            if kind not in KINDS:
                raise RulesError(f"{where}: unknown kind {kind!r} (known: {', '.join(sorted(KINDS))})")
            sev = raw.get("severity")
            if sev not in SEVERITIES:
                raise RulesError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
            for key in ("title", "message", "why", "source"):
                if not raw.get(key):
                    raise RulesError(f"{where}: missing '{key}'")
            settings = {k: v for k, v in raw.items() if k not in COMMON_KEYS}
            config = _settings(kind, settings, where, concepts)
            rules.append(
                Rule(rid, kind, sev, raw["message"], raw["why"], raw["source"], settings,
                     raw.get("examples") or {}, fname, raw["title"], config,
                     bool(raw.get("contract", False)), _markable(raw.get("markable", True), where))
            )
    return rules


def _markable(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise RulesError(f"{where}: markable must be true or false, not {value!r}")
    return value


def _version(files: list[str]) -> str:
    h = hashlib.sha256()
    for name in files:
        path = rules_dir() / name
        if path.exists():
            h.update(name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def _settings(kind: str, settings: dict[str, Any], where: str,
              concepts: dict[str, Concept]) -> KindSettings:
    """Check a rule's own keys against its kind: unknown keys, and shared keys the kind would
    ignore, stop loading with the file, the rule and the key named."""
    module = KINDS[kind]
    for key in SHARED_KEYS:
        if key in settings and key not in module.HONOURS:
            honoured = ", ".join(sorted(module.HONOURS)) or "none of them"
            raise RulesError(f"{where}: key '{key}' has no effect on a '{kind}' rule "
                             f"(of when/scope/within it honours {honoured})")
    try:
        config = module.Settings.model_validate(settings)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(settings)"
            if err["type"] == "extra_forbidden":
                problems.append(f"unknown key '{key}' for a '{kind}' rule")
            elif err["type"] == "missing":
                problems.append(f"missing key '{key}'")
            else:
                problems.append(f"key '{key}': {err['msg']}")
        raise RulesError(f"{where}: " + "; ".join(problems)) from None
    tests = [("when", config.when)] + [(f"severity_when.{i}.when", e.when)
                                       for i, e in enumerate(config.severity_when)]
    for prefix, key in ((p, k) for p, cond in tests for k in condition_keys(cond)):
        if key not in CONDITION_KEYS:
            raise RulesError(f"{where}: key '{prefix}.{key}': not a letter detail "
                             f"(known: {', '.join(sorted(CONDITION_KEYS - {'any'}))})")
    names = list(getattr(config, "concepts", lambda: [])())
    names += [config.within] if config.within else []
    names += list((getattr(config, "placed_after", None) or {}).values())
    for name in names:
        if name not in concepts:
            raise RulesError(f"{where}: unknown concept {name!r}")
    return config


@lru_cache(maxsize=1)
def load_rules() -> RuleSet:
    concepts = _load_concepts()
    rules = _load_rules(concepts)
    scoring = load_yaml("scoring.yml") or {}
    vocab = [str(t).lower() for t in (load_yaml("vocabulary.yml") or {}).get("accept") or []]
    version = _version(list(SCORING_FILES))
    rs = RuleSet(rules, concepts, scoring, vocab, version)
    rs.by_id = {r.id: r for r in rules}
    return rs
