"""A service whose sentence classifier is missing says so, loudly: without it letters are judged
by their patterns alone, and a boilerplate reason can pass as a case-specific one (the held-out
sets' figures drop). `vcl-qa serve` warns as it starts, `GET /api/v1/health` says
`"classifier": false`, and `vcl-qa status` warns. With the model in place, none of them does.
The real server and commands; the model `make` built."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx

from live_server import ROOT, LiveServer

WARNING = "so letters are judged by their patterns alone, without the classifier's second opinion"


def status(db, model: str | None) -> subprocess.CompletedProcess:
    env = {**os.environ, "VCL_QA_DB": str(db)}
    if model is not None:
        env["VCL_QA_CONCEPT_MODEL"] = model
    return subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", "status", "--format", "json"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def served(tmp_path, name: str) -> tuple[dict, str]:
    """`vcl-qa serve` started and stopped: what its health check said, and what it printed."""
    log = tmp_path / f"{name}.log"
    server = LiveServer(tmp_path / f"{name}.db", log=log).start()
    try:
        health = httpx.get(f"{server.url}/api/v1/health", timeout=10).json()
    finally:
        server.stop()
    return health, log.read_text()


def test_a_missing_classifier_is_said_by_serve_health_and_status(tmp_path, monkeypatch):
    missing = tmp_path / "no-model"
    monkeypatch.setenv("VCL_QA_CONCEPT_MODEL", str(missing))
    health, printed = served(tmp_path, "a")
    assert health["status"] == "ok" and health["classifier"] is False
    said = " ".join(printed.split())
    assert f"Warning: There is no sentence classifier at {missing}, {WARNING}" in said
    assert "set VCL_QA_CONCEPT_MODEL to its folder" in said

    facts = json.loads(status(tmp_path / "a.db", str(missing)).stdout)
    assert facts["classifier"]["problem"] == f"There is no sentence classifier at {missing}"
    assert any(WARNING in w for w in facts["warnings"])
    # a folder with the files but no model in them: cannot be read, said the same way
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "meta.json").write_text("{}")
    (broken / "config.cfg").write_text("not a config")
    facts = json.loads(status(tmp_path / "a.db", str(broken)).stdout)
    assert facts["classifier"]["problem"] == f"The sentence classifier at {broken} cannot be read"


def test_with_the_classifier_in_place_nothing_is_said(tmp_path, monkeypatch):
    monkeypatch.delenv("VCL_QA_CONCEPT_MODEL", raising=False)
    health, printed = served(tmp_path, "b")
    assert health["classifier"] is True
    assert "sentence classifier" not in printed
    facts = json.loads(status(tmp_path / "b.db", None).stdout)
    assert facts["classifier"]["problem"] is None
    assert not any(WARNING in w for w in facts["warnings"])
