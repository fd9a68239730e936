"""The `vcl-qa` command line: a thin click layer over the library."""
from __future__ import annotations

import importlib

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vcl-qa")
def main() -> None:
    """Check letters to victims of crime: timeliness, plain words, empathy and required content."""


# Each module below defines click commands and registers them on `main` when imported.
# Add a new area's commands by adding its module name here.
COMMAND_MODULES = [
    "vcl_qa.cli_score",
    "vcl_qa.cli_service",
    "vcl_qa.cli_redact",
    "vcl_qa.cli_decisions",
    "vcl_qa.cli_panel",
]

for _name in COMMAND_MODULES:
    try:
        importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # a module listed before it is written
        if exc.name != _name:
            raise
