"""The decisions register as a page: letters not sent (overdue), due today, due later, sent late
and sent on time, each with its case reference, team, due date, the working days in words and a
link to write the letter. Built on vcl_qa.decisions.register, as the morning digest is.

Staff see their own team's decisions; managers every team's (as in the API)."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from fastapi import APIRouter, Request

from vcl_qa import labels
from vcl_qa.db import audit
from vcl_qa.errors import LetterError
from vcl_qa.decisions import agreement, register, store
from vcl_qa.engine.workdays import limit_for
from vcl_qa.reports import timeliness
from vcl_qa import clock

from ..deps import DbDep, visible_team
from . import check
from .forms import FIELD_ORDER, date_from_form, date_parts
from .letters import PageNotFound
from .session import StaffOrManager, render, settings

router = APIRouter(include_in_schema=False)
STATUS_ORDER = ("overdue", "due_today", "due", "sent_late", "sent_on_time", "not_required")
# Statuses listed together under one name: the dashboard's "not yet due" (due today or later,
# not sent yet), so its link lists exactly what it counts.
STATUS_GROUPS = {"not_yet_due": ("due_today", "due")}
STATUS_WORDS = {**labels.REGISTER_STATUSES, "not_yet_due": "Not yet due (due today or later)"}
DATE_FILTERS = ("due_from", "due_to")
DATE_WORDS = {"due_from": "due from", "due_to": "due to", "as_of": "as on"}


def _filters(request: Request, user, db) -> tuple[dict, dict[str, str], dict[str, str]]:
    """The filters: status, team, decision, the due date's range (due_from, due_to: the
    dashboard's From and To) and as_of; a message per bad one, and the values as typed."""
    q = request.query_params
    typed = {k: (q.get(k) or "").strip() for k in ("status", "team", "decision", *DATE_FILTERS, "as_of")}
    errors: dict[str, str] = {}
    status = typed["status"] or None
    if status is not None and status not in STATUS_ORDER and status not in STATUS_GROUPS:
        errors["status"] = (f"'{status[:30]}' is not a status. Choose one of: "
                            + ", ".join(labels.REGISTER_STATUSES[s] for s in STATUS_ORDER) + ".")
        status = None
    team = visible_team(user.user) or (typed["team"] or None)
    if team and user.role != "staff" and not db["decisions"].count_where("team = ?", [team]):
        errors["team"] = f"The register holds no decisions for a team called '{team[:40]}'."
    decision = typed["decision"] or None
    if decision is not None and decision not in labels.DECISIONS:
        errors["decision"] = "Choose a decision from the list."
        decision = None
    # Dates typed as day, month and year like every date on the pages (a link's one ISO date,
    # the dashboard's, still works): forms.date_from_form, as the letters list reads its own.
    days: dict[str, dt.date | None] = {}
    for key in (*DATE_FILTERS, "as_of"):
        days[key] = None
        try:
            typed[key] = date_from_form(q, key)
            if typed[key]:
                days[key] = register.check_day(dt.date.fromisoformat(typed[key]), key)
        except (ValueError, LetterError) as exc:
            said = str(exc) if str(exc).startswith("must") else "must be a real date between 2000 and 2099"
            errors[key] = f"The '{DATE_WORDS[key]}' date {said}."
            typed[key] = ""
            continue
        if key == "as_of" and days[key]:
            # not after today, as the API, the dashboard and `vcl-qa digest --today` refuse it: a
            # day still to come would count letters as late or never sent before their time
            try:
                register.check_as_of(days[key], key)
            except LetterError as exc:
                errors[key] = f"The '{DATE_WORDS[key]}' date: {exc.message[:1].upper()}{exc.message[1:]}."
                days[key] = None
    if days["due_from"] and days["due_to"] and days["due_from"] > days["due_to"]:
        errors["due_to"] = (f"The 'due to' date ({labels.long_date(days['due_to'])}) is before the 'due from' "
                            f"date ({labels.long_date(days['due_from'])}). Change one of them.")
    return {"status": status, "team": team, "decision": decision, **days}, errors, typed


def rows_for(db, f: dict) -> list[dict]:
    """The register as the page lists it: decisions made by the day counted as today, most
    urgent first, each with plain words; filtered by decision and due date as the dashboard's
    figures are (vcl_qa.reports.timeliness.rows_for), so its links list what it counts."""
    today = f["as_of"] or clock.today()
    rows = register.register(db, today=today, team=f["team"], decision=f.get("decision"), decided_to=today)
    low, high = f.get("due_from"), f.get("due_to")
    rows = [r for r in rows if (low is None or r["due_date"] >= low.isoformat())
            and (high is None or r["due_date"] <= high.isoformat())]
    agreement.for_rows(rows)  # a linked letter whose own details give another due date: said
    # Which linked letters went out and when, and which are drafts: a letter sent before the
    # decision (not counted as its letter) was listed among "Drafts".
    sent = store.letters_sent_on(db, (i for r in rows for i in r["letter_ids"]))
    for r in rows:
        r["sent_letters"] = [{"id": i, "sent_words": labels.long_date(sent[i]) if sent[i] else None}
                             for i in r["letter_ids"] if i in sent]
        r["draft_letters"] = [i for i in r["letter_ids"] if i not in sent]
        r.update(decision_words=labels.label(labels.DECISIONS, r["decision"]),
                 status_words=labels.label(labels.REGISTER_STATUSES, r["status"]),
                 due_words="no letter due" if r["status"] == "not_required" else labels.long_date(r["due_date"]),
                 decided_words=labels.long_date(r["decision_date"]),
                 days_words=timeliness.days_in_words(r),
                 warning_words=(r["letter_warning"][:1].upper() + r["letter_warning"][1:] + "."
                                if r.get("letter_warning") else None))
    return rows


def _link(f: dict, **changes) -> str:
    params = {"status": f["status"] or "", "team": f["team"] or "", "decision": f.get("decision") or "",
              **{k: f[k].isoformat() if f.get(k) else "" for k in (*DATE_FILTERS, "as_of")}, **changes}
    return "/decisions?" + urlencode({k: v for k, v in params.items() if v})


def filters_words(f: dict, *, staff: bool) -> str | None:
    """Which filters are on, in words ('Team north; decision: Not to charge; due from Monday
    1 December 2025 to Saturday 28 February 2026'), or None when none is."""
    dates = labels.date_range_words(f.get("due_from"), f.get("due_to"), "due from {} to {}",
                                    "due on or after {}", "due on or before {}")
    return labels.filters_line(None if staff else f["team"], f.get("decision"), dates)


# Where the register page stands, carried by its "Previous page" and "Next page" links: the rows
# after the last one shown (`after`) or before the first (`before`), each as its place in the
# register's order (register.cursor, as GET /api/v1/decisions's `next`), never a page number:
# a decision registered between two pages, or one whose letter went out, moved every row after it
# along one, and the next page repeated a row or skipped one. `page=N`, the page's links before,
# still opens that page as it stands now.
PLACE_KEYS = ("after", "before", "page")


def _place(q) -> tuple[str | None, str | None, bool]:
    """The place the address asks for: ("after" | "before", a cursor) or ("page", its number as
    text), or (None, None) for the first page; the third item is True when the place is not one
    the page gives (a hand-edited or cut-off link), and the list then starts from the top."""
    given = [(k, v) for k, v in q.multi_items() if k in PLACE_KEYS]
    if not given:
        return None, None, False
    key, value = given[0]
    if len(given) > 1:
        return None, None, True
    if key == "page":
        text = value.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 6 and 1 <= int(text) <= 100_000):
            return None, None, True
        return (None, None, False) if int(text) == 1 else (key, text, False)
    try:
        if len(value) > 60:
            raise LetterError("too long")
        register.read_cursor(value)
    except LetterError:
        return None, None, True
    return key, value, False


@router.get("/decisions")
def decisions_page(request: Request, user: StaffOrManager, db: DbDep):
    f, errors, typed = _filters(request, user, db)
    teams = [] if user.role == "staff" else [r[0] for r in db.execute("SELECT DISTINCT team FROM decisions ORDER BY team")]
    ctx = {"filters": f, "typed": typed, "errors": errors, "teams": teams, "statuses": STATUS_WORDS,
           "date_parts": {k: date_parts(request.query_params, k) for k in (*DATE_FILTERS, "as_of")},
           "decisions": labels.DECISIONS,
           "limits": {c: labels.working_days(limit_for(c)) for c in ("enhanced", "standard")},
           "order": STATUS_ORDER, "held": db["decisions"].count}
    if set(errors) - {"status"}:
        return render(request, "decisions.html", ctx, 400, user)
    rows = rows_for(db, f)
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in STATUS_ORDER}
    wanted = STATUS_GROUPS.get(f["status"] or "", (f["status"],))
    shown = [r for r in rows if f["status"] is None or r["status"] in wanted]
    per_page = int(settings().get("letters_per_page", 25)) * 2
    key, value, bad = _place(request.query_params)
    start, note, old_page = 0, None, None
    if bad:
        note = ("The link asked for a place in the register that this page does not give (cut short or "
                "changed by hand?), so the list starts from the most urgent.")
    elif key == "after":
        start = len(shown) - len(register.after(shown, value))
        if start >= len(shown) and shown:  # nothing after that place now: sent, or changed since
            start, note = 0, ("No decision comes after that place in the list now (the decisions there may "
                              "have changed since the link was made), so the list starts from the most urgent.")
    elif key == "before":  # the page just above that place; the first page when no more than a page is
        start = max(0, len(register.before(shown, value)) - per_page)
    elif key == "page":
        start = (int(value) - 1) * per_page
        if start >= len(shown):
            start, note = 0, (f"This is an old link to page {value} of the list, which has fewer pages now, "
                              "so the list starts from the most urgent.")
        else:
            old_page = int(value)
    page_rows = shown[start:start + per_page]
    audit.record_read(db, user.user, "decisions.list", "decision", None,  # which entries, never the filters
                 {"ids": [r["id"] for r in page_rows], "count": len(shown)})
    ctx.update({
        "rows": page_rows, "count": len(shown), "counts": counts,
        "tabs": [(s, labels.REGISTER_STATUSES[s], counts[s], _link(f, status=s)) for s in STATUS_ORDER],
        "all_link": _link(f, status=""), "first_shown": start + 1, "last_shown": start + len(page_rows),
        "note": note, "old_page": old_page,
        "previous_link": _link(f, before=register.cursor(page_rows[0])) if page_rows and start > 0 else None,
        "next_link": (_link(f, after=register.cursor(page_rows[-1]))
                      if page_rows and start + len(page_rows) < len(shown) else None),
        "filters_words": filters_words(f, staff=user.role == "staff"),
        "clear_link": _link({**f, "decision": None, "due_from": None, "due_to": None,
                             "team": None if user.role != "staff" else f["team"]}),
        "today_words": labels.long_date(f["as_of"] or clock.today()), "as_of_given": f["as_of"] is not None,
    })
    return render(request, "decisions.html", ctx, 400 if errors else 200, user)


@router.get("/decisions/{decision_id}/letter")
def write_letter(request: Request, decision_id: int, user: StaffOrManager, db: DbDep):
    """The check form filled in from the register, ready for the letter to be written or pasted."""
    rows = store.linked_rows(db, ids=[decision_id], team=visible_team(user.user)) if decision_id < 2**63 else []
    if not rows:
        raise PageNotFound()
    r = rows[0]
    audit.record_read(db, user.user, "decision.read", "decision", decision_id)
    values = {f: "" for f in (*FIELD_ORDER, "team")}
    for key in FIELD_ORDER:
        value = r.get(key)
        if value is not None and key != "letter_date":
            values[key] = {True: "yes", False: "no"}.get(value, str(value)) if isinstance(value, bool) else str(value)
    values["team"] = r["team"]
    return check._page(request, user, values)
