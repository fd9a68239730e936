"""Users, roles and API tokens. Tokens are random, shown once, and stored only as SHA-256."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from vcl_qa import clock
from vcl_qa.errors import LetterError
from vcl_qa.db import audit, names, teams
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


MAX_NAME = 100  # a person's or a team's name
MAX_TOKEN_DAYS = 3650


def check_label(value: str | None, field: str) -> None:
    """A name or team name: at most MAX_NAME characters; no control characters (they could
    break a CSV, a log line or a terminal), and nothing that would let it pass for another name
    (an invisible or right-to-left character, an unusual space, a look-alike letter:
    vcl_qa/db/names.py). The message names the field and the character."""
    if value is None:
        return
    if len(value) > MAX_NAME:
        raise LetterError(f"at most {MAX_NAME} characters", field=field)
    problem = names.name_problem(value)
    if problem:
        raise LetterError(problem, field=field)


def _check(name: str, role: str, team: str | None) -> None:
    if not name or not name.strip():
        raise LetterError("a user needs a name", field="name")
    check_label(name, "name")
    check_label(team, "team")
    if role not in ROLES:
        raise LetterError(f"'{role}' is not one of {', '.join(ROLES)}", field="role")
    if role == "staff" and not team:
        raise LetterError("staff users need a team", field="team")


def _same_looking_user(db: Database, name: str) -> str | None:
    """The name of a user whose name looks the same as `name` (vcl_qa/db/names.py), if any."""
    key = names.name_key(name)
    for (other,) in db.execute("SELECT name FROM users"):
        if names.name_key(other) == key:
            return other
    return None


def _check_team_spelling(db: Database, team: str | None) -> None:
    """A new team that would look the same as a team there is ("North" beside "north") is
    refused, naming the team there is: it would split one team's letters in two."""
    if team is None:
        return
    same = teams.same_looking_team(db, team)
    if same is not None:
        raise LetterError(f"'{names.shown(team)}' looks the same as the team '{same}' there is, without "
                          f"being it: give '{same}' exactly (or a name that differs)", field="team")


def token_expiry(days: int | None) -> str | None:
    """When a token given now for `days` days stops working (None: never)."""
    if days is None:
        return None
    if not isinstance(days, int) or not 1 <= days <= MAX_TOKEN_DAYS:
        raise LetterError(f"give a whole number of days from 1 to {MAX_TOKEN_DAYS}", field="expires_days")
    end = clock.now().replace(microsecond=0) + dt.timedelta(days=days)
    return end.isoformat()


def add_user(db: Database, name: str, role: str, team: str | None = None,
             actor: Any = None, expires_days: int | None = None) -> tuple[User, str]:
    """Create a user; returns the user and the token (the only time it exists in clear).
    `expires_days`: the token stops working after that many days (default: never)."""
    name = unicodedata.normalize("NFC", name.strip())  # an accent typed apart from its letter, joined
    team = unicodedata.normalize("NFC", team.strip()) if team and team.strip() else None
    _check(name, role, team)
    expires = token_expiry(expires_days)
    token = new_token()
    stamp = now()
    with write_tx(db):
        # "Alice" and "alice" would be two users nobody can tell apart in a list; so would
        # "demo-manager" and one stored before with a zero-width space in it, or in full width.
        same = _same_looking_user(db, name)
        if same:
            raise UserExists(same)
        _check_team_spelling(db, team)
        cur = db.execute(
            "INSERT INTO users (name, role, team, token_hash, created_at, token_created_at,"
            " token_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [name, role, team, hash_token(token), stamp, stamp, expires],
        )
        user = User(cur.lastrowid, name, role, team)
        audit.record(db, actor, "user.create", "user", user.id, {"role": role})
    return user, token


def reset_token(db: Database, user_id: int, actor: Any = None, expires_days: int | None = None) -> str:
    """Replace a user's token: the old one stops working at once and the user's web sessions
    end. A switched-off user stays off (UserDisabled)."""
    expires = token_expiry(expires_days)
    token = new_token()
    with write_tx(db):
        row = db.execute("SELECT disabled FROM users WHERE id = ?", [user_id]).fetchone()
        if row is None:
            raise KeyError(user_id)
        if row[0]:
            raise UserDisabled(user_id)
        db.execute("UPDATE users SET token_hash = ?, token_created_at = ?, token_expires_at = ?"
                   " WHERE id = ?", [hash_token(token), now(), expires, user_id])
        _end_sessions(db, user_id)
        audit.record(db, actor, "user.token", "user", user_id,
                     {"expires_at": expires} if expires else None)
    return token


def _end_sessions(db: Database, user_id: int) -> None:
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'web_sessions'").fetchone():
        db.execute("DELETE FROM web_sessions WHERE user_id = ?", [user_id])
    # Unused one-time sign-in links (vcl_qa/db/sign_in_links.py) end with the sessions.
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sign_in_links'").fetchone():
        db.execute("DELETE FROM sign_in_links WHERE user_id = ? AND used_at IS NULL", [user_id])


def user_by_token(db: Database, token: str) -> User | None:
    """The user of a live token (None when unknown, expired or the user is switched off)."""
    row = db.execute(
        "SELECT id, name, role, team FROM users WHERE token_hash = ? AND disabled = 0"
        " AND (token_expires_at IS NULL OR token_expires_at > ?)",
        [hash_token(token), now()],
    ).fetchone()
    return User(*row) if row else None


def token_expired_at(db: Database, token: str) -> str | None:
    """When a token that has expired stopped working (UTC, as stored), for a switched-on user's
    token; None for any other (unknown, live, a switched-off user's). Told only to whoever holds
    the token, so that they ask for a new one rather than look for a typing slip: a token nobody
    has learns nothing from it."""
    row = db.execute(
        "SELECT token_expires_at FROM users WHERE token_hash = ? AND disabled = 0"
        " AND token_expires_at IS NOT NULL AND token_expires_at <= ?",
        [hash_token(token), now()],
    ).fetchone()
    return row[0] if row else None


def token_expires_at(db: Database, user_id: int) -> str | None:
    row = db.execute("SELECT token_expires_at FROM users WHERE id = ?", [user_id]).fetchone()
    return row[0] if row else None


def user_by_name(db: Database, name: str) -> User | None:
    row = db.execute("SELECT id, name, role, team FROM users WHERE name = ?", [name]).fetchone()
    return User(*row) if row else None


def get_user(db: Database, user_id: int) -> User | None:
    row = db.execute("SELECT id, name, role, team FROM users WHERE id = ?", [user_id]).fetchone()
    return User(*row) if row else None


def list_users(db: Database, limit: int = 100, offset: int = 0,
               after_id: int | None = None) -> tuple[list[User], int]:
    """Switched-on users, oldest first, with the count of all that match. `after_id`: only users
    with a higher id, to page through while other admins work: counted by offset, a user switched
    off on a page already read moved every user after it back one place, and the next page
    skipped one (switched back on: repeated one). Users are never deleted, and a new one takes a
    higher id than any there, so it comes on a later page."""
    clause, params = "WHERE disabled = 0", []
    if after_id is not None:
        clause += " AND id > ?"
        params.append(after_id)
    rows = db.execute(f"SELECT id, name, role, team FROM users {clause} ORDER BY id LIMIT ? OFFSET ?",
                      [*params, limit, offset]).fetchall()
    count = db.execute(f"SELECT count(*) FROM users {clause}", params).fetchone()[0]
    return [User(*r) for r in rows], count


def disable_user(db: Database, user_id: int, actor: Any = None) -> bool:
    """Switch a user off (kept so the audit log still names them); their token stops working."""
    with write_tx(db):
        cur = db.execute(
            "UPDATE users SET disabled = 1, token_hash = ? WHERE id = ? AND disabled = 0",
            ["disabled:" + new_token(), user_id],
        )
        if cur.rowcount == 1:
            _end_sessions(db, user_id)
            audit.record(db, actor, "user.disable", "user", user_id)
    return cur.rowcount == 1


class UserDisabled(Exception):
    """The user is switched off: a new token would not let them back in (the API answers 409)."""

    def __init__(self, user_id: int):
        super().__init__(f"user {user_id} is switched off; add a new user instead of giving "
                         "this one a token")
        self.user_id = user_id


class UserSwitchedOn(Exception):
    """The user is not switched off, so cannot be switched back on (a new token is another action)."""

    def __init__(self, user_id: int):
        super().__init__(f"user {user_id} is already switched on; to give them a new token, use a new token "
                         "instead (which signs them out of the pages)")
        self.user_id = user_id


class UserExists(Exception):
    def __init__(self, name: str):
        super().__init__(f"a user called '{names.shown(name, MAX_NAME)}' already exists")
        self.name = name


# --- for the admin pages: every user, changing role and team, switching back on ------------

@dataclass(frozen=True)
class UserRecord:
    """A user as the admin pages list them (never the token, only when it was made)."""

    id: int
    name: str
    role: str
    team: str | None
    disabled: bool
    created_at: str
    token_created_at: str
    token_expires_at: str | None


def all_users(db: Database) -> list[UserRecord]:
    """Every user, switched off ones too, by name."""
    rows = db.execute(
        "SELECT id, name, role, team, disabled, created_at, token_created_at, token_expires_at"
        " FROM users ORDER BY disabled, lower(name), id").fetchall()
    return [UserRecord(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7]) for r in rows]


def update_user(db: Database, user_id: int, role: str, team: str | None, actor: Any = None) -> User:
    """Set a user's role and team (checked as for a new user); audited with what changed."""
    team = unicodedata.normalize("NFC", team.strip()) if team and team.strip() else None
    user = get_user(db, user_id)
    if user is None:
        raise KeyError(user_id)
    _check(user.name, role, team)
    changed = {k: v for k, v in (("role", role), ("team", team)) if getattr(user, k) != v}
    if changed:
        with write_tx(db):
            if "team" in changed:
                _check_team_spelling(db, team)
            db.execute("UPDATE users SET role = ?, team = ? WHERE id = ?", [role, team, user_id])
            _end_sessions(db, user_id)  # pages open under the old role close
            audit.record(db, actor, "user.update", "user", user_id,
                         {"changed": sorted(changed), "role": role})
    return User(user_id, user.name, role, team)


def enable_user(db: Database, user_id: int, actor: Any = None, expires_days: int | None = None) -> str:
    """Switch a user back on, deliberately (an admin's choice, audited): with a new token, shown
    once, since switching off destroyed the old one. A token reset alone never does this. A user
    who is on is refused (UserSwitchedOn): "switching on" one gave a new token and left their
    web sessions open (a review); a new token for them is `reset_token`'s, which ends them."""
    expires = token_expiry(expires_days)
    token = new_token()
    with write_tx(db):
        row = db.execute("SELECT disabled FROM users WHERE id = ?", [user_id]).fetchone()
        if row is None:
            raise KeyError(user_id)
        if not row[0]:
            raise UserSwitchedOn(user_id)
        db.execute("UPDATE users SET disabled = 0, token_hash = ?, token_created_at = ?, token_expires_at = ?"
                   " WHERE id = ?", [hash_token(token), now(), expires, user_id])
        _end_sessions(db, user_id)  # every change of token ends the sessions made from the old one
        audit.record(db, actor, "user.enable", "user", user_id)
    return token
