"""The guide to the letter standard, built from the rules themselves: one part per dimension and
one entry per rule, with why it matters, its source, a letter that breaks it and one that
keeps it (the rule's own examples), and what the checker says and suggests. The same content
feeds the /guide pages and `vcl-qa guide`."""
from __future__ import annotations

import textwrap
from functools import lru_cache
from typing import Any

from vcl_qa import labels
from vcl_qa.engine.dates import long_date
from vcl_qa.engine.letter import Letter, context_from_mapping
from vcl_qa.engine.result import DIMENSIONS
from vcl_qa.engine.rules import Rule, load_rules
from vcl_qa.engine.rules_data import load_yaml
from vcl_qa.engine.run import score_letter
from vcl_qa.errors import RulesError
from vcl_qa.training.exercises import READERS, load_exercises

YES_NO = {True: "Yes", False: "No"}


def case_details(context: dict[str, Any], reader: str | None = None) -> list[tuple[str, str]]:
    """A letter's case details as (label, plain words), in the order a person reads them."""
    out: list[tuple[str, str]] = []
    c = context
    if c.get("decision"):
        out.append(("Decision", labels.label(labels.DECISIONS, c["decision"])))
    if c.get("decision_date"):
        out.append(("Date of the decision", long_date(c["decision_date"])))
    if c.get("letter_date"):
        out.append(("Date the letter goes out", long_date(c["letter_date"])))
    if c.get("victim_category"):
        out.append(("Victim's rights", labels.label(labels.categories(), c["victim_category"])))
    if c.get("bereaved") is not None:
        out.append(("Writing to a bereaved family member", YES_NO[bool(c["bereaved"])]))
    if c.get("offence"):
        out.append(("Offence", labels.label(labels.OFFENCES, c["offence"])))
    if c.get("victim_name"):
        out.append(("Name the letter should greet", c["victim_name"]))
    if c.get("urn"):
        out.append(("Case reference (URN)", c["urn"]))
    if c.get("withdrawal") is True:
        out.append(("The victim withdrew their support", "Yes"))
    if reader:
        out.append(("Who will read it", READERS.get(reader, reader)))
    return out


def _example(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return {"text": str(raw.get("text", "")), "context": dict(raw.get("context") or {})}
    return {"text": str(raw), "context": {}}


def _insert(rule: Rule, key: str = "insert") -> str | dict[str, str] | None:
    """The words the rule suggests adding (`insert`, or in Welsh `insert_cy`), per decision named."""
    value = rule.settings.get(key)
    if isinstance(value, dict):
        return {labels.label(labels.DECISIONS, k) if k != "default" else "Any other decision": v
                for k, v in value.items()}
    return value or None


def _checker_says(rule: Rule, example: dict[str, Any]) -> dict[str, Any] | None:
    """What the real checker reports for this rule on the example that breaks it."""
    try:
        letter = Letter(text=example["text"], context=context_from_mapping(example["context"]))
    except Exception:  # an example the rules' own tests check; here it only decorates the guide
        return None
    for f in score_letter(letter).findings:
        if f.rule == rule.id:
            return {"message": f.message, "text": f.text, "suggestions": list(f.suggestions)}
    return None


def _entry(rule: Rule, practise: dict[str, list[dict]]) -> dict[str, Any]:
    flags = [_example(e) for e in rule.examples.get("flag") or []]
    passes = [_example(e) for e in rule.examples.get("pass") or []]
    bad = flags[0] if flags else None
    severities = [rule.severity] + [e.severity for e in getattr(rule.config, "severity_when", []) or []]
    return {
        "id": rule.id, "title": rule.title, "dimension": rule.dimension, "severity": rule.severity,
        "severity_words": labels.label(labels.SEVERITIES, rule.severity),
        "sometimes_error": rule.severity != "error" and "error" in severities,
        "why": rule.why, "source": rule.source,
        "bad": bad and {**bad, "case": case_details(bad["context"])},
        "good": passes[0] and {**passes[0], "case": case_details(passes[0]["context"])} if passes else None,
        "checker": _checker_says(rule, bad) if bad else None,
        "insert": _insert(rule),
        "insert_cy": _insert(rule, "insert_cy"),  # offered instead in a letter in Welsh
        "exercises": practise.get(rule.id, []),
    }


def intro() -> dict[str, Any]:
    """The guide's own words (rules/training.yml `guide:`): the opening and each dimension's."""
    try:
        return (load_yaml("training.yml") or {}).get("guide") or {}
    except RulesError:  # an area's own rules folder without it: the guide is the rules alone
        return {}


@lru_cache(maxsize=1)
def build() -> list[dict[str, Any]]:
    """Every dimension with its rules, in the order the checker reports them."""
    practise: dict[str, list[dict]] = {}
    for ex in load_exercises():
        for rid in ex.teaches:
            practise.setdefault(rid, []).append({"id": ex.id, "title": ex.title})
    words = intro().get("dimensions") or {}
    rules = load_rules().rules
    return [{"id": d, "title": labels.DIMENSIONS[d], "intro": words.get(d, ""),
             "rules": [_entry(r, practise) for r in rules if r.dimension == d]} for d in DIMENSIONS]


def dimension(dimension_id: str) -> dict[str, Any] | None:
    return next((d for d in build() if d["id"] == dimension_id), None)


def as_text(only: str | None = None, width: int = 90) -> str:
    """The guide as plain text (`vcl-qa guide`)."""
    wrap = lambda s, indent="": textwrap.fill(" ".join(str(s).split()), width, initial_indent=indent,  # noqa: E731
                                              subsequent_indent=indent) if str(s).strip() else ""
    lines = ["The letter standard: a guide for Victim Liaison Unit officers", ""]
    if not only and intro().get("opening"):
        lines += [wrap(intro()["opening"]), ""]
    for part in build():
        if only and part["id"] != only:
            continue
        lines += [part["title"].upper(), "=" * len(part["title"])]
        if part["intro"]:
            lines += [wrap(part["intro"]), ""]
        for e in part["rules"]:
            sev = e["severity_words"] + (" (must fix in some cases)" if e["sometimes_error"] else "")
            lines += [f"{e['title']}  [{sev}; rule {e['id']}]", wrap(e["why"], "  "),
                      wrap(f"Source: {e['source']}", "  ")]
            for label, ex in (("Needs fixing", e["bad"]), ("Better", e["good"])):
                if ex:
                    case = "; ".join(f"{k}: {v}" for k, v in ex["case"])
                    lines.append(f"  {label}{f' ({case})' if case else ''}:")
                    lines += [wrap(par, "    | ") for par in ex["text"].split("\n") if par.strip()]
            if e["checker"]:
                lines.append(wrap(f"The checker says: {e['checker']['message']}", "  "))
                if e["checker"]["suggestions"] and not e["insert"]:
                    lines.append(wrap("It suggests: " + "; ".join(e["checker"]["suggestions"]), "  "))
            if isinstance(e["insert"], dict):
                lines.append("  The checker suggests adding, then changing to fit the case:")
                for k, v in e["insert"].items():
                    lines.append(wrap(f"{k}: {v}", "    "))
            elif e["insert"]:
                lines.append("  The checker suggests adding, then changing to fit the case:")
                lines.append(wrap(e["insert"], "    "))
            if isinstance(e["insert_cy"], str):
                lines.append("  In a letter in Welsh:")
                lines.append(wrap(e["insert_cy"], "    "))
            if e["exercises"]:
                lines.append(wrap("Practise it: " + "; ".join(f"{x['title']} ({x['id']})" for x in e["exercises"]), "  "))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
