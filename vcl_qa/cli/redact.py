"""`vcl-qa redact`: a letter body as a Community Involvement Panel member would see it."""
from __future__ import annotations

import sys

import click

from vcl_qa.errors import LetterError, RulesError
from vcl_qa.engine.letter import Letter


@click.command("redact")
@click.argument("path", type=click.Path())
@click.option("--victim-name", help="override the victim's name from the front matter")
@click.option("--urn", help="override the case reference from the front matter")
@click.option("--name", "names", multiple=True, metavar="NAME",
              help="another person's name to hide in every form (repeatable), e.g. the defendant")
def redact_cmd(path: str, victim_name: str | None, urn: str | None, names: tuple[str, ...]) -> None:
    """Print the letter body anonymised: names, addresses, phone numbers, emails, dates of
    birth and case references become tags such as [VICTIM] and [ADDRESS].

    Exit status: 0 printed, 2 bad input (the message names the file and the problem).
    """
    from vcl_qa.panel.redact import redact_letter

    try:
        letter = Letter.from_file(path, victim_name=victim_name, urn=urn)
        text = redact_letter(letter, names).text
    except LetterError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except RulesError as exc:
        click.echo(f"error: the rules are broken: {exc}", err=True)
        sys.exit(2)
    click.echo(text, nl=not text.endswith("\n"))
