"""The docs keep up with the code: every command and every rule id is documented."""
from pathlib import Path

import click

from vcl_qa.cli import main
from vcl_qa.engine.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
DOCS = "\n".join(p.read_text() for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


def commands(group: click.Group, prefix: str = "vcl-qa"):
    for name, cmd in group.commands.items():
        yield f"{prefix} {name}"
        if isinstance(cmd, click.Group):
            yield from commands(cmd, f"{prefix} {name}")


def test_every_command_is_documented():
    missing = [c for c in commands(main) if c not in DOCS]
    assert missing == []


def test_every_rule_id_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    assert [r.id for r in load_rules().rules if r.id not in readme] == []


def test_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
