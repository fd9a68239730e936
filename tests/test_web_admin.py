"""Users in the pages (admins) and one-time sign-in links (admins, and managers for panel members
and staff), over HTTP against the real server: CSRF, audit, tokens shown once and stored hashed,
links single use, stored hashed, ending after a day, with a new link, a new token or switching off."""
from __future__ import annotations

import hashlib
import re
import sqlite3

import httpx
import pytest

from web_site import csrf, field_error, signed_in, start, visible_text


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = start(tmp_path_factory, "admin")
    yield s
    s["server"].stop()


def _sql(site, query: str, params=()):
    conn = sqlite3.connect(site["db"])
    try:
        rows = conn.execute(query, params).fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()


def _user_id(site, name: str) -> int:
    return _sql(site, "SELECT id FROM users WHERE name = ?", [name])[0][0]


def _shown(page: str) -> str:
    return re.search(r'id="secret" type="text" readonly value="([^"]+)"', page).group(1)


def _add(client, **form) -> httpx.Response:
    page = client.get("/admin/users").text
    return client.post("/admin/users", data={"csrf_token": csrf(page), "name": "", "role": "", "team": "",
                                             "expires_days": "", **form})


def test_admin_adds_a_user_whose_token_is_shown_once_and_stored_hashed(site):
    admin = signed_in(site, "admin")
    r = _add(admin, name="Rita Rater", role="panel")
    assert r.status_code == 200 and "It is shown only this once" in r.text
    token = _shown(r.text)
    assert len(token) >= 40
    stored = _sql(site, "SELECT token_hash FROM users WHERE name = 'Rita Rater'")[0][0]
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert token not in admin.get("/admin/users").text  # never shown again
    audit = _sql(site, "SELECT action, user_name, detail FROM audit_log WHERE action = 'user.create' ORDER BY id DESC LIMIT 1")
    assert audit[0][:2] == ("user.create", "Ada Admin") and "Rita" not in (audit[0][2] or "")
    assert r.headers["cache-control"] == "no-store"


def test_bad_new_user_says_what_is_wrong_beside_each_box(site):
    admin = signed_in(site, "admin")
    r = _add(admin, name="", role="staff", team="", expires_days="soon")
    assert r.status_code == 400
    assert "Give the person's name" in field_error(r.text, "name")
    assert "Staff need a team" in field_error(r.text, "team")
    assert "whole number of days" in field_error(r.text, "expires_days")
    r = _add(admin, name="Ada Admin", role="admin")
    assert "already a user called Ada Admin" in field_error(r.text, "name")


def test_admin_changes_role_and_team_switches_off_and_on(site):
    admin = signed_in(site, "admin")
    token = _shown(_add(admin, name="Tim Temp", role="staff", team="north").text)
    uid = _user_id(site, "Tim Temp")
    page = admin.get("/admin/users").text
    r = admin.post(f"/admin/users/{uid}", data={"csrf_token": csrf(page), "role": "manager", "team": ""})
    assert r.status_code == 303
    assert _sql(site, "SELECT role, team FROM users WHERE id = ?", [uid]) == [("manager", None)]
    r = admin.post(f"/admin/users/{uid}", data={"csrf_token": csrf(page), "role": "staff", "team": ""})
    assert r.status_code == 400 and "staff users need a team" in visible_text(r.text)
    # Switched off: the token stops at once; switched back on with a new token, shown once.
    user = httpx.Client(base_url=site["url"])
    assert user.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert admin.post(f"/admin/users/{uid}/disable", data={"csrf_token": csrf(page)}).status_code == 303
    assert user.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "Switched off" in visible_text(admin.get("/admin/users").text)
    r = admin.post(f"/admin/users/{uid}/enable", data={"csrf_token": csrf(page)})
    fresh = _shown(r.text)
    assert user.get("/api/v1/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    assert user.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    r = admin.post(f"/admin/users/{uid}/token", data={"csrf_token": csrf(page)})
    newer = _shown(r.text)
    assert user.get("/api/v1/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 401
    assert user.get("/api/v1/me", headers={"Authorization": f"Bearer {newer}"}).status_code == 200
    actions = [a for (a,) in _sql(site, "SELECT action FROM audit_log WHERE object_type = 'user' AND object_id = ?"
                                         " ORDER BY id", [uid])]
    assert actions == ["user.create", "user.update", "user.disable", "user.enable", "user.token"]


def test_admin_cannot_lock_themselves_out_and_forms_need_the_csrf_token(site):
    admin = signed_in(site, "admin")
    me = _user_id(site, "Ada Admin")
    page = admin.get("/admin/users").text
    r = admin.post(f"/admin/users/{me}", data={"csrf_token": csrf(page), "role": "staff", "team": "x"})
    assert r.status_code == 400 and "cannot change your own role" in visible_text(r.text)
    r = admin.post(f"/admin/users/{me}/disable", data={"csrf_token": csrf(page)})
    assert r.status_code == 400 and "cannot switch off your own account" in visible_text(r.text)
    assert admin.post("/admin/users", data={"name": "X", "role": "panel"}).status_code == 403
    assert admin.post(f"/admin/users/{me}/token", data={"csrf_token": "x" * 64}).status_code == 403
    for role in ("staff", "manager", "panel"):
        assert signed_in(site, role).get("/admin/users").status_code == 403


def _link(client, uid: int, page_path: str = "/admin/users") -> str:
    page = client.get(page_path).text
    r = client.post(f"/admin/users/{uid}/sign-in-link", data={"csrf_token": csrf(page)})
    assert r.status_code == 200, r.text[:300]
    return _shown(r.text)


def _use(site, link: str) -> httpx.Response:
    visitor = httpx.Client(base_url=site["url"])
    page = visitor.get(link)
    if page.status_code != 200:
        return page
    pre = re.search(r'name="pre_token" value="([^"]+)"', page.text).group(1)
    r = visitor.post(link, data={"pre_token": pre})
    if r.status_code == 303:
        assert visitor.get(r.headers["location"]).status_code == 200  # signed in
    return r


def test_a_sign_in_link_works_once_and_only_its_hash_is_stored(site):
    admin = signed_in(site, "admin")
    uid = _user_id(site, "Priya Panel")
    link = _link(admin, uid)
    assert link.startswith(site["url"] + "/sign-in/link/")
    code = link.rsplit("/", 1)[1]
    assert _sql(site, "SELECT count(*) FROM sign_in_links WHERE code_hash = ?",
                [hashlib.sha256(code.encode()).hexdigest()]) == [(1,)]
    assert _sql(site, "SELECT count(*) FROM sign_in_links WHERE code_hash = ?", [code]) == [(0,)]
    opened = httpx.get(link)
    assert "Sign in as Priya Panel" in visible_text(opened.text)
    assert opened.headers["referrer-policy"] == "no-referrer"
    httpx.get(link)  # opening it again (a mail scanner, say) uses nothing
    r = _use(site, link)
    assert r.status_code == 303 and r.headers["location"] == "/panel"
    again = _use(site, link)
    assert again.status_code == 400 and "does not work any more" in visible_text(again.text)
    assert ("web.sign_in_link",) in _sql(site, "SELECT action FROM audit_log WHERE user_id = ?", [uid])


def test_a_link_ends_after_its_time_with_a_newer_link_a_new_token_or_switching_off(site):
    admin = signed_in(site, "admin")
    token = _shown(_add(admin, name="Lee Link", role="panel").text)
    uid = _user_id(site, "Lee Link")
    old = _link(admin, uid)
    new = _link(admin, uid)
    assert _use(site, old).status_code == 400  # a newer link cancels it
    hours = _sql(site, "SELECT (julianday(expires_at) - julianday(created_at)) * 24 FROM sign_in_links"
                       " WHERE user_id = ?", [uid])
    assert [round(h) for (h,) in hours] == [24]
    _sql(site, "UPDATE sign_in_links SET expires_at = '2000-01-01T00:00:00+00:00' WHERE user_id = ?", [uid])
    assert _use(site, new).status_code == 400  # past its time
    link = _link(admin, uid)
    page = admin.get("/admin/users").text
    admin.post(f"/admin/users/{uid}/token", data={"csrf_token": csrf(page)})
    assert _use(site, link).status_code == 400  # a new token ends older links
    link = _link(admin, uid)
    admin.post(f"/admin/users/{uid}/disable", data={"csrf_token": csrf(page)})
    assert _use(site, link).status_code == 400  # switched off
    r = admin.post(f"/admin/users/{uid}/sign-in-link", data={"csrf_token": csrf(page)})
    assert r.status_code == 400 and "switched off" in visible_text(r.text)
    assert token


def test_managers_make_links_for_panel_members_from_the_panel_pages_only(site):
    manager = signed_in(site, "manager")
    page = manager.get("/panel-periods").text
    panel_id = _user_id(site, "Pat Panel")
    assert f'action="/admin/users/{panel_id}/sign-in-link"' in page
    link = _link(manager, panel_id, "/panel-periods")
    assert _use(site, link).status_code == 303
    admin_id = _user_id(site, "Ada Admin")
    r = manager.post(f"/admin/users/{admin_id}/sign-in-link", data={"csrf_token": csrf(page)})
    assert r.status_code == 404
    assert signed_in(site, "staff").post(f"/admin/users/{panel_id}/sign-in-link",
                                         data={"csrf_token": "x"}).status_code == 403


def test_a_made_up_link_is_refused_kindly(site):
    for code in ("x" * 43, "short", "../../etc"):
        r = httpx.get(f"{site['url']}/sign-in/link/{code}")
        assert r.status_code in (400, 404)
        if r.status_code == 400:
            assert "Ask the person who sent it for a new link" in visible_text(r.text)


def test_a_member_sees_every_link_made_for_them_who_made_it_and_when_it_was_used(site):
    """A manager's review: a manager who makes a panel member's sign-in link sees it once and
    could open it themselves, and read that member's own ratings, with nothing to tell the
    member. The member's queue and account page list each link made for them lately: who made
    it, when, and when it was used."""
    manager = signed_in(site, "manager")
    token = _shown(_add(signed_in(site, "admin"), name="Nia Newmember", role="panel").text)
    uid = _user_id(site, "Nia Newmember")
    assert _use(site, _link(manager, uid, "/panel-periods")).status_code == 303
    _link(manager, uid, "/panel-periods")  # made, not used
    member = signed_in({**site, "tokens": {"nia": token}}, "nia")
    for path in ("/panel", "/account"):
        page = member.get(path).text
        assert "Sign-in links made for you" in visible_text(page), path
        table = page[page.index('id="sign-in-links-table"'):]
        rows = [[visible_text(c).strip() for c in re.findall(r"<td>(.*?)</td>", row)]
                for row in re.findall(r"<tr><td>.*?</tr>", table[:table.index("</table>")])]
        assert len(rows) == 2, (path, rows)
        day = r"\w+day \d{1,2} \w+ \d{4}, \d\d:\d\d"
        assert rows[0][0] == rows[1][0] == "Mo Manager"  # newest first: made, not used; then used
        assert re.fullmatch(day, rows[0][1]) and rows[0][2] == "Not used"
        assert re.fullmatch(day, rows[1][1]) and re.fullmatch(day, rows[1][2])
    # someone with no link made for them is told so
    assert "None in the last 30 days" in visible_text(signed_in(site, "staff").get("/account").text)


def test_switching_on_a_user_who_is_on_is_refused_on_the_page(site):
    """A review: the page's "switch back on" (posted for a user who was on) gave a new token and
    left their web sessions open."""
    admin = signed_in(site, "admin")
    token = _shown(_add(admin, name="Omar On", role="staff", team="north").text)
    uid = _user_id(site, "Omar On")
    page = admin.get("/admin/users").text
    r = admin.post(f"/admin/users/{uid}/enable", data={"csrf_token": csrf(page)})
    assert r.status_code == 400
    assert ("Omar On is not switched off, so cannot be switched back on: to give them a new token, use New token."
            in visible_text(r.text))
    assert "It is shown only this once" not in r.text
    me = httpx.get(f"{site['url']}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200  # the token still works: nothing was changed
    assert _sql(site, "SELECT count(*) FROM audit_log WHERE action = 'user.enable' AND object_id = ?", [uid]) == [(0,)]


def test_the_page_gives_token_and_link_times_on_the_uk_clock(site):
    """The users page gave when a token was made and stops working, and until when a sign-in
    link works, in UTC ("Wednesday 1 July 2026, 23:30 UTC"), where every other page gives the
    UK's clock (vcl_qa/clock.py `uk_when`): stored at 23:30 UTC in summer is 00:30 the next day
    in the UK (BST); in winter the UK is on UTC (GMT)."""
    from vcl_qa import clock

    admin = signed_in(site, "admin")
    _add(admin, name="Tess Times", role="panel")
    uid = _user_id(site, "Tess Times")
    _sql(site, "UPDATE users SET token_created_at = ?, token_expires_at = ? WHERE id = ?",
         ["2026-07-01T23:30:00+00:00", "2027-01-15T23:30:00+00:00", uid])
    page = admin.get("/admin/users").text
    row = visible_text(page[page.index(f'id="user-{uid}"'):page.index("</tr>", page.index(f'id="user-{uid}"'))])
    assert "Token made Thursday 2 July 2026, 00:30; stops working Friday 15 January 2027, 23:30" in row, row
    r = admin.post(f"/admin/users/{uid}/sign-in-link", data={"csrf_token": csrf(page)})
    (expires,) = _sql(site, "SELECT expires_at FROM sign_in_links WHERE user_id = ?", [uid])[0]
    said = visible_text(r.text)
    assert f"It signs them in once, until {clock.uk_when(expires)}." in said, said
    assert "UTC" not in said and "UTC" not in visible_text(admin.get("/admin/users").text)
