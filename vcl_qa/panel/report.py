"""The period report for the area's board: themes and the trend against the previous period,
as data, printable HTML (vcl_qa/panel/templates/report.html) and CSV."""
from __future__ import annotations

import io
import json
from collections import defaultdict
from typing import Any

import jinja2
from sqlite_utils import Database

from vcl_qa import csv_safe, labels
from vcl_qa.engine.letter import context_from_mapping
from vcl_qa.panel.redact import redact
from vcl_qa.panel import periods
from vcl_qa.labels import percent
from vcl_qa.panel.agreement import (agreement, change_figure, verdict_counts, change_words, figure_words, min_answers_for_share,
                                   min_letters_for_agreement,
                                   share_words, shown)
from vcl_qa.panel.settings import load_panel_rules
from vcl_qa.training.service import board_summary

BANDS = (("low", "Rated 1-2 overall", (1, 2)), ("middle", "Rated 3 overall", (3,)),
         ("high", "Rated 4-5 overall", (4, 5)))


def _mean(values: list[float]) -> float | None:
    """The exact average: each table rounds it once, to its measure's places (`places`). Rounded
    here to 2 first, 1,681 over 21 (80.048) was shown 80.1, not 80.0."""
    return sum(values) / len(values) if values else None


def _headline(db: Database, period: dict) -> dict:
    """The figures compared between periods."""
    pid = period["id"]
    overall = [r[0] for r in db.execute(
        "SELECT r.overall FROM panel_ratings r JOIN panel_assignments a ON a.id = r.assignment_id"
        " JOIN panel_items i ON i.id = a.item_id WHERE i.period_id = ? AND i.removed_at IS NULL", [pid])]
    items = db.execute("SELECT score, verdict FROM panel_items WHERE period_id = ? AND removed_at IS NULL",
                       [pid]).fetchall()
    rubric: dict[str, list[int]] = defaultdict(list)
    for key, score in db.execute(
            "SELECT s.item, s.score FROM panel_scores s JOIN panel_ratings r ON r.id = s.rating_id"
            " JOIN panel_assignments a ON a.id = r.assignment_id JOIN panel_items i ON i.id = a.item_id"
            " WHERE i.period_id = ? AND i.removed_at IS NULL", [pid]):
        rubric[key].append(score)
    agree = agreement(db, period["name"])
    return {
        "letters": len(items),
        "ratings": len(overall),
        "mean_overall": _mean(overall),
        "mean_score": _mean([s for s, _ in items if s is not None]),
        "poor": sum(1 for _, v in items if v == "poor"),
        "share_poor": round(sum(1 for _, v in items if v == "poor") / len(items), 3) if items else None,
        "alpha_overall": agree["alpha_overall"],
        "spearman_overall_vs_score": agree["spearman_overall_vs_score"],
        "rubric": {k: _mean(rubric.get(k, [])) for k in load_panel_rules().item_ids},
        "rubric_counts": {k: len(rubric.get(k, [])) for k in load_panel_rules().item_ids},
        "agreement": agree,
    }


def _panel_words(judged: dict | None) -> str:
    """How far the panel agreed with a check, with the answers behind it."""
    if not judged:
        return "not shown to the panel yet"
    return share_words(judged["agreed"], judged["judged"])


def _failed_rules(db: Database, period: dict, top: int) -> list[dict]:
    return _all_failed_rules(db, period)[:top]


def _unlisted(db: Database, period: dict, top: int) -> dict:
    """The kinds of problem found in the sample that the board's table leaves out (it lists the
    `top` most serious), with the one in the most letters, so the cut is never silent."""
    rows = _all_failed_rules(db, period)
    listed = {r["rule"] for r in rows[:top]}
    # (kinds, not rows: a kind in the table at one severity and left out at another is listed)
    rest = [r for r in rows[top:] if r["rule"] not in listed]
    common = max(rest, key=lambda r: (r["letters"], r["findings"]), default=None)
    return {"count": len({r["rule"] for r in rest}), "most_letters": common}


def _judged_by_severity(db: Database, period: dict) -> dict[tuple[str, str], dict]:
    """The panel's answers on the sample's findings (agreement.rule_precision's counting: only
    "agree" and "not a problem" count), by rule and by the severity each finding was stored
    with, so that a row of the board's table gives the panel's view of its own findings."""
    out = {}
    for rule, severity, _shown, nap, agree in verdict_counts(db, period["id"], by_severity=True):
        judged = nap + agree
        out[(rule, severity)] = {"judged": judged, "agreed": agree,
                                 "precision": round(agree / judged, 3) if judged else None}
    return out


def _all_failed_rules(db: Database, period: dict) -> list[dict]:
    """Each kind of problem found in the sample, by the severity each finding was stored with
    (not its rule's own: a reason the second opinion only doubts is a should-fix content.reason,
    whose rule is must-fix). A rule found at two severities has a row for each, with its own
    letters, times and the panel's answers on those findings."""
    letters = db.execute("SELECT count(*) FROM panel_items WHERE period_id = ? AND removed_at IS NULL",
                         [period["id"]]).fetchone()[0]
    judged = _judged_by_severity(db, period)
    rows = db.execute(
        "SELECT f.rule, f.severity, count(*), count(DISTINCT i.id) FROM panel_items i"
        " JOIN findings f ON f.result_id = i.result_id AND f.suppressed = 0"
        " WHERE i.period_id = ? AND i.removed_at IS NULL GROUP BY f.rule, f.severity", [period["id"]]).fetchall()
    # The most serious first (must fix, should fix, worth a look), then the most letters.
    rows = sorted(rows, key=lambda r: (labels.SEVERITY_ORDER.get(r[1], 3), -r[3], -r[2], r[0]))
    return [{"rule": rule, "title": labels.rule_title(rule), "findings": n, "letters": k,
             "share": round(k / letters, 3) if letters else None,
             "share_words": share_words(k, letters, "-", "letters"),
             "severity": severity,
             "severity_words": labels.label(labels.SEVERITIES, severity),
             "panel_precision": (judged.get((rule, severity)) or {}).get("precision"),
             "panel_judged": (judged.get((rule, severity)) or {}).get("judged", 0),
             "panel_agreed": (judged.get((rule, severity)) or {}).get("agreed", 0),
             "panel_words": _panel_words(judged.get((rule, severity)))} for rule, severity, n, k in rows]


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;: ") + " ..."


def _comments(db: Database, period: dict, per_band: int, limit: int) -> list[dict]:
    """Per overall band, the comments nearest the band's typical length (not the longest rants
    nor one-word notes), anonymised again with the letter's context before the board sees them."""
    rows = list(db.query(
        "SELECT r.overall, r.comment, i.decision, i.offence, v.context FROM panel_ratings r"
        " JOIN panel_assignments a ON a.id = r.assignment_id JOIN panel_items i ON i.id = a.item_id"
        " LEFT JOIN versions v ON v.letter_id = i.letter_id AND v.version = i.version"
        " WHERE i.period_id = ? AND i.removed_at IS NULL AND r.comment IS NOT NULL AND r.comment != ''"
        " ORDER BY r.id", [period["id"]]))
    out = []
    for band, label, values in BANDS:
        # The same words given more than once in a band ("ok") are shown once, with how many
        # times; each band has its own (a review found a 4-5 band empty because its comments
        # had been given in a lower band too, and every "ok" but the first dropped).
        times: dict[str, int] = {}
        group = []
        for r in rows:
            if r["overall"] in values:
                times[r["comment"]] = times.get(r["comment"], 0) + 1
                if times[r["comment"]] == 1:
                    group.append(r)
        if not group:
            continue
        lengths = sorted(len(r["comment"]) for r in group)
        median = lengths[len(lengths) // 2]
        group.sort(key=lambda r: abs(len(r["comment"]) - median))
        for r in group[:per_band]:
            ctx = json.loads(r["context"]) if r["context"] else {}
            ctx.pop("suppress", None)
            text = redact(r["comment"], context_from_mapping(ctx)).text
            out.append({"band": band, "band_label": label, "overall": r["overall"], "decision": r["decision"],
                        "decision_words": labels.label(labels.DECISIONS, r["decision"]) or "decision not recorded",
                        "offence": r["offence"], "offence_words": labels.label(labels.OFFENCES, r["offence"]).lower(),
                        "comment": _shorten(text, limit), "times": times[r["comment"]]})
    return out


def _times(n: int, word: str = "time") -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _poor_words(figures: dict | None) -> str | None:
    """The share of the sample found poor as the board reads it: "25% (3 of 12 letters)"; the
    counts alone below `min_answers_for_share` letters; "-" with no letters."""
    if figures is None:
        return None
    return share_words(figures["poor"], figures["letters"], "-", "letters")


def _poor_change(now: dict, before: dict | None) -> str | None:
    """The change in percentage points ("down 45 percentage points"), only when both periods
    show a percentage."""
    if not before or min(now["letters"], before["letters"]) < min_answers_for_share():
        return None
    # the two percentages the row shows ("share_words"), so that the change is their difference
    points = percent(now["poor"], now["letters"], 0) - percent(before["poor"], before["letters"], 0)
    if not points:
        return "no change"
    return f"{'up' if points > 0 else 'down'} {abs(points)} percentage {'point' if abs(points) == 1 else 'points'}"


def places(measure: str) -> int:
    """Decimal places a figure is shown to, the same in every table of the report and its CSV:
    the automatic score (0 to 100) to `places_score`, the agreement figures to two
    (agreement.shown), averages on the panel's 1 to 5 scale to `places_rating` (rules/panel.yml).
    A review read "3.2" beside "4.14" and "70.0" beside "92.33"."""
    r = load_panel_rules().report
    if measure == "mean_score":
        return int(r.get("places_score", 1))
    if measure in ("alpha_overall", "spearman_overall_vs_score"):
        return 2
    return int(r.get("places_rating", 2))


def _figure_words(t: dict) -> dict:
    """A trend row's figures as shown: to the measure's places, a true minus sign ("\u22120.30")
    and a plus for a rise; "" for no figure (the page says so in words)."""
    p = places(t["measure"])
    return {"value": figure_words(t["value"], p), "previous": figure_words(t["previous"], p),
            "change": change_words(t["value"], t["previous"], p)}


def _change(now_value: Any, before: Any) -> float | None:
    if isinstance(now_value, (int, float)) and isinstance(before, (int, float)):
        return round(now_value - before, 3)
    return None


TREND = (("mean_overall", "Panel's overall rating (average, 1 to 5)"),
         ("mean_score", "Automatic score (average, 0 to 100)"),
         ("share_poor", "Share of sampled letters the automatic checks found poor"),
         ("alpha_overall", "How much panel members agreed with each other (1 = fully) [1]"),
         ("spearman_overall_vs_score", "How closely the automatic score matched the panel (1 = fully) [2]"))


def _behind(measure: str, figures: dict) -> tuple[int, str]:
    """How many letters a trend figure is worked out from, and what they are."""
    agree = figures["agreement"]
    if measure == "alpha_overall":
        return agree["letters_with_two_or_more_ratings"], "rated by more than one member"
    if measure == "spearman_overall_vs_score":
        return agree["spearman_pairs"], "rated"
    if measure == "mean_score":
        return figures["letters"], "in the sample"
    return agree["letters_rated"], "rated"  # the panel's averages, overall and by rubric item


def _too_few_to_compare(measure: str, now: dict, before: dict | None) -> str | None:
    """The change is not given where either period's figure rests on fewer letters than the
    report puts into words (agreement: `min_letters_for_agreement`; an average:
    `min_answers_for_share`, as the share found poor): a period with one letter rated showed
    agreement "falling" by 0.95 and the average score "rising" by 22 beside a share held back."""
    if before is None:
        return None
    needed = min_letters_for_agreement() if measure in ("alpha_overall", "spearman_overall_vs_score") \
        else min_answers_for_share()
    (n_now, what), (n_before, _) = _behind(measure, now), _behind(measure, before)
    if min(n_now, n_before) >= needed:
        return None
    return f"too few letters to compare ({n_now} {what} this period, {n_before} the period before; {needed} needed)"


def build(db: Database, name: str) -> dict:
    """Everything the board report shows, as plain data."""
    period = periods.get_period(db, name)
    settings = load_panel_rules()
    current = _headline(db, period)
    prev = periods.previous_period(db, period)
    before = _headline(db, prev) if prev else None
    trend = [{"measure": key, "label": label, "value": current[key],
              "previous": before[key] if before else None,
              "change": _change(current[key], before[key]) if before else None} for key, label in TREND]
    for key in settings.item_ids:
        trend.append({"measure": f"rubric.{key}", "label": f"{settings.label(key)} (mean, 1-5)",
                      "value": current["rubric"][key],
                      "previous": before["rubric"][key] if before else None,
                      "change": _change(current["rubric"][key], before["rubric"][key]) if before else None})
    for t in trend:
        if t["measure"] == "share_poor":  # a share is shown with the count behind it, as everywhere
            t["words"] = {"value": _poor_words(current), "previous": _poor_words(before),
                          "change": _poor_change(current, before)}
        else:  # each measure to its own places (agreement figures to two, as the dashboard)
            t["words"] = _figure_words(t)
            few = (_too_few_to_compare(t["measure"], current, before)
                   if t["value"] is not None and t["previous"] is not None else None)  # (else "no figure")
            if few:
                t["change"], t["few"] = None, few
                t["words"]["change"] = few
            # an agreement figure on fewer letters than the report puts into words is shown with
            # that said, as the summary says it ("0.00" stood bare beside "too few letters to say")
            if t["measure"] in ("alpha_overall", "spearman_overall_vs_score"):
                for side, figures in (("value", current), ("previous", before)):
                    if figures is not None and t["words"][side] and _behind(t["measure"], figures)[0] < \
                            min_letters_for_agreement():
                        t["words"][side] += " (too few letters to say)"
    rubric = sorted(({"item": k, "label": settings.label(k), "mean": v, "ratings": current["rubric_counts"][k],
                      "mean_words": figure_words(v, places(f"rubric.{k}"))}
                     for k, v in current["rubric"].items()),
                    key=lambda r: (r["mean"] is None, r["mean"] if r["mean"] is not None else 0, r["item"]))
    judged = [{**r, "title": labels.rule_title(r["rule"]), "words": _panel_words(r)}
              for r in current["agreement"]["rules"]]
    return {
        "period": {"name": period["name"], "start_date": period["start_date"], "end_date": period["end_date"],
                   "seed": period["seed"], "drawn_at": period["drawn_at"], "words": periods.period_words(period)},
        "previous_period": prev["name"] if prev else None,
        "previous_words": periods.period_words(prev) if prev else None,
        "agreement_words": {"members": current["agreement"]["members_agree_words"],
                            "score": current["agreement"]["score_agrees_words"]},
        "min_letters": current["agreement"]["min_letters"],
        "thresholds": {k: float(settings.report.get(k, d)) for k, d in (
            ("agree_strongly", 0.667), ("agree_somewhat", 0.4), ("score_closely", 0.7), ("score_somewhat", 0.4),
            ("score_opposite", -0.4))},
        "summary": {**{k: current[k] for k in ("letters", "ratings", "mean_overall", "mean_score", "poor", "share_poor",
                                               "alpha_overall", "spearman_overall_vs_score")},
                    "letters_rated": current["agreement"]["letters_rated"]},
        "share_poor_words": _poor_words(current),
        "summary_words": {k: figure_words(current[k], places(k)) for k in ("mean_overall", "mean_score")},
        "alpha_words": figure_words(current["alpha_overall"]),
        "spearman_words": figure_words(current["spearman_overall_vs_score"]),
        "failed_rules": _failed_rules(db, period, int(settings.report.get("top_rules", 8))),
        "failed_rules_unlisted": _unlisted(db, period, int(settings.report.get("top_rules", 8))),
        "rubric": rubric,
        "comments": _comments(db, period, int(settings.report.get("comments_per_band", 2)),
                              int(settings.report.get("comment_chars", 400))),
        "trend": trend,
        "training": board_summary(db, period["start_date"], period["end_date"]),  # vcl_qa/training
        "rules": judged,
        "min_answers": min_answers_for_share(),
        "purged_letters": _purged_letters(db, period),
        "sample_changes": _sample_changes(db, period),
    }


def _sample_changes(db: Database, period: dict) -> dict:
    """How the sample the figures are for came about: the letters drawn by the area's rules (a
    draw's verdict or random picks, kept or taken out since) and how many of them the checks
    found poor, letters a manager added by hand (still in it) and letters taken out (each with a
    reason, kept on record). A review: after a manager added one letter and took out a poor one,
    the report still said the letters were chosen by the rules the area agreed, its share found
    poor 20% (1 of 5) where the draw had given 33% (2 of 6). A drawn letter taken out and put
    back is drawn again (sampling.add_letter keeps how it was chosen)."""
    rows = db.execute("SELECT reason, verdict, removed_at IS NOT NULL FROM panel_items WHERE period_id = ?",
                      [period["id"]]).fetchall()
    # Letters of the sample deleted from the service since (before the panel rated the period:
    # letters/store.py delete), their rows kept as they stood (panel_deleted_items).
    deleted = db.execute("SELECT reason, verdict, removed FROM panel_deleted_items WHERE period_id = ?",
                         [period["id"]]).fetchall() if "panel_deleted_items" in db.table_names() else []
    drawn = [verdict for reason, verdict, _ in [*rows, *deleted] if reason != "manual"]
    return {"drawn": len(drawn), "drawn_poor": sum(1 for v in drawn if v == "poor"),
            "added_by_hand": sum(1 for reason, _, gone in rows if reason == "manual" and not gone),
            # drawn letters taken out (one added by hand and taken out again changes nothing drawn)
            "removed": sum(1 for reason, _, gone in [*rows, *deleted] if gone and reason != "manual"),
            # letters of the sample as it stood (not taken out) deleted from the service since:
            # drawn ones (the draw would not give the same letters) and ones added by hand
            "deleted": sum(1 for reason, _, gone in deleted if not gone and reason != "manual"),
            "deleted_by_hand": sum(1 for reason, _, gone in deleted if not gone and reason == "manual")}


CHOSEN_BY_RULES = ("The letters were chosen for the panel by the rules the area agreed: every letter the automatic "
                   "checks found poor, and a share of the others picked at random from each kind of decision and "
                   "offence. The draw can be repeated and gives the same letters.")


def sample_words(data: dict) -> str:
    """How the letters were chosen, as the report opens: by the area's rules, and what a manager
    changed by hand since (so a board is never told a sample changed by hand was drawn by the
    rules alone)."""
    c = data.get("sample_changes") or {}
    added, removed, deleted = c.get("added_by_hand", 0), c.get("removed", 0), c.get("deleted", 0)
    if deleted:
        return _deleted_words(c, added, removed, deleted)
    words = _sample_words(c, added, removed)
    gone = c.get("deleted_by_hand", 0)
    if gone:  # (the draw is as it was: only a letter a manager added is no longer there)
        words += (f" Since then, {_times(gone, 'letter')} added by hand {'was' if gone == 1 else 'were'} deleted from "
                  f"the service before the panel rated {'it' if gone == 1 else 'them'} (the deletion is in the audit "
                  "log); the figures in this report are for the sample as it now stands.")
    return words


def _sample_words(c: dict, added: int, removed: int) -> str:
    """`sample_words` with no letter of the sample deleted from the service since."""
    if not c.get("drawn"):
        if not added:
            return "No letters have been chosen for the panel in this period."
        if added == 1:
            return ("The letter in this sample was chosen by hand by a manager, with a reason kept on record; none "
                    "was drawn by the rules the area agreed.")
        return (f"All {added} letters in this sample were chosen by hand by a manager, each with a reason kept on "
                "record; none was drawn by the rules the area agreed.")
    if not (added or removed):
        return CHOSEN_BY_RULES
    changes = " and ".join(part for part in (
        f"{_times(added, 'letter')} added" if added else "",
        f"{_times(removed, 'letter')} taken out" if removed else "") if part)
    return (f"{CHOSEN_BY_RULES} A manager then changed the sample by hand: {changes}, "
            f"{'with a reason' if added + removed == 1 else 'each with a reason'} kept on record. The figures in this report are for the sample as it now stands; of the letters as drawn, "
            f"the automatic checks found {share_words(c['drawn_poor'], c['drawn'], '-', 'letters')} poor.")


def _deleted_words(c: dict, added: int, removed: int, deleted: int) -> str:
    """`sample_words` for a sample some of whose letters were deleted from the service since
    (before the panel rated it): the draw cannot be repeated to give the same letters, and the
    figures are for fewer letters than were chosen."""
    how = (f"{CHOSEN_BY_RULES.removesuffix(' The draw can be repeated and gives the same letters.')}"
           if c.get("drawn") else "The letters in this sample were chosen by hand by a manager.")
    by_hand = " and ".join(part for part in (
        f"{_times(added, 'letter')} added" if added else "",
        f"{_times(removed, 'letter')} taken out" if removed else "") if part)
    gone = c.get("deleted_by_hand", 0)
    also = f" (and {_times(gone, 'letter')} added by hand)" if gone else ""
    said = [how, f"Since then, {_times(deleted, 'letter')} of the sample{also} {'was' if deleted + gone == 1 else 'were'} deleted "
                 f"from the service before the panel rated {'it' if deleted + gone == 1 else 'them'} (the deletion "
                 "is in the audit log), so the draw would no longer give the same letters."]
    if by_hand:
        said.append(f"A manager also changed the sample by hand: {by_hand}, "
                    f"{'with a reason' if added + removed == 1 else 'each with a reason'} kept on record.")
    said.append("The figures in this report are for the sample as it now stands"
                + (f"; of the letters as drawn, the automatic checks found "
                   f"{share_words(c['drawn_poor'], c['drawn'], '-', 'letters')} poor." if c.get("drawn") else "."))
    return " ".join(said)


def _purged_letters(db: Database, period: dict) -> int:
    """Letters of the sample purged under the retention rules since: the panel's copy and
    comments are gone (vcl_qa/panel/retention.py); their ratings and the figures stay."""
    return db.execute(
        "SELECT count(*) FROM panel_items i JOIN letters l ON l.id = i.letter_id"
        " WHERE i.period_id = ? AND i.removed_at IS NULL AND l.purged_at IS NOT NULL", [period["id"]]).fetchone()[0]


def purged_words(n: int) -> str | None:
    if not n:
        return None
    return (f"{n} of the sample's letters {'was' if n == 1 else 'were'} purged under the retention rules: "
            f"{'its' if n == 1 else 'their'} text and the panel's comments on {'it' if n == 1 else 'them'} were "
            f"removed; {'its' if n == 1 else 'their'} ratings still count in these figures.")


def _env() -> jinja2.Environment:
    # The report's template ships inside this package (vcl_qa/panel/templates/).
    return jinja2.Environment(loader=jinja2.PackageLoader("vcl_qa.panel", "templates"),
                              autoescape=jinja2.select_autoescape(["html"]))


def unlisted_words(data: dict) -> str | None:
    """"14 more kinds of problem were found and are not in this table; the one in the most
    letters: ..., in 30% (6 of 20 letters)"."""
    rest = data.get("failed_rules_unlisted") or {}
    if not rest.get("count"):
        return None
    n, common = rest["count"], rest["most_letters"]
    return (f"{n} more kind{'' if n == 1 else 's'} of problem {'was' if n == 1 else 'were'} found in the sample "
            f"and {'is' if n == 1 else 'are'} not in this table; the one in the most letters: "
            f"{common['title']} ({common['severity_words'].lower()}), in {common['share_words']}.")


def render_html(data: dict) -> str:
    return _env().get_template("report.html").render(r=data, unlisted_words=unlisted_words(data), purged_words=purged_words(data.get("purged_letters", 0)),
                                                     sample_words=sample_words(data))


CSV_HEADER = ["Section", "What", "Value", "Previous", "Change", "Detail", "Section code", "Item code"]
SUMMARY_WORDS = {"letters": "Letters in the sample", "ratings": "Panel ratings",
                 "letters_rated": "Letters the panel rated",
                 "mean_overall": "Panel's overall rating (average, 1 to 5)",
                 "mean_score": "Automatic score (average, 0 to 100)",
                 "poor": "Letters the automatic checks found poor",
                 "share_poor": "Share of sampled letters the automatic checks found poor",
                 "alpha_overall": "Panel members agreed with each other (Krippendorff's alpha, ordinal)",
                 "spearman_overall_vs_score": "Automatic score against the panel (Spearman's rank correlation)"}


def render_csv(data: dict) -> str:
    """One table in plain words: section, what, value, previous, change, detail; the last two
    columns keep the codes (section and measure or rule id) for other programs."""
    buf = io.StringIO()
    w = csv_safe.Writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    p = data["period"]
    w.writerow(["Period", p["words"], f"{labels.long_date(p['start_date'])} to {labels.long_date(p['end_date'])}",
                data["previous_words"] or "", "", "", "period", p["name"]])
    w.writerow(["Period", "How the letters were chosen", sample_words(data), "", "", "", "period", "sample"])
    said = {"alpha_overall": data["agreement_words"]["members"],  # the words the page gives them
            "spearman_overall_vs_score": data["agreement_words"]["score"]}
    for key, value in data["summary"].items():
        if key == "share_poor":  # "25% (3 of 12 letters)", as the HTML and docs/panel.md say
            value = data.get("share_poor_words") or _cell(value)
        elif key in ("mean_overall", "mean_score", *said):
            value = _number(value, places(key))
        w.writerow(["Summary", SUMMARY_WORDS.get(key, key), _cell(value), "", "", said.get(key, ""), "summary", key])
    twice = {r["rule"] for r in data["failed_rules"]}
    twice = {k for k in twice if sum(r["rule"] == k for r in data["failed_rules"]) > 1}
    for r in data["failed_rules"]:
        # (a kind with a row for each severity says which row is which, as the page's table does)
        what = f"{r['title']} ({r['severity_words'].lower()})" if r["rule"] in twice else r["title"]
        w.writerow(["Most serious problem", what, r["letters"], "", "",
                    f"{r['severity_words']}; found {_times(r['findings'])}; in {r['share_words']} of the sample; "
                    f"the panel agreed with these findings: {r['panel_words']}",
                    "failed_rule", r["rule"]])
    if unlisted_words(data):
        w.writerow(["Most serious problem", "Other kinds of problem found, not listed",
                    data["failed_rules_unlisted"]["count"], "", "", unlisted_words(data), "unlisted_rules", "count"])
    for r in data["rubric"]:
        w.writerow(["Rubric", r["label"], _number(r["mean"], places(f"rubric.{r['item']}")), "", "",
                    _times(r["ratings"], "rating"), "rubric", r["item"]])
    for r in data["trend"]:
        label = r["label"].replace(" [1]", "").replace(" [2]", "")
        if r["measure"] == "share_poor":  # a share in words, with its counts
            w.writerow(["Trend", label, r["words"]["value"] or "", r["words"]["previous"] or "",
                        r["words"]["change"] or "", "", "trend", r["measure"]])
            continue
        # Numbers, each to the places the page shows, the change signed as any number is ("-0.94",
        # "0.68"): a spreadsheet reads every one as a number (the page's true minus sign it would not)
        p = places(r["measure"])
        w.writerow(["Trend", label, _number(r["value"], p), _number(r["previous"], p),
                    r.get("few") or _number(change_figure(r["value"], r["previous"], p), p), "", "trend",
                    r["measure"]])
    for r in data["rules"]:
        w.writerow(["Automatic check as the panel judged it", r["title"], r["words"], "", "",
                    (f"shown {_times(r['shown'])}; {r['agreed']} marked agree; {r['not_a_problem']} marked not a"
                     f" problem; {r['unanswered']} not answered (not counted)"),
                    "rule_precision", r["rule"]])
    for c in data["comments"]:
        # Value: how many times the comment was given in the band, the row's figure as in every
        # other row (it was the overall rating given with it, read as a count: a review); the
        # rating, labelled, with the case in Detail after the comment, as the page words them.
        w.writerow(["What the panel said", c["band_label"], c["times"], "", "", comment_detail(c), "comment", c["band"]])
    if data.get("purged_letters"):
        w.writerow(["Summary", "Letters purged under the retention rules since", data["purged_letters"], "", "",
                    purged_words(data["purged_letters"]), "summary", "purged"])
    if data.get("training"):
        t = data["training"]
        w.writerow(["Training", "Staff who have passed every exercise", t["completed"], "", "", t["line"],
                    "training", "completed"])
    return buf.getvalue()


def comment_detail(c: dict) -> str:
    """A comment as the CSV's Detail gives it: the words in quotes, then what the page says under
    them ("“ok” (given 6 times in this band, first rated 4 out of 5 overall; Stop the case
    (discontinued), assault)")."""
    rated = (f"given {c['times']} times in this band, first rated {c['overall']} out of 5 overall"
             if c["times"] > 1 else f"given once in this band, rated {c['overall']} out of 5 overall")
    case = c["decision_words"] + (f", {c['offence_words']}" if c["offence"] else "")
    return f"“{c['comment']}” ({rated}; {case})"


def _cell(value: Any) -> Any:
    return "" if value is None else value


def _number(value: float | None, places_: int) -> str:
    """A figure for the CSV as the page shows it ("3.20", "70.0", "-0.94"), "" for none."""
    return "" if value is None else f"{shown(value, places_):.{places_}f}"
