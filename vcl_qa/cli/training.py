"""`vcl-qa guide` (the letter standard as text) and `vcl-qa training ...` (exercises and
progress)."""
from __future__ import annotations

import sys

import click

from vcl_qa.cli import database
from vcl_qa.engine.result import DIMENSIONS


@click.command("guide")
@click.option("--part", type=click.Choice(DIMENSIONS), default=None,
              help="Only this part of the guide (default: the whole guide).")
def guide_cmd(part: str | None) -> None:
    """Print the guide to the letter standard: every rule with why it matters, its source, a
    letter that breaks it, a better one and the paragraph the checker suggests. (The same guide
    is at /guide in the service.)"""
    from vcl_qa.training.guide import as_text

    click.echo(as_text(part), nl=False)


@click.group("training")
def training() -> None:
    """Training exercises and who has done them."""


@training.command("exercises")
def exercises_cmd() -> None:
    """List the exercises in the rules folder's training/, checking each file (exit 2 names the
    file and the key that is wrong). Exercises made from panel letters are on /training."""
    from vcl_qa.errors import RulesError
    from vcl_qa.training.exercises import READERS, load_exercises

    try:
        found = load_exercises()
    except RulesError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    for ex in found:
        click.echo(f"{ex.id:28} {ex.title}  [{READERS[ex.reader]}; teaches {', '.join(ex.teaches)}]")
    click.echo(f"{len(found)} exercises")


@training.command("progress")
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True)
def progress_cmd(fmt: str) -> None:
    """Who has done the exercises, by team and person (passed, tried, attempts, last activity)."""
    from vcl_qa.training import service

    db = database.existing(machine=fmt == "csv")
    try:
        if fmt == "csv":
            click.echo(service.progress_csv(db), nl=False)
            return
        data = service.progress(db)
        click.echo(service.board_summary(db)["line"])
        for r in data["data"]:
            click.echo(_person_line(r))
        if data["others"]:
            click.echo("Others who have tried (not counted above):")
            for r in data["others"]:
                click.echo(_person_line(r, role=True))
    finally:
        db.close()


def _person_line(r: dict, role: bool = False) -> str:
    """One person's figures, tried and attempts over the same exercises (those on offer), and
    attempts at exercises since taken off the list apart."""
    who = r["name"] + (f" ({r['role']}{', switched off' if r['switched_off'] else ''})" if role else "")
    withdrawn = (f" (and {r['attempts_withdrawn']} at exercises taken off the list)"
                 if r["attempts_withdrawn"] else "")
    return (f"  {r['team'] or '-':12} {who:24} passed {r['exercises_passed']} of {r['exercises']}, "
            f"tried {r['exercises_tried']}, {r['attempts']} attempts{withdrawn}, "
            f"last {r['last_activity'] or 'never'}")
