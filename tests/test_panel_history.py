"""A finished panel period's record stays as it was: a letter in the sample of a period the panel
has started rating cannot be deleted (409 naming the period and the way to take it out of the
sample with a reason), so the period's figures and board report cannot change without a record."""
from __future__ import annotations

import httpx
import pytest

from live_server import auth
from panel_setup import good_rating
from vcl_qa.db import open_db
from vcl_qa.db.users import user_by_name
from vcl_qa.panel import agreement, rating, sampling
from web_site import start


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = start(tmp_path_factory, "history")  # 2024Q4 drawn, two panel members
    db = open_db(s["db"])
    try:
        for name, overall in (("Pat Panel", 5), ("Priya Panel", 1)):
            member = user_by_name(db, name)
            for q in rating.queue(db, member, period="2024Q4")[:3]:
                rating.rate(db, member, q["item_id"], good_rating(overall))
    finally:
        db.close()
    yield s
    s["server"].stop()


def _api(site, role: str) -> httpx.Client:
    return httpx.Client(base_url=f"{site['url']}/api/v1", headers=auth(site["tokens"][role]), timeout=30)


def test_a_rated_letter_in_a_sample_cannot_be_deleted_until_taken_out_with_a_reason(site):
    api = _api(site, "manager")
    items = api.get("/panel/periods/2024Q4/items").json()["data"]
    rated = next(i for i in items if i["ratings"])
    unrated = next((i for i in items if not i["ratings"]), None)
    before = api.get("/panel/periods/2024Q4/agreement").json()
    report_before = api.get("/panel/periods/2024Q4/report?format=csv").text

    r = api.delete(f"/letters/{rated['letter_id']}")
    assert r.status_code == 409
    message = r.json()["error"]["message"]
    assert "panel period '2024Q4'" in message and "rated it" in message
    assert f"/panel/periods/2024Q4/items/{rated['letter_id']}/remove" in message and "reason" in message
    if unrated:  # the period's sample is fixed once rating has started: its count would change too
        assert api.delete(f"/letters/{unrated['letter_id']}").status_code == 409
    assert api.get(f"/letters/{rated['letter_id']}").status_code == 200
    assert api.get("/panel/periods/2024Q4/agreement").json() == before
    assert api.get("/panel/periods/2024Q4/report?format=csv").text == report_before

    # Taken out of the sample with a reason (on record), it can then be deleted.
    r = api.post(f"/panel/periods/2024Q4/items/{rated['letter_id']}/remove",
                 json={"reason": "sent to the wrong victim; to be deleted"})
    assert r.status_code == 200 and r.json()["remove_reason"].startswith("sent to the wrong victim")
    assert api.get("/panel/periods/2024Q4/agreement").json()["letters"] == before["letters"] - 1
    assert api.delete(f"/letters/{rated['letter_id']}").status_code == 204
    db = open_db(site["db"])
    try:  # the removal and its reason stay in the audit log after the letter is gone
        details = [d for (d,) in db.execute("SELECT detail FROM audit_log WHERE action = 'panel.item.remove'")]
    finally:
        db.close()
    assert any(str(rated["letter_id"]) in d and "wrong victim" in d for d in details)


def test_a_letter_in_no_rated_period_is_deleted_as_before(tmp_path):
    from panel_setup import seeded_db
    from vcl_qa.letters import store

    db, users, ids = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=24)
    sampling.draw(db, users["manager"], "2025Q1")
    letter_id = sampling.items(db, "2025Q1")[0]["letter_id"]
    store.delete(db, users["manager"], letter_id)  # nobody has rated: the period may still be drawn again
    assert letter_id not in {i["letter_id"] for i in sampling.items(db, "2025Q1")}
    assert agreement.agreement(db, "2025Q1")["ratings"] == 0
    db.close()


def test_the_period_page_shows_each_members_progress_and_no_false_waiting(site):
    """Review 9: the period page said "Waiting for your check" on letters drawn straight to the
    panel and already rated, and showed no member's progress (one had rated half)."""
    from web_site import signed_in, visible_text

    db = open_db(site["db"])
    try:
        preview = db.execute("SELECT preview FROM panel_periods WHERE name = '2024Q4'").fetchone()[0]
        progress = sampling.member_progress(db, "2024Q4")
    finally:
        db.close()
    members = {m["name"]: m for m in progress}
    assert set(members) >= {"Pat Panel", "Priya Panel"}
    # each rated 3 (one of them may since have been taken out of the sample, above)
    assert all(2 <= members[n]["rated"] <= 3 < members[n]["assigned"] + 1 for n in ("Pat Panel", "Priya Panel"))
    page = visible_text(signed_in(site, "manager").get("/panel-periods/2024Q4").text)
    assert "How far each panel member has got" in page
    pat = members["Pat Panel"]
    assert f"Pat Panel: rated {pat['rated']} of {pat['assigned']}" in page
    if not preview:
        assert "Waiting for your check" not in page and "still to approve" not in page
        assert "In the panel's queues" in page


def test_pages_say_a_purged_letters_panel_copy_was_removed(site):
    """(After the test above.) Purged, the letters' panel copies are empty and every page that
    showed them says why."""
    import datetime as dt
    import re

    from vcl_qa.letters import bulk
    from web_site import signed_in, visible_text

    db = open_db(site["db"])
    try:
        bulk.purge(db, 0, today=dt.date(2100, 1, 1))
        assert not db.execute("SELECT count(*) FROM panel_items WHERE text != ''").fetchone()[0]
    finally:
        db.close()
    manager = signed_in(site, "manager")
    period = visible_text(manager.get("/panel-periods/2024Q4").text)
    assert "Its text was removed under the retention rules" in period
    board = visible_text(manager.get("/panel-periods/2024Q4/report").text)
    assert "purged under the retention rules" in board and "ratings still count" in board
    member = signed_in(site, "panel")
    codes = re.findall(r'href="/panel/([0-9a-f]{16})"', member.get("/panel").text)
    pages = [visible_text(member.get(f"/panel/{c}").text) for c in codes]
    assert pages and all("This letter's text was removed under the retention rules" in p for p in pages)
    assert any("Your scores still count" in p for p in pages) and any("can no longer be rated" in p for p in pages)
    assert _api(site, "panel").get(f"/review-queue/{codes[0]}").json()["text_removed"] is True
