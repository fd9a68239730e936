"""What scoring costs the process around it: no rules file read again once the first letter is
scored (each new victim_name read rules/structure.yml again, 1-2 ms a letter), and no BLAS
threads started for the classifier's small sums (they spun on the other cores between sums)."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vcl_qa import Letter, LetterContext
from vcl_qa.engine import rules_data
from vcl_qa.engine.run import score_letter

ROOT = Path(__file__).resolve().parent.parent

TEXT = """Dear {name}

I am writing to tell you that we have decided to stop the case against the man charged with
assaulting you. The witness who saw the assault could not be found, so we could not prove
what happened. I know this news will be disappointing and I am sorry.

You have the right to ask for this decision to be reviewed. To ask, contact us within 10
working days of the date of this letter on 0300 123 4567.

Yours sincerely

A Lawyer
"""


def _letter(name: str, greeting: str) -> Letter:
    ctx = LetterContext(decision="discontinued", decision_date=dt.date(2025, 3, 3),
                        letter_date=dt.date(2025, 3, 5), victim_category="standard",
                        victim_name=name, offence="assault")
    return Letter(text=TEXT.format(name=greeting), context=ctx)


def test_scoring_reads_no_rules_file_once_the_first_letter_is_scored(monkeypatch):
    score_letter(_letter("Ms Ada Lovelace", "Ms Lovelace"))  # the rules and their lists loaded

    def read(*args, **kwargs):
        raise AssertionError("a rules file was read while scoring a letter")

    monkeypatch.setattr(rules_data, "parse_yaml", read)
    names = [("Mr Kwame Mensah", "Mr Mensah"), ("Mrs Siobhan O'Neill", "Mrs O'Neill"),
             ("Dr Priya Natarajan OBE", "Dr Natarajan"), ("Mx Sam Taylor Jr", "Mx Taylor"),
             ("Okafor, Jane (Ms)", "Ms Okafor")]
    for name, greeting in names:
        result = score_letter(_letter(name, greeting))
        # Scored with no file read, and the name (post-nominals and all) read as the greeting's.
        assert "content.salutation" not in {f.rule for f in result.findings}, name


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="counts threads in /proc/self/status")
def test_the_engine_starts_no_blas_threads_unless_the_host_asks():
    code = ("import vcl_qa, datetime as dt\n"
            "from vcl_qa.engine.run import score_letter\n"
            "from vcl_qa import Letter\n"
            "score_letter(Letter(text='Dear Ms Hill\\n\\nWe have stopped the case because the film "
            "showed someone else.\\n\\nYours sincerely\\n\\nA Lawyer'))\n"
            "import numpy, os\n"
            "threads = open('/proc/self/status').read().split('Threads:')[1].split()[0]\n"
            "print(threads, os.environ.get('OPENBLAS_NUM_THREADS'))\n")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}

    def run(**extra: str) -> list[str]:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                              env={**env, **extra})
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    threads, setting = run()
    assert (threads, setting) == ("1", "1")  # the process's own thread alone: no BLAS threads
    # A host that sets its own number keeps it.
    assert run(OPENBLAS_NUM_THREADS="2")[1] == "2"
