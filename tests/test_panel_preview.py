"""A manager checks each anonymised letter before the panel reads it (vcl_qa.panel.sampling:
preview, hide_words, approve), in the library and in the pages against the real server."""
from __future__ import annotations

import re

import pytest

from panel_setup import good_rating, seeded_db
from vcl_qa.letters.store import Conflict
from vcl_qa.errors import LetterError
from vcl_qa.panel import rating, sampling
from web_site import csrf, signed_in, start, visible_text


@pytest.fixture()
def env(tmp_path):
    db, users, ids = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=24)
    yield db, users
    db.close()


def _queue(db, users) -> list[dict]:
    return rating.queue(db, users["panel0"]) + rating.queue(db, users["panel1"])


def test_a_held_period_reaches_the_panel_only_once_approved(env):
    db, users = env
    sampling.draw(db, users["manager"], "2025Q1", preview=True)
    items = sampling.preview_items(db, "2025Q1")
    assert items and not any(i["approved_at"] for i in items)
    assert _queue(db, users) == []
    assert sampling.approve(db, users["manager"], "2025Q1", [items[0]["id"]]) == 1
    assert len(_queue(db, users)) == 2  # two raters for the one approved letter
    assert sampling.approve(db, users["manager"], "2025Q1") == len(items) - 1
    assert len(_queue(db, users)) == 2 * len(items)
    assert sampling.approve(db, users["manager"], "2025Q1") == 0


def test_a_period_drawn_without_preview_goes_straight_to_the_panel(env):
    db, users = env
    sampling.draw(db, users["manager"], "2025Q1")
    assert len(_queue(db, users)) == 2 * len(sampling.preview_items(db, "2025Q1"))


def test_words_a_manager_hides_are_gone_from_what_the_panel_reads(env):
    db, users = env
    sampling.draw(db, users["manager"], "2025Q1", preview=True)
    item = sampling.preview_items(db, "2025Q1")[0]
    word = next(w for w in re.findall(r"\b[a-z]{6,}\b", item["text"]))
    out = sampling.hide_words(db, users["manager"], "2025Q1", item["id"], [word, " ", word.upper()])
    assert "[HIDDEN]" in out["text"] and not re.search(rf"(?i)\b{word}\b", out["text"])
    assert out["hidden_words"] == [word, word.upper()]
    audit = db.execute("SELECT detail FROM audit_log WHERE action = 'panel.item.hide'").fetchone()[0]
    assert word not in audit  # counts only
    sampling.approve(db, users["manager"], "2025Q1")
    code = next(q["item_id"] for q in rating.queue(db, users["panel0"])
                if rating.open_item(db, users["panel0"], q["item_id"])["text"] == out["text"])
    assert "[HIDDEN]" in rating.open_item(db, users["panel0"], code)["text"]
    # Once rated, the text is fixed: marked passages point into it.
    rating.rate(db, users["panel0"], code, good_rating())
    with pytest.raises(Conflict):
        sampling.hide_words(db, users["manager"], "2025Q1", item["id"], ["letter"])
    with pytest.raises(LetterError):
        sampling.hide_words(db, users["manager"], "2025Q1", item["id"], ["x"] * 51)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = start(tmp_path_factory, "preview")
    yield s
    s["server"].stop()


def test_pages_draw_check_hide_and_approve(site):
    manager = signed_in(site, "manager")
    page = manager.get("/panel-periods").text
    assert 'name="preview" value="yes" checked' in page
    r = manager.post("/panel-periods", data={"csrf_token": csrf(page), "period": "2025Q2", "preview": "yes"})
    assert r.status_code == 303 and r.headers["location"] == "/panel-periods/2025Q2?drawn=1"
    check = manager.get(r.headers["location"])
    assert "Check the letters before the panel reads them" in check.text
    ids = re.findall(r'id="item-(\d+)"', check.text)
    assert ids
    panel = signed_in(site, "panel")
    assert "April to June 2025" not in panel.get("/panel").text  # nothing approved yet
    text = visible_text(re.search(rf'id="item-{ids[0]}".*?<div class="anonymised"[^>]*>(.*?)</div>', check.text, re.S).group(1))
    word = re.findall(r"\b[a-z]{7,}\b", text)[0]
    r = manager.post(f"/panel-periods/2025Q2/items/{ids[0]}/hide", data={"csrf_token": csrf(check.text), "words": word})
    assert r.status_code == 303
    r = manager.post("/panel-periods/2025Q2/items/99999999/hide", data={"csrf_token": csrf(check.text), "words": "x"})
    assert r.status_code == 404
    r = manager.post("/panel-periods/2025Q2/approve", data={"csrf_token": csrf(check.text), "item_id": "1x"})
    assert r.status_code == 404  # not "approve them all"
    r = manager.post("/panel-periods/2025Q2/approve", data={"csrf_token": csrf(check.text), "item_id": ids[0]})
    assert r.status_code == 303
    queue = panel.get("/panel").text
    assert queue.count("April to June 2025") == 1
    code = re.findall(r'href="/panel/([0-9a-f]{16})"', queue)
    letters = [panel.get(f"/panel/{c}").text for c in code]
    assert any("[HIDDEN]" in p and word not in visible_text(p) for p in letters)
    r = manager.post("/panel-periods/2025Q2/approve", data={"csrf_token": csrf(check.text)})
    assert panel.get("/panel").text.count("April to June 2025") == len(ids)
    assert "0 of" in visible_text(manager.get("/panel-periods/2025Q2").text)
    assert signed_in(site, "panel").get("/panel-periods/2025Q2").status_code == 403
    assert manager.get("/panel-periods/1999Q9").status_code == 404
