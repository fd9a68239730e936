"""Users API: admins add users (token shown once), reset tokens and switch users off."""
from __future__ import annotations

import hashlib

import httpx
import pytest

from live_server import auth, live_server, make_user  # noqa: F401 (fixture)


@pytest.fixture
def admin(live_server):
    token = make_user(live_server.db, "root", "admin")
    with httpx.Client(base_url=f"{live_server.url}/api/v1", headers=auth(token), timeout=30) as client:
        client.server = live_server
        yield client


def test_admin_adds_a_user_whose_token_works_once_shown(admin):
    r = admin.post("/users", json={"name": "alice", "role": "staff", "team": "north"})
    assert r.status_code == 201
    body = r.json()
    assert body["user"] == {"id": body["user"]["id"], "name": "alice", "role": "staff", "team": "north"}
    me = httpx.get(f"{admin.server.url}/api/v1/me", headers=auth(body["token"]))
    assert me.json()["name"] == "alice"
    listed = admin.get("/users").json()
    assert [u["name"] for u in listed["data"]] == ["root", "alice"]
    assert body["token"] not in str(listed)
    import sqlite3

    conn = sqlite3.connect(str(admin.server.db))
    stored = conn.execute("SELECT token_hash FROM users WHERE name = 'alice'").fetchone()[0]
    conn.close()
    assert stored == hashlib.sha256(body["token"].encode()).hexdigest()


def test_duplicate_name_is_409_and_staff_without_team_is_422(admin):
    admin.post("/users", json={"name": "alice", "role": "panel"})
    r = admin.post("/users", json={"name": "alice", "role": "panel"})
    assert r.status_code == 409
    r = admin.post("/users", json={"name": "bob", "role": "staff"})
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "team"
    r = admin.post("/users", json={"name": "carol", "role": "boss"})
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "role"


def test_new_token_replaces_the_old_one(admin):
    created = admin.post("/users", json={"name": "alice", "role": "manager"}).json()
    r = admin.post(f"/users/{created['user']['id']}/token")
    assert r.status_code == 200
    me = f"{admin.server.url}/api/v1/me"
    assert httpx.get(me, headers=auth(created["token"])).status_code == 401
    assert httpx.get(me, headers=auth(r.json()["token"])).status_code == 200


def test_switched_off_user_cannot_sign_in_and_admin_cannot_switch_off_self(admin):
    created = admin.post("/users", json={"name": "alice", "role": "panel"}).json()
    assert admin.delete(f"/users/{created['user']['id']}").status_code == 204
    assert httpx.get(f"{admin.server.url}/api/v1/me", headers=auth(created["token"])).status_code == 401
    assert admin.delete(f"/users/{created['user']['id']}").status_code == 404
    me = admin.get("/me").json()
    r = admin.delete(f"/users/{me['id']}")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "conflict"


def test_user_changes_are_in_the_audit_log(admin):
    created = admin.post("/users", json={"name": "alice", "role": "panel"}).json()
    admin.post(f"/users/{created['user']['id']}/token")
    log = admin.get("/audit", params={"object_type": "user", "object_id": created["user"]["id"]}).json()
    assert [(e["action"], e["user_name"]) for e in log["data"]] == [("user.token", "root"), ("user.create", "root")]
    assert created["token"] not in str(log)


def _page_through(admin, first: dict, limit: int) -> list[str]:
    """The names on `first` and on every page after it, each asked for after the last id seen."""
    seen = [u["name"] for u in first["data"]]
    last = first["data"][-1]["id"]
    for _ in range(20):  # a handful of pages; never round and round
        page = admin.get("/users", params={"limit": limit, "after_id": last}).json()
        if not page["data"]:
            return seen
        seen += [u["name"] for u in page["data"]]
        last = page["data"][-1]["id"]
    raise AssertionError(f"no last page: {seen[:12]}")


def test_paging_by_after_id_skips_and_repeats_no_user_while_another_admin_works(admin):
    """GET /users paged by offset: a user switched off on a page already read moved every user
    after it back one place, and the next page skipped one; a user switched back on moved them
    on one, and the next page repeated one. `after_id` (the last id of the page before, as
    `before_id` on the lists kept newest first) gives every user once."""
    from vcl_qa.db import open_db
    from vcl_qa.db import users as store

    ids = {name: admin.post("/users", json={"name": name, "role": "panel"}).json()["user"]["id"]
           for name in ("u1", "u2", "u3", "u4", "u5", "u6")}
    first = admin.get("/users", params={"limit": 3}).json()
    assert [u["name"] for u in first["data"]] == ["root", "u1", "u2"] and first["count"] == 7
    # Meanwhile another admin switches u1 off (on the page read) and adds u7.
    assert admin.delete(f"/users/{ids['u1']}").status_code == 204
    assert admin.post("/users", json={"name": "u7", "role": "panel"}).status_code == 201
    by_offset = admin.get("/users", params={"limit": 3, "offset": 3}).json()
    assert [u["name"] for u in by_offset["data"]] == ["u4", "u5", "u6"]  # u3 skipped: why after_id is there
    assert _page_through(admin, first, 3) == ["root", "u1", "u2", "u3", "u4", "u5", "u6", "u7"]

    first = admin.get("/users", params={"limit": 3}).json()
    assert [u["name"] for u in first["data"]] == ["root", "u2", "u3"]
    db = open_db(admin.server.db)
    try:  # meanwhile u1 is switched back on (the admin page, `vcl-qa users enable`)
        store.enable_user(db, ids["u1"])
    finally:
        db.close()
    by_offset = admin.get("/users", params={"limit": 3, "offset": 3}).json()
    assert [u["name"] for u in by_offset["data"]] == ["u3", "u4", "u5"]  # u3 again
    # u1, switched on behind the place reached, is on the next listing from the start.
    assert _page_through(admin, first, 3) == ["root", "u2", "u3", "u4", "u5", "u6", "u7"]

    after = admin.get("/users", params={"after_id": ids["u5"]}).json()
    assert [u["name"] for u in after["data"]] == ["u6", "u7"] and after["count"] == 2
    bad = admin.get("/users", params={"after_id": 0})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "query.after_id"
