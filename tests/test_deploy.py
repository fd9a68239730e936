"""deploy/: the systemd units pass `systemd-analyze verify` and their commands work; the nginx
sites pass `nginx -t`; the Dockerfile's install step builds from exactly what it copies, runs
as a user that is not root, keeps the database on its volume, and its HEALTHCHECK works.

Tools that cannot be had on a machine make their test skip, saying which.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from live_server import ROOT, LiveServer, free_port, make_user

DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("vcl-qa*.*"))
VCL_QA = Path(sys.executable).with_name("vcl-qa")


def need(tool: str) -> str:
    path = shutil.which(tool) or (f"/usr/sbin/{tool}" if Path(f"/usr/sbin/{tool}").exists() else None)
    if path is None:
        pytest.skip(f"{tool} is not installed (scripts/system-packages.sh installs it)")
    return path


def env_file() -> dict[str, str]:
    out = {}
    for line in (DEPLOY / "vcl-qa.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


def wait_for_health(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited"
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


def exec_start(unit: Path) -> list[str]:
    line = next(x for x in unit.read_text().splitlines() if x.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


# --- systemd ------------------------------------------------------------------------------

def test_systemd_units_pass_verify(tmp_path):
    analyze = need("systemd-analyze")
    assert {u.name for u in UNITS} == {"vcl-qa.service", "vcl-qa-backup.service", "vcl-qa-backup.timer",
                                       "vcl-qa-purge.service", "vcl-qa-purge.timer"}
    for unit in UNITS:  # the program must exist for verify: point at this checkout's
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/vcl-qa/venv/bin/vcl-qa", str(VCL_QA)))
    result = subprocess.run([analyze, "verify", *sorted(str(p) for p in tmp_path.iterdir())],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0 and (result.stdout + result.stderr).strip() == "", result.stderr


def test_the_units_commands_serve_back_up_and_purge(tmp_path):
    """The units' own command lines, run with the settings file (paths moved to a test folder)."""
    db, backups = tmp_path / "state" / "vcl_qa.db", tmp_path / "backups"
    backups.mkdir()
    env = {**os.environ, **env_file(), "VCL_QA_DB": str(db)}
    serve = exec_start(DEPLOY / "systemd" / "vcl-qa.service")
    assert serve[1:3] == ["serve", "--host"] and "--workers" in serve
    port = free_port()
    args = [a if a != "8000" else str(port) for a in serve[1:]]
    make_user(db, "admin", "admin")
    proc = subprocess.Popen([sys.executable, "-c", "from vcl_qa.cli import main; main()", *args],
                            cwd=ROOT, env=env, start_new_session=True, stderr=subprocess.DEVNULL)
    try:
        wait_for_health(f"http://127.0.0.1:{port}", proc)
        assert httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).status_code == 200
        for name in ("vcl-qa-backup.service", "vcl-qa-purge.service"):
            cmd = exec_start(DEPLOY / "systemd" / name)
            cmd = [backups.as_posix() if a == "/var/backups/vcl-qa" else a for a in cmd[1:]]
            done = subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", *cmd],
                                  cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, (name, done.stderr)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    assert len(list(backups.glob("vcl_qa-*.db"))) == 1 and len(list(backups.glob("vcl_qa-*.db.json"))) == 1


def test_the_settings_file_holds_valid_retention_settings():
    from vcl_qa import config

    settings = env_file()
    assert settings["VCL_QA_DB"].startswith("/var/lib/vcl-qa/")  # the unit's StateDirectory
    for name in ("VCL_QA_KEEP_LETTERS_DAYS", "VCL_QA_KEEP_AUDIT_DAYS"):
        os.environ[name] = settings[name]
        try:
            assert config.keep_days(name, 1) == int(settings[name])
        finally:
            del os.environ[name]


# --- nginx --------------------------------------------------------------------------------

def nginx_conf(tmp_path: Path, site: str, upstream_port: int = 8000, https_port: int = 443,
               http_port: int = 80) -> Path:
    """The site file inside a minimal nginx.conf, with a self-signed certificate, its ports moved
    to free ones on 127.0.0.1 and the upstream to `upstream_port`."""
    openssl = need("openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    if not cert.exists():
        subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True, timeout=120)
    text = (DEPLOY / "nginx" / site).read_text()
    text = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", text)
    text = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", text)
    text = text.replace("/var/log/nginx/", f"{tmp_path}/")
    text = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", text)
    text = re.sub(r"listen 443 ", f"listen 127.0.0.1:{https_port} ", text)
    text = re.sub(r"listen 80;", f"listen 127.0.0.1:{http_port};", text)
    text = text.replace("127.0.0.1:8000", f"127.0.0.1:{upstream_port}")
    (tmp_path / site).write_text(text)
    conf = tmp_path / "nginx.conf"
    temp = {k: tmp_path / k for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for p in temp.values():
        p.mkdir(exist_ok=True)
    conf.write_text(f"""
user root root;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {tmp_path}/access.log;
    client_body_temp_path {temp['client_body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
    include {tmp_path / site};
}}
""")
    return conf


@pytest.mark.parametrize("site", ["vcl-qa.conf", "vcl-qa-subpath.conf"])
def test_nginx_sites_pass_nginx_t(tmp_path, site):
    nginx = need("nginx")
    conf = nginx_conf(tmp_path, site)
    result = subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


def test_nginx_site_sets_the_proxy_headers_body_size_and_tls():
    for site in ("vcl-qa.conf", "vcl-qa-subpath.conf"):
        text = (DEPLOY / "nginx" / site).read_text()
        for needed in ("ssl_certificate ", "ssl_protocols TLSv1.2 TLSv1.3", "client_max_body_size",
                       "proxy_set_header X-Forwarded-Proto $scheme", "proxy_set_header X-Forwarded-For",
                       "proxy_set_header Host $host", "deny all", "$uri"):
            assert needed in text, (site, needed)
        assert "$request_uri\" $status" not in text  # no query strings (search words) in its log


# --- Dockerfile ---------------------------------------------------------------------------

def dockerfile() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip())
            for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_dockerfile_base_user_volume_and_command():
    steps = dockerfile()
    kinds = [k for k, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    user = [v for k, v in steps if k == "USER"]
    assert user and user[-1] not in ("root", "0") and kinds.index("USER") > kinds.index("RUN")
    env = " ".join(v for k, v in steps if k == "ENV")
    db = re.search(r"VCL_QA_DB=(\S+)", env).group(1)
    volume = [v for k, v in steps if k == "VOLUME"][0]
    assert str(Path(db).parent) in volume  # the database lives on the volume
    cmd = [v for k, v in steps if k == "CMD"][-1]
    assert '"serve"' in cmd and '"0.0.0.0"' in cmd
    assert any(k == "HEALTHCHECK" for k in kinds)


def build_context(tmp_path: Path) -> Path:
    """What the Dockerfile's COPY lines put in the image, in a folder of its own."""
    context = tmp_path / "context"
    context.mkdir()
    for kind, value in dockerfile():
        if kind == "COPY":
            *sources, _dest = value.split()
            for source in sources:
                src = ROOT / source
                assert src.exists(), f"the Dockerfile copies {source}, which is not in the repository"
                (context / source).parent.mkdir(parents=True, exist_ok=True)
                if src.is_dir():
                    shutil.copytree(src, context / source, ignore=shutil.ignore_patterns("__pycache__", "*.db"))
                else:
                    shutil.copy(src, context / source)
    return context


def test_dockerfile_install_step_builds_from_what_it_copies(tmp_path):
    """The image is built from the COPY lines alone: the package must build from just those."""
    context = build_context(tmp_path)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                             "--quiet", "-w", str(tmp_path / "wheel"), str(context)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    wheel = next((tmp_path / "wheel").glob("vcl_qa-*.whl"))
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("vcl_qa/ops/backup.py", "api/templates/base.html", "api/static/app.css",
                   "vcl_qa/default_rules/content.yml"):
        assert needed in names
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text()
    for kind, value in dockerfile():
        if kind == "COPY":
            for source in value.split()[:-1]:
                assert f"!{source}" in ignore, f"{source} is copied but left out of the build context"


JUDGED = """import json, sys
from pathlib import Path
from vcl_qa import Letter
from vcl_qa.engine import classifier
from vcl_qa.engine.run import score_letter
assert classifier.load_model() is not None, "no classifier"
out = {}
for p in sorted(Path("sample_letters").glob("*.txt")) + sorted(Path("bench").glob("holdout2*/letters/*.txt")):
    r = score_letter(Letter.from_file(p))
    out[p.name] = [r.score, r.verdict, sorted((f.rule, f.start) for f in r.findings)]
print(json.dumps(out))
"""


def test_dockerfile_trains_the_classifier_and_judges_as_here(tmp_path):
    """The image trains the sentence classifier from what it copies, as `make model` does, and
    points VCL_QA_CONCEPT_MODEL at it: without it, the container would judge letters by their
    patterns alone, unlike the service tested here. Trained from the COPY lines alone, it gives
    the same results as `make`'s on every sample letter and a held-out set."""
    steps = dockerfile()
    env = " ".join(v for k, v in steps if k == "ENV")
    model = re.search(r"VCL_QA_CONCEPT_MODEL=(\S+)", env).group(1)
    run = " ".join(v for k, v in steps if k == "RUN")
    train = re.search(r"python (scripts/train_concept_model\.py [^&]*?--out (\S+))", run)
    assert train and train.group(2) == model, run
    assert run.index("pip install") < train.start()  # trained with the dependencies installed
    context = build_context(tmp_path)
    out = tmp_path / "model"
    done = subprocess.run([sys.executable, *train.group(1).replace(model, str(out)).split()], cwd=context,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    judged = {}
    for name, folder in (("image", out), ("make", ROOT / "var" / "models" / "concepts")):
        result = subprocess.run([sys.executable, "-c", JUDGED], cwd=ROOT, capture_output=True, text=True,
                                timeout=600, env={**os.environ, "VCL_QA_CONCEPT_MODEL": str(folder)})
        assert result.returncode == 0, result.stderr
        judged[name] = json.loads(result.stdout)
    assert len(judged["image"]) > 100 and judged["image"] == judged["make"]


def test_the_install_trains_the_classifier_the_settings_file_names():
    """README's install trains the classifier into the folder deploy/vcl-qa.env names."""
    model = env_file()["VCL_QA_CONCEPT_MODEL"]
    install = (ROOT / "README.md").read_text()
    assert f"scripts/train_concept_model.py --quiet --out {model}\n" in install


def test_dockerfile_healthcheck_command_passes_against_a_live_server(tmp_path):
    healthcheck = [v for k, v in dockerfile() if k == "HEALTHCHECK"][0]
    command = re.search(r"CMD (\[.*\])", healthcheck).group(1)
    argv = json.loads(command)
    assert argv[0] == "python"
    server = LiveServer(tmp_path / "h.db").start()
    try:
        ok = subprocess.run([sys.executable, *[a.replace(":8000/", f":{server.port}/") for a in argv[1:]]],
                            capture_output=True, timeout=60)
    finally:
        server.stop()
    assert ok.returncode == 0, ok.stderr
    down = subprocess.run([sys.executable, *[a.replace(":8000/", f":{server.port}/") for a in argv[1:]]],
                          capture_output=True, timeout=60)
    assert down.returncode != 0  # a stopped server fails the check
