"""Rating: own queue only, anonymised text, rubric validation, findings only after rating and
mapped onto the anonymised text, "not a problem" verdicts, agreement, feedback to authors."""
from __future__ import annotations

import json
import random
import re

import pytest

from panel_setup import good_rating, seeded_db
from vcl_qa.errors import LetterError
from vcl_qa.panel import agreement
from vcl_qa.panel import feedback
from vcl_qa.panel import rating
from vcl_qa.panel import sampling
from vcl_qa.panel.stats import krippendorff_alpha
from vcl_qa.panel.redact import redact
from vcl_qa.letters.store import Conflict, NotFound


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    db, users, ids = seeded_db(tmp_path_factory.mktemp("rating") / "p.db", panel_members=2)
    sampling.draw(db, users["manager"], "2025Q1")
    yield db, users, ids
    db.close()


def personal_bits(db) -> set[str]:
    """Victim name parts of 3+ letters and case references of every stored letter."""
    bits = set()
    for name, urn in db.execute("SELECT victim_name, urn FROM letters"):
        bits |= {p for p in re.findall(r"[A-Za-z'’\-]+", name or "") if len(p) >= 3
                 and p.lower() not in {"mrs", "miss", "the"}}
        if urn:
            bits.add(urn)
    return bits


def leaks(text: str, bits: set[str]) -> list[str]:
    return [b for b in bits if re.search(rf"(?<![A-Za-z]){re.escape(b)}(?![A-Za-z])", text)]


def test_map_span_matches_the_anonymised_text():
    text = ("Dear Mrs Priya Sharma\nYour case 06MP0873125 was stopped. Call 0161 496 0000.\n"
            "Mrs Sharma, we are sorry. Email help@example.org if you need us.\n")
    from vcl_qa.engine.letter import LetterContext
    red = redact(text, LetterContext(victim_name="Mrs Priya Sharma", urn="06MP0873125"))
    reps = [list(r) for r in red.replacements]
    assert len(reps) >= 4
    rng = random.Random(3)
    mapped = unmapped = 0
    for _ in range(2000):
        a = rng.randrange(len(text))
        b = rng.randrange(a, len(text) + 1)
        span = rating.map_span(reps, a, b)
        inside = any(s < a < e or s < b < e for s, e, _ in reps)
        if inside:
            assert span is None
            unmapped += 1
            continue
        mapped += 1
        # The mapped slice is the original slice with its details replaced by their tags.
        expected, pos = [], a
        for s, e, tag in reps:
            if a <= s and e <= b:
                expected += [text[pos:s], tag]
                pos = e
        expected.append(text[pos:b])
        assert red.text[span[0]:span[1]] == "".join(expected)
    assert mapped > 100 and unmapped > 100
    assert rating.map_span(reps, None, None) is None


def test_queue_is_own_and_shows_no_letter_ids_or_context(env):
    db, users, ids = env
    q0 = rating.queue(db, users["panel0"])
    q1 = rating.queue(db, users["panel1"])
    assert q0 and q1
    assert set(q0[0]) == {"item_id", "period", "period_words", "status", "decision", "offence",
                          "victim_category", "bereaved", "overall"}
    assert q0[0]["period_words"] in ("January to March 2025", "October to December 2024")
    assert all(re.fullmatch(r"[0-9a-f]{16}", q["item_id"]) for q in q0)
    # Codes belong to one member's assignment: another member cannot open them.
    assert not {q["item_id"] for q in q0} & {q["item_id"] for q in q1}
    with pytest.raises(NotFound):
        rating.open_item(db, users["panel1"], q0[0]["item_id"])


def test_opened_letter_is_anonymised_and_has_no_findings_yet(env):
    db, users, _ = env
    bits = personal_bits(db)
    for q in rating.queue(db, users["panel0"]):
        item = rating.open_item(db, users["panel0"], q["item_id"])
        assert item["findings"] is None
        assert [i["id"] for i in item["rubric"]["items"]] == ["clarity", "empathy", "explanation", "next_steps"]
        assert set(item["rubric"]["items"][0]["points"]) == {"1", "2", "3", "4", "5"}
        assert leaks(json.dumps(item), bits) == []
        assert "[VICTIM]" in item["text"] or "[NAME]" in item["text"]


@pytest.mark.parametrize("body,field", [
    ({"scores": {"clarity": 3, "empathy": 3, "explanation": 3}, "overall": 3}, "scores.next_steps"),
    ({"scores": {"clarity": 6, "empathy": 3, "explanation": 3, "next_steps": 3}, "overall": 3}, "scores.clarity"),
    ({"scores": {"clarity": 3, "empathy": 3, "explanation": 3, "next_steps": 3, "tone": 2}, "overall": 3}, "scores.tone"),
    ({"scores": {"clarity": 3, "empathy": 3, "explanation": 3, "next_steps": 3}, "overall": 0}, "overall"),
    ({"scores": {"clarity": 3, "empathy": 3, "explanation": 3, "next_steps": 3}, "overall": 3,
      "marks": [{"start": 5, "end": 2, "comment": "x"}]}, "marks.0"),
    ({"scores": {"clarity": 3, "empathy": 3, "explanation": 3, "next_steps": 3}, "overall": 3,
      "marks": [{"start": 0, "end": 10 ** 6, "comment": "x"}]}, "marks.0"),
    ({"scores": {"clarity": 3, "empathy": 3, "explanation": 3, "next_steps": 3}, "overall": 3,
      "marks": [{"start": 0, "end": 4, "comment": ""}]}, "marks.0.comment"),
])
def test_rating_is_checked_against_the_rubric(body, field):
    with pytest.raises(LetterError) as err:
        rating.check_rating(body, 500)
    assert err.value.field == field


def test_findings_only_after_rating_then_rating_is_locked(env):
    db, users, _ = env
    user = users["panel0"]
    code = rating.queue(db, user, status="to_rate")[0]["item_id"]
    with pytest.raises(Conflict):
        rating.reveal(db, user, code)
    text = rating.open_item(db, user, code)["text"]
    body = good_rating(3, "Too formal in places.")
    body["marks"] = [{"start": 0, "end": 20, "comment": "Good opening"}]
    saved, created = rating.rate(db, user, code, body)
    assert created and saved["marks"] == [{"start": 0, "end": 20, "comment": "Good opening"}]
    saved, created = rating.rate(db, user, code, good_rating(2, "On reflection, poor."))
    assert not created and saved["overall"] == 2 and saved["marks"] == []
    findings = rating.reveal(db, user, code)
    assert rating.queue(db, user, status="revealed")[0]["item_id"] == code
    with pytest.raises(Conflict):
        rating.rate(db, user, code, good_rating(5))
    for f in findings:
        if f["start"] is not None:
            assert f["text"] == text[f["start"]:f["end"]]
    assert rating.open_item(db, user, code)["findings"] == findings


def test_findings_shown_to_panel_carry_no_personal_data(env):
    db, users, _ = env
    bits = personal_bits(db)
    user = users["panel1"]
    for q in rating.queue(db, user):
        if q["status"] == "to_rate":
            rating.rate(db, user, q["item_id"], good_rating(4))
        findings = rating.reveal(db, user, q["item_id"])
        assert leaks(json.dumps(findings), bits) == []


def test_not_a_problem_verdicts_lower_rule_precision(tmp_path):
    db, users, _ = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=20)
    sampling.draw(db, users["manager"], "2025Q1")
    judged_rule = None
    for n in (0, 1):
        user = users[f"panel{n}"]
        for q in rating.queue(db, user):
            rating.rate(db, user, q["item_id"], good_rating(3))
            findings = rating.reveal(db, user, q["item_id"])
            if findings and n == 0:
                judged_rule = judged_rule or findings[0]["rule"]
                for f in findings:
                    if f["rule"] == judged_rule:
                        out = rating.judge(db, user, q["item_id"], f["number"], "not_a_problem", "fine here")
                        assert (out["verdict"], out["note"]) == ("not_a_problem", "fine here")
    with pytest.raises(NotFound):
        rating.judge(db, users["panel0"], rating.queue(db, users["panel0"])[0]["item_id"], 999, "agree")
    with pytest.raises(LetterError):
        rating.judge(db, users["panel0"], rating.queue(db, users["panel0"])[0]["item_id"], 1, "wrong")
    data = agreement.agreement(db, "2025Q1")
    row = next(r for r in data["rules"] if r["rule"] == judged_rule)
    # Each finding was shown to both raters; rater 0 rejected every one of this rule's and rater 1
    # answered nothing: only rater 0's answers count.
    assert row["shown"] == 2 * row["not_a_problem"]
    assert (row["judged"], row["agreed"], row["unanswered"]) == (row["not_a_problem"], 0, row["not_a_problem"])
    assert row["precision"] == 0.0
    others = [r for r in data["rules"] if r["rule"] != judged_rule]
    # Seen but never answered: no figure at all, not "agreed with all of them".
    assert others and all(r["judged"] == 0 and r["precision"] is None for r in others)
    assert data["rules"][-1]["precision"] is None  # the rules nobody answered on come last


def test_agreement_figures_from_stored_ratings(tmp_path):
    db, users, _ = seeded_db(tmp_path / "p.db", panel_members=2, q1_letters=10)
    sampling.draw(db, users["manager"], "2025Q1")
    codes = {n: {rating._assignment(db, users[f"panel{n}"], q["item_id"])["item_id"]: q["item_id"]
                 for q in rating.queue(db, users[f"panel{n}"])} for n in (0, 1)}
    items = sorted(codes[0])
    assert items == sorted(codes[1])
    overall = {}
    for k, item in enumerate(items):
        a, b = 1 + k % 5, 1 + (k + (k % 3 == 0)) % 5
        overall[item] = [a, b]
        rating.rate(db, users["panel0"], codes[0][item], good_rating(a, clarity=3))
        rating.rate(db, users["panel1"], codes[1][item], good_rating(b, clarity=3))
    data = agreement.agreement(db, "2025Q1")
    assert data["ratings"] == 2 * len(items) and data["raters"] == 2
    assert data["alpha_overall"] == round(krippendorff_alpha(list(overall.values())), 3)
    assert data["alpha_items"]["clarity"] is None  # everyone gave 3: alpha undefined
    assert data["alpha_items"]["empathy"] == data["alpha_overall"]
    assert data["spearman_pairs"] == len(items)
    assert -1 <= data["spearman_overall_vs_score"] <= 1


def test_author_feedback_names_no_raters(env):
    db, users, _ = env
    rated = feedback.letters_with_feedback(db, "north") + feedback.letters_with_feedback(db, "south")
    assert rated
    assert {r["team"] for r in feedback.letters_with_feedback(db, "north")} <= {"north"}
    fb = feedback.feedback(db, rated[0]["letter_id"])
    assert fb["count"] >= 1
    assert {r["rater"] for r in fb["ratings"]} <= {"Panel member A", "Panel member B"}
    panel_names = {"panel-0", "panel-1"}
    assert not any(n in json.dumps(fb) for n in panel_names)


def test_a_wrong_case_reference_reads_as_another_case_to_the_panel(tmp_path):
    """The letter reused from another case gives that case's reference: the panel's copy and
    the finding show it as [OTHER CASE REF], not as [CASE REF] like this case's own."""
    from live_server import sample_payloads, sent_on
    from vcl_qa.db import migrate, open_db
    from vcl_qa.db.users import add_user
    from vcl_qa.letters import service
    import datetime as dt

    db = open_db(tmp_path / "p.db")
    migrate(db)
    staff = add_user(db, "north-staff", "staff", "north")[0]
    manager = add_user(db, "manager", "manager")[0]
    member = add_user(db, "panel-0", "panel")[0]
    payload = next(p for p in sample_payloads() if "13AB0456724" in p["text"] and p["context"]["urn"] != "13AB0456724")
    p = sent_on(payload, dt.date(2025, 1, 6))
    r = service.submit(db, staff, p["text"], p["context"], team="north")
    service.mark_sent(db, staff, r["id"], dt.date(2025, 1, 6),
                      before_saved_reason="posted first, saved here afterwards to record it")
    sampling.draw(db, manager, "2025Q1")
    code = rating.queue(db, member)[0]["item_id"]
    text = rating.open_item(db, member, code)["text"]
    assert "Our reference: [OTHER CASE REF]" in text and "13AB0456724" not in text
    rating.rate(db, member, code, good_rating(2))
    finding = next(f for f in rating.reveal(db, member, code)
                   if f["rule"] == "content.other_case" and "case reference" in f["message"])
    assert finding["message"].startswith('The letter gives the case reference "[OTHER CASE REF]", but this case is [CASE REF].')
    assert finding["text"] == "[OTHER CASE REF]"
    db.close()
