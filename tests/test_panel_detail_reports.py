"""A panel member who sees a detail that should have been hidden tells the panel's organiser from
the letter's page (the guide asked them to, with no way to do it: a review), or through the API;
the manager reads it on the period's page, and hides the words or, once the letter is rated and its
text fixed, takes the letter out of the panel's list with a reason (no page did that: a refused
delete sent managers to the API). The words are kept for managers only, never in the audit log,
and emptied by a purge. The real server on a real SQLite file."""
from __future__ import annotations

import json

import httpx
import pytest

from vcl_qa.letters.store import Conflict
from panel_letter_site import start
from web_site import csrf, field_error, signed_in, visible_text


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = start(tmp_path_factory, "panel_detail")
    yield s
    s["server"].stop()


def test_a_member_reports_a_detail_and_the_manager_takes_the_rated_letter_out(site):
    from vcl_qa.db import open_db
    from vcl_qa.panel import sampling

    panel = signed_in(site, "panel")
    page = panel.get(f"/panel/{site['code']}").text
    assert "Does anything here still show who someone is?" in visible_text(page)
    token = csrf(page)
    # control characters and too many characters are refused beside the box, the words kept
    bad = panel.post(f"/panel/{site['code']}/detail", data={"csrf_token": token, "words": "Meadow\x1b View"})
    assert bad.status_code == 400
    assert "control characters" in field_error(bad.text, "detail-words")
    assert ">Meadow View</textarea>" in bad.text and 'id="report-detail" open' in bad.text
    long = panel.post(f"/panel/{site['code']}/detail", data={"csrf_token": token, "words": "x" * 501})
    assert long.status_code == 400 and field_error(long.text, "detail-words") == "At most 500 characters."
    sent = panel.post(f"/panel/{site['code']}/detail", data={"csrf_token": token, "words": "14 Meadow View"},
                      follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == f"/panel/{site['code']}?saved=detail"
    thanks = visible_text(panel.get(sent.headers["location"]).text)
    assert "Thank you. The panel's organiser will see what you reported and hide it" in thanks
    # through the API too, with no words
    api = httpx.post(f"{site['url']}/api/v1/review-queue/{site['code']}/detail-reports", json={},
                     headers={"Authorization": f"Bearer {site['tokens']['panel']}"})
    assert api.status_code == 201 and api.json() == {"reports": 2}
    staff = httpx.post(f"{site['url']}/api/v1/review-queue/{site['code']}/detail-reports", json={},
                       headers={"Authorization": f"Bearer {site['tokens']['staff']}"})
    assert staff.status_code == 403

    manager = signed_in(site, "manager")
    period = manager.get("/panel-periods/2026Q4").text
    said = visible_text(period)
    assert "Panel members said 1 letter still shows something that should have been hidden: letter 1 ." in said
    assert "“14 Meadow View”" in said and "(they did not say which words)" in said
    assert "It has been rated, so its text can no longer change" in said
    item_id = sampling_item(site)
    empty = manager.post(f"/panel-periods/2026Q4/items/{item_id}/remove", data={"csrf_token": csrf(period), "reason": " "})
    assert empty.status_code == 400 and field_error(empty.text, f"reason-{item_id}") == "Say why the letter is taken out."
    out = manager.post(f"/panel-periods/2026Q4/items/{item_id}/remove",
                       data={"csrf_token": csrf(period), "reason": "a panel member saw the victim's street"},
                       follow_redirects=False)
    assert out.status_code == 303
    assert "The letter is out of the panel's list" in visible_text(manager.get(out.headers["location"]).text)
    db = open_db(site["db"])
    try:
        removed = [i for i in sampling.items(db, "2026Q4", include_removed=True) if i["id"] == item_id][0]
        assert removed["remove_reason"] == "a panel member saw the victim's street"
        audit = [json.loads(r[0] or "{}") for r in db.execute(
            "SELECT detail FROM audit_log WHERE action = 'panel.detail_report'")]
        assert len(audit) == 2 and "Meadow" not in json.dumps(audit)
    finally:
        db.close()


def sampling_item(site) -> int:
    from vcl_qa.db import open_db

    db = open_db(site["db"])
    try:
        return db.execute("SELECT id FROM panel_items WHERE letter_id = ?", [site["letter_id"]]).fetchone()[0]
    finally:
        db.close()


def test_a_purge_empties_the_words_reported(tmp_path):
    from panel_setup import seeded_db
    from vcl_qa.panel import rating, retention, sampling

    db, users, _ = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=4)
    sampling.draw(db, users["manager"], "2025Q1")
    code = rating.queue(db, users["panel0"])[0]["item_id"]
    assert rating.report_detail(db, users["panel0"], code, "  the corner shop on Mill Lane ") == 1
    item = db.execute("SELECT item_id FROM panel_assignments WHERE code = ?", [code]).fetchone()[0]
    letter = db.execute("SELECT letter_id FROM panel_items WHERE id = ?", [item]).fetchone()[0]
    reports = [i for i in sampling.preview_items(db, "2025Q1") if i["id"] == item][0]["detail_reports"]
    assert [r["words"] for r in reports] == ["the corner shop on Mill Lane"]
    retention.purge_letter(db, letter)
    assert db.execute("SELECT words FROM panel_detail_reports").fetchall() == [(None,)]
    # a letter purged already takes no more words (a review: a purge never reaches them again)
    db.execute("UPDATE letters SET purged_at = '2026-01-01T00:00:00+00:00' WHERE id = ?", [letter])
    with pytest.raises(Conflict, match="this letter's text was removed under the retention rules"):
        rating.report_detail(db, users["panel0"], code, "Jane Okafor of 14 Meadow View")
    assert db.execute("SELECT count(*) FROM panel_detail_reports").fetchone()[0] == 1
    db.close()


def test_one_member_may_report_one_letter_ten_times_at_most(tmp_path):
    """The managers' page lists every report: a member's hundreds (a stuck key, a script) would
    bury the others. The eleventh is refused, saying why; nothing more is stored."""
    from panel_setup import seeded_db
    from vcl_qa.errors import LetterError
    from vcl_qa.panel import rating, sampling

    db, users, _ = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=4)
    sampling.draw(db, users["manager"], "2025Q1")
    code = rating.queue(db, users["panel0"])[0]["item_id"]
    for n in range(1, rating.DETAIL_REPORTS_MOST + 1):
        assert rating.report_detail(db, users["panel0"], code, f"words {n}") == n
    with pytest.raises(LetterError, match="you have told the organiser about this letter 10 times already, which "
                                          "is the most: they will see what you said"):
        rating.report_detail(db, users["panel0"], code, "once more")
    assert db.execute("SELECT count(*) FROM panel_detail_reports").fetchone()[0] == 10
    item = db.execute("SELECT item_id FROM panel_assignments WHERE code = ?", [code]).fetchone()[0]
    (same,) = db.execute("SELECT code FROM panel_assignments WHERE item_id = ? AND rater_id = ?",
                         [item, users["panel1"].id]).fetchone()
    # another member may still say so, and is told their own count, not how many others reported it
    assert rating.report_detail(db, users["panel1"], same, None) == 1
    assert db.execute("SELECT count(*) FROM panel_detail_reports").fetchone()[0] == 11
    db.close()
