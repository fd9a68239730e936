"""Placeholder engine while the rule engine is being built: timeliness only. Replaced soon."""
from __future__ import annotations

import datetime as dt

from .letter import Letter
from .result import DimensionResult, Result
from .workdays import due_date, working_days_between


def score_letter(letter: Letter) -> Result:
    ctx = letter.context
    metrics = {"words": len(letter.text.split()), "due_date": None, "working_days_taken": None}
    dims = {d: DimensionResult(score=100, assessed=True) for d in ("content", "readability", "empathy")}
    dims["timeliness"] = DimensionResult(score=None, assessed=False)
    if ctx.decision_date and ctx.victim_category:
        sent = ctx.letter_date or dt.date.today()
        due = due_date(ctx.decision_date, ctx.victim_category)
        metrics["due_date"] = due.isoformat()
        metrics["working_days_taken"] = working_days_between(ctx.decision_date, sent)
        dims["timeliness"] = DimensionResult(score=100 if sent <= due else 0, assessed=True)
    return Result(score=100, verdict="good", dimensions=dims, findings=[], metrics=metrics, rules_version="0")
