"""A real uvicorn server on 127.0.0.1 with its own SQLite file, for API tests (import from here)."""
from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`vcl-qa serve` in a child process group; stop() and kill() end only that group."""

    def __init__(self, db: Path, workers: int = 1, port: int | None = None, extra_args=(),
                 log: Path | None = None, env: dict[str, str] | None = None):
        self.db, self.workers = Path(db), workers
        self.env = dict(env or {})  # more settings for the server's process (VCL_QA_...)
        self.extra_args, self.log = list(extra_args), log  # more `serve` options; a file for its stderr
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "LiveServer":
        env = {**os.environ, **self.env, "VCL_QA_DB": str(self.db)}
        # The real `vcl-qa serve` command (migrates, then runs uvicorn).
        cmd = [sys.executable, "-c", "from vcl_qa.cli import main; main()", "serve",
               "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers),
               *self.extra_args]
        stderr = open(self.log, "ab") if self.log else None
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True, stderr=stderr)
        if stderr:
            stderr.close()  # the child has its own copy
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not start")

    def kill(self, sig: int) -> None:
        """Signal the server's own process group (its workers included)."""
        os.killpg(self.proc.pid, sig)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            import signal

            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@pytest.fixture
def live_server(tmp_path):
    server = LiveServer(tmp_path / "vcl_qa.db").start()
    yield server
    server.stop()


def make_user(db_path: Path, name: str, role: str, team: str | None = None) -> str:
    """Create a user straight in the store; returns the token."""
    from vcl_qa.db import migrate, open_db
    from vcl_qa.db.users import add_user

    db = open_db(db_path)
    try:
        migrate(db)
        return add_user(db, name, role, team)[1]
    finally:
        db.close()


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


SAMPLES = ROOT / "sample_letters"


def sample_payloads() -> list[dict]:
    """The sample letters as API request bodies (text and context)."""
    from vcl_qa import Letter

    out = []
    for path in sorted(SAMPLES.glob("*.txt")):
        letter = Letter.from_file(path)
        out.append({"text": letter.text, "context": letter.context.model_dump(mode="json", exclude_none=True)})
    return out


def sent_on(body: dict, day) -> dict:
    """The request body moved in time so that the letter goes out on `day`, keeping the gap
    between decision and letter (a letter cannot be sent before its decision)."""
    import datetime as dt

    ctx = dict(body["context"])
    day = dt.date.fromisoformat(str(day))
    decision = dt.date.fromisoformat(ctx["decision_date"])
    letter = dt.date.fromisoformat(ctx.get("letter_date", ctx["decision_date"]))
    ctx["decision_date"] = (day - (letter - decision)).isoformat()
    ctx["letter_date"] = day.isoformat()
    return {**body, "context": ctx}


def submit_many(url: str, token: str, total: int, concurrency: int, stop_after: float | None = None,
                on_ack=None, into: dict | None = None) -> dict:
    """POST `total` distinct letters from `concurrency` clients at once.

    Returns {"acked": {id: text}, "statuses": Counter, "errors": int}. A letter counts as
    acknowledged only when its 201 response arrived.
    """
    import asyncio
    from collections import Counter

    payloads = sample_payloads()
    acked: dict[int, str] = {} if into is None else into  # `into`: watch them arrive
    statuses: Counter = Counter()
    errors = 0
    queue = list(range(total))

    async def client(n: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=url, headers=auth(token), timeout=60) as http:
            while queue:
                i = queue.pop()
                body = dict(payloads[i % len(payloads)])
                body["text"] = f"{body['text']}\nLoad test letter {i}.\n"
                try:
                    r = await http.post("/api/v1/letters", json=body)
                except httpx.HTTPError:
                    errors += 1
                    continue
                statuses[r.status_code] += 1
                if r.status_code == 201:
                    acked[r.json()["id"]] = body["text"]
                    if on_ack:
                        on_ack(len(acked))

    async def main() -> None:
        await asyncio.gather(*(client(n) for n in range(concurrency)))

    # In a thread of its own: another test's event loop (the browser tests') may still be
    # running in this one, and asyncio.run refuses to nest.
    import threading

    worker = threading.Thread(target=asyncio.run, args=(main(),))
    worker.start()
    worker.join()
    return {"acked": acked, "statuses": statuses, "errors": errors}


def stored_texts(db_path: Path, ids) -> dict[int, str]:
    """Version-1 text of each given letter id that is in the database."""
    import sqlite3

    conn = sqlite3.connect(str(db_path))
    try:
        rows = conn.execute("SELECT letter_id, text FROM versions WHERE version = 1").fetchall()
    finally:
        conn.close()
    wanted = set(ids)
    return {i: t for i, t in rows if i in wanted}


def users_server(tmp_path_factory, label: str, users: dict[str, tuple]):
    """A server of its own on a fresh database, with users made straight in the store:
    `users` maps a short name to (name, role[, team]); their tokens are in `server.tokens`.
    Call from a module-scoped fixture and stop() it after."""
    db_path = tmp_path_factory.mktemp(label) / "vcl_qa.db"
    tokens = {who: make_user(db_path, *spec) for who, spec in users.items()}
    server = LiveServer(db_path).start()
    server.tokens = tokens
    return server


def site_fixtures(label: str, users: dict[str, tuple], who: str):
    """The fixtures most page-and-API tests of one person start from, for a module to take as
    `server, api, web = site_fixtures(...)`: `server`, a `users_server` of its own (module
    scope); `api`, a client of its JSON API with `who`'s token; `web`, a client signed in to
    its pages as `who`."""
    import pytest

    @pytest.fixture(scope="module")
    def server(tmp_path_factory):
        srv = users_server(tmp_path_factory, label, users)
        yield srv
        srv.stop()

    @pytest.fixture
    def api(server):
        with api_client(server, who) as client:
            yield client

    @pytest.fixture
    def web(server):
        with signed_in_client(server.url, server.tokens[who]) as client:
            yield client

    return server, api, web


@contextlib.contextmanager
def signed_in_client(url: str, token: str):
    """An httpx client signed in to the pages with `token` (the sign-in form, as a browser does)."""
    client = httpx.Client(base_url=url, timeout=60)
    try:
        pre = re.search(r'name="pre_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
        assert client.post("/sign-in", data={"pre_token": pre, "token": token}).status_code == 303
        yield client
    finally:
        client.close()


@contextlib.contextmanager
def api_client(server, who: str):
    """An httpx client for the JSON API of a `users_server`, with `who`'s token."""
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.tokens[who]), timeout=60) as client:
        yield client


def page_words(page: str) -> str:
    """A page's words: tags taken out, spaces run together, apostrophes as typed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace("&#39;", "'")


def form_token(page: str) -> str:
    """The CSRF token of the first form on a page."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
