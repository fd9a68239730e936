"""The board report says how its letters were chosen as they were: by the rules the area agreed,
and, when a manager has changed the sample since, how many letters were added and taken out by
hand and what share of the letters as drawn the checks found poor. A review: after a manager added
a letter and took out a poor one, the report still said the letters were chosen by the rules the
area agreed, with 20% (1 of 5) found poor where the draw had given 33% (2 of 6). Real SQLite file."""
from __future__ import annotations

import csv
import io

from panel_setup import seeded_db
from vcl_qa.panel import report, sampling


def _sample_row(data: dict) -> list[str]:
    rows = list(csv.reader(io.StringIO(report.render_csv(data))))
    return next(r for r in rows if r[6:] == ["period", "sample"])


def test_the_report_says_what_a_manager_changed_in_the_sample_by_hand(tmp_path):
    db, users, ids = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=24)
    manager = users["manager"]
    sampling.draw(db, manager, "2025Q1", seed=7)
    drawn = sampling.items(db, "2025Q1")
    data = report.build(db, "2025Q1")
    assert report.sample_words(data) == report.CHOSEN_BY_RULES  # as drawn: the rules alone
    assert report.CHOSEN_BY_RULES in report.render_html(data)
    assert _sample_row(data)[2] == report.CHOSEN_BY_RULES

    poor = [i for i in drawn if i["verdict"] == "poor"]
    assert poor, "the sample letters include poor ones, drawn for their verdict"
    outside = next(i for i in ids if i not in {d["letter_id"] for d in drawn})
    sampling.add_letter(db, manager, "2025Q1", outside, "a letter the team asked the panel to see")
    sampling.remove_letter(db, manager, "2025Q1", poor[0]["letter_id"], "sent to the wrong victim")

    data = report.build(db, "2025Q1")
    words = report.sample_words(data)
    assert words.startswith(report.CHOSEN_BY_RULES)
    assert "A manager then changed the sample by hand: 1 letter added and 1 letter taken out, each with a reason" in words
    poor_as_drawn = sum(1 for i in drawn if i["verdict"] == "poor")
    assert f"({poor_as_drawn} of {len(drawn)} letters) poor" in words  # the draw's share, not the sample's now
    assert data["summary"]["letters"] == len(drawn)  # one in, one out
    assert data["summary"]["poor"] == poor_as_drawn - 1
    html = report.render_html(data)
    assert "A manager then changed the sample by hand" in html
    assert _sample_row(data)[2] == words
    db.close()


def test_a_sample_chosen_only_by_hand_is_not_said_to_follow_the_rules(tmp_path):
    db, users, ids = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=24)
    sampling.add_letter(db, users["manager"], "2025Q1", ids[0], "the team asked for this one")
    words = report.sample_words(report.build(db, "2025Q1"))
    assert words == ("The letter in this sample was chosen by hand by a manager, with a reason kept on record; "
                     "none was drawn by the rules the area agreed.")
    sampling.add_letter(db, users["manager"], "2025Q1", ids[1], "and this one")
    assert report.sample_words(report.build(db, "2025Q1")).startswith(
        "All 2 letters in this sample were chosen by hand by a manager, each with a reason kept on record;")
    assert report.CHOSEN_BY_RULES not in report.render_html(report.build(db, "2025Q1"))
    db.close()


def test_a_drawn_letter_taken_out_and_put_back_is_as_drawn_and_a_hand_added_one_taken_out_changes_nothing(tmp_path):
    """A review: drawn 23 (5 poor), one poor letter taken out and put back: the report said "1
    letter added ... 4 of 22 letters poor" of a sample identical to the draw."""
    db, users, ids = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=24)
    manager = users["manager"]
    sampling.draw(db, manager, "2025Q1", seed=7)
    drawn = sampling.items(db, "2025Q1")
    poor = next(i for i in drawn if i["verdict"] == "poor")
    sampling.remove_letter(db, manager, "2025Q1", poor["letter_id"], "taken out by mistake")
    assert "1 letter taken out" in report.sample_words(report.build(db, "2025Q1"))
    sampling.add_letter(db, manager, "2025Q1", poor["letter_id"], "put back: it was taken out by mistake")
    assert report.sample_words(report.build(db, "2025Q1")) == report.CHOSEN_BY_RULES
    outside = next(i for i in ids if i not in {d["letter_id"] for d in drawn})
    sampling.add_letter(db, manager, "2025Q1", outside, "the team asked for it")
    sampling.remove_letter(db, manager, "2025Q1", outside, "added to the wrong period")
    assert report.sample_words(report.build(db, "2025Q1")) == report.CHOSEN_BY_RULES
    db.close()


def test_a_sampled_letter_deleted_before_rating_is_still_in_the_report_as_drawn(tmp_path):
    """A letter of the sample may be deleted from the service before the panel rates the period
    (the draw may be repeated), and its sample row goes with it: the report counted one letter
    fewer drawn, and the draw's share found poor otherwise, still saying the draw gives the same
    letters. It says the sample changed, and counts the letter as drawn; a new draw replaces it.
    A letter taken out with a reason and deleted later stays counted as taken out."""
    from panel_setup import good_rating
    from vcl_qa.letters import service
    from vcl_qa.panel import rating

    db, users, ids = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=24)
    manager = users["manager"]
    sampling.draw(db, manager, "2025Q1", seed=7)
    drawn = sampling.items(db, "2025Q1")
    poor = [i for i in drawn if i["verdict"] == "poor"]
    before = report.build(db, "2025Q1")
    assert report.sample_words(before) == report.CHOSEN_BY_RULES

    service.delete(db, manager, poor[0]["letter_id"])
    data = report.build(db, "2025Q1")
    words = report.sample_words(data)
    assert words.startswith(report.CHOSEN_BY_RULES.removesuffix(" The draw can be repeated and gives the same letters."))
    assert "The draw can be repeated and gives the same letters" not in words
    assert ("Since then, 1 letter of the sample was deleted from the service before the panel rated it (the "
            "deletion is in the audit log), so the draw would no longer give the same letters.") in words
    assert "of the letters as drawn, the automatic checks found" in words
    assert f"({len(poor)} of {len(drawn)} letters) poor" in words  # the deleted one counted as drawn
    assert data["summary"]["letters"] == len(drawn) - 1 and data["summary"]["poor"] == len(poor) - 1
    assert words in report.render_html(data) and _sample_row(data)[2] == words

    # drawn again: the rules' sample of the letters there are now, nothing deleted from it
    sampling.draw(db, manager, "2025Q1", seed=7)
    assert report.sample_words(report.build(db, "2025Q1")) == report.CHOSEN_BY_RULES

    # taken out with a reason once rating has begun, then deleted: still one taken out, as drawn
    redrawn = sampling.items(db, "2025Q1")
    out = redrawn[0]
    sampling.remove_letter(db, manager, "2025Q1", out["letter_id"], "sent to the wrong victim")
    member = users["panel0"]
    first = rating.queue(db, member, "2025Q1")[0]
    rating.rate(db, member, first["item_id"], good_rating(4))
    taken_out = report.sample_words(report.build(db, "2025Q1"))
    assert "1 letter taken out" in taken_out
    service.delete(db, manager, out["letter_id"])
    assert report.sample_words(report.build(db, "2025Q1")) == taken_out
    db.close()


def test_a_letter_added_by_hand_and_deleted_leaves_the_draw_as_it_was(tmp_path):
    """A review: deleting a letter a manager had added by hand made the report say "the draw
    would no longer give the same letters", and say nothing of the addition, even after a new
    draw. The draw is as it was; the report says a letter added by hand was deleted."""
    from vcl_qa.letters import service

    db, users, ids = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=24)
    manager = users["manager"]
    sampling.draw(db, manager, "2025Q1", seed=7)
    drawn = {i["letter_id"] for i in sampling.items(db, "2025Q1")}
    outside = next(i for i in ids[:24] if i not in drawn)
    sampling.add_letter(db, manager, "2025Q1", outside, "the team asked the panel to see it")
    service.delete(db, manager, outside)
    for _ in range(2):  # as it stands, and drawn again
        words = report.sample_words(report.build(db, "2025Q1"))
        assert words.startswith(report.CHOSEN_BY_RULES)
        assert "would no longer give the same letters" not in words
        assert words.endswith("Since then, 1 letter added by hand was deleted from the service before the panel "
                              "rated it (the deletion is in the audit log); the figures in this report are for the "
                              "sample as it now stands.")
        sampling.draw(db, manager, "2025Q1", seed=7)
    db.close()
