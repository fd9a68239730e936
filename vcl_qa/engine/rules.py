"""Rules as data: load rules/*.yml into typed rules the checks run.

Each rule has an id (`dimension.name`), a kind (one of KINDS), a severity, a message, a reason
(`why`) and a source, kind-specific settings, and examples it must flag and must pass.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from vcl_qa.errors import RulesError
from vcl_qa.engine.rules_data import load_yaml, rules_dir

KINDS = {
    "existence",     # any listed pattern found -> finding at each place
    "substitution",  # words with plainer alternatives -> finding with suggestions
    "required",      # if the context says X, the letter must contain concept Y
    "forbidden",     # if the context says X, the letter must not contain concept Y
    "companions",    # a concept that is present needs its companions (and no stale one)
    "sentence_length",  # occurrence: words per sentence over a maximum
    "metric",        # a readability figure below a threshold
    "timeliness",    # sent after the due date
    "salutation",    # impersonal greeting, or a name other than the victim's
    "acronym",       # an acronym not spelled out at first use
    "passive",       # passive voice
}
SEVERITIES = ("error", "warning", "suggestion")
RULE_FILES = ("timeliness.yml", "content.yml", "readability.yml", "empathy.yml")
# The files whose content changes a score: their hash is the results' `rules_version`
# (panel rubric and redaction settings do not score letters, so they are left out).
SCORING_FILES = RULE_FILES + ("concepts.yml", "scoring.yml", "vocabulary.yml", "calendar.yml", "structure.yml")


@dataclass
class Rule:
    id: str
    kind: str
    severity: str
    message: str
    why: str
    source: str
    settings: dict[str, Any]
    examples: dict[str, list[Any]]
    file: str
    title: str = ""

    @property
    def dimension(self) -> str:
        return self.id.split(".", 1)[0]


@dataclass
class Concept:
    """A piece of content found by meaning, not by one word: any of several alternatives,
    each needing all of its patterns within a window of sentences and none of its exclusions."""

    name: str
    window: int
    alternatives: list[tuple[list[re.Pattern], list[re.Pattern]]]
    description: str = ""
    min_specific_words: int = 0
    stopwords: frozenset[str] = frozenset()


@dataclass
class RuleSet:
    rules: list[Rule]
    concepts: dict[str, Concept]
    scoring: dict[str, Any]
    vocabulary: list[str]
    version: str
    by_id: dict[str, Rule] = field(default_factory=dict)


def _compile(pattern: str, where: str) -> re.Pattern:
    try:
        return re.compile(pattern, re.I)
    except re.error as exc:
        raise RulesError(f"{where}: bad regular expression {pattern!r}: {exc}") from None


def _load_concepts() -> dict[str, Concept]:
    data = load_yaml("concepts.yml") or {}
    out = {}
    for name, spec in data.items():
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
        none_all = [_compile(p, f"concepts.yml: {name}") for p in spec.get("none") or []]
        alts = [(a, n + none_all) for a, n in alts]
        stop = frozenset(str(spec.get("stopwords") or "").lower().split())
        out[name] = Concept(name, int(spec.get("window", 1)), alts, spec.get("description", ""),
                            int(spec.get("min_specific_words", 0)), stop)
    return out


def _load_rules(concepts: dict[str, Concept]) -> list[Rule]:
    rules: list[Rule] = []
    seen: set[str] = set()
    for fname in RULE_FILES:
        data = load_yaml(fname) or {}
        for raw in data.get("rules") or []:
            rid = raw.get("id")
            where = f"{fname}: rule {rid or '(no id)'}"
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
            for key in ("concept", "generic_concept", "stale_concept"):
                if key in raw and raw[key] not in concepts:
                    raise RulesError(f"{where}: unknown concept {raw[key]!r}")
            for name in raw.get("needs") or {}:
                if name not in concepts:
                    raise RulesError(f"{where}: unknown concept {name!r} in 'needs'")
            settings = {
                k: v
                for k, v in raw.items()
                if k not in ("id", "kind", "severity", "title", "message", "why", "source", "examples")
            }
            rules.append(
                Rule(rid, kind, sev, raw["message"], raw["why"], raw["source"], settings,
                     raw.get("examples") or {}, fname, raw["title"])
            )
    return rules


def _version(files: list[str]) -> str:
    h = hashlib.sha256()
    for name in files:
        path = rules_dir() / name
        if path.exists():
            h.update(name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


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
