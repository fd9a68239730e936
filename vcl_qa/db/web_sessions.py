"""Signed-in web sessions. The cookie holds a random session id; only its SHA-256 is stored."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from vcl_qa import clock
from vcl_qa.db.connection import write_tx
from vcl_qa.db.users import User

migrations = Migrations("web")


@migrations(name="0001_web_sessions")
def sessions_table(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE web_sessions (
            id_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX web_sessions_expiry ON web_sessions(expires_at);
        """
    )


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return clock.now().replace(microsecond=0)


def csrf_token(session_id: str) -> str:
    """The form token of a session: derived from its id, so nothing more is stored."""
    return hmac.new(session_id.encode("utf-8"), b"vcl-qa csrf", hashlib.sha256).hexdigest()


def create_session(db: Database, user_id: int, hours: float) -> str:
    """Start a session for the user; returns the session id (the only time it exists in clear).
    It ends after `hours`, or when the user's token expires if that is sooner."""
    session_id = secrets.token_urlsafe(32)
    now = _now()
    ends = (now + dt.timedelta(hours=hours)).isoformat()
    with write_tx(db):
        row = db.execute("SELECT token_expires_at FROM users WHERE id = ?", [user_id]).fetchone()
        if row and row[0] and row[0] < ends:
            ends = row[0]
        db.execute("DELETE FROM web_sessions WHERE expires_at < ?", [now.isoformat()])
        db.execute("INSERT INTO web_sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                   [_hash(session_id), user_id, now.isoformat(), ends])
    return session_id


def session_user(db: Database, session_id: str) -> User | None:
    """The signed-in user of a live session (None when unknown, expired, the user is disabled
    or the user's token has expired: a session never outlives the token it was made from; a
    new token or switching the user off ends it too, vcl_qa/db/users.py)."""
    if not session_id:
        return None
    now = _now().isoformat()
    row = db.execute(
        "SELECT u.id, u.name, u.role, u.team FROM web_sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled = 0"
        " AND (u.token_expires_at IS NULL OR u.token_expires_at > ?)",
        [_hash(session_id), now, now],
    ).fetchone()
    return User(*row) if row else None


def end_session(db: Database, session_id: str) -> None:
    with write_tx(db):
        db.execute("DELETE FROM web_sessions WHERE id_hash = ?", [_hash(session_id)])
