"""Turn findings into scores: every point taken off is a finding's `penalty` (method: docs/scoring.md).

Each dimension starts at 100. A finding costs its severity's points (rules/scoring.yml); further
findings of the same rule cost less (`repeat_factor`) and one rule never costs more than its cap.
Suppressed findings cost nothing. The overall score is the weighted mean of the dimensions that
could be assessed, capped at `error_cap` while an unsuppressed error remains or a dimension is
below `dimension_floor`. Verdict: good, needs_work or poor by score bands, and never good with an
unsuppressed error or a failed dimension.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from vcl_qa.engine.result import DIMENSIONS, DimensionResult, Finding, put


def apply_penalties(findings: list[Finding], scoring: dict[str, Any], metrics: dict[str, Any]) -> None:
    sev_points = scoring["severity_points"]
    repeat = float(scoring.get("repeat_factor", 0.5))
    caps = scoring.get("rule_caps") or {}
    default_cap = float(scoring.get("default_rule_cap", 40))
    special = scoring.get("rule_points") or {}
    per_unit = scoring.get("points_per_unit") or {}
    used: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for f in findings:
        if f.suppressed:
            put(f, "penalty", 0)
            continue
        rule = f.rule
        base = float(special.get(rule, sev_points[f.severity])) + _unit_points(per_unit.get(rule), metrics)
        cost = base * (repeat ** count[rule])
        cap = float(caps.get(rule, default_cap))
        cost = max(0.0, min(cost, cap - used[rule]))
        used[rule] += cost
        count[rule] += 1
        put(f, "penalty", round(cost, 1))


def _unit_points(spec: dict[str, Any] | None, metrics: dict[str, Any]) -> float:
    """Extra points for how far a figure is past its threshold (`below` or `above` it)."""
    if not spec or metrics.get(spec["metric"]) is None:
        return 0.0
    value = float(metrics[spec["metric"]])
    if "below" in spec:
        units = float(spec["below"]) - value
    else:
        units = value - float(spec["above"])
    return max(0.0, units) * float(spec["points"])


def dimension_results(findings: list[Finding], not_assessed: dict[str, list[str]],
                      assessed_rules: dict[str, int]) -> dict[str, DimensionResult]:
    # Each dimension's unsuppressed findings, in the findings' order (one pass over them).
    active: dict[str, list[Finding]] = {dim: [] for dim in DIMENSIONS}
    for f in findings:
        if not f.suppressed and f.dimension in active:
            active[f.dimension].append(f)
    out = {}
    for dim in DIMENSIONS:
        mine = active[dim]
        assessed = assessed_rules.get(dim, 0) > 0
        lost = sum(f.penalty for f in mine)
        severities = [f.severity for f in mine]
        out[dim] = DimensionResult.of(
            score=max(0, round(100 - lost)) if assessed else None,
            assessed=assessed,
            not_assessed=not_assessed.get(dim, []),
            errors=severities.count("error"),
            warnings=severities.count("warning"),
            suggestions=severities.count("suggestion"),
            points_lost=round(lost, 1),
        )
    return out


def overall(dims: dict[str, DimensionResult], findings: list[Finding], scoring: dict[str, Any]) -> tuple[int, str]:
    weights = scoring["weights"]
    total = sum(weights[d] for d, r in dims.items() if r.assessed)
    score = round(sum(weights[d] * r.score for d, r in dims.items() if r.assessed) / total) if total else 0
    bands = scoring["verdicts"]
    has_error = any(f.severity == "error" and not f.suppressed for f in findings)
    floor = bands.get("dimension_floor", 0)
    weak = any(r.assessed and r.score < floor for r in dims.values())
    if has_error or weak:
        # A letter that must not go out as it is, or that fails one dimension badly, cannot
        # score in the "good" band.
        score = min(score, int(scoring.get("error_cap", 100)))
    if score >= bands["good"] and not has_error and not weak:
        verdict = "good"
    elif score >= bands["needs_work"]:
        verdict = "needs_work"
    else:
        verdict = "poor"
    return score, verdict
