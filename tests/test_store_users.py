"""Users and tokens: random, shown once, stored only as a SHA-256 hash."""
from __future__ import annotations

import hashlib

import pytest

from vcl_qa.errors import LetterError
from vcl_qa.db import users


# `db`: a fresh migrated database (tests/conftest.py)


def test_token_is_stored_only_as_its_hash(db):
    user, token = users.add_user(db, "alice", "staff", "north")
    stored = db.execute("SELECT token_hash FROM users WHERE id = ?", [user.id]).fetchone()[0]
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    dump = "\n".join(db.conn.iterdump())
    assert token not in dump
    assert len(token) >= 40


def test_tokens_are_different_each_time(db):
    tokens = {users.add_user(db, f"user{i}", "panel")[1] for i in range(20)}
    assert len(tokens) == 20


def test_user_by_token(db):
    user, token = users.add_user(db, "alice", "staff", "north")
    assert users.user_by_token(db, token) == user
    assert users.user_by_token(db, token + "x") is None


def test_reset_token_stops_the_old_one(db):
    user, old = users.add_user(db, "alice", "manager")
    new = users.reset_token(db, user.id)
    assert users.user_by_token(db, old) is None
    assert users.user_by_token(db, new) == user


def test_disabled_user_cannot_sign_in(db):
    user, token = users.add_user(db, "alice", "admin")
    assert users.disable_user(db, user.id) is True
    assert users.user_by_token(db, token) is None
    assert users.disable_user(db, user.id) is False


def test_duplicate_name_and_bad_role_and_staff_without_team(db):
    users.add_user(db, "alice", "panel")
    with pytest.raises(users.UserExists):
        users.add_user(db, "alice", "panel")
    with pytest.raises(LetterError) as exc:
        users.add_user(db, "bob", "boss")
    assert exc.value.field == "role"
    with pytest.raises(LetterError) as exc:
        users.add_user(db, "carol", "staff")
    assert exc.value.field == "team"


def test_a_name_differing_only_in_capitals_is_the_same_user(db):
    """'Alice' beside 'alice' would be two users nobody can tell apart in a list (second review)."""
    users.add_user(db, "alice", "staff", "north")
    with pytest.raises(users.UserExists) as err:
        users.add_user(db, "ALICE", "manager")
    assert err.value.name == "alice" and "'alice' already exists" in str(err.value)
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 1
