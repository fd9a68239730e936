"""`vcl-qa users` for an admin at the command line (review 2, items 10 and 11): the list shows
switched-off users and when tokens expire; a switched-off user can be switched back on, and no
message sends the admin round in a circle; names are shown as typed, never read as markup."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from live_server import ROOT
from vcl_qa.db import open_db
from vcl_qa.db import users as user_store


def cli(db, *args) -> subprocess.CompletedProcess:
    # A wide terminal, so that the table's rows stay on one line each.
    return subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", *args],
                          cwd=ROOT, env={**os.environ, "VCL_QA_DB": str(db), "COLUMNS": "250"},
                          capture_output=True, text=True, timeout=300)


def row_of(listing: str, name: str) -> str:
    rows = [line for line in listing.splitlines() if f" {name} " in line]
    assert len(rows) == 1, listing
    return rows[0]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "vcl_qa.db"
    assert cli(path, "users", "add", "alice", "--role", "staff", "--team", "north").returncode == 0
    assert cli(path, "users", "add", "bob", "--role", "manager", "--expires-days", "30").returncode == 0
    conn = open_db(path)
    try:  # switched off as the admin page or DELETE /api/v1/users/{id} does it
        user_store.disable_user(conn, user_store.user_by_name(conn, "alice").id)
    finally:
        conn.close()
    return path


def test_the_list_shows_switched_off_users_and_token_expiry(db):
    listing = cli(db, "users", "list")
    assert listing.returncode == 0, listing.stderr
    alice, bob = row_of(listing.stdout, "alice"), row_of(listing.stdout, "bob")
    assert " off " in alice and " on " in bob
    assert "on/off" in listing.stdout and "token expires" in listing.stdout
    conn = open_db(db)
    expires = user_store.token_expires_at(conn, user_store.user_by_name(conn, "bob").id)
    conn.close()
    assert expires[:10] in bob and " UTC" in bob
    assert cli(db, "users", "add", "carol", "--role", "panel").returncode == 0
    assert "never" in row_of(cli(db, "users", "list").stdout, "carol")


def test_a_switched_off_user_is_switched_back_on_not_sent_round_in_a_circle(db):
    token = cli(db, "users", "token", "alice")
    assert token.returncode == 1
    assert "switched off" in token.stderr and "vcl-qa users enable alice" in token.stderr
    assert "add a new user" not in token.stderr
    add = cli(db, "users", "add", "alice", "--role", "staff", "--team", "north")
    assert add.returncode == 1
    assert "switched off" in add.stderr and "vcl-qa users enable alice" in add.stderr
    assert "users token" not in add.stderr
    enabled = cli(db, "users", "enable", "alice", "--expires-days", "7")
    assert enabled.returncode == 0, enabled.stderr
    new_token = enabled.stdout.strip().splitlines()[-1]
    conn = open_db(db)
    try:
        assert user_store.user_by_token(conn, new_token).name == "alice"
    finally:
        conn.close()
    assert "Switched alice back on" in enabled.stderr
    assert " on " in row_of(cli(db, "users", "list").stdout, "alice")
    again = cli(db, "users", "enable", "alice")
    assert again.returncode == 1 and "already switched on" in again.stderr
    assert "vcl-qa users token alice" in again.stderr
    assert cli(db, "users", "enable", "nobody").returncode == 1


def test_names_are_shown_as_typed_never_as_markup(db):
    name = "[bold red]mallory[/]"
    added = cli(db, "users", "add", name, "--role", "staff", "--team", "[white]north[/]")
    assert added.returncode == 0, added.stderr
    assert f"Added {name} (staff, team [white]north[/])" in added.stderr
    listing = cli(db, "users", "list").stdout
    assert name in listing and "[white]north[/]" in listing
    assert cli(db, "users", "token", name).returncode == 0  # the name the list shows works


def test_the_already_exists_hint_is_a_command_that_works(db):
    assert cli(db, "users", "add", "Ann Lee", "--role", "panel").returncode == 0
    again = cli(db, "users", "add", " Ann Lee ", "--role", "panel")
    assert again.returncode == 1
    assert "vcl-qa users token 'Ann Lee'" in again.stderr
    bob = cli(db, "users", "add", " bob ", "--role", "manager")
    assert bob.returncode == 1 and "'vcl-qa users token bob'" in bob.stderr
