"""`vcl-qa users` for an admin at the command line (review 2, items 10 and 11): the list shows
switched-off users and when tokens expire; a switched-off user can be switched back on, and no
message sends the admin round in a circle; names are shown as typed, never read as markup."""
from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys

import pytest

from live_server import ROOT
from vcl_qa import clock
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
    assert clock.uk_when(expires) in bob and "UTC" not in listing.stdout
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


def _clock_at_half_past_eleven_utc(monkeypatch) -> dt.datetime:
    """The service's clock (vcl_qa/clock.py, VCL_QA_CLOCK_OFFSET) set to 23:30 UTC on the
    machine's UTC day (at most a day away), a second or so after; that moment. Whole seconds,
    rounded up: the clock never reads 23:29."""
    real = dt.datetime.now(dt.timezone.utc)
    moment = dt.datetime.combine(real.date(), dt.time(23, 30), tzinfo=dt.timezone.utc)
    monkeypatch.setenv(clock.OFFSET_ENV, str(math.ceil((moment - real).total_seconds()) + 1))
    return moment


@pytest.mark.parametrize("month, day, shown", [
    # 23:30 UTC on 1 July is 00:30 on 2 July in the UK (summer time, BST): the list said
    # "...-07-01 23:30 UTC", the day before the one a reader in the UK would give.
    (7, 1, "{d2:%A} 2 July {year}, 00:30"),
    # 23:30 UTC on 15 January is 23:30 the same day in the UK (winter, GMT).
    (1, 15, "{d1:%A} 15 January {year}, 23:30"),
])
def test_the_list_gives_token_expiry_on_the_uk_clock(db, monkeypatch, month, day, shown):
    """`vcl-qa users list` gave when a token stops working in UTC; the pages, `vcl-qa status` and
    the messages give times on the UK's clock (vcl_qa/clock.py `uk_when`), and so does the list."""
    now = _clock_at_half_past_eleven_utc(monkeypatch)
    year = now.year + 1
    days = (dt.date(year, month, day) - now.date()).days
    conn = open_db(db)
    try:
        user_store.add_user(conn, "dana", "manager", expires_days=days)
        stored = user_store.token_expires_at(conn, user_store.user_by_name(conn, "dana").id)
    finally:
        conn.close()
    assert stored.startswith(f"{year}-{month:02}-{day:02}T23:30")  # stored in UTC, as ever
    listing = cli(db, "users", "list")
    assert listing.returncode == 0, listing.stderr
    d1 = dt.date(year, month, day)
    assert shown.format(d1=d1, d2=d1 + dt.timedelta(days=1), year=year) in row_of(listing.stdout, "dana")
    assert "token expires (UK time)" in listing.stdout and "UTC" not in listing.stdout
    assert f"{year}-{month:02}-{day:02} 23:30" not in listing.stdout


def test_an_expired_token_is_still_marked_expired(db, monkeypatch):
    """Marked against the service's clock: a token that stopped working a minute ago."""
    now = _clock_at_half_past_eleven_utc(monkeypatch)
    conn = open_db(db)
    try:
        user_store.add_user(conn, "erin", "panel", expires_days=1)
        conn.execute("UPDATE users SET token_expires_at = ? WHERE name = 'erin'",
                     [(now - dt.timedelta(minutes=1)).replace(second=0).isoformat()])
        conn.conn.commit()
    finally:
        conn.close()
    row = row_of(cli(db, "users", "list").stdout, "erin")
    assert f"{clock.uk_when(now - dt.timedelta(minutes=1))} (expired)" in row
