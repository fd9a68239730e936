"""Sampling policy: every poor letter, a stratified random share of the rest, a repeatable
seeded draw, manual additions and removals with reasons, and rater assignment."""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from panel_setup import good_rating, seeded_db
from vcl_qa.errors import LetterError
from vcl_qa.panel import periods
from vcl_qa.panel import rating
from vcl_qa.panel import sampling
from vcl_qa.panel import settings
from vcl_qa.letters.service import submit
from vcl_qa.letters.store import Conflict, NotFound

POLICY = {"seed": 7, "always_include_verdicts": ["poor"], "random_share": 0.25, "min_per_stratum": 1,
          "strata": ["decision", "offence"], "max_letters": 1000, "raters_per_letter": 2}


def fake_letters(n: int = 200) -> list[dict]:
    rng = random.Random(1)
    out = []
    for i in range(1, n + 1):
        out.append({"id": i, "decision": rng.choice(["discontinued", "not_charged", "charge_altered"]),
                    "offence": rng.choice(["assault", "theft"]),
                    "verdict": "poor" if i % 10 == 0 else rng.choice(["good", "needs_work"]),
                    "score": 30 if i % 10 == 0 else 80})
    return out


def test_every_poor_letter_and_a_share_of_each_stratum():
    letters = fake_letters()
    sample, counts = sampling.choose(letters, POLICY, random.Random("7:2025Q1"))
    chosen = {l["id"]: reason for l, reason in sample}
    assert {l["id"] for l in letters if l["verdict"] == "poor"} <= set(chosen)
    assert all(chosen[l["id"]] == "verdict" for l in letters if l["verdict"] == "poor")
    assert len(counts) == 6  # 3 decisions x 2 offences
    for key, c in counts.items():
        rest = [l for l in letters if f"{l['decision']}/{l['offence']}" == key and l["verdict"] != "poor"]
        assert c["random"] == int(0.25 * len(rest) + 0.5)
        drawn = [l for l, r in sample if r == "random" and f"{l['decision']}/{l['offence']}" == key]
        assert len(drawn) == c["random"]


def test_same_seed_same_sample_other_seed_other_sample():
    letters = fake_letters()
    ids = lambda seed: [l["id"] for l, _ in sampling.choose(letters, POLICY, random.Random(seed))[0]]
    assert ids("7:2025Q1") == ids("7:2025Q1")
    assert ids("7:2025Q1") != ids("8:2025Q1")


def test_min_per_stratum_and_cap_keep_poor_letters_first():
    letters = fake_letters(40)
    small = {**POLICY, "random_share": 0.0, "min_per_stratum": 1}
    sample, counts = sampling.choose(letters, small, random.Random(1))
    assert all(c["random"] == 1 for c in counts.values())
    capped = {**POLICY, "max_letters": 3}
    sample, _ = sampling.choose(letters, capped, random.Random(1))
    assert [r for _, r in sample] == ["verdict", "verdict", "verdict"]


def test_stratum_of_names_unknown_values():
    assert sampling.stratum_of({"decision": "discontinued", "offence": None}, ["decision", "offence"]) == "discontinued/unknown"
    assert sampling.stratum_of({"bereaved": 1}, ["bereaved"]) == "bereaved"


def test_period_names_bring_dates():
    assert periods.dates_for("2025Q1") == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert periods.dates_for("2024Q4") == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert periods.dates_for("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert periods.dates_for("spring") is None


def test_policy_defaults_from_rules_and_manager_changes(tmp_path):
    db, users, _ = seeded_db(tmp_path / "p.db", q1_letters=2)
    assert settings.policy(db)["raters_per_letter"] == 2
    assert settings.policy(db)["strata"] == ["decision", "offence"]
    changed = settings.update_policy(db, users["manager"], {"random_share": 0.5, "seed": 99})
    assert (changed["random_share"], changed["seed"]) == (0.5, 99)
    with pytest.raises(LetterError) as err:
        settings.update_policy(db, users["manager"], {"random_share": 2})
    assert err.value.field == "random_share"
    with pytest.raises(LetterError) as err:
        settings.update_policy(db, users["manager"], {"strata": ["victim_name"]})
    assert err.value.field == "strata"


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    db, users, ids = seeded_db(tmp_path_factory.mktemp("draw") / "p.db", panel_members=3)
    summary = sampling.draw(db, users["manager"], "2025Q1")
    yield db, users, ids, summary
    db.close()


def test_draw_takes_only_letters_sent_in_the_period(drawn):
    db, users, ids, summary = drawn
    assert summary["population"] == 24
    in_period = {r[0] for r in db.execute("SELECT id FROM letters WHERE sent_date BETWEEN '2025-01-01' AND '2025-03-31'")}
    assert {i["letter_id"] for i in sampling.items(db, "2025Q1")} <= in_period
    assert summary["letters"] == summary["by_verdict"] + summary["random"]
    poor = {r[0] for r in db.execute("SELECT id FROM letters WHERE verdict = 'poor' AND id IN (%s)"
                                     % ",".join(map(str, in_period)))}
    assert poor <= {i["letter_id"] for i in sampling.items(db, "2025Q1")}


def test_each_letter_gets_two_different_raters_evenly(drawn):
    db, users, ids, summary = drawn
    items = sampling.items(db, "2025Q1")
    assert all(len(i["raters"]) == 2 and len(set(i["raters"])) == 2 for i in items)
    load = Counter(r for i in items for r in i["raters"])
    assert set(load) == {"panel-0", "panel-1", "panel-2"}
    assert max(load.values()) - min(load.values()) <= 1
    assert summary["assigned"] == 2 * len(items)


def test_redraw_with_same_seed_is_identical(tmp_path):
    db, users, _ = seeded_db(tmp_path / "p.db")
    sampling.draw(db, users["manager"], "2025Q1")
    first = [i["letter_id"] for i in sampling.items(db, "2025Q1")]
    sampling.draw(db, users["manager"], "2025Q1")
    assert [i["letter_id"] for i in sampling.items(db, "2025Q1")] == first
    sampling.draw(db, users["manager"], "2025Q1", seed=12345)
    assert periods.get_period(db, "2025Q1")["seed"] == "12345"


def test_manual_add_and_remove_with_reasons(tmp_path):
    db, users, ids = seeded_db(tmp_path / "p.db")
    sampling.draw(db, users["manager"], "2025Q1")
    inside = {i["letter_id"] for i in sampling.items(db, "2025Q1")}
    outside = next(i for i in ids[:24] if i not in inside)  # sent in 2025Q1, not drawn
    added = sampling.add_letter(db, users["manager"], "2025Q1", outside, "complaint from the victim")
    # A letter sent in another period is refused, saying when it was sent (found in a manager's
    # review: the panel was told it was sent in the period, and the board's report counted it there).
    earlier = ids[24]  # sent in 2024Q4
    with pytest.raises(Conflict, match=r"was sent on .*2024, outside panel period '2025Q1' \(.*1 January 2025 to .*31 March 2025\)"):
        sampling.add_letter(db, users["manager"], "2025Q1", earlier, "complaint from the victim")
    assert earlier not in {i["letter_id"] for i in sampling.items(db, "2025Q1", include_removed=True)}
    assert (added["reason"], added["note"], len(added["raters"])) == ("manual", "complaint from the victim", 2)
    with pytest.raises(Conflict):
        sampling.add_letter(db, users["manager"], "2025Q1", outside, "again")
    with pytest.raises(LetterError):
        sampling.add_letter(db, users["manager"], "2025Q1", outside, "  ")
    draft = submit(db, users["north"], "Dear Ms Okafor\nWe have decided to stop the case.\n",
                   {"decision": "discontinued"}, team="north")["id"]
    with pytest.raises(Conflict):
        sampling.add_letter(db, users["manager"], "2025Q1", draft, "not sent yet")
    gone = next(iter(inside))
    removed = sampling.remove_letter(db, users["manager"], "2025Q1", gone, "the case is still live")
    assert removed["remove_reason"] == "the case is still live"
    assert gone not in {i["letter_id"] for i in sampling.items(db, "2025Q1")}
    with pytest.raises(NotFound):
        sampling.remove_letter(db, users["manager"], "2025Q1", gone, "twice")
    # A re-draw keeps the manual letter in and the removed one out.
    sampling.draw(db, users["manager"], "2025Q1")
    now = {i["letter_id"] for i in sampling.items(db, "2025Q1")}
    assert outside in now and gone not in now
    removed_row = [i for i in sampling.items(db, "2025Q1", include_removed=True) if i["letter_id"] == gone]
    assert removed_row[0]["removed_at"] is not None
    # Removed letters leave the raters' queues.
    codes = {r[0] for r in db.execute("SELECT a.code FROM panel_assignments a JOIN panel_items i"
                                      " ON i.id = a.item_id WHERE i.letter_id = ?", [gone])}
    assert len(codes) == 2
    queued = {q["item_id"] for n in range(3) for q in rating.queue(db, users[f"panel{n}"])}
    assert queued and not codes & queued


def test_no_redraw_after_ratings(tmp_path):
    db, users, _ = seeded_db(tmp_path / "p.db", q1_letters=6)
    sampling.draw(db, users["manager"], "2025Q1")
    code = rating.queue(db, users["panel0"])[0]["item_id"]
    rating.rate(db, users["panel0"], code, good_rating())
    with pytest.raises(Conflict):
        sampling.draw(db, users["manager"], "2025Q1")


def test_fewer_panel_members_than_raters_wanted(tmp_path):
    db, users, _ = seeded_db(tmp_path / "p.db", panel_members=1, q1_letters=4)
    sampling.draw(db, users["manager"], "2025Q1")
    assert all(i["raters"] == ["panel-0"] for i in sampling.items(db, "2025Q1"))
    from vcl_qa.db.users import add_user
    add_user(db, "panel-late", "panel")
    added = sampling.assign(db, "2025Q1")
    items = sampling.items(db, "2025Q1")
    assert added == len(items)
    assert all(sorted(i["raters"]) == ["panel-0", "panel-late"] for i in items)


def test_rubric_in_rules_must_describe_every_point(tmp_path, monkeypatch):
    import shutil

    import yaml

    from vcl_qa.errors import RulesError
    from vcl_qa.engine.rules_data import rules_dir

    rules = tmp_path / "rules"
    shutil.copytree(rules_dir(), rules)
    data = yaml.safe_load((rules / "panel.yml").read_text())
    del data["rubric"]["items"][0]["points"][3]
    (rules / "panel.yml").write_text(yaml.safe_dump(data))
    monkeypatch.setenv("VCL_QA_RULES", str(rules))
    settings.load_panel_rules.cache_clear()
    try:
        with pytest.raises(RulesError, match="every point from 1 to 5"):
            settings.load_panel_rules()
    finally:
        monkeypatch.delenv("VCL_QA_RULES")
        settings.load_panel_rules.cache_clear()
    assert settings.load_panel_rules().item_ids == ["clarity", "empathy", "explanation", "next_steps"]


def test_a_letter_goes_to_the_panel_once_over_periods_that_overlap(tmp_path):
    """An audit: with 2024Q4 drawn, a period 2024-12 drew 4 of its 5 letters again, the same
    members were given them twice, and a letter's feedback listed each rating twice. A draw
    leaves out letters in another period's sample, and says how many; one added by hand is
    refused, naming the period it is in."""
    db, users, _ = seeded_db(tmp_path / "overlap.db")
    sampling.draw(db, users["manager"], "2024Q4")
    q4 = {i["letter_id"] for i in sampling.items(db, "2024Q4")}
    december = [r[0] for r in db.execute("SELECT id FROM letters WHERE sent_date BETWEEN '2024-12-01' AND '2024-12-31'")]
    taken = [i for i in december if i in q4]
    assert taken, "some of December's letters are in the quarter's sample"
    summary = sampling.draw(db, users["manager"], "2024-12")
    dec = {i["letter_id"] for i in sampling.items(db, "2024-12")}
    assert not dec & q4 and summary["in_other_periods"] == len(taken)
    assert summary["population"] == len(december) - len(taken)
    with pytest.raises(Conflict, match=f"letter {taken[0]} is already in panel period '2024Q4'"):
        sampling.add_letter(db, users["manager"], "2024-12", taken[0], "asked for by the team")
    # taken out of the quarter's sample, it may go to December's
    sampling.remove_letter(db, users["manager"], "2024Q4", taken[0], "moved to the December review")
    sampling.add_letter(db, users["manager"], "2024-12", taken[0], "moved from the quarter's review")
    assert taken[0] in {i["letter_id"] for i in sampling.items(db, "2024-12")}
    db.close()


def test_a_period_name_is_one_period_whatever_its_capitals_and_names_its_own_dates(tmp_path):
    """An audit: "2025q3" and "2025Q3" were two periods of the same quarter, and "2025Q1" was
    made from 1 to 28 February (the board's report would say "January to March 2025")."""
    db, users, _ = seeded_db(tmp_path / "names.db", q1_letters=2)
    periods.create_period(db, users["manager"], "2025Q3")
    with pytest.raises(Conflict, match=r"'2025q3' already exists \(as '2025Q3'"):
        periods.create_period(db, users["manager"], "2025q3")
    assert periods.get_period(db, "2025q3")["name"] == "2025Q3"
    with pytest.raises(LetterError, match="'2025Q1' names January to March 2025") as err:
        periods.create_period(db, users["manager"], "2025Q1", dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    assert err.value.field == "start_date"
    made = periods.create_period(db, users["manager"], "2025Q1", dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert (made["start_date"], made["end_date"]) == ("2025-01-01", "2025-03-31")
    assert periods.create_period(db, users["manager"], "feb-review", dt.date(2025, 2, 1),
                                 dt.date(2025, 2, 28))["name"] == "feb-review"
    db.close()


def test_a_switched_off_member_gives_up_the_letters_they_had_not_rated(tmp_path):
    """A review: a panel member switched off kept their letters, and `assign` never gave those
    to another member, so they were never rated twice. Their places go to members still on; a
    rating they gave before still counts and keeps its place."""
    from vcl_qa.db.users import add_user, disable_user

    db, users, _ = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=6)
    sampling.draw(db, users["manager"], "2025Q1")
    items = sampling.items(db, "2025Q1")
    assert all(sorted(i["raters"]) == ["panel-0", "panel-1"] for i in items)
    rated = rating.queue(db, users["panel1"])[0]["item_id"]
    rating.rate(db, users["panel1"], rated, good_rating())
    disable_user(db, users["panel1"].id)
    assert sampling.assign(db, "2025Q1") == 0  # nobody to give them to yet
    add_user(db, "panel-new", "panel")
    assert sampling.assign(db, "2025Q1") == len(items) - 1  # all but the one panel-1 rated
    after = sampling.items(db, "2025Q1")
    assert sum("panel-new" in i["raters"] for i in after) == len(items) - 1
    assert all("panel-0" in i["raters"] for i in after)
    assert sampling.assign(db, "2025Q1") == 0  # (nothing more to give)


def test_a_rated_letter_taken_out_and_put_back_keeps_its_ratings(tmp_path):
    """A review: putting back a letter taken out deleted its sample row and made a new one, and
    with it the ratings the panel had given (the report went from 12 ratings to 10 with no word
    of why). Put back, it is the row it was: its raters, their codes and their ratings, which
    count again."""
    from vcl_qa.panel import report

    db, users, _ = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=6)
    manager = users["manager"]
    sampling.draw(db, manager, "2025Q1")
    code = rating.queue(db, users["panel0"])[0]["item_id"]
    rating.rate(db, users["panel0"], code, good_rating(2, "Too much legal wording."))
    item = next(i for i in sampling.items(db, "2025Q1") if code in {
        r[0] for r in db.execute("SELECT code FROM panel_assignments WHERE item_id = ?", [i["id"]])})
    letter_id = item["letter_id"]
    counted = report.build(db, "2025Q1")["summary"]
    sampling.remove_letter(db, manager, "2025Q1", letter_id, "sent to the wrong victim")
    assert report.build(db, "2025Q1")["summary"]["ratings"] == counted["ratings"] - 1
    back = sampling.add_letter(db, manager, "2025Q1", letter_id, "it was the right victim after all")
    assert back["id"] == item["id"] and back["removed_at"] is None and back["reason"] == item["reason"]
    assert report.build(db, "2025Q1")["summary"] == counted
    assert code in {q["item_id"] for q in rating.queue(db, users["panel0"])}  # the same code, rated
    assert db.execute("SELECT count(*) FROM panel_ratings").fetchone()[0] == 1
    assert report.sample_words(report.build(db, "2025Q1")) == report.CHOSEN_BY_RULES


def test_a_letter_in_a_rated_sample_keeps_its_sent_mark(tmp_path):
    """A review: staff, who may not delete a letter the panel has rated, could undo its sent
    mark, save a new version and mark it sent on a day outside the period: it stayed in the
    sample, rated on a text that did not go out. Undoing the mark is refused as deleting is,
    until a manager takes it out of the sample; a letter taken out and changed since is not put
    back over its ratings."""
    from vcl_qa.letters import service

    db, users, _ = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=6)
    manager = users["manager"]
    sampling.draw(db, manager, "2025Q1")
    code = rating.queue(db, users["panel0"])[0]["item_id"]
    rating.rate(db, users["panel0"], code, good_rating())
    items = sampling.items(db, "2025Q1")
    rated = next(i for i in items if code in {
        r[0] for r in db.execute("SELECT code FROM panel_assignments WHERE item_id = ?", [i["id"]])})
    other = next(i for i in items if i["id"] != rated["id"])
    for letter_id in (rated["letter_id"], other["letter_id"]):
        with pytest.raises(Conflict, match=rf"letter {letter_id} is in the sample of panel period '2025Q1' and .*; "
                                           r"undoing its sent mark would change that period's figures and board "
                                           r"report\..* Then its sent mark can be undone"):
            service.undo_sent(db, manager, letter_id)
    assert db.execute("SELECT status FROM letters WHERE id = ?", [rated["letter_id"]]).fetchone()[0] == "sent"
    sampling.remove_letter(db, manager, "2025Q1", rated["letter_id"], "the sent date was wrong")
    service.undo_sent(db, manager, rated["letter_id"])
    row = db.execute("SELECT text, context FROM versions WHERE letter_id = ? ORDER BY version DESC LIMIT 1",
                     [rated["letter_id"]]).fetchone()
    import json

    text = row[0].replace("Yours sincerely", "With my best wishes,\n\nYours sincerely")
    service.submit(db, manager, text, json.loads(row[1]), letter_id=rated["letter_id"])
    service.mark_sent(db, manager, rated["letter_id"], dt.date(2025, 2, 3),
                      before_saved_reason="posted first, saved here afterwards to record it")
    with pytest.raises(Conflict, match=r"was rated 1 time in panel period '2025Q1' as version 1 before it was "
                                       r"taken out, and the letter sent now is version 2"):
        sampling.add_letter(db, manager, "2025Q1", rated["letter_id"], "put it back")
    assert db.execute("SELECT count(*) FROM panel_ratings").fetchone()[0] == 1


def test_a_member_switched_off_and_on_again_does_not_make_a_third_rater(tmp_path):
    """A review: assign gave a switched-off member's unrated letters to another member but left
    the old places: switched on again, each letter had three raters, and while off the progress
    list said "rated 0 of 6". The places they had not rated are given up."""
    from vcl_qa.db.users import add_user, disable_user, enable_user

    db, users, _ = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=6)
    sampling.draw(db, users["manager"], "2025Q1")
    n = len(sampling.items(db, "2025Q1"))
    disable_user(db, users["panel1"].id)
    add_user(db, "panel-new", "panel")
    assert sampling.assign(db, "2025Q1") == n
    assert [m["name"] for m in sampling.member_progress(db, "2025Q1")] == sorted(["panel-0", "panel-new"])
    enable_user(db, users["panel1"].id)
    assert sampling.assign(db, "2025Q1") == 0
    assert all(sorted(i["raters"]) == ["panel-0", "panel-new"] for i in sampling.items(db, "2025Q1"))
    assert rating.queue(db, users["panel1"]) == []


def test_a_sampled_letter_keeps_its_sent_mark_before_any_rating_too(tmp_path):
    """A review: with no rating in the period yet, staff could still undo the sent mark of a
    letter in the sample, change it and mark it sent outside the period, the panel reading the
    copy of the letter as it went out."""
    from vcl_qa.letters import service

    db, users, _ = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=6)
    sampling.draw(db, users["manager"], "2025Q1")
    letter_id = sampling.items(db, "2025Q1")[0]["letter_id"]
    with pytest.raises(Conflict, match=r"is in the sample of panel period '2025Q1' and the panel may read it \(a "
                                       r"manager can take it out, or draw the sample again before any rating\); "
                                       r"undoing its sent mark would"):
        service.undo_sent(db, users["manager"], letter_id)
    sampling.remove_letter(db, users["manager"], "2025Q1", letter_id, "the sent date was wrong")
    service.undo_sent(db, users["manager"], letter_id)  # taken out first: allowed
    assert db.execute("SELECT status FROM letters WHERE id = ?", [letter_id]).fetchone()[0] == "draft"
