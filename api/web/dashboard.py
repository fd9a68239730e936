"""Managers: the dashboard (timeliness from the decisions register, scores, results, problems by
severity, panel agreement; filtered by team, decision and dates) and its CSV export."""
from __future__ import annotations

import datetime as dt
import io

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vcl_qa.db.teams import known_teams
from vcl_qa import csv_safe, labels
from vcl_qa.decisions import register
from vcl_qa.reports import charts
from vcl_qa.panel import agreement as panel_agreement
from vcl_qa.reports import dashboard
from vcl_qa.reports import timeliness
from vcl_qa import clock

from ..deps import DbDep, scoring_slot
from .forms import date_from_form, date_parts
from .session import Manager, render

router = APIRouter(include_in_schema=False)
VERDICT_COLOURS = (("good", labels.VERDICTS["good"], "#00703c"),
                   ("needs_work", labels.VERDICTS["needs_work"], "#b58105"),
                   ("poor", labels.VERDICTS["poor"], "#b10e1e"))
SEVERITY_COLOURS = {"error": "#b10e1e", "warning": "#8a5a00", "suggestion": "#1d4e89"}
CSV_COLUMNS = ("Month", "Month (YYYY-MM)", "Letters checked", "Letters sent", "Average score",
               labels.VERDICTS["good"], labels.VERDICTS["needs_work"], labels.VERDICTS["poor"],
               "Letters due", "Sent on time", "Sent late", "Never sent", "On time (%)", "Months counted by")
# The last column, the same in every row: which month each half of a row counts by.
MONTHS_COUNTED_BY = (f"Letters checked, sent, average score and results: {dashboard.MONTH_SENT_WORDS}. "
                     f"Letters due, sent on time, sent late, never sent and on time (%): {dashboard.MONTH_DUE_WORDS}.")


PANEL_CHART_TITLE = ("How much panel members agreed with each other: Krippendorff's alpha, a figure from "
                     "\u22121 to 1, not a percentage (1 = always the same rating, 0 = no more than chance, "
                     "below 0 = less than chance)")
PANEL_AXIS = "Agreement figure, \u22121 to 1 (not a percentage)"


# A period whose figure rests on too few letters: a grey bar, "0.83 (too few letters)" (the
# hint above the chart says so; the words in full are in the table and the bar's title).
FEW_LETTERS_COLOUR = "#6f777b"


def _panel_words(period: dict) -> str | None:
    """A period's bar in words: its figure, and "too few letters" when it rests on too few."""
    if period["alpha_overall"] is None:
        return None
    return period["members_figure"] + (" (too few letters)" if period["too_few_letters"] else "")


def _chart_title(problem: dict, twice: set[str]) -> str:
    """A problem's bar: its title, and how serious when the same check has a bar at each of two
    severities (`twice`: a reason the second opinion only doubts is should-fix, others
    must-fix), so that its two bars are never read as one problem twice: "No reason that fits
    the case (should fix)"."""
    if problem["rule"] not in twice:
        return problem["title"]
    return f"{problem['title']} ({labels.label(labels.SEVERITIES, problem['severity']).lower()})"


def _rate_words(month: dict) -> str | None:
    """A month's on-time rate with the counts behind it: "25% (1 of 4)"; None with nothing due."""
    if month.get("rate") is None:
        return None
    return f"{charts.figure(month['rate'])}% ({month['on_time']} of {month['due']})"


def _every_month(months: list[dict], empty: dict, span: list[str]) -> list[dict]:
    """Every month from the first to the last of `span`, in order, those not in `months` filled
    with `empty`."""
    if not span:
        return []
    have = {m["month"]: m for m in months}
    first, last = min(span), max(span)
    out, (y, mo) = [], map(int, first.split("-"))
    while f"{y:04d}-{mo:02d}" <= last:
        key = f"{y:04d}-{mo:02d}"
        out.append(have.get(key) or {"month": key, "words": labels.month_words(key), **empty})
        y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    return out


def _teams(db) -> list[str]:
    """The teams the API knows too (a user, a letter or a register entry): one list everywhere."""
    return known_teams(db)


# The dashboard's dates, typed as day, month and year (`date_from-day`, ...) like every date on
# the pages (forms.date_from_form, as the letters list and the register read theirs); a link with
# one ISO date (`date_from=2024-12-01`: other pages', and the dashboard's own) still works.
DATE_WORDS = {"date_from": "The From date", "date_to": "The To date", "as_of": "The 'Figures as on' date"}
# The decisions page's names for the same two filters (its due_from and due_to are the
# dashboard's From and To, docs/decisions.md): a link moved from one page to the other keeps its
# dates. Before, the dashboard ignored them and showed every team's figures, unsaid (a review).
SAME_FILTER = {"due_from": "date_from", "due_to": "date_to"}
SAME_FILTER_WORDS = {"due_from": "The 'due from' date", "due_to": "The 'due to' date"}


def _day(q, name: str, errors: dict, typed: dict) -> dt.date | None:
    """The date of one filter (None when left empty); a message in `errors` when it is wrong."""
    label = DATE_WORDS.get(name) or SAME_FILTER_WORDS[name]
    try:
        raw = date_from_form(q, name)
    except ValueError as exc:  # typed in the boxes: what is missing, or not a real date
        errors[name] = f"{label} {exc}."
        return None
    typed[name] = raw
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:  # a link's ISO date that is not a date
        errors[name] = (f"{label} ('{raw[:20]}') is not a date: type the day, month and year, "
                        "for example 27 3 2025.")
        return None


def filters_from(request: Request, db) -> tuple[dict, dict[str, str], dict[str, str]]:
    """The filters, a message per bad one (keyed by its box), and the values as typed (each date
    as its ISO date)."""
    q = request.query_params
    typed = {k: (q.get(k) or "").strip() for k in ("team", "decision", *DATE_WORDS)}
    errors: dict[str, str] = {}
    out: dict = {"team": typed["team"] or None, "decision": typed["decision"] or None}
    if out["team"] and out["team"] not in _teams(db):
        errors["team"] = f"There is no team called '{out['team'][:40]}'. Choose one from the list."
    if out["decision"] and out["decision"] not in labels.DECISIONS:
        errors["decision"] = "Choose a decision from the list."
    for key in DATE_WORDS:
        out[key] = _day(q, key, errors, typed)
    for other, key in SAME_FILTER.items():
        _same_filter(q, other, key, out, errors, typed)
    if out["as_of"] and not register.EARLIEST <= out["as_of"] <= register.LATEST:
        errors["as_of"] = (f"Figures as on {labels.long_date(out['as_of'])}: choose a day between "
                           f"{labels.long_date(register.EARLIEST)} and {labels.long_date(register.LATEST)}.")
        out["as_of"] = None
    elif out["as_of"] and out["as_of"] > clock.today():
        # A day still to come: its figures would be projections shown as fact (review 11a, finding 8).
        errors["as_of"] = (f"The 'Figures as on' date ({labels.long_date(out['as_of'])}) is after today "
                           f"({labels.long_date(clock.today())}): the figures would count letters as late or "
                           "never sent before their time. Choose today or an earlier day.")
        out["as_of"] = None
    if out["date_from"] and out["date_to"] and out["date_from"] > out["date_to"]:
        errors["date_to"] = (f"The To date ({labels.long_date(out['date_to'])}) is before the From date "
                             f"({labels.long_date(out['date_from'])}). Change one of them.")
    return out, errors, typed


def _same_filter(q, other: str, key: str, out: dict, errors: dict, typed: dict) -> None:
    """`due_from` or `due_to` (the decisions page's name) as the dashboard's own `key`; refused
    beside the box when both are given with different dates, never one of them dropped."""
    said: dict[str, str] = {}
    day = _day(q, other, said, typed)
    if said:
        errors.setdefault(key, said[other])
        return
    if day is None or key in errors:
        return
    if out[key] is not None and out[key] != day:
        own = DATE_WORDS[key]
        # (in the page's words, not the address's names: staff never see "due_from")
        errors[key] = (f"{own} was given twice, as {labels.long_date(out[key])} and as {labels.long_date(day)} "
                       "(the second in a link made on the decisions page). Choose one date and press Show.")
        return
    out[key] = day
    typed[key] = typed[other]


def date_boxes(q) -> dict[str, dict[str, str]]:
    """What each date's boxes show: as typed, else from the link's date, under the dashboard's
    name or the decisions page's (SAME_FILTER)."""
    boxes = {k: date_parts(q, k) for k in DATE_WORDS}
    for other, key in SAME_FILTER.items():
        if not any(boxes[key].values()):
            boxes[key] = date_parts(q, other)
    return boxes


def filters_words(f: dict) -> str:
    """Which filters the figures are for, in words ('Team north; decision: Not to charge; from
    Monday 1 December 2025 to Tuesday 31 March 2026'), or that they are for everything."""
    return labels.filters_line(f["team"], f["decision"], labels.date_range_words(f["date_from"], f["date_to"])) or ""


def _register(db, f: dict) -> timeliness.Timeliness | None:
    return timeliness.from_register(db, today=f["as_of"], team=f["team"], decision=f["decision"],
                                    due_from=f["date_from"], due_to=f["date_to"])


def _letter_filters(f: dict) -> dict:
    # An undated draft is scored again as of the day counted (dashboard.judge_undated_drafts):
    # the pages' scoring slot is held for each, as on its own page.
    return {**{k: f[k] for k in ("team", "decision", "date_from", "date_to", "as_of")}, "scoring_slot": scoring_slot}


@router.get("/dashboard")
def dashboard_page(request: Request, user: Manager, db: DbDep):
    f, errors, typed = filters_from(request, db)
    ctx = {"filters": f, "typed": typed, "errors": errors, "teams": _teams(db), "decisions": labels.DECISIONS,
           "date_parts": date_boxes(request.query_params), "filters_words": "" if errors else filters_words(f),
           "query": request.url.query, "verdict_colours": VERDICT_COLOURS}
    if errors:
        return render(request, "dashboard.html", ctx, 400, user)
    rows = dashboard.letters_in_scope(db, **_letter_filters(f))
    reg = _register(db, f)
    letter_months = dashboard.by_month(rows)
    bands = dashboard.score_bands(rows)
    found = dashboard.rules_found(db, rows)
    problems, suggestions = dashboard.problems_and_suggestions(db, rows, found)
    charted = dashboard.charted_problems(problems)
    # A check with two bars on the chart (found at two severities) says which is which on each;
    # one whose other row is off the chart (in the table, or among the suggestions) has no
    # twin to tell apart (a screenshot review: "(should fix)" sent readers looking for a bar)
    twice = dashboard.at_two_severities(charted)
    panel = dashboard.panel_figures(db, f["as_of"])
    first = dashboard.first_stored(db) if f["as_of"] else None
    if reg is not None:
        time_months = [{"month": m["month"], "words": labels.month_words(m["month"]), "on_time": m["on_time"],
                        "due": m["due"], "rate": m["rate"]} for m in reg.by_month]
        time_title = "Letters sent on time, by month they were due (%)"
    else:
        time_months = [{"month": m["month"], "words": labels.month_words(m["month"]), "on_time": m["on_time"],
                        "due": m["judged_for_time"], "rate": m["timeliness_rate"]}
                       for m in letter_months if m["month"] and m["judged_for_time"]]  # sent letters only
        time_title = "Sent letters on time, by month sent (%)"
    verdict_months = [{**m, "words": labels.month_words(m["month"])} for m in letter_months if m["month"]]
    # Every month between the first and the last in the charts, the empty ones as gaps: bars five
    # months apart must not sit side by side as if the months ran on (the tables keep their rows).
    # Both charts run over the same months, so that they line up.
    span = [m["month"] for m in time_months + verdict_months]
    time_chart = _every_month(time_months, {"rate": None}, span)
    verdict_chart = _every_month(verdict_months, {"good": 0, "needs_work": 0, "poor": 0}, span)
    chart_svgs = {
        # "Dec 2025", never "Dec 25" (read as 25 December); each rate with its counts, "25% (1 of 4)"
        "timeliness": charts.bar_chart("chart-timeliness", time_title,
                                       [labels.short_month_words(m["month"]) for m in time_chart],
                                       [m["rate"] for m in time_chart], unit="%", max_value=100,
                                       figures=[_rate_words(m) for m in time_chart]),
        "scores": charts.bar_chart("chart-scores", "Letters by score", [b for b, _ in bands], [n for _, n in bands],
                                  zero_mark=False, whole=True),
        "verdicts": charts.stacked_bar_chart(
            "chart-verdicts", "Results by month", [labels.short_month_words(m["month"]) for m in verdict_chart],
            [(name, [m[key] for m in verdict_chart], colour) for key, name, colour in VERDICT_COLOURS]),
        "rules": charts.hbar_chart("chart-rules", "Problems found, the most serious first (letters affected)",
                                   [_chart_title(r, twice) for r in charted], [r["letters"] for r in charted],
                                   colours=[SEVERITY_COLOURS[r["severity"]] for r in charted]),
        # The agreement figure itself on its own scale (0.08, not 8 on an axis read as percent), to
        # two places as the table beside it (panel/agreement.py `shown`); a negative one is drawn
        # below the zero line, never shown as 0 (review 11a, finding 9). Too few letters: said.
        "panel": charts.bar_chart(
            "chart-panel", PANEL_CHART_TITLE, [p["period_words"] for p in panel],
            [panel_agreement.shown(p["alpha_overall"]) for p in panel], max_value=1, places=2,
            axis_label=PANEL_AXIS, figures=[_panel_words(p) for p in panel],
            colours=[FEW_LETTERS_COLOUR if p["too_few_letters"] else None for p in panel]),
    }
    ctx.update({
        "months_due": dashboard.MONTH_DUE_WORDS, "months_sent": dashboard.MONTH_SENT_WORDS,
        "summary": dashboard.summary(rows), "register": reg, "time_months": time_months,
        "undated_drafts": sum(1 for r in rows if dashboard.undated_draft(r)),
        # (a replayed day counts each letter with the result it had then, from the rules of then)
        "older_rules": 0 if f["as_of"] else dashboard.scored_with_older_rules(rows),
        # Of the letters the figure above counts: with the register, those its rate counts as
        # sent (chosen by due date, as on the day counted); without, those sent in the dates.
        "sent_before_saved": dashboard.sent_before_saved_among(db, reg.sent_letter_ids) if reg is not None
        else dashboard.sent_before_saved(db, **{k: f[k] for k in ("team", "decision", "date_from", "date_to")}),
        "unregistered": timeliness.unregistered(db, today=reg.today, team=f["team"], decision=f["decision"],
                                                due_from=f["date_from"], due_to=f["date_to"])
        if reg is not None else None,
        "counted_on_words": labels.long_date(f["as_of"] or clock.today()),
        "verdict_months": verdict_months, "bands": bands, "problems": problems, "suggestions": suggestions,
        "suggestions_spread": dashboard.spread(found, suggestions),
        "panel_min_letters": panel_agreement.min_letters_for_agreement(),
        "not_charted": len(problems) - len(charted),
        "severities": labels.SEVERITIES, "panel": panel, "charts": chart_svgs,
        "today_words": labels.long_date(reg.today if reg else (f["as_of"] or clock.today())),
        "as_of_words": labels.long_date(f["as_of"]) if f["as_of"] else None,
        # A day before the first letter was stored: nothing had been checked yet, said plainly.
        "before_any_letter": labels.long_date(first) if first and f["as_of"] < first else None,
    })
    return render(request, "dashboard.html", ctx, user=user)


def csv_rows(db, f: dict) -> list[dict]:
    """One row per month: the checked letters (by the month they were sent or dated) and the
    register's letters due (by the month they were due)."""
    letters = {m["month"]: m for m in dashboard.by_month(dashboard.letters_in_scope(db, **_letter_filters(f)))
               if m["month"]}
    reg = _register(db, f)
    due = {m["month"]: m for m in (reg.by_month if reg else [])}
    out = []
    for month in sorted(set(letters) | set(due)):
        lm, dm = letters.get(month, {}), due.get(month, {})
        out.append({
            "Month": labels.month_words(month), "Month (YYYY-MM)": month,
            "Letters checked": lm.get("letters", 0), "Letters sent": lm.get("sent", 0),
            "Average score": "" if lm.get("mean_score") is None else lm["mean_score"],
            **{labels.VERDICTS[v]: lm.get(v, 0) for v in dashboard.VERDICTS},
            "Letters due": dm.get("due", ""), "Sent on time": dm.get("on_time", ""),
            "Sent late": dm.get("late", ""), "Never sent": dm.get("missing", ""),
            "On time (%)": dm.get("rate", ""), "Months counted by": MONTHS_COUNTED_BY,
        })
    return out


@router.get("/dashboard.csv")
def dashboard_csv(request: Request, user: Manager, db: DbDep):
    f, errors, _typed = filters_from(request, db)
    if errors:
        return Response("; ".join(errors.values()) + "\n", status_code=400, media_type="text/plain; charset=utf-8")
    buf = io.StringIO()
    writer = csv_safe.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_rows(db, f))
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="dashboard.csv"'})
