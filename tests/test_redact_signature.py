"""The writer's name under the sign-off in a case system's order with a role in brackets, and
typed in lower case (rules/redaction.yml detectors.sign_off, sign_off_not_names). An attacker's
review: "Smith, John (VLO)" became "[NAME])" (the tag took the bracket), and "john smith" was
shown."""
from __future__ import annotations

import pytest

from vcl_qa import LetterContext
from vcl_qa.panel.redact import redact

HEAD = ("Dear Ms Okafor\n\nI am writing to tell you that we have stopped the case. I am sorry.\n\n"
        "Yours sincerely\n\n")
CTX = LetterContext(victim_name="Ms Jane Okafor")


@pytest.mark.parametrize("signature, expect", [
    ("Smith, John (VLO)\nCrown Prosecution Service", "[NAME] (VLO)\nCrown Prosecution Service"),
    ("john smith\nVictim Liaison Officer", "[NAME]\nVictim Liaison Officer"),
    ("amira el-sayed\nParalegal Officer", "[NAME]\nParalegal Officer"),
])
def test_the_writers_name_is_hidden_and_the_role_stays(signature, expect):
    assert redact(HEAD + signature, CTX).text == "Dear [VICTIM]\n\n" + HEAD.split("\n\n", 1)[1] + expect


@pytest.mark.parametrize("signature", [
    "the victim liaison team\ncps north east",
    "victim liaison unit\nCrown Prosecution Service",
    "please reply soon\nVictim Liaison Officer",
])
def test_a_team_or_words_under_the_sign_off_stay(signature):
    assert redact(HEAD + signature, CTX).text.endswith(signature)
