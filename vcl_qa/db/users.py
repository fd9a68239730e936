"""Users, roles and API tokens. Tokens are random, shown once, and stored only as SHA-256."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from vcl_qa.errors import LetterError
from vcl_qa.db import audit
from vcl_qa.db.connection import now, write_tx

ROLES = ("staff", "panel", "manager", "admin")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    team: str | None

    def public(self) -> dict:
        return {"id": self.id, "name": self.name, "role": self.role, "team": self.team}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _check(name: str, role: str, team: str | None) -> None:
    if not name or not name.strip():
        raise LetterError("a user needs a name", field="name")
    if role not in ROLES:
        raise LetterError(f"'{role}' is not one of {', '.join(ROLES)}", field="role")
    if role == "staff" and not team:
        raise LetterError("staff users need a team", field="team")


def add_user(db: Database, name: str, role: str, team: str | None = None,
             actor: Any = None) -> tuple[User, str]:
    """Create a user; returns the user and the token (the only time it exists in clear)."""
    name = name.strip()
    _check(name, role, team)
    token = new_token()
    stamp = now()
    with write_tx(db):
        if db.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone():
            raise UserExists(name)
        cur = db.execute(
            "INSERT INTO users (name, role, team, token_hash, created_at, token_created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [name, role, team, hash_token(token), stamp, stamp],
        )
        user = User(cur.lastrowid, name, role, team)
        audit.record(db, actor, "user.create", "user", user.id, {"role": role})
    return user, token


def reset_token(db: Database, user_id: int, actor: Any = None) -> str:
    """Replace a user's token; the old one stops working at once."""
    token = new_token()
    with write_tx(db):
        cur = db.execute(
            "UPDATE users SET token_hash = ?, token_created_at = ?, disabled = 0 WHERE id = ?",
            [hash_token(token), now(), user_id],
        )
        if cur.rowcount == 0:
            raise KeyError(user_id)
        audit.record(db, actor, "user.token", "user", user_id)
    return token


def user_by_token(db: Database, token: str) -> User | None:
    row = db.execute(
        "SELECT id, name, role, team FROM users WHERE token_hash = ? AND disabled = 0",
        [hash_token(token)],
    ).fetchone()
    return User(*row) if row else None


def user_by_name(db: Database, name: str) -> User | None:
    row = db.execute("SELECT id, name, role, team FROM users WHERE name = ?", [name]).fetchone()
    return User(*row) if row else None


def get_user(db: Database, user_id: int) -> User | None:
    row = db.execute("SELECT id, name, role, team FROM users WHERE id = ?", [user_id]).fetchone()
    return User(*row) if row else None


def list_users(db: Database, limit: int = 100, offset: int = 0) -> tuple[list[User], int]:
    rows = db.execute(
        "SELECT id, name, role, team FROM users WHERE disabled = 0 ORDER BY id LIMIT ? OFFSET ?",
        [limit, offset],
    ).fetchall()
    count = db.execute("SELECT count(*) FROM users WHERE disabled = 0").fetchone()[0]
    return [User(*r) for r in rows], count


def disable_user(db: Database, user_id: int, actor: Any = None) -> bool:
    """Switch a user off (kept so the audit log still names them); their token stops working."""
    with write_tx(db):
        cur = db.execute(
            "UPDATE users SET disabled = 1, token_hash = ? WHERE id = ? AND disabled = 0",
            ["disabled:" + new_token(), user_id],
        )
        if cur.rowcount == 1:
            audit.record(db, actor, "user.disable", "user", user_id)
    return cur.rowcount == 1


class UserExists(Exception):
    def __init__(self, name: str):
        super().__init__(f"a user called '{name}' already exists")
        self.name = name
