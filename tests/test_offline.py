"""Scoring works with the network blocked: no model, word list or syllable data is fetched."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Blocks every socket connection in the child, then scores letters with fresh words so that
# textstat must count syllables it has never seen.
CODE = r"""
import socket
def refuse(*a, **k):
    raise OSError("network blocked by test")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
import json, textstat
from vcl_qa import Letter, score_letter
letter = Letter.from_file("sample_letters/17_flawed_evidence_difficulties_jargon.txt")
result = score_letter(letter)
fresh = textstat.flesch_reading_ease("Quixotic zephyrs bamboozled the flabbergasted onomatopoeia yesterday. Perspicacious.")
print(json.dumps({"score": result.score, "fre": result.metrics["flesch_reading_ease"], "fresh": fresh}))
"""


def _run(prefix):
    return subprocess.run(prefix + [sys.executable, "-c", CODE], capture_output=True, text=True, cwd=ROOT)


def test_scoring_with_sockets_refused():
    proc = _run([])
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["fre"] is not None and out["fre"] < 60
    assert isinstance(out["fresh"], float)


def test_scoring_in_a_namespace_with_no_network():
    """The same in a network namespace with no interfaces up (root, as CI runs), when available."""
    unshare = shutil.which("unshare")
    probe = subprocess.run([unshare, "-n", "true"], capture_output=True) if unshare else None
    if not probe or probe.returncode != 0:
        import pytest

        pytest.skip("unshare -n is not permitted here; the socket-refusal test covers this")
    proc = _run([unshare, "-n"])
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["score"] >= 0
