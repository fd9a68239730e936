"""Render a result as plain text for people: the same severity words and rule titles as the
pages, places as "paragraph 3" with the words quoted, what to try instead, and what could not
be checked with the detail to fill in. (Line and column stay in `--format json`.)"""
from __future__ import annotations

import re
import textwrap
from collections import Counter

import click

from vcl_qa import labels
from vcl_qa.engine.dates import long_date
from vcl_qa.engine.letter import CONTEXT_FIELDS, Letter
from vcl_qa.engine.result import DIMENSIONS, Finding, Result
from vcl_qa.engine.workdays import BEREAVED_WHY

# The words the pages use: one table for both (vcl_qa/labels.py).
SEVERITY_WORDS = labels.SEVERITIES
SUPPRESSED_WORDS = "Not counted"
COLOURS = {"error": {"fg": "red", "bold": True}, "warning": {"fg": "yellow"},
           "suggestion": {"fg": "cyan"}, "suppressed": {"dim": True}}
VERDICT = labels.VERDICTS
TITLE = labels.DIMENSIONS
# How each letter detail is given on the command line (`vcl-qa score --help`).
OPTION = {"bereaved": "--bereaved or --not-bereaved"}
WIDTH = 100
HANG = 18  # where a finding's message starts: after the severity words
QUOTE_CHARS = 70


def _day(iso: str) -> str:
    return long_date(iso)


def render_text(path: str, letter: Letter, result: Result, show_suppressed: bool = False,
                color: bool = False) -> str:
    """The report for one letter. `color`: mark the severity words for a terminal."""
    m = result.metrics
    titles = _rule_titles()
    lines = [f"{path}", f"  Score {result.score}/100: {VERDICT[result.verdict]}"]
    summary = []
    for d in DIMENSIONS:
        dim = result.dimensions[d]
        partly = " (partly checked)" if dim.assessed and partly_checked(dim.not_assessed) else ""
        summary.append(f"{TITLE[d]} {dim.score if dim.assessed else 'not checked'}{partly}")
    lines.append("  " + " | ".join(summary))
    if m.get("due_date"):
        late = m.get("working_days_late") or 0
        when = f"{late} working day{'s' if late != 1 else ''} late" if late else "on time"
        if not late and m["letter_date"] > m["due_date"]:  # a weekend or bank holiday after it
            when = "late (dated after the due date)"
        # A bereaved relative is owed the enhanced service's limit whatever the category: say so.
        why = (f" ({m['limit_working_days']} working day{'s' if m['limit_working_days'] != 1 else ''}: "
               f"{BEREAVED_WHY})" if m.get("limit_reason") == "bereaved" else "")
        lines.append(f"  Due by {_day(m['due_date'])}{why}; dated {_day(m['letter_date'])}: {when}")
    if m.get("flesch_reading_ease") is not None:
        lines.append(f"  Reading ease {m['flesch_reading_ease']} | {m['sentences']} sentences, "
                     f"{m['average_sentence_words']} words on average")
    paragraphs = _paragraph_starts(letter.text, word=str(letter.source or "").lower().endswith(".docx"))
    for d in DIMENSIONS:
        found = sorted((f for f in result.findings if f.dimension == d and (show_suppressed or not f.suppressed)),
                       key=_order)
        if not found:
            continue
        lines.append(f"\n  {TITLE[d]}")
        for f in found:
            lines += _finding_lines(f, titles.get(f.rule, f.rule), paragraphs, color)
    lines += _not_checked_lines(result, titles)
    if not result.active_findings():
        lines.append("\n  No problems found.")
    return "\n".join(lines)


def _order(f: Finding) -> tuple:
    """As the pages list them: what must be fixed first, then in reading order."""
    return (list(SEVERITY_WORDS).index(f.severity), -1 if f.start is None else f.start)


def _finding_lines(f: Finding, title: str, paragraphs: list[int], color: bool) -> list[str]:
    kind = "suppressed" if f.suppressed else f.severity
    words = SUPPRESSED_WORDS if f.suppressed else SEVERITY_WORDS[f.severity]
    tag = words + " " * (HANG - 4 - len(words))
    if color:
        tag = click.style(words, **COLOURS[kind]) + " " * (HANG - 4 - len(words))
    head = f"    {tag}{title}: {place(f, paragraphs)}"
    out = [head]
    out += textwrap.wrap(f.message, WIDTH, initial_indent=" " * HANG, subsequent_indent=" " * HANG)
    for s in f.suggestions[:3]:
        out += textwrap.wrap(s, WIDTH, initial_indent=" " * HANG + "Try: ",
                             subsequent_indent=" " * (HANG + 5))
    if f.suppressed and f.suppressed_reason:
        out.append(" " * HANG + f"(not counted because: {f.suppressed_reason})")
    return out


def place(f: Finding, paragraphs: list[int]) -> str:
    """Where a finding is, in words: 'paragraph 3, "the words"' or 'the whole letter'."""
    if f.start is None:
        return "the whole letter"
    where = f"paragraph {paragraph_number(paragraphs, f.start)}"
    if f.text:
        words = " ".join(f.text.split())
        cut = words[:QUOTE_CHARS].rstrip() + "..." if len(words) > QUOTE_CHARS else words
        where += f', "{cut}"'
    return where


def _paragraph_starts(text: str, word: bool = False) -> list[int]:
    """Offsets where each paragraph starts. Paragraphs are separated by blank lines; a text
    with no blank line at all, or read from a Word document (`word`: each of its paragraphs
    is a line, whatever blank ones stand between), has one paragraph a line."""
    sep = r"\n[ \t]*(?:\n[ \t]*)+" if re.search(r"\n[ \t]*\n", text) and not word else r"\n[ \t]*(?:\n[ \t]*)*"
    starts = [m.end() for m in re.finditer(sep, text)]
    first = len(text) - len(text.lstrip())
    return [first] + [s for s in starts if s > first and s < len(text)]


def paragraph_number(starts: list[int], offset: int) -> int:
    return max(1, sum(1 for s in starts if s <= offset))


_NEEDS = re.compile(r"^needs (?P<fields>.+?)(?: in the letter's details| to tell .*)?$")


def _needed_fields(why: str) -> tuple[str, ...] | None:
    """The letter details a 'not assessed' reason names, or None when it names none."""
    m = _NEEDS.match(why)
    if not m:
        return None
    fields = tuple(p.strip().strip("'\"`") for p in re.split(r",| and ", m.group("fields")) if p.strip())
    return fields if fields and all(f in CONTEXT_FIELDS for f in fields) else None


def partly_checked(not_assessed: list[str]) -> bool:
    """A dimension scored from some of its rules only, for a reason that is not a letter detail
    (a letter in Welsh: its readability score is sentence length alone). A rule waiting for a
    detail ("needs 'withdrawal' ...") does not count: the form asks for it. (api/static/letter.js
    `partly` says the same of a check made while typing.)"""
    return any(not entry.partition(": ")[2].startswith("needs ") for entry in not_assessed)


def not_checked(result: Result, titles: dict[str, str] | None = None) -> tuple[list[str], str | None]:
    """What could not be checked, in sentences grouped by the detail that would let it be
    checked ('Set bereaved to check "No offer to meet" and "No condolences".'), and the first
    such detail (None when no detail would help). The pages may show the same sentences."""
    titles = titles if titles is not None else _rule_titles()
    by_fields: dict[tuple[str, ...], list[str]] = {}
    by_reason: dict[str, list[str]] = {}
    for d in DIMENSIONS:
        for entry in result.dimensions[d].not_assessed:
            rule, _, why = entry.partition(": ")
            title = titles.get(rule, rule)
            fields = _needed_fields(why)
            if fields:
                by_fields.setdefault(fields, []).append(title)
            else:
                by_reason.setdefault(why, []).append(title)
    sentences = []
    for fields, names in by_fields.items():
        checks = _and(['"' + n + '"' for n in dict.fromkeys(names)])
        sentences.append(f"Set {_and(fields)} to check {checks}.")
    for why, names in by_reason.items():
        if len(names) > 1 and why:  # one reason for many ("the letter is in Welsh"): one sentence
            checks = _and(['"' + n + '"' for n in dict.fromkeys(names)])
            sentences.append(f"{why[0].upper()}{why[1:]}, so these were not checked: {checks}.")
        else:
            sentences += [f"{title}: {why}." if why else f"{title}." for title in names]
    return sentences, next(iter(by_fields))[0] if by_fields else None


def _not_checked_lines(result: Result, titles: dict[str, str]) -> list[str]:
    sentences, first = not_checked(result, titles)
    if not sentences:
        return []
    lines = ["\n  Not checked"]
    for text in sentences:
        lines += textwrap.wrap(text, WIDTH, initial_indent="    ", subsequent_indent="      ")
    if first:
        option = OPTION.get(first, "--" + first.replace("_", "-"))
        lines += textwrap.wrap(
            "Give these details in the letter file's front matter (the lines between --- at the "
            f"top), or on the command line (for example {option}).", WIDTH,
            initial_indent="    ", subsequent_indent="    ")
    return lines


def _and(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _rule_titles() -> dict[str, str]:
    from vcl_qa.engine.rules import load_rules  # cached: the rules are already loaded to score

    return {r.id: r.title or r.id for r in load_rules().rules}


def summary_line(verdicts: Counter, must_fix: int, failed: int = 0) -> str:
    """One line for many letters: how many scored, by verdict, and how many need fixing."""
    scored = sum(verdicts.values())
    parts = [f"{verdicts[v]} {VERDICT[v].lower()}" for v in VERDICT if verdicts[v]]
    line = f"{scored} letter{'s' if scored != 1 else ''} scored: {', '.join(parts) or 'none'}"
    line += f"; {must_fix} with something that must be fixed"
    if failed:
        line += f"; {failed} could not be read"
    return line + "."
