"""Decisions register commands: import-decisions and digest."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress

from vcl_qa.cli import database
from vcl_qa.decisions import register as decisions
from vcl_qa.errors import MOST_PROBLEMS, LetterError

err = Console(stderr=True)


@click.command("import-decisions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--team", default=None, help="Team for rows whose team cell is empty.")
def import_decisions(file: Path, team: str | None) -> None:
    """Register the decisions in FILE.csv (columns: the letter context fields plus team).

    Importing the same file again changes nothing; a corrected row updates its decision.
    Every problem in a row is listed, not just the first (the first 50 failed rows, and how many
    more); a row whose team the service does not know (no user, letter or decision has it)
    fails, naming the team and the teams there are.
    Exit 0 when every row was registered, 1 when any row failed, 2 when the file is unusable,
    --team is no team, or there is no database.
    """
    db = database.existing(machine=True)
    try:
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("Registering decisions", total=decisions.count_rows(file))
            report = decisions.import_csv(db, file, team=team,
                                          progress=lambda n: progress.advance(task, n))
    except LetterError as exc:
        if exc.field == "team":  # --team is no team: said of the option (exit 2), nothing registered
            raise click.BadParameter(exc.message, param_hint="--team") from None
        err.print(f"{file}: {exc.message}", markup=False, highlight=False)
        sys.exit(2)
    err.print(report.summary(), markup=False, highlight=False)
    for row, why in report.failed[:MOST_PROBLEMS]:
        err.print(f"  row {row}: {why}", markup=False, highlight=False)
    if len(report.failed) > MOST_PROBLEMS:  # as the API's answers: the first 50, and a count
        more = len(report.failed) - MOST_PROBLEMS
        err.print(f"  ... and {more:,} more row{'s' if more != 1 else ''} failed, not listed (the first "
                  f"{MOST_PROBLEMS} are above): put those right and import the file again to see the rest",
                  markup=False, highlight=False)
    sys.exit(1 if report.failed else 0)


@click.command()
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to report on (default: today in the UK), as YYYY-MM-DD; not after today.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True)
@click.option("--team", default=None, help="Only this team's decisions.")
def digest(today: dt.datetime | None, fmt: str, team: str | None) -> None:
    """Print the day's overdue, due-today and due letters, most urgent first (for a morning e-mail).

    It says which database it read, the day it counts as today and how many decisions the
    register holds; an empty register is said to be empty, never "nothing due".
    """
    day = today.date() if today else None
    if day is not None:
        try:
            decisions.check_as_of(day)  # not after today: a future day's figures would be guesses
        except LetterError as exc:
            raise click.BadParameter(exc.message, param_hint="--today") from None
    db = database.existing(machine=fmt == "csv")
    try:
        unlinked = 0
        if fmt == "text":
            _, unlinked = decisions.unlinked_letters(db, team=team, limit=0, stored_by=day)
        report = decisions.digest_for(db, today=day, team=team, unlinked=unlinked)
    finally:
        db.close()
    if fmt == "csv":
        # People see the summary; programs read the rows on standard output.
        click.echo(report.summary(), err=True)
        if report.empty_warning():
            click.echo(report.empty_warning(), err=True)
        decisions.write_digest_csv(report.rows, sys.stdout)
        return
    click.echo(decisions.digest_text(report), nl=False)
