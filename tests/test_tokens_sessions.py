"""Tokens and web sessions: a new token ends the user's sessions, a switched-off user stays off,
and a token may carry an expiry (default: none)."""
from __future__ import annotations

import re
import subprocess
import sys

import httpx
import pytest

from live_server import ROOT, LiveServer, auth, make_user
from vcl_qa.db import migrate, open_db
from vcl_qa.db import users
from vcl_qa.db.web_sessions import create_session, session_user
from vcl_qa.errors import LetterError


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "vcl_qa.db")
    migrate(database)
    yield database
    database.close()


def test_new_token_ends_the_users_web_sessions(db):
    user, token = users.add_user(db, "sam", "staff", "north")
    other, _ = users.add_user(db, "olu", "staff", "north")
    mine, theirs = create_session(db, user.id, 8), create_session(db, other.id, 8)
    new = users.reset_token(db, user.id)
    assert session_user(db, mine) is None  # signed out everywhere
    assert session_user(db, theirs) is not None  # nobody else
    assert users.user_by_token(db, token) is None and users.user_by_token(db, new).id == user.id


def test_new_token_does_not_switch_a_user_back_on(db):
    user, token = users.add_user(db, "sam", "staff", "north")
    assert users.disable_user(db, user.id)
    with pytest.raises(users.UserDisabled):
        users.reset_token(db, user.id)
    assert db.execute("SELECT disabled FROM users WHERE id = ?", [user.id]).fetchone()[0] == 1
    assert users.user_by_token(db, token) is None


def test_disabling_ends_sessions(db):
    user, _ = users.add_user(db, "sam", "staff", "north")
    session = create_session(db, user.id, 8)
    users.disable_user(db, user.id)
    assert db.execute("SELECT count(*) FROM web_sessions").fetchone()[0] == 0
    assert session_user(db, session) is None


def test_token_expiry(db):
    user, token = users.add_user(db, "sam", "staff", "north", expires_days=30)
    assert users.user_by_token(db, token).id == user.id
    assert users.token_expires_at(db, user.id) > "2000"
    db.execute("UPDATE users SET token_expires_at = '2000-01-01T00:00:00+00:00' WHERE id = ?", [user.id])
    assert users.user_by_token(db, token) is None  # past its day
    forever, token2 = users.add_user(db, "olu", "staff", "north")
    assert users.token_expires_at(db, forever.id) is None and users.user_by_token(db, token2)
    with pytest.raises(LetterError) as err:
        users.add_user(db, "ada", "staff", "north", expires_days=0)
    assert err.value.field == "expires_days"


@pytest.mark.parametrize("name,team,field", [
    ("x" * 101, "north", "name"), ("sam\x1b[31m", "north", "name"), ("sam", "north\nsouth", "team"),
    ("sam", "t" * 101, "team"), ("sa\u2028m", "north", "name"),
])
def test_names_and_teams_have_limits(db, name, team, field):
    with pytest.raises(LetterError) as err:
        users.add_user(db, name, "staff", team)
    assert err.value.field == field
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 0


@pytest.fixture
def server(tmp_path):
    db_path = tmp_path / "vcl_qa.db"
    admin = make_user(db_path, "ada", "admin")
    staff = make_user(db_path, "sam", "staff", "north")
    live = LiveServer(db_path).start()
    yield {"url": live.url, "admin": admin, "staff": staff, "db": db_path}
    live.stop()


def test_api_token_reset_signs_the_user_out_of_the_pages(server):
    client = httpx.Client(base_url=server["url"], timeout=60)
    pre = re.search(r'name="pre_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    assert client.post("/sign-in", data={"pre_token": pre, "token": server["staff"]}).status_code == 303
    assert client.get("/check").status_code == 200
    api = httpx.Client(base_url=f"{server['url']}/api/v1", headers=auth(server["admin"]), timeout=60)
    sam = next(u for u in api.get("/users").json()["data"] if u["name"] == "sam")
    r = api.post(f"/users/{sam['id']}/token", json={"expires_days": 7})
    assert r.status_code == 200 and r.json()["expires_at"] > "2000"
    page = client.get("/check")
    assert page.status_code == 303 and page.headers["location"].startswith("/sign-in")
    assert httpx.get(f"{server['url']}/api/v1/me", headers=auth(r.json()["token"])).status_code == 200


def test_api_refuses_a_token_for_a_switched_off_user(server):
    api = httpx.Client(base_url=f"{server['url']}/api/v1", headers=auth(server["admin"]), timeout=60)
    sam = next(u for u in api.get("/users").json()["data"] if u["name"] == "sam")
    assert api.delete(f"/users/{sam['id']}").status_code == 204
    r = api.post(f"/users/{sam['id']}/token")
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    assert httpx.get(f"{server['url']}/api/v1/me", headers=auth(server["staff"])).status_code == 401
    r = api.post("/users", json={"name": "pat", "role": "panel", "expires_days": 90})
    assert r.status_code == 201 and r.json()["expires_at"]
    r = api.post("/users", json={"name": "bad\tname", "role": "panel"})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "name"


def test_cli_token_with_expiry_and_for_a_switched_off_user(tmp_path):
    db_path = tmp_path / "vcl_qa.db"
    make_user(db_path, "sam", "staff", "north")
    env = {"VCL_QA_DB": str(db_path), "PATH": "/usr/bin:/bin"}

    def run(*args):
        return subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", *args],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    r = run("users", "token", "sam", "--expires-days", "14")
    assert r.returncode == 0
    token = r.stdout.strip().splitlines()[-1]
    db = open_db(db_path)
    try:
        user = users.user_by_token(db, token)
        assert user is not None and users.token_expires_at(db, user.id) is not None
        users.disable_user(db, user.id)
    finally:
        db.close()
    r = run("users", "token", "sam")
    assert r.returncode != 0 and "switched off" in r.stderr


def test_a_session_ends_when_its_token_expires(db):
    """Review 10b, finding 11: the API refused the expired token but the web session made from
    it stayed open for up to session_hours."""
    from vcl_qa.db import sign_in_links

    user, token = users.add_user(db, "sam", "staff", "north", expires_days=1)
    admin, _ = users.add_user(db, "ada", "admin")
    session = create_session(db, user.id, 8)
    link, _ = sign_in_links.issue(db, user.id, admin)
    assert session_user(db, session).id == user.id and sign_in_links.peek(db, link).id == user.id
    stored = db.execute("SELECT expires_at FROM web_sessions").fetchone()[0]
    assert stored <= users.token_expires_at(db, user.id)  # never set to outlive the token
    db.execute("UPDATE users SET token_expires_at = '2000-01-01T00:00:00+00:00' WHERE id = ?", [user.id])
    db.conn.commit()
    assert users.user_by_token(db, token) is None
    assert session_user(db, session) is None  # the session made from it ends with it
    assert sign_in_links.peek(db, link) is None and sign_in_links.redeem(db, link) is None
    short, _ = users.add_user(db, "olu", "staff", "north", expires_days=1)
    created = create_session(db, short.id, 48)  # a session longer than the token's life is cut to it
    row = db.execute("SELECT s.expires_at, u.token_expires_at FROM web_sessions s JOIN users u"
                     " ON u.id = s.user_id WHERE u.id = ?", [short.id]).fetchone()
    assert row[0] == row[1] and session_user(db, created).id == short.id


def test_pages_sign_out_a_user_whose_token_expired(server):
    client = httpx.Client(base_url=server["url"], timeout=60)
    api = httpx.Client(base_url=f"{server['url']}/api/v1", headers=auth(server["admin"]), timeout=60)
    made = api.post("/users", json={"name": "tia", "role": "staff", "team": "north", "expires_days": 1}).json()
    pre = re.search(r'name="pre_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    assert client.post("/sign-in", data={"pre_token": pre, "token": made["token"]}).status_code == 303
    assert client.get("/letters").status_code == 200
    db = open_db(server["db"])  # stand-in for the day passing
    try:
        db.execute("UPDATE users SET token_expires_at = '2001-01-01T00:00:00+00:00' WHERE name = 'tia'")
        db.conn.commit()
    finally:
        db.close()
    assert httpx.get(f"{server['url']}/api/v1/me", headers=auth(made["token"])).status_code == 401
    page = client.get("/letters")
    assert page.status_code == 303 and page.headers["location"].startswith("/sign-in")


def test_switching_on_a_user_who_is_on_is_refused(db):
    """A review: "switch back on" for a user who was on gave them a new token and left their web
    sessions open. Refused now; the token and the sessions are as they were."""
    user, token = users.add_user(db, "sam", "staff", "north")
    session = create_session(db, user.id, 8)
    with pytest.raises(users.UserSwitchedOn) as err:
        users.enable_user(db, user.id)
    assert "already switched on" in str(err.value)
    assert users.user_by_token(db, token).id == user.id and session_user(db, session).id == user.id
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'user.enable'").fetchone()[0] == 0


def test_switching_back_on_ends_any_session_of_the_old_token(db):
    """Every change of token ends the sessions made before it: switching back on too."""
    user, _ = users.add_user(db, "sam", "staff", "north")
    assert users.disable_user(db, user.id)
    left = create_session(db, user.id, 8)  # as a session made just before the user was switched off
    token = users.enable_user(db, user.id)
    assert session_user(db, left) is None
    assert users.user_by_token(db, token).id == user.id
