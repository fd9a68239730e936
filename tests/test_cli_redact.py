"""`vcl-qa redact PATH` (contract section 5)."""
from __future__ import annotations

from click.testing import CliRunner

from vcl_qa.cli import main

LETTER = """---
decision: discontinued
decision_date: 2024-12-19
victim_name: Ms Jane Okafor
urn: 42AB1234524
---
Private - to be opened by addressee only

Ms Jane Okafor
14 Larch Road
Leeds
LS1 4AB

Our reference: 42AB1234524

Dear Ms Okafor

We have stopped the case against Mark Trent. Jane, please call me on 0113 245 6789.

Yours sincerely

Helen Marsh
Victim Liaison Officer
"""

EXPECTED = """Private - to be opened by addressee only

[VICTIM]
[ADDRESS]

Our reference: [CASE REF]

Dear [VICTIM]

We have stopped the case against [NAME]. [VICTIM], please call me on [PHONE].

Yours sincerely

[NAME]
Victim Liaison Officer
"""


def run(*args: str):
    return CliRunner().invoke(main, ["redact", *args])


def test_redact_is_registered():
    assert "redact" in main.commands


def test_prints_the_anonymised_body(tmp_path):
    path = tmp_path / "letter.txt"
    path.write_text(LETTER, encoding="utf-8")
    result = run(str(path))
    assert result.exit_code == 0
    assert result.output == EXPECTED


def test_extra_names_and_overrides(tmp_path):
    path = tmp_path / "letter.txt"
    path.write_text("Dear Mr Obi\n\nOkonkwo was charged. Obi's statement helped.\n", encoding="utf-8")
    result = run(str(path), "--victim-name", "Mr Chidi Obi", "--name", "Emeka Okonkwo")
    assert result.exit_code == 0
    assert result.output == "Dear [VICTIM]\n\n[NAME] was charged. [VICTIM]'s statement helped.\n"


def test_missing_file_exits_2_naming_it(tmp_path):
    result = run(str(tmp_path / "nope.txt"))
    assert result.exit_code == 2
    assert "nope.txt: no such file" in result.output


def test_unknown_front_matter_field_exits_2_naming_the_field(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("---\nvictim: Jane\n---\nDear Jane\n", encoding="utf-8")
    result = run(str(path))
    assert result.exit_code == 2
    assert "field 'victim'" in result.output and "unknown field" in result.output


def test_empty_file_exits_2(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("", encoding="utf-8")
    result = run(str(path))
    assert result.exit_code == 2
    assert "the file is empty" in result.output


def test_a_folder_is_bad_input(tmp_path):
    result = run(str(tmp_path))
    assert result.exit_code == 2
    assert "is a folder" in result.output
