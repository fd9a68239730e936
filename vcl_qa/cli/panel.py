"""`vcl-qa panel ...`: draw a period's sample, agreement figures and the board report."""
from __future__ import annotations

import json
import sys

import click

from vcl_qa import clock, csv_safe
from vcl_qa.cli import database
from vcl_qa.errors import LetterError


def _fail(exc: Exception) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(2)


@click.group()
def panel() -> None:
    """Community Involvement Panel: sampling, agreement and the period report."""


@panel.command("draw")
@click.option("--period", required=True, help="Period name, e.g. 2025Q1 or 2025-03.")
@click.option("--seed", default=None, help="Seed for this draw (default: the policy's seed).")
def draw_cmd(period: str, seed: str | None) -> None:
    """Draw the period's sample of sent letters by the sampling policy and assign raters."""
    from vcl_qa.panel import sampling
    from vcl_qa.letters.store import Conflict, NotFound

    db = database.existing()
    try:
        out = sampling.draw(db, None, period, int(seed) if seed and seed.isdigit() else seed)
    except (LetterError, Conflict, NotFound) as exc:
        _fail(exc)
    finally:
        db.close()
    click.echo(f"period {out['period']}: {out['letters']} letters from {out['population']} sent"
               f" ({out['by_verdict']} by verdict, {out['random']} at random), seed {out['seed']},"
               f" {out['assigned']} rater assignments")
    for key, counts in out["strata"].items():
        click.echo(f"  {key}: {counts['letters']} sent, {counts['by_verdict']} by verdict, {counts['random']} random")


@panel.command("agreement")
@click.option("--period", required=True)
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
def agreement_cmd(period: str, fmt: str) -> None:
    """Agreement between raters, panel vs automatic score, and rule precision."""
    from vcl_qa.panel.agreement import agreement, agreement_csv_rows
    from vcl_qa.letters.store import NotFound

    db = database.existing(machine=True)
    try:
        data = agreement(db, period)
    except NotFound as exc:
        _fail(exc)
    finally:
        db.close()
    if fmt == "csv":
        csv_safe.Writer(sys.stdout, lineterminator="\n").writerows(agreement_csv_rows(data))
    else:
        click.echo(json.dumps(data, indent=2))


@panel.command("report")
@click.option("--period", required=True)
@click.option("--format", "fmt", type=click.Choice(["html", "csv", "json"]), default="html", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to this file.")
def report_cmd(period: str, fmt: str, output: str | None) -> None:
    """The period report for the area board (printable HTML, CSV or JSON)."""
    from vcl_qa.panel import report
    from vcl_qa.letters.store import NotFound

    db = database.existing(machine=True)
    try:
        data = report.build(db, period)
    except NotFound as exc:
        _fail(exc)
    finally:
        db.close()
    text = {"html": report.render_html, "csv": report.render_csv,
            "json": lambda d: json.dumps(d, indent=2) + "\n"}[fmt](data)
    if output:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@panel.command("periods")
def periods_cmd() -> None:
    """List panel periods: name, dates, letters and when the sample was drawn, on the UK's clock
    as the pages give it (stored in UTC: a sample drawn at 00:30 on a summer's night is not the
    evening before's)."""
    from vcl_qa.panel.periods import list_periods

    db = database.existing()
    try:
        for p in list_periods(db):
            click.echo(f"{p['name']}\t{p['start_date']}\t{p['end_date']}\t{p['letters']} letters"
                       f"\t{'drawn ' + clock.uk_when(p['drawn_at']) if p['drawn_at'] else 'not drawn'}")
    finally:
        db.close()
