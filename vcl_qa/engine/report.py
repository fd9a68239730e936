"""Render a result as plain text for people: grouped by dimension, with line:column, the exact
words, the suggestion and the score."""
from __future__ import annotations

import datetime as dt
import textwrap

from vcl_qa.engine.letter import Letter
from vcl_qa.engine.result import DIMENSIONS, Result

ICON = {"error": "ERROR", "warning": "warning", "suggestion": "suggestion"}
VERDICT = {"good": "Good", "needs_work": "Needs work", "poor": "Poor"}
TITLE = {"timeliness": "Timeliness", "content": "Content", "readability": "Readability", "empathy": "Empathy"}


def _day(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d:%A} {d.day} {d:%B %Y}"


def render_text(path: str, letter: Letter, result: Result, show_suppressed: bool = False) -> str:
    m = result.metrics
    lines = [f"{path}", f"  Score {result.score}/100: {VERDICT[result.verdict]}"]
    summary = []
    for d in DIMENSIONS:
        dim = result.dimensions[d]
        summary.append(f"{TITLE[d]} {dim.score if dim.assessed else 'not assessed'}")
    lines.append("  " + " | ".join(summary))
    if m.get("due_date"):
        late = m.get("working_days_late") or 0
        when = f"{late} working day{'s' if late != 1 else ''} late" if late else "on time"
        lines.append(f"  Due by {_day(m['due_date'])}; dated {_day(m['letter_date'])}: {when}")
    if m.get("flesch_reading_ease") is not None:
        lines.append(f"  Reading ease {m['flesch_reading_ease']} | {m['sentences']} sentences, "
                     f"{m['average_sentence_words']} words on average")
    for d in DIMENSIONS:
        found = [f for f in result.findings if f.dimension == d and (show_suppressed or not f.suppressed)]
        dim = result.dimensions[d]
        if not found and not dim.not_assessed:
            continue
        lines.append(f"\n  {TITLE[d]}")
        for f in found:
            where = f"line {f.line}:{f.column}" if f.line else "whole letter"
            tag = "suppressed" if f.suppressed else ICON[f.severity]
            lines.append(f"    {where:>16}  {tag:10}  {f.message}")
            if f.text and f.text not in f.message:
                words = " ".join(f.text.split())
                lines.append(" " * 34 + f'"{words[:70]}{"..." if len(words) > 70 else ""}"')
            if f.suggestions:
                for s in f.suggestions[:3]:
                    lines.append(textwrap.fill(s, 100, initial_indent=" " * 34 + "-> try: ",
                                               subsequent_indent=" " * 42))
            if f.suppressed and f.suppressed_reason:
                lines.append(" " * 34 + f"(suppressed: {f.suppressed_reason})")
        for why in dim.not_assessed:
            lines.append(f"    {'':>16}  {'not assessed':10}  {why}")
    n = len([f for f in result.findings if not f.suppressed])
    if not n:
        lines.append("\n  No problems found.")
    return "\n".join(lines)
