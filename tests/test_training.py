"""Training: the exercises as data, scored by the real engine; attempts, feedback, progress and
the board's line; exercises made from letters the panel rated poorly. Real SQLite files."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from live_server import ROOT
from training_setup import PERSONAL, poorly_rated_letter, users
from vcl_qa.cli import main
from vcl_qa.db import open_db
from vcl_qa.db.users import user_by_name
from vcl_qa.engine.letter import Decision
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import score_letter
from vcl_qa.errors import LetterError, RulesError
from vcl_qa.reports import dashboard
from vcl_qa.training import exercises as exercises_mod
from vcl_qa.training import guide, own_work, service
from vcl_qa.training.exercises import load_exercises
from vcl_qa.training.store import NotFound

EXERCISE_FILES = sorted((ROOT / "rules" / "training").glob("*.yml"))


# Must-fix checks no exercise teaches, and why.
NOT_TAUGHT = {
    # characters planted or pasted in, not a way of writing: nothing to learn but to retype
    "content.hidden_order": "a right-to-left mark that shows words in another order",
}


def error_level_rules() -> set[str]:
    """Rules that are errors, always or in some cases (`severity_when`). Not a detail missing
    from the letter's details (kind `details`): no fault of the writing, and every exercise
    gives its details; nor those in NOT_TAUGHT."""
    out = set()
    for r in load_rules().rules:
        if r.kind == "details" or r.id in NOT_TAUGHT:
            continue
        sometimes = [e.severity for e in getattr(r.config, "severity_when", []) or []]
        if r.severity == "error" or "error" in sometimes:
            out.add(r.id)
    return out


def errors_raised(ex, text, changes=None) -> set[str]:
    result = score_letter(ex.letter_for(text, changes))
    return {f.rule for f in result.findings if f.severity == "error" and not f.suppressed}


# --- the exercises as data ----------------------------------------------------------------

def test_at_least_twelve_exercises_covering_the_cases_the_issue_names():
    found = load_exercises()
    assert len(found) >= 12
    assert {e.context["decision"] for e in found} == {d.value for d in Decision}
    assert any(e.context.get("bereaved") for e in found)
    assert {"young_person", "easy_read"} <= {e.reader for e in found}
    assert len({e.id for e in found}) == len(found)


def test_every_error_level_rule_is_raised_by_some_exercise_letter():
    raised: dict[str, list[str]] = {}
    for ex in load_exercises():
        for rule in errors_raised(ex, ex.letter):
            raised.setdefault(rule, []).append(ex.id)
    missing = error_level_rules() - set(raised)
    assert missing == set(), f"no exercise teaches: {sorted(missing)}"


@pytest.mark.parametrize("ex", load_exercises(), ids=lambda e: e.id)
def test_each_exercise_raises_what_it_teaches_and_its_model_answer_passes(ex):
    assert set(ex.teaches) <= errors_raised(ex, ex.letter), "the letter to fix must raise what it teaches"
    assert not service.passes(score_letter(ex.letter_for(ex.letter))), "the letter to fix must not pass as it is"
    model = score_letter(ex.letter_for(ex.model_answer, ex.model_context))
    assert service.passes(model), [(f.rule, f.message) for f in model.findings if f.severity == "error"]
    assert model.score >= 90  # a model answer is a good letter, not a scrape past the mark


def _load_one(tmp_path: Path, monkeypatch, change) -> None:
    """Load the rules folder with one exercise file changed by `change(data)`."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    path = rules / "training" / EXERCISE_FILES[0].name
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    monkeypatch.setenv("VCL_QA_RULES", str(rules))
    load_exercises.cache_clear()
    try:
        load_exercises()
    finally:
        load_exercises.cache_clear()


@pytest.mark.parametrize("change,words", [
    (lambda d: d.update(hint="x"), "unknown key 'hint'"),
    (lambda d: d.pop("brief"), "missing key 'brief'"),
    (lambda d: d.update(teaches=["content.nope"]), "no rule 'content.nope'"),
    (lambda d: d["context"].update(colour="blue"), "key 'context'"),
    (lambda d: d["context"].update(reader="easy_read"), "'reader:' at the top"),
    (lambda d: d.update(model_context={"letter_date": "2025-03-07"}), "key 'model_context.letter_date'"),
    (lambda d: d.update(editable=["victim_name"]), "key 'editable.0'"),
    (lambda d: d.update(reader="child"), "key 'reader'"),
    (lambda d: d.update(id="Khan Brother"), "key 'id'"),
])
def test_a_wrong_exercise_file_stops_loading_naming_the_file_and_key(tmp_path, monkeypatch, change, words):
    with pytest.raises(RulesError) as err:
        _load_one(tmp_path, monkeypatch, change)
    assert EXERCISE_FILES[0].name in str(err.value) and words in str(err.value)


def test_two_exercises_with_one_id_are_refused(tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    shutil.copy(EXERCISE_FILES[0], rules / "training" / "99_copy.yml")
    monkeypatch.setenv("VCL_QA_RULES", str(rules))
    load_exercises.cache_clear()
    try:
        with pytest.raises(RulesError, match="99_copy.yml: key 'id': 'khan-brother' is also the id in 01_"):
            load_exercises()
        result = CliRunner().invoke(main, ["training", "exercises"])
        assert result.exit_code == 2 and "99_copy.yml" in result.output
    finally:
        load_exercises.cache_clear()


# --- attempts, feedback, model answer ------------------------------------------------------

@pytest.fixture
def db(tmp_path):
    path = tmp_path / "vcl_qa.db"
    users(path)
    conn = open_db(path)
    yield conn
    conn.close()


def test_an_attempt_is_scored_stored_and_explained(db):
    sam = user_by_name(db, "Sam Staff")
    ex = exercises_mod.built_in("khan-brother")
    first = service.attempt(db, sam, ex.id, ex.letter.replace("the deceased", "Imran"))
    assert first["passed"] is False and first["attempt"] == 1
    assert [f["rule"] for f in first["feedback"]["fixed"]] == ["empathy.cold"]
    assert {"empathy.condolence", "content.meeting"} <= {f["rule"] for f in first["feedback"]["left"]}
    assert first["model_answer"] is None and first["tries_before_model_answer"] == 2
    done = service.attempt(db, sam, ex.id, ex.model_answer)
    assert done["passed"] and done["score"] >= 80 and done["attempt"] == 2
    assert done["feedback"]["left"] == [] and done["model_answer"]["text"] == ex.model_answer
    # An attempt that brings in a new problem says so.
    worse = service.attempt(db, sam, ex.id, ex.model_answer.replace("Dear Mr Khan", "Dear Sir/Madam"))
    assert [f["rule"] for f in worse["feedback"]["new"]] == ["content.salutation"] and not worse["passed"]
    assert worse["passed_before"] is True  # passed once: stays passed in progress
    assert service.progress(db, sam)["data"][0]["passed"] == ["khan-brother"]


def test_the_model_answer_appears_after_three_tries(db):
    sam = user_by_name(db, "Sam Staff")
    ex = exercises_mod.built_in("okafor-not-charged")
    got = [service.attempt(db, sam, ex.id, ex.letter)["model_answer"] for _ in range(3)]
    assert got[:2] == [None, None] and got[2]["text"] == ex.model_answer
    assert service.exercise_detail(db, sam, ex.id)["model_answer"]["text"] == ex.model_answer
    other = user_by_name(db, "Sunita South")
    assert service.exercise_detail(db, other, ex.id)["model_answer"] is None


def test_only_the_listed_detail_may_change_and_a_wrong_date_is_named(db):
    sam = user_by_name(db, "Sam Staff")
    due = exercises_mod.built_in("begum-due-date")
    late = service.attempt(db, sam, due.id, due.model_answer)  # the draft's own date: late
    assert "timeliness.late" in {f["rule"] for f in late["feedback"]["left"]} and not late["passed"]
    on_time = service.attempt(db, sam, due.id, due.model_answer, {"letter_date": "2024-12-20"})
    assert on_time["passed"]
    with pytest.raises(LetterError) as err:
        service.attempt(db, sam, due.id, due.model_answer, {"letter_date": "2024-12-01"})
    assert err.value.field == "letter_date" and "after" in err.value.message
    with pytest.raises(LetterError) as err:
        service.attempt(db, sam, "khan-brother", "Dear Mr Khan", {"letter_date": "2025-03-07"})
    assert err.value.field == "letter_date" and "cannot be changed" in err.value.message
    with pytest.raises(LetterError) as err:
        service.attempt(db, sam, "khan-brother", "   ")
    assert err.value.field == "text"
    with pytest.raises(NotFound):
        service.attempt(db, sam, "no-such-exercise", "Dear Mr Khan")
    assert db.execute("SELECT count(*) FROM training_attempts").fetchone()[0] == 2  # refused ones not stored


def test_a_late_letter_exercise_counts_the_apology_not_the_date(db):
    sam = user_by_name(db, "Sam Staff")
    ex = exercises_mod.built_in("doyle-late-apology")
    out = service.attempt(db, sam, ex.id, ex.model_answer)
    late = [f for f in out["findings"] if f["rule"] == "timeliness.late"]
    assert late and late[0]["suppressed"] and out["passed"]


def test_exercises_never_enter_the_letters_dashboard_or_panel(db):
    sam = user_by_name(db, "Sam Staff")
    for ex in load_exercises():
        service.attempt(db, sam, ex.id, ex.model_answer, ex.model_context)
    for table in ("letters", "versions", "results", "findings", "panel_items"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    assert dashboard.summary(dashboard.letters_in_scope(db))["letters"] == 0
    assert db.execute("SELECT count(*) FROM training_attempts").fetchone()[0] == len(load_exercises())


def test_progress_for_managers_staff_csv_and_the_board_line(db):
    sam, sunita = user_by_name(db, "Sam Staff"), user_by_name(db, "Sunita South")
    for ex in load_exercises():
        service.attempt(db, sam, ex.id, ex.model_answer, ex.model_context)
    service.attempt(db, sunita, "khan-brother", exercises_mod.built_in("khan-brother").letter)
    everyone = service.progress(db)
    rows = {r["name"]: r for r in everyone["data"]}
    assert set(rows) == {"Sam Staff", "Sunita South"}  # staff; the manager has not tried any
    assert rows["Sam Staff"]["completed"] and rows["Sam Staff"]["exercises_passed"] == len(load_exercises())
    assert rows["Sunita South"]["exercises_passed"] == 0 and rows["Sunita South"]["exercises_tried"] == 1
    assert {t["team"]: (t["people"], t["started"], t["completed"]) for t in everyone["teams"]} == {
        "north": (1, 1, 1), "south": (1, 1, 0)}
    assert [r["name"] for r in service.progress(db, sunita)["data"]] == ["Sunita South"]
    lines = service.progress_csv(db).splitlines()
    assert lines[0].split(",") == list(service.CSV_COLUMNS)
    assert lines[0] == ("Team,Person,Role,Exercises passed,Exercises on offer,Exercises tried,Attempts,"
                        "Passed them all,Last activity (UK time),Role code,Attempts at exercises taken off the list")
    assert lines[1].startswith(f"north,Sam Staff,Staff,{len(load_exercises())},{len(load_exercises())},")
    assert ",Yes," in lines[1] and lines[1].endswith(",staff,0")
    assert lines[2].startswith("south,Sunita South,Staff,0,") and ",No," in lines[2]
    assert re.search(r",\d{4}-\d\d-\d\d \d\d:\d\d,staff,0$", lines[1])  # a time, not an ISO stamp
    board = service.board_summary(db)
    assert (board["staff"], board["completed"], board["started"]) == (2, 1, 2)
    assert board["line"].startswith(f"Training: 1 of 2 staff have passed all {len(load_exercises())} exercises")



# --- a pass is the writer's own fix of the exercise's letter (review 2, item 6) --------------

# Exercises whose model answer changes the letter only with the checker's own suggested
# paragraphs (and fewer than own_work.MIN_OWN_WORDS other words): a pasted model answer cannot
# be told from a writer's fix made with the "Insert this paragraph" buttons, so it is not
# compared (own_work.copied_share gives None).
ONLY_THE_CHECKERS_WORDS = {"begum-due-date", "doyle-late-apology", "text-speak-on-file", "patel-withdrawal"}


@pytest.mark.parametrize("ex", load_exercises(), ids=lambda e: e.id)
def test_each_letter_and_model_answer_carries_its_own_case(ex):
    """The model answer is never refused as another case's letter; the letter to fix only when
    it does not name the victim at all (template text left in), and it repeats none of the model
    answer's own words."""
    named = ex.context["victim_name"].split()[-1] in ex.letter
    # (the exercise on a letter reused from another case carries that case's reference on purpose)
    reused = ["case_reference"] if "content.other_case" in ex.teaches else []
    assert [p["reason"] for p in own_work.case_problems(ex, ex.letter)] == ([] if named else ["victim_name"]) + reused
    assert own_work.case_problems(ex, ex.model_answer) == []
    if ex.id in ONLY_THE_CHECKERS_WORDS:
        assert own_work.copied_share(ex.letter, ex.model_answer, ex.model_answer) is None
    else:
        assert own_work.copied_share(ex.letter, ex.model_answer, ex.letter) == 0
        assert own_work.copied_share(ex.letter, ex.model_answer, ex.model_answer) == 1
    own_work.check_length(ex, ex.letter)  # the letter itself is long enough
    with pytest.raises(LetterError) as err:
        own_work.check_length(ex, "x")
    assert err.value.field == "text" and "1 word," in err.value.message


@pytest.mark.parametrize("reader", ["young_person", "easy_read"])
def test_an_exercise_for_a_young_or_easy_read_reader_says_so_and_is_scored_for_them(reader):
    ex = next(e for e in load_exercises() if e.reader == reader)
    assert ex.context["reader"] == reader and ex.public()["context"]["reader"] == reader
    assert ex.scoring_context().reader == reader


def test_progress_and_the_board_count_only_a_writers_own_passes(db):
    """Sam passes every exercise with his own letters (the model answers, before he was shown
    any); Sunita tries each three times, is shown the model answer and pastes it: kept, never
    a pass, in her progress, the managers' view and the board's line (where the model answer
    is more than the checker's own paragraphs: ONLY_THE_CHECKERS_WORDS)."""
    sam, sunita = user_by_name(db, "Sam Staff"), user_by_name(db, "Sunita South")
    compared = [ex for ex in load_exercises() if ex.id not in ONLY_THE_CHECKERS_WORDS]
    for ex in load_exercises():
        assert service.attempt(db, sam, ex.id, ex.model_answer, ex.model_context)["passed"]
    for ex in compared:
        for _ in range(3):
            service.attempt(db, sunita, ex.id, ex.letter)
        pasted = service.attempt(db, sunita, ex.id, ex.model_answer, ex.model_context)
        assert pasted["meets_standard"] and not pasted["passed"], ex.id
        assert [p["reason"] for p in pasted["not_counted"]] == ["model_answer"], ex.id
    rows = {r["name"]: r for r in service.progress(db)["data"]}
    assert rows["Sam Staff"]["completed"] and rows["Sam Staff"]["exercises_passed"] == len(load_exercises())
    assert rows["Sunita South"]["exercises_passed"] == 0 and rows["Sunita South"]["passed"] == []
    assert rows["Sunita South"]["attempts"] == 4 * len(compared)
    board = service.board_summary(db)
    assert (board["staff"], board["completed"], board["started"]) == (2, 1, 2)
    assert not any(e["status"]["passed"] for e in service.exercise_list(db, sunita))


def _with_the_checkers_paragraphs(result: dict, text: str) -> str:
    """`text` with every paragraph the checker offered on it put in above the sign-off, as
    "Insert this paragraph" does."""
    for f in result["findings"]:
        if f["start"] is None and f.get("suggestions") and f["suggestions"][0] not in text:
            text = text.replace("Yours sincerely", f"{f['suggestions'][0]}\n\nYours sincerely")
    return text


def test_a_letter_fixed_with_the_checkers_own_paragraphs_is_not_taken_for_the_model_answer(db):
    """Sunita tries three times (the model answer is then shown), then fixes the letter with
    the "Insert this paragraph" buttons and her own words for the rest. The model answer uses
    the same suggested paragraphs, so her letter repeated over 80% of "the changes the model
    answer makes" and was told it was the model answer: kept, not a pass. Those paragraphs are
    the checker's, offered to her before any model answer; a pasted model answer still is not
    a pass."""
    sunita = user_by_name(db, "Sunita South")
    ex = exercises_mod.built_in("khan-brother")
    for _ in range(3):
        tried = service.attempt(db, sunita, ex.id, ex.letter)
    assert tried["model_answer"] is not None
    text = _with_the_checkers_paragraphs(tried, ex.letter)
    text = text.replace("[name]", "your brother, Imran").replace("the deceased", "Imran")
    own = service.attempt(db, sunita, ex.id, text)
    assert own["meets_standard"] and own["not_counted"] == [] and own["passed"]
    pasted = service.attempt(db, sunita, ex.id, ex.model_answer)
    assert [p["reason"] for p in pasted["not_counted"]] == ["model_answer"]


# --- the guide --------------------------------------------------------------------------------

def test_the_guide_has_every_rule_with_its_examples_and_what_the_checker_says():
    parts = guide.build()
    entries = {e["id"]: e for p in parts for e in p["rules"]}
    assert set(entries) == {r.id for r in load_rules().rules}
    for rule in load_rules().rules:
        e = entries[rule.id]
        assert e["why"] == rule.why and e["source"] == rule.source and e["title"] == rule.title
        assert e["bad"] and e["good"] and e["checker"], rule.id  # the checker flags its own example
    assert entries["content.vrr"]["insert"].startswith("If you are not happy with this decision")
    assert "Ms Begum, when is it due?" in [x["title"] for x in entries["timeliness.late"]["exercises"]]
    text = CliRunner().invoke(main, ["guide"]).output
    assert all(r.title in text for r in load_rules().rules)
    only = CliRunner().invoke(main, ["guide", "--part", "empathy"]).output
    assert "No condolences" in only and "Right to review missing" not in only
    # the Welsh words a letter in Welsh is offered, beside the English
    assert entries["content.vrr"]["insert_cy"].startswith("Os nad ydych yn fodlon")
    assert entries["content.cps_role"]["insert_cy"] is None
    assert "In a letter in Welsh:" in only and "Derbyniwch fy nghydymdeimlad dwysaf" in only


# --- learning from the panel ------------------------------------------------------------------

def test_a_poorly_rated_letter_becomes_an_anonymised_exercise(tmp_path):
    path = tmp_path / "vcl_qa.db"
    users(path)
    letter_id = poorly_rated_letter(path)
    db = open_db(path)
    try:
        manager, sam = user_by_name(db, "Mo Manager"), user_by_name(db, "Sam Staff")
        assert [r["letter_id"] for r in service.panel_letters(db)] == [letter_id]
        period = service.panel_letters(db)[0]
        assert period["period_words"][0].isupper() and not re.search(r"\d{4}Q\d|\d{4}-\d{2}", period["period_words"])
        p = service.preview(db, letter_id, "", "")
        assert set(p["problems"]) == {"title", "brief"} and not p["can_save"]
        p = service.preview(db, letter_id, "A cold letter to a father", "The panel found this letter cold. Fix it.",
                            hide=["Strugglers"])
        assert p["can_save"] and "empathy.condolence" in p["teaches"]
        leaked = [w for w in PERSONAL if w.lower() in (p["letter"] + " ".join(p["panel_comments"])).lower()]
        assert leaked == []
        assert p["context"]["victim_name"] == "Ms Alex Morgan" and "Dear Ms Alex Morgan" in p["letter"]
        assert "Jordan Lee" in p["letter"] and "Sam Reid" in p["letter"]  # two people, two invented names
        with pytest.raises(LetterError) as err:
            service.create_from_panel(db, manager, letter_id, "Cold", "Fix it.", model_answer="Dear Ms Alex Morgan\n\nSorry.\n")
        assert err.value.details[0][0] == "model_answer"
        assert db.execute("SELECT count(*) FROM training_exercises").fetchone()[0] == 0
        made = service.create_from_panel(db, manager, letter_id, "A cold letter to a father",
                                         "The panel found this letter cold. Fix it.")
        assert made["id"] == "panel-1" and made["source"] == "panel"
        assert [e.id for e in service.all_exercises(db)][-1] == "panel-1"
        assert service.panel_letters(db)[0]["already_an_exercise"]
        out = service.attempt(db, sam, "panel-1", made["text"])
        assert not out["passed"] and "empathy.condolence" in {f["rule"] for f in out["feedback"]["left"]}
        service.retire(db, manager, "panel-1")
        assert "panel-1" not in [e.id for e in service.all_exercises(db)]
        with pytest.raises(NotFound):
            service.preview(db, letter_id + 1, "x", "y")
    finally:
        db.close()


def test_a_letter_the_panel_rated_well_cannot_become_an_exercise(tmp_path):
    path = tmp_path / "vcl_qa.db"
    users(path)
    letter_id = poorly_rated_letter(path, overall=4)
    db = open_db(path)
    try:
        assert service.panel_letters(db) == []
        with pytest.raises(NotFound):
            service.create_from_panel(db, user_by_name(db, "Mo Manager"), letter_id, "Title", "A brief here.")
    finally:
        db.close()


def test_training_progress_on_the_command_line(tmp_path, monkeypatch):
    path = tmp_path / "vcl_qa.db"
    users(path)
    db = open_db(path)
    try:
        ex = load_exercises()[0]
        service.attempt(db, user_by_name(db, "Sam Staff"), ex.id, ex.model_answer, ex.model_context)
    finally:
        db.close()
    monkeypatch.setenv("VCL_QA_DB", str(path))
    out = CliRunner().invoke(main, ["training", "progress", "--format", "csv"])
    assert out.exit_code == 0
    assert out.stdout.splitlines()[0].startswith("Team,Person,Role,Exercises passed")
    assert f"north,Sam Staff,Staff,1,{len(load_exercises())}," in out.stdout
    text = CliRunner().invoke(main, ["training", "progress"])
    assert text.exit_code == 0 and "Training: 0 of 2 staff have passed all" in text.output
    listed = CliRunner().invoke(main, ["training", "exercises"])
    assert listed.exit_code == 0 and f"{len(load_exercises())} exercises" in listed.output
    monkeypatch.setenv("VCL_QA_DB", str(tmp_path / "none.db"))
    missing = CliRunner().invoke(main, ["training", "progress"])
    assert missing.exit_code == 2 and "No database at" in missing.output


def test_the_board_report_has_a_line_on_training(tmp_path):
    from vcl_qa.panel import report

    path = tmp_path / "vcl_qa.db"
    users(path)
    poorly_rated_letter(path)
    db = open_db(path)
    try:
        ex = load_exercises()[0]
        service.attempt(db, user_by_name(db, "Sam Staff"), ex.id, ex.model_answer, ex.model_context)
        data = report.build(db, "2025Q4")
        assert data["training"]["staff"] == 2 and data["training"]["started"] == 1
        assert data["training"]["attempts"] == 0  # the attempt was made today, after the period
        line = data["training"]["line"]
        assert line.startswith(f"Training: 0 of 2 staff have passed all {len(load_exercises())} exercises")
        assert line in report.render_html(data)
        assert line in report.render_csv(data)
    finally:
        db.close()
