"""The board report's CSV, "What the panel said" rows (a review): the Value column held the overall
rating given with the comment shown ("4"), where every other row's Value is its figure, so it read
as a count of comments; the count the page gives ("Given 6 times in this band") was not in the
CSV at all. Now Value is how many times the comment was given in its band, and the rating is in
Detail, labelled, after the comment, as the page words it. On a real SQLite file with the real
`vcl-qa panel report` command."""
from __future__ import annotations

import csv
import io

from click.testing import CliRunner

from panel_setup import good_rating, seeded_db
from vcl_qa.cli import main
from vcl_qa.panel import rating, report, sampling

OFTEN = "Warm and clear."
ONCE = "A lovely letter, kind from start to finish."
MIDDLE = "Fine, but long."


def test_value_is_how_many_times_the_comment_was_given_and_the_rating_is_labelled(tmp_path, monkeypatch):
    path = tmp_path / "p.db"
    db, users, _ = seeded_db(path, panel_members=2, q1_letters=24)
    try:
        sampling.draw(db, users["manager"], "2024Q4")
        items = rating.queue(db, users["panel0"], period="2024Q4")
        assert len(items) > 2
        for q in items:  # every letter: 4, the same words
            rating.rate(db, users["panel0"], q["item_id"], good_rating(4, OFTEN))
        for i, q in enumerate(rating.queue(db, users["panel1"], period="2024Q4")):
            rating.rate(db, users["panel1"], q["item_id"], good_rating(5, ONCE) if i == 0 else good_rating(3, MIDDLE))
        data = report.build(db, "2024Q4")
        html = report.render_html(data)
    finally:
        db.close()
    n = len(items)
    assert f"Given {n} times in this band, first rated 4 out of 5 overall" in html

    monkeypatch.setenv("VCL_QA_DB", str(path))
    result = CliRunner().invoke(main, ["panel", "report", "--period", "2024Q4", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = [r for r in csv.DictReader(io.StringIO(result.stdout)) if r["Section code"] == "comment"]
    said = {r["Detail"].split("” (")[0].lstrip("“"): r for r in rows}
    assert set(said) == {OFTEN, ONCE, MIDDLE}

    often, once, middle = said[OFTEN], said[ONCE], said[MIDDLE]
    assert (often["What"], often["Value"], often["Item code"]) == ("Rated 4-5 overall", str(n), "high")
    assert often["Detail"].startswith(f"“{OFTEN}” (given {n} times in this band, first rated 4 out of 5 overall; ")
    assert (once["What"], once["Value"], once["Item code"]) == ("Rated 4-5 overall", "1", "high")
    assert once["Detail"].startswith(f"“{ONCE}” (given once in this band, rated 5 out of 5 overall; ")
    assert (middle["What"], middle["Value"], middle["Item code"]) == ("Rated 3 overall", str(n - 1), "middle")
    assert middle["Detail"].startswith(f"“{MIDDLE}” (given {n - 1} times in this band, first rated 3 out of 5 overall; ")
    # the case, as the page gives it under the comment
    first = data["comments"][[c["comment"] for c in data["comments"]].index(OFTEN)]
    assert often["Detail"].endswith(f"; {first['decision_words']}"
                                    + (f", {first['offence_words']})" if first["offence"] else ")"))
    # Previous and Change stay empty: they belong to the trend
    assert all(r["Previous"] == r["Change"] == "" for r in rows)
