"""Shared fixtures: a real uvicorn server on 127.0.0.1 with its own SQLite file."""
from __future__ import annotations

import os
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
    """`python -m uvicorn api.main:app` in a child process; stop() ends only that process."""

    def __init__(self, db: Path, workers: int = 1, port: int | None = None):
        self.db, self.workers = Path(db), workers
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "LiveServer":
        env = {**os.environ, "VCL_QA_DB": str(self.db)}
        cmd = [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1",
               "--port", str(self.port), "--log-level", "warning", "--no-access-log"]
        if self.workers > 1:
            cmd += ["--workers", str(self.workers)]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
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
    from vcl_qa.store import migrate, open_db
    from vcl_qa.store.users import add_user

    db = open_db(db_path)
    try:
        migrate(db)
        return add_user(db, name, role, team)[1]
    finally:
        db.close()


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
