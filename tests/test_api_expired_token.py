"""An expired token is told that it expired, and when (real uvicorn, real SQLite file).

An integrator's review: an expired token got the same 401 as a mistyped one ("this API token is
not valid"), so its holder looked for a slip instead of asking for a new one. A token nobody was
given, or a switched-off user's, is told nothing more.
"""
from __future__ import annotations

import httpx
import pytest

from live_server import LiveServer, auth
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user, disable_user

EXPIRED = ("this API token expired on Saturday 1 July 2000, 00:30, UK time: ask an admin for a new one")
NOT_VALID = "this API token is not valid"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("expired_token") / "vcl_qa.db").start()
    db = open_db(srv.db)
    try:
        migrate(db)
        srv.tokens = {}
        for name, role in (("sam", "staff"), ("ada", "admin"), ("off", "staff"), ("live", "staff")):
            user, srv.tokens[name] = add_user(db, name, role, "north" if role == "staff" else None, expires_days=30)
            if name != "live":
                # 23:30 UTC on 30 June 2000 is 00:30 on 1 July in the UK (summer time)
                db.execute("UPDATE users SET token_expires_at = '2000-06-30T23:30:00+00:00' WHERE id = ?", [user.id])
        disable_user(db, db.execute("SELECT id FROM users WHERE name = 'off'").fetchone()[0])
        db.conn.commit()
    finally:
        db.close()
    yield srv
    srv.stop()


def answer(r):
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"
    assert r.json()["error"]["code"] == "unauthorized"
    return r.json()["error"]["message"]


@pytest.mark.parametrize("method, path", [("GET", "/api/v1/letters"), ("GET", "/api/v1/me"),
                                          ("POST", "/api/v1/check")])
def test_an_expired_token_is_told_when_it_expired(server, method, path):
    r = httpx.request(method, f"{server.url}{path}", headers=auth(server.tokens["sam"]), timeout=30,
                      json={"text": "Dear Ms Okafor"} if method == "POST" else None)
    assert answer(r) == EXPIRED


def test_the_metrics_say_so_too(server):
    r = httpx.get(f"{server.url}/metrics", headers={**auth(server.tokens["ada"]), "X-Forwarded-For": "10.0.0.1"},
                  timeout=30)
    assert answer(r) == EXPIRED


@pytest.mark.parametrize("token", ["not-a-token", "off"])
def test_an_unknown_or_switched_off_token_is_told_nothing_more(server, token):
    token = server.tokens.get(token, token)
    r = httpx.get(f"{server.url}/api/v1/letters", headers=auth(token), timeout=30)
    assert answer(r) == NOT_VALID


def test_a_live_token_is_taken(server):
    assert httpx.get(f"{server.url}/api/v1/me", headers=auth(server.tokens["live"]), timeout=30).status_code == 200


def test_the_sign_in_page_says_when_a_token_expired(server):
    """The pages' sign-in with a token says the same (it said "That token is not valid. Check you
    copied all of it" to an expired one); unknown and switched-off users' tokens as before."""
    import html
    import re

    with httpx.Client(base_url=server.url, timeout=30) as client:
        said = {}
        for name in ("sam", "off"):
            pre = re.search(r'name="pre_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
            r = client.post("/sign-in", data={"pre_token": pre, "token": server.tokens[name]})
            assert r.status_code == 400
            said[name] = html.unescape(r.text)
    assert "That token expired on Saturday 1 July 2000, 00:30, UK time. Ask your administrator for a new one." in said["sam"]
    assert "That token is not valid" in said["off"] and "expired" not in said["off"]
