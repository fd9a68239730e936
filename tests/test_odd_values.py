"""Odd values answer 4xx in the error shape (or a plain page), never a 500; the command line
reports them and goes on. One test per line of issue 10's list."""
from __future__ import annotations

import os
import re
import resource
import sqlite3
import subprocess
import sys
import threading
import time

import httpx
import pytest

from live_server import ROOT, LiveServer, auth, free_port, make_user
from panel_setup import seeded_db

TEXT = "Private - to be opened by addressee only\n\nDear Ms Okafor\n\nWe have decided to stop the case.\n"
FAR = "9999-12-31"


def cli(*args, db=None, cwd=ROOT):
    env = {**os.environ, **({"VCL_QA_DB": str(db)} if db else {})}
    return subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=180)


def signed_in(url: str, token: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    pre = re.search(r'name="pre_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    assert client.post("/sign-in", data={"pre_token": pre, "token": token}).status_code == 303
    return client


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("odd") / "vcl_qa.db"
    db, users, ids = seeded_db(path, panel_members=1, q1_letters=24)
    from vcl_qa.db.users import reset_token
    from vcl_qa.panel import sampling

    sampling.draw(db, users["manager"], "2025Q1")
    tokens = {"panel": reset_token(db, users["panel0"].id), "manager": reset_token(db, users["manager"].id),
              "staff": reset_token(db, users["north"].id)}
    db.close()
    server = LiveServer(path).start()
    api = {who: httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(t), timeout=60)
           for who, t in tokens.items()}
    yield {"url": server.url, "tokens": tokens, "api": api, "db": path, "letter": ids[0]}
    server.stop()


def _error_shape(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    return r.json()["error"]


@pytest.mark.parametrize("field", ["decision_date", "letter_date"])
def test_far_date_in_the_api(site, field):
    for path in ("/letters", "/check"):
        err = _error_shape(site["api"]["staff"].post(path, json={"text": TEXT, "context": {field: FAR}}), 422)
        assert err["details"][0]["field"] == f"context.{field}"


@pytest.mark.parametrize("field", ["decision_date", "letter_date"])
def test_far_date_on_the_check_page(site, field):
    client = signed_in(site["url"], site["tokens"]["staff"])
    r = client.post("/check", data={"csrf_token": csrf_of(client.get("/check").text), "text": TEXT, field: FAR})
    assert r.status_code == 400 and "9999" in r.text


def test_far_date_in_vcl_qa_score(tmp_path):
    path = tmp_path / "far.txt"
    path.write_text(f"---\ndecision_date: {FAR}\n---\n{TEXT}")
    r = cli("score", str(path))
    assert r.returncode == 2 and "far.txt" in r.stderr and "between 2000-01-01 and 2099-12-31" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("written, said", [
    ("2024-12-19 10:30", "is a date and time: give the day alone"),   # YAML reads a date and time
    ("'2024-12-19T00:00:00'", "is a date and time: give the day alone"),  # pydantic read it as the 19th
    ("1734566400", "is a number, not a date"),                        # seconds: read as 19 December 2024
])
def test_a_date_written_as_a_time_or_a_number_is_refused_in_vcl_qa_score(tmp_path, written, said):
    """A letter's dates are days. A date and time, or a count of seconds (another system's
    format), was read quietly as a day; now the file is refused naming the field."""
    path = tmp_path / "odd.txt"
    path.write_text(f"---\ndecision_date: {written}\n---\n{TEXT}")
    r = cli("score", str(path))
    said_all = " ".join(r.stderr.split())
    assert r.returncode == 2 and "odd.txt" in said_all and "decision_date" in said_all and said in said_all
    assert "Traceback" not in r.stderr


def test_far_date_in_vcl_qa_import_reports_the_file_and_goes_on(tmp_path):
    folder = tmp_path / "letters"
    folder.mkdir()
    (folder / "a_far.txt").write_text(f"---\nletter_date: {FAR}\n---\n{TEXT}")
    (folder / "b_fine.txt").write_text(f"---\nletter_date: 2024-12-20\n---\n{TEXT}")
    db = tmp_path / "vcl_qa.db"
    r = cli("import", str(folder), "--team", "north", db=db)
    said = " ".join(r.stderr.split())  # the terminal may wrap long lines
    assert "a_far.txt" in said and "between 2000-01-01 and 2099-12-31" in said
    assert "Stored 1" in said and "Traceback" not in said
    assert sqlite3.connect(db).execute("SELECT source FROM letters").fetchall() == [("b_fine.txt",)]


@pytest.mark.parametrize("q", ['"', '"""', "\x00", "a\x00b", "Okafor\x00"])
def test_search_for_quotes_and_nul(site, q):
    r = site["api"]["staff"].get("/letters", params={"q": q})
    assert r.status_code == 200 and r.json()["count"] >= 0
    page = signed_in(site["url"], site["tokens"]["staff"]).get("/letters", params={"q": q})
    assert page.status_code == 200


@pytest.mark.parametrize("path", ["/letters/18446744073709551616", "/letters/9223372036854775808",
                                  "/users/18446744073709551616/token", "/panel/feedback/18446744073709551616"])
def test_ids_past_64_bits_in_the_api(site, path):
    who = "manager"
    r = site["api"][who].request("POST" if path.endswith("/token") else "GET", path)
    assert r.status_code in (403, 422) and "error" in r.json()


def test_ids_past_64_bits_in_pages(site):
    client = signed_in(site["url"], site["tokens"]["staff"])
    for path in ("/letters/18446744073709551616", "/letters/18446744073709551616/letter.docx"):
        assert client.get(path).status_code == 404


@pytest.mark.parametrize("value", ["18446744073709551616", "9223372036854775808"])
def test_compare_from_huge(site, value):
    r = site["api"]["staff"].get(f"/letters/{site['letter']}/compare", params={"from": value})
    assert _error_shape(r, 422)["details"][0]["field"] == "query.from"


def test_audit_object_id_huge(site):
    r = site["api"]["manager"].get("/audit", params={"object_id": "18446744073709551616"})
    assert _error_shape(r, 422)["details"][0]["field"] == "query.object_id"


def test_panel_period_year_zero(site):
    err = _error_shape(site["api"]["manager"].post("/panel/periods", json={"name": "0000Q1"}), 422)
    assert "between 2000 and 2099" in err["message"]
    client = signed_in(site["url"], site["tokens"]["manager"])
    page = client.get("/panel-periods")
    r = client.post("/panel-periods", data={"csrf_token": csrf_of(page.text), "period": "0000Q1"})
    assert r.status_code == 400 and "between 2000 and 2099" in r.text


@pytest.mark.parametrize("value", ["\u00b2", "5" * 5000])
def test_rating_values_that_are_not_numbers(site, value):
    queue = site["api"]["panel"].get("/review-queue").json()["data"]
    code = queue[0]["item_id"]
    r = site["api"]["panel"].post(f"/review-queue/{code}/ratings", json={"scores": {"clarity": value}, "overall": value})
    assert r.status_code == 422 and "error" in r.json()
    client = signed_in(site["url"], site["tokens"]["panel"])
    page = client.get(f"/panel/{code}")
    names = set(re.findall(r'name="(score_[a-z_]+)"', page.text))
    r = client.post(f"/panel/{code}/rating", data={"csrf_token": csrf_of(page.text), "overall": value,
                                                    **{n: value for n in names}})
    assert r.status_code == 400


def test_manager_team_name_with_a_control_character(site):
    r = site["api"]["manager"].post("/letters", json={"text": TEXT, "team": "north\nsouth"})
    assert _error_shape(r, 422)["details"][0]["field"] == "team"


@pytest.mark.slow
def test_database_locked_for_longer_than_the_wait_is_503(site):
    """Another program (here a plain SQLite connection) holds the write lock for 35 s."""
    locked = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(site["db"], timeout=60)
        conn.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(35)
        conn.rollback()
        conn.close()

    holder = threading.Thread(target=hold)
    holder.start()
    locked.wait(30)
    out: dict = {}
    client = httpx.Client(base_url=site["url"], timeout=120)
    pre = re.search(r'name="pre_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    page = threading.Thread(target=lambda: out.setdefault("page", client.post(
        "/sign-in", data={"pre_token": pre, "token": site["tokens"]["staff"]})))
    page.start()
    began = time.monotonic()
    r = site["api"]["staff"].post("/letters", json={"text": TEXT, "context": {}}, timeout=120)
    waited = time.monotonic() - began
    page.join()
    holder.join()
    assert _error_shape(r, 503)["code"] == "unavailable"
    assert r.headers["retry-after"] == "30" and 25 < waited < 34
    assert out["page"].status_code == 503 and out["page"].headers["retry-after"] == "30"
    assert "try again" in out["page"].text


@pytest.mark.slow
def test_full_disk_is_503(tmp_path):
    """The server may write only a little more than the database holds now (a file-size limit,
    as a nearly full disk would allow): writes fail, answers are 503 with Retry-After."""
    db = tmp_path / "vcl_qa.db"
    token = make_user(db, "sam", "staff", "north")
    room = max(p.stat().st_size for p in tmp_path.iterdir()) + 400_000
    port = free_port()

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

    proc = subprocess.Popen([sys.executable, "-c", "from vcl_qa.cli import main; main()", "serve", "--port",
                             str(port)], cwd=ROOT, env={**os.environ, "VCL_QA_DB": str(db)}, preexec_fn=limit,
                            start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        api = httpx.Client(base_url=f"{url}/api/v1", headers=auth(token), timeout=120)
        statuses = []
        for i in range(12):
            r = api.post("/letters", json={"text": TEXT + f"Letter {i}.\n" + "More words here. " * 8000})
            statuses.append(r.status_code)
            if r.status_code != 201:
                break
        assert 500 not in statuses
        assert statuses[-1] == 503, statuses
        assert r.headers["retry-after"] == "30" and r.json()["error"]["code"] == "unavailable"
        assert httpx.get(f"{url}/api/v1/health", timeout=10).status_code == 200  # still serving
    finally:
        import signal

        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.mark.parametrize("path", ["/sys/vcl_qa.db", "/etc/hostname/vcl_qa.db"])
def test_database_path_that_cannot_be_written_gives_a_clear_message(path):
    for command in (["init"], ["users", "add", "sam", "--role", "admin"]):
        r = cli(*command, db=path)
        assert r.returncode == 2
        assert "cannot be opened" in r.stderr and path in r.stderr
        assert "Traceback" not in r.stderr
