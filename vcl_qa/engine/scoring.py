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

from vcl_qa.engine.result import DIMENSIONS, DimensionResult, Finding


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
            f.penalty = 0
            continue
        base = float(special.get(f.rule, sev_points[f.severity])) + _unit_points(per_unit.get(f.rule), metrics)
        cost = base * (repeat ** count[f.rule])
        cap = float(caps.get(f.rule, default_cap))
        cost = max(0.0, min(cost, cap - used[f.rule]))
        used[f.rule] += cost
        count[f.rule] += 1
        f.penalty = round(cost, 1)


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
    out = {}
    for dim in DIMENSIONS:
        mine = [f for f in findings if f.dimension == dim]
        active = [f for f in mine if not f.suppressed]
        assessed = assessed_rules.get(dim, 0) > 0
        score = max(0, round(100 - sum(f.penalty for f in active))) if assessed else None
        out[dim] = DimensionResult.of(
            score=score,
            assessed=assessed,
            not_assessed=not_assessed.get(dim, []),
            errors=sum(f.severity == "error" for f in active),
            warnings=sum(f.severity == "warning" for f in active),
            suggestions=sum(f.severity == "suggestion" for f in active),
            points_lost=round(sum(f.penalty for f in active), 1),
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
