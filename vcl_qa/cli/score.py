"""`vcl-qa score` and `vcl-qa rules`."""
from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

import click

from vcl_qa.errors import LetterError, RulesError
from vcl_qa.engine.letter import LETTER_SUFFIXES, Letter
from vcl_qa.engine.report import render_text, summary_line

PROGRESS_FROM = 10  # show a progress bar when scoring at least this many files


def collect_paths(paths: tuple[str, ...]) -> list[Path]:
    """Files as given, and letter files (.txt, .md, .docx) inside folders, sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.suffix.lower() in LETTER_SUFFIXES and f.is_file()))
        else:
            out.append(p)
    return out


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default="text", show_default=True,
              help="text for people; json (one object for one file) or jsonl (one object a line) for programs")
@click.option("--decision", help="override the letter's decision (see contract)")
@click.option("--decision-date", help="override decision_date (YYYY-MM-DD)")
@click.option("--letter-date", help="override letter_date (YYYY-MM-DD)")
@click.option("--victim-category", type=click.Choice(["enhanced", "standard"]))
@click.option("--bereaved/--not-bereaved", default=None)
@click.option("--offence", help="override the offence")
@click.option("--victim-name", help="override the name the letter should greet")
@click.option("--urn", help="override the case reference")
@click.option("--withdrawal", type=click.Choice(["true", "false", "unknown"]),
              help="the victim withdrew support or made a withdrawal statement")
@click.option("--reader", type=click.Choice(["adult", "young_person", "easy_read"]),
              help="who will read the letter (default adult): a young person or an Easy Read "
                   "reader gets shorter sentences and simpler words")
@click.option("--show-suppressed", is_flag=True, help="list suppressed findings in the text format too")
@click.option("--quiet", "-q", is_flag=True,
              help="print the score alone (with the file's name when there are several)")
def score(paths, fmt, show_suppressed, quiet, **overrides):
    """Score letters (files or folders of .txt, .md, .docx) and show every problem found.

    The text format uses colour on a terminal only (never when piped, or with NO_COLOR set),
    and ends with a summary line when there are several letters.

    Exit status: 0 all scored, 1 some letter has an error-level finding, 2 bad input.
    """
    from vcl_qa import score_letter

    files = collect_paths(paths)
    if not files:
        raise click.UsageError("no letter files (.txt, .md, .docx) found in the paths given")
    if fmt == "json" and len(files) > 1:
        raise click.UsageError("--format json is for one file; use --format jsonl for several")
    if quiet and fmt != "text":
        raise click.UsageError("--quiet is for the text format (json and jsonl hold the score too)")
    bad = errors = 0
    verdicts: Counter = Counter()
    out = click.get_text_stream("stdout")
    color = fmt == "text" and not quiet and _is_terminal(out)
    progress = _progress(len(files), fmt)
    try:
        for path in files:
            try:
                letter = Letter.from_file(path, **overrides)
                result = score_letter(letter)
            except LetterError as exc:
                bad += 1
                exc.source = exc.source or str(path)  # an error found in scoring names the file too
                _say_bad_input(exc)
                continue
            except RulesError as exc:
                click.echo(f"error: the rules are broken: {exc}", err=True)
                sys.exit(2)
            if letter.word_warning:  # tracked changes or comments that would print
                click.echo(f"note: {path}: {letter.word_warning}", err=True)
            errors += result.has_errors()
            verdicts[result.verdict] += 1
            data = result.model_dump(mode="json")
            if fmt == "json":
                out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
            elif fmt == "jsonl":
                out.write(json.dumps({"path": str(path), **data}, ensure_ascii=False) + "\n")
            elif quiet:
                out.write(f"{result.score}\n" if len(files) == 1 else f"{result.score}\t{path}\n")
            else:
                out.write(render_text(str(path), letter, result, show_suppressed=show_suppressed,
                                      color=color) + "\n")
            if progress:
                progress[0].advance(progress[1])
    finally:
        if progress:
            progress[0].stop()
    if len(files) > 1 and fmt == "text":
        line = summary_line(verdicts, errors, bad)
        if quiet:
            click.echo(line, err=True)
        else:
            out.write("\n" + line + "\n")
    if bad:
        click.echo(f"{bad} of {len(files)} file(s) could not be scored (see the messages above).", err=True)
        sys.exit(2)
    sys.exit(1 if errors else 0)


def _say_bad_input(exc: LetterError) -> None:
    """The file and every problem in it, one a line when there are several."""
    if len(exc.details) == 1:
        click.echo(f"error: {exc}", err=True)
        return
    click.echo(f"error: {exc.source}: {len(exc.details)} problems in the letter's details:", err=True)
    for field, message in exc.details:
        click.echo(f"  field '{field}': {message}" if field else f"  {message}", err=True)


def _is_terminal(stream) -> bool:
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def _progress(total: int, fmt: str):
    """A progress bar on stderr when there are many files and someone is watching."""
    if total < PROGRESS_FROM or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import Progress

    p = Progress(console=Console(stderr=True), transient=True)
    task = p.add_task("Scoring letters", total=total)
    p.start()
    return p, task


@click.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_cmd(fmt):
    """List every rule with its severity and what it checks."""
    from vcl_qa.engine.rules import load_rules

    rs = load_rules()
    if fmt == "json":
        click.echo(json.dumps([{"id": r.id, "title": r.title, "kind": r.kind, "severity": r.severity,
                                "severity_when": [e.model_dump() for e in r.config.severity_when],
                                "why": r.why, "source": r.source, "file": r.file} for r in rs.rules],
                              indent=2))
        return
    click.echo(f"Rules version {rs.version} ({len(rs.rules)} rules)\n")
    for r in rs.rules:
        click.echo(f"{r.id:28} {r.severity:10} {r.title}{_other_severities(r)}")


def _other_severities(rule) -> str:
    """' (error where offence is domestic_abuse, hate_crime or sexual_offence)', from severity_when."""
    parts = []
    for entry in rule.config.severity_when:
        tests = []
        for key, want in entry.when.items():
            values = [str(v) for v in (want if isinstance(want, list) else [want])]
            shown = values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]
            tests.append(f"{key} is {shown}")
        parts.append(f"{entry.severity} where {' and '.join(tests)}")
    return f" ({'; '.join(parts)})" if parts else ""
