"""One-time sign-in links: an admin (any user) or a manager (panel members and staff) makes a
link that signs its user in once, within a set time (24 hours by default, rules/web.yml).

Only the SHA-256 of the code is stored; a new link for a user cancels their unused ones; using
a link, switching the user off or giving them a new token ends it. API tokens stay for the API.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from vcl_qa import clock
from vcl_qa.db import audit
from vcl_qa.db.connection import write_tx
from vcl_qa.db.users import User

migrations = Migrations("sign_in_links")
CODE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# Who may make a link for whom (admins: anyone; managers: the people they organise).
MAY_ISSUE = {"admin": ("staff", "panel", "manager", "admin"), "manager": ("panel", "staff")}


@migrations(name="0001_sign_in_links")
def links_table(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE sign_in_links (
            id INTEGER PRIMARY KEY,
            code_hash TEXT NOT NULL UNIQUE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT
        );
        CREATE INDEX sign_in_links_user ON sign_in_links(user_id);
        """
    )


class NotAllowedToIssue(Exception):
    """The actor's role may not make a sign-in link for this user."""


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return clock.now().replace(microsecond=0)


def may_issue(actor: Any, user: User) -> bool:
    return user.role in MAY_ISSUE.get(getattr(actor, "role", ""), ())


def issue(db: Database, user_id: int, actor: Any, hours: float = 24) -> tuple[str, dt.datetime]:
    """A new link code for an active user (shown once) and when it stops working."""
    row = db.execute("SELECT id, name, role, team, disabled FROM users WHERE id = ?", [user_id]).fetchone()
    if row is None:
        raise KeyError(user_id)
    if row[4]:
        raise NotAllowedToIssue("this user is switched off: switch them on first")
    if not may_issue(actor, User(*row[:4])):
        raise NotAllowedToIssue(f"a {getattr(actor, 'role', 'user')} cannot make a sign-in link for a {row[2]}")
    code = secrets.token_urlsafe(32)
    now = _now()
    expires = now + dt.timedelta(hours=hours)
    with write_tx(db):
        db.execute("DELETE FROM sign_in_links WHERE user_id = ? AND used_at IS NULL", [user_id])
        db.execute("DELETE FROM sign_in_links WHERE expires_at < ?", [(now - dt.timedelta(days=30)).isoformat()])
        db.execute("INSERT INTO sign_in_links (code_hash, user_id, created_by, created_at, expires_at)"
                   " VALUES (?, ?, ?, ?, ?)", [_hash(code), user_id, getattr(actor, "id", None),
                                               now.isoformat(), expires.isoformat()])
        audit.record(db, actor, "user.sign_in_link", "user", user_id, {"hours": hours})
    return code, expires


_LIVE = ("SELECT u.id, u.name, u.role, u.team, l.id FROM sign_in_links l JOIN users u ON u.id = l.user_id"
         " WHERE l.code_hash = :code AND l.used_at IS NULL AND l.expires_at > :now AND u.disabled = 0"
         " AND l.created_at >= u.token_created_at"
         " AND (u.token_expires_at IS NULL OR u.token_expires_at > :now)")


# How far back a user is shown the sign-in links made for them (their account page, and the
# panel's queue): whoever made a link sees it once and could open it themselves, so the person
# it is for can see each one, who made it and when it was used (a manager's review found that a
# manager could sign in as a panel member and read that member's own ratings, unseen).
SHOWN_DAYS = 30


def made_for(db: Database, user_id: int, days: int = SHOWN_DAYS) -> list[dict[str, Any]]:
    """The sign-in links made for the user in the last `days` days, newest first: who made each
    (None when that user is gone), when, when it was used (None: not used) and when it ends."""
    since = (_now() - dt.timedelta(days=days)).isoformat()
    rows = db.execute(
        "SELECT l.created_at, u.name, l.used_at, l.expires_at, l.created_by = l.user_id FROM sign_in_links l"
        " LEFT JOIN users u ON u.id = l.created_by WHERE l.user_id = ? AND l.created_at >= ?"
        " ORDER BY l.created_at DESC, l.id DESC", [user_id, since]).fetchall()
    return [{"made_at": r[0], "made_by": r[1], "used_at": r[2], "expires_at": r[3], "by_self": bool(r[4])}
            for r in rows]


def peek(db: Database, code: str) -> User | None:
    """The user a live link would sign in (the link is not used up)."""
    if not CODE.match(code or ""):
        return None
    row = db.execute(_LIVE, {"code": _hash(code), "now": _now().isoformat()}).fetchone()
    return User(*row[:4]) if row else None


def redeem(db: Database, code: str) -> User | None:
    """Use a link: its user, once; None when it is unknown, used, expired, or its user is
    switched off or was given a new token after the link was made."""
    if not CODE.match(code or ""):
        return None
    with write_tx(db):
        row = db.execute(_LIVE, {"code": _hash(code), "now": _now().isoformat()}).fetchone()
        if row is None:
            return None
        db.execute("UPDATE sign_in_links SET used_at = ? WHERE id = ? AND used_at IS NULL",
                   [_now().isoformat(), row[4]])
        user = User(*row[:4])
        audit.record(db, user, "web.sign_in_link", "user", user.id)
    return user
