"""Pages that score or write never hold up the rest of the server (real uvicorn, real SQLite).

Before the fix the form handlers were `async` and scored and wrote on the event loop: a long
letter on the check page, or a write lock held by another process during a sign-in, stalled
every other request (even /api/v1/health) for as long as it lasted.
"""
from __future__ import annotations

import re
import threading
import time

import httpx
import pytest

from hostile_files import docx_bombs
from live_server import SAMPLES, LiveServer, make_user

pytestmark = pytest.mark.slow
STALL = 1.0  # seconds: health answers within this while the slow request is under way


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("nonblocking") / "vcl_qa.db"
    token = make_user(db_path, "sam", "staff", "north")
    server = LiveServer(db_path).start()
    yield {"url": server.url, "token": token, "db": db_path}
    server.stop()


def _sign_in(url: str, token: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    page = client.get("/sign-in")
    pre = re.search(r'name="pre_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/sign-in", data={"pre_token": pre, "token": token})
    assert r.status_code == 303
    return client


def _csrf(client: httpx.Client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/check").text).group(1)


def _health_while(url: str, slow) -> tuple[list[float], object]:
    """Run `slow()` in a thread; meanwhile time GET /api/v1/health every 0.1 s."""
    out: dict = {}
    worker = threading.Thread(target=lambda: out.setdefault("r", slow()))
    times: list[float] = []
    with httpx.Client(base_url=url, timeout=60) as http:
        http.get("/api/v1/health")
        worker.start()
        time.sleep(0.3)  # let the slow request reach the server first
        while worker.is_alive():
            began = time.monotonic()
            assert http.get("/api/v1/health").status_code == 200
            times.append(time.monotonic() - began)
            time.sleep(0.1)
    worker.join()
    print(f"health: {len(times)} requests, slowest {max(times, default=0) * 1000:.0f} ms")
    return times, out.get("r")


def test_long_letter_on_the_check_page_does_not_stall_others(site):
    client = _sign_in(site["url"], site["token"])
    sample = (SAMPLES / sorted(p.name for p in SAMPLES.glob("*.txt"))[0]).read_text().split("---", 2)[2]
    text = (sample.strip() + "\n\n") * (190_000 // len(sample.encode()))
    token = _csrf(client)
    times, r = _health_while(site["url"], lambda: client.post("/check", data={
        "csrf_token": token, "text": text, "decision": "discontinued"}))
    assert r.status_code == 303  # stored and scored
    assert times, "the letter was scored too fast to measure anything"
    assert max(times) < STALL, f"health took {max(times):.2f} s while a long letter was scored"


def test_word_bomb_upload_is_refused_without_stalling(site):
    client = _sign_in(site["url"], site["token"])
    token = _csrf(client)
    bomb = docx_bombs()["empty_paragraphs"]
    began = time.monotonic()
    r = client.post("/check", data={"csrf_token": token, "decision": "discontinued"},
                    files={"file": ("letter.docx", bomb, "application/octet-stream")})
    assert time.monotonic() - began < 5
    assert r.status_code == 400
    # refused before it is read: by how far it unpacks (the Word reader's first limit now)
    assert "unpacks to" in r.text and "the limit is 400 times" in r.text


def test_alias_bomb_upload_is_refused_quickly(site):
    from hostile_files import alias_bomb

    client = _sign_in(site["url"], site["token"])
    token = _csrf(client)
    began = time.monotonic()
    r = client.post("/check", data={"csrf_token": token},
                    files={"file": ("letter.txt", alias_bomb(9).encode(), "text/plain")})
    assert time.monotonic() - began < 5
    assert r.status_code == 400
    assert "anchor or alias" in r.text


def test_sign_in_waiting_for_the_write_lock_does_not_stall_others(site):
    from vcl_qa.db import open_db
    from vcl_qa.db.connection import write_tx

    held = threading.Event()

    def hold_lock() -> None:  # another process's long write, as a command-line job would do
        db = open_db(site["db"])
        try:
            with write_tx(db):
                db.execute("UPDATE users SET team = team")
                held.set()
                time.sleep(4)
        finally:
            db.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    held.wait(10)
    try:
        client = httpx.Client(base_url=site["url"], timeout=60)
        pre = re.search(r'name="pre_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
        times, r = _health_while(site["url"], lambda: client.post(
            "/sign-in", data={"pre_token": pre, "token": site["token"]}))
    finally:
        holder.join()
    assert r.status_code == 303  # signed in once the lock was free
    assert times
    assert max(times) < STALL, f"health took {max(times):.2f} s while a sign-in waited for the lock"
