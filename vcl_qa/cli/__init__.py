"""The `vcl-qa` command line: a thin click layer over the library.

Each module in this folder holds one group of commands; they are added to `main` below, one
line each. A new command: write it in its group's module and add it here.
"""
from __future__ import annotations

import click

from vcl_qa.cli import decisions, ops, panel, redact, score, service
from vcl_qa.cli import training
from vcl_qa.errors import RulesError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vcl-qa")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Check letters to victims of crime: timeliness, plain words, empathy and required content."""
    # Every command checks the rules folder first: a misspelt key or a setting a rule kind
    # would ignore stops here (exit 2) rather than scoring letters with a rule that is not
    # doing what its file says.
    from vcl_qa.engine.rules import load_rules

    try:
        load_rules()
        if ctx.invoked_subcommand in ("serve", "training"):
            # the server shows the exercises: a broken exercise file stops it starting
            from vcl_qa.training.exercises import load_exercises

            load_exercises()
    except RulesError as exc:
        click.echo(f"The rules could not be loaded: {exc}", err=True)
        raise SystemExit(2) from None
    from vcl_qa import clock

    try:
        clock.offset()  # a clock setting that is not a number stops every command here
    except ValueError as exc:
        click.echo(f"The clock setting could not be read: {exc}", err=True)
        raise SystemExit(2) from None


for command in (
    score.score, score.rules_cmd,
    redact.redact_cmd,
    service.init, service.serve, service.users, service.import_cmd, service.export, service.purge,
    service.rescore, service.demo_setup,
    decisions.import_decisions, decisions.digest,
    panel.panel,
    ops.backup_cmd, ops.restore_cmd, ops.status_cmd,
    training.guide_cmd, training.training,
):
    main.add_command(command)
