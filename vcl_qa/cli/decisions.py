"""Decisions register commands: import-decisions and digest."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress

from vcl_qa.decisions import register as decisions
from vcl_qa.errors import LetterError
from vcl_qa.db import migrate, open_db

err = Console(stderr=True)


def _db():
    db = open_db()
    migrate(db)
    return db


@click.command("import-decisions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--team", default=None, help="Team for rows whose team cell is empty.")
def import_decisions(file: Path, team: str | None) -> None:
    """Register the decisions in FILE.csv (columns: the letter context fields plus team).

    Importing the same file again changes nothing; a corrected row updates its decision.
    Exit 0 when every row was registered, 1 when any row failed, 2 when the file is unusable.
    """
    db = _db()
    try:
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("Registering decisions", total=decisions.count_rows(file))
            report = decisions.import_csv(db, file, team=team,
                                          progress=lambda n: progress.advance(task, n))
    except LetterError as exc:
        err.print(f"{file}: {exc.message}", markup=False, highlight=False)
        sys.exit(2)
    err.print(f"Registered {report.created} new, updated {report.updated}, unchanged {report.unchanged}, "
              f"failed {len(report.failed)}.")
    for row, why in report.failed:
        err.print(f"  row {row}: {why}", markup=False, highlight=False)
    sys.exit(1 if report.failed else 0)


@click.command()
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to report on (default: today), as YYYY-MM-DD.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True)
@click.option("--team", default=None, help="Only this team's decisions.")
def digest(today: dt.datetime | None, fmt: str, team: str | None) -> None:
    """Print the day's overdue, due-today and due letters, most urgent first (for a morning e-mail)."""
    db = _db()
    day = today.date() if today else dt.date.today()
    try:
        decisions.check_day(day)
    except LetterError as exc:
        raise click.BadParameter(exc.message, param_hint="--today") from None
    rows = decisions.digest(db, today=day, team=team)
    if fmt == "csv":
        decisions.write_digest_csv(rows, sys.stdout)
        return
    _, unlinked = decisions.unlinked_letters(db, team=team, limit=0)
    click.echo(decisions.digest_text(rows, day, team, unlinked), nl=False)
