"""The package as an area would install it: a wheel built from the repository and installed
into a fresh virtual environment outside the checkout scores a letter, lists the rules and
serves the pages, with the rules and templates it carries inside (not read from the checkout)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx
import pytest

from live_server import free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

LETTER = """---
decision: discontinued
decision_date: 2025-03-03
letter_date: 2025-03-04
victim_category: enhanced
victim_name: Ms Jane Okafor
---
Dear Ms Okafor

We have decided to stop the case against Mr Lane.

Yours sincerely
J Whitcombe
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--no-index", "--disable-pip-version-check", "-q", "-w", str(dist), str(ROOT)],
                   check=True, cwd=tmp)
    wheel = next(dist.glob("vcl_qa-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps",
                    "--no-index", "--disable-pip-version-check", "-q", str(wheel)], check=True, cwd=tmp)
    # The dependencies come from the project's environment (nothing to download offline); a
    # plain path line does not run that environment's .pth files, so the checkout's editable
    # install of vcl_qa stays out of reach.
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp / "elsewhere"
    work.mkdir()
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp), "VCL_QA_DB": str(work / "area.db")}
    return venv, work, env


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    venv, work, env = installed
    out = subprocess.run([str(venv / "bin" / "python"), "-c",
                          "import vcl_qa, api; from vcl_qa import config; "
                          "print(vcl_qa.__file__); print(api.__file__); print(config.rules_dir())"],
                         capture_output=True, text=True, cwd=work, env=env, check=True).stdout.splitlines()
    assert all(str(venv) in line for line in out), out
    assert all(str(ROOT) not in line for line in out), out


def test_the_installed_command_lists_rules_and_scores_a_letter(installed):
    venv, work, env = installed
    rules = subprocess.run([str(venv / "bin" / "vcl-qa"), "rules"], capture_output=True, text=True,
                           cwd=work, env=env)
    assert rules.returncode == 0, rules.stderr
    assert "content.vrr" in rules.stdout and "empathy.cold" in rules.stdout
    (work / "letter.txt").write_text(LETTER, encoding="utf-8")
    score = subprocess.run([str(venv / "bin" / "vcl-qa"), "score", "letter.txt", "--format", "json"],
                           capture_output=True, text=True, cwd=work, env=env)
    assert score.returncode == 1, score.stderr  # the letter lacks the review right: an error
    result = json.loads(score.stdout)
    assert "content.vrr" in {f["rule"] for f in result["findings"]}
    assert result["rules_version"]


def test_the_installed_server_serves_pages_and_static_files(installed):
    venv, work, env = installed
    port = free_port()
    proc = subprocess.Popen([str(venv / "bin" / "vcl-qa"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=work, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        page = httpx.get(f"{base}/sign-in", timeout=10)
        assert page.status_code == 200 and "<form" in page.text
        css = [line for line in page.text.split('"') if line.endswith(".css")]
        assert css and httpx.get(base + css[0], timeout=10).status_code == 200
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=20)
