"""Managers: the dashboard (charts filtered by team, decision and dates) and its CSV export."""
from __future__ import annotations

import datetime as dt
import io

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vcl_qa import csv_safe
from vcl_qa.reports import charts
from vcl_qa.reports import dashboard
from vcl_qa.decisions import register

from ..deps import DbDep
from .forms import DECISION_LABELS
from .session import SECURITY_HEADERS, Manager, render

router = APIRouter(include_in_schema=False)
VERDICT_COLOURS = (("good", "Good", "#00703c"), ("needs_work", "Needs work", "#b58105"), ("poor", "Poor", "#b10e1e"))


def _filters(request: Request) -> dict:
    q = request.query_params
    out: dict = {"team": q.get("team") or None, "decision": q.get("decision") or None}
    if out["decision"] not in DECISION_LABELS:
        out["decision"] = None
    for key in ("date_from", "date_to"):
        try:
            out[key] = dt.date.fromisoformat(q[key]) if q.get(key) else None
        except ValueError:
            out[key] = None
    return out


def _register_totals(db, filters: dict) -> dict | None:
    """Letters required by the decisions register, sent on time and missing (all limits together)."""
    rows = register.timeliness_report(
        db, team=filters["team"],
        month_from=filters["date_from"].strftime("%Y-%m") if filters["date_from"] else None,
        month_to=filters["date_to"].strftime("%Y-%m") if filters["date_to"] else None)
    rows = [r for r in rows if r["working_day_limit"] is None]
    if not rows:
        return None
    keys = ("required", "sent", "sent_on_time", "sent_late", "missing", "pending")
    return {k: sum(r[k] for r in rows) for k in keys}


@router.get("/dashboard")
def dashboard_page(request: Request, user: Manager, db: DbDep):
    filters = _filters(request)
    rows = dashboard.letters_in_scope(db, **filters)
    months = dashboard.by_month(rows)
    bands = dashboard.score_bands(rows)
    rules = dashboard.frequent_rules(db, rows)
    panel = dashboard.panel_figures(db)
    labels = [m["month"] for m in months]
    chart_svgs = {
        "timeliness": charts.bar_chart("chart-timeliness", "Letters sent on time, by month (%)", labels,
                                       [m["timeliness_rate"] for m in months], unit="%", max_value=100),
        "scores": charts.bar_chart("chart-scores", "Letters by score", [b for b, _ in bands], [n for _, n in bands]),
        "verdicts": charts.stacked_bar_chart("chart-verdicts", "Results by month", labels,
                                             [(name, [m[key] for m in months], colour) for key, name, colour in VERDICT_COLOURS]),
        "rules": charts.hbar_chart("chart-rules", "Most frequent problems (letters affected)",
                                   [r["title"] for r in rules], [r["letters"] for r in rules]),
        "panel": charts.bar_chart("chart-panel", "Panel agreement between raters (Krippendorff's alpha, x100)",
                                  [p["period"] for p in panel],
                                  [None if p["alpha_overall"] is None else round(100 * p["alpha_overall"]) for p in panel],
                                  max_value=100),
    }
    teams = [r[0] for r in db.execute("SELECT DISTINCT team FROM letters ORDER BY team")]
    query = request.url.query
    return render(request, "dashboard.html", {
        "filters": filters, "teams": teams, "decisions": DECISION_LABELS, "summary": dashboard.summary(rows),
        "months": months, "bands": bands, "rules": rules, "panel": panel, "charts": chart_svgs,
        "register": _register_totals(db, filters), "query": query, "verdict_colours": VERDICT_COLOURS,
    }, user=user)


@router.get("/dashboard.csv")
def dashboard_csv(request: Request, user: Manager, db: DbDep):
    months = dashboard.by_month(dashboard.letters_in_scope(db, **_filters(request)))
    buf = io.StringIO()
    writer = csv_safe.DictWriter(buf, fieldnames=dashboard.MONTH_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(months)
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="dashboard.csv"', **SECURITY_HEADERS})
