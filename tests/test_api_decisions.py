"""The decisions register and timeliness report over HTTP, against a real uvicorn server."""
from __future__ import annotations

import csv
import io

import httpx
import pytest

from live_server import LiveServer, auth, make_user
from vcl_qa.decisions.register import FIELDS as DECISION_FIELDS

# Why a letter saved here today went out on an earlier day (asked for by marking it sent then).
SAID_WHY = {"sent_before_saved_reason": "posted first, saved here afterwards to record it"}

AS_OF = "2025-01-06"  # a Monday
TEXT = "Dear Ms Okafor\n\nWe have decided to stop the case. I am sorry for the upset this causes.\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("decisions") / "vcl_qa.db").start()
    srv.tokens = {
        "staff": make_user(srv.db, "north-staff", "staff", "north"),
        "south": make_user(srv.db, "south-staff", "staff", "south"),
        # Teams a manager registers decisions for are teams there are (review 11b, finding 5).
        "east": make_user(srv.db, "east-staff", "staff", "east"),
        "west": make_user(srv.db, "west-staff", "staff", "west"),
        "manager": make_user(srv.db, "manager", "manager"),
        "panel": make_user(srv.db, "panel", "panel"),
        "admin": make_user(srv.db, "admin", "admin"),
    }
    yield srv
    srv.stop()


def call(server, role, method, path, **kw):
    headers = auth(server.tokens[role]) if role else {}
    return httpx.request(method, f"{server.url}/api/v1{path}", headers=headers, timeout=30, **kw)


def decision(urn, decided="2024-12-19", category="enhanced", kind="discontinued", **extra):
    return {"urn": urn, "decision": kind, "decision_date": decided, "victim_category": category, **extra}


def listed(server, role, **params):
    r = call(server, role, "GET", "/decisions", params={"as_of": AS_OF, "limit": 500, **params})
    assert r.status_code == 200, r.text
    return r.json()


def test_register_one_then_again(server):
    body = decision("11AA0000124", victim_name="Ms Ada Okafor", bereaved=False, offence="assault")
    r = call(server, "staff", "POST", "/decisions", json=body)
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["count"], out["created"], out["updated"], out["unchanged"]) == (1, 1, 0, 0)
    row = out["data"][0]
    assert (row["urn"], row["team"], row["due_date"], row["working_day_limit"]) == (
        "11AA0000124", "north", "2024-12-20", 1)
    again = call(server, "staff", "POST", "/decisions", json=body)
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 1)
    changed = call(server, "staff", "POST", "/decisions", json={**body, "victim_category": "standard"})
    assert changed.status_code == 200
    assert changed.json()["updated"] == 1
    assert changed.json()["data"][0]["due_date"] == "2024-12-30"


def test_registering_again_without_optional_fields_keeps_them(server):
    """Review 9, item 1: the second POST without letter_date, victim_name, bereaved and offence
    erased them; the sent case turned overdue (17 working days late) and the answer said 'updated'."""
    full = decision("90NR0005526", decided="2024-12-02", category="standard", kind="not_charged",
                    victim_name="Mr Keep Me", bereaved=True, offence="homicide", letter_date="2024-12-03")
    r = call(server, "staff", "POST", "/decisions", json=full)
    assert r.status_code == 201, r.text
    assert (r.json()["data"][0]["status"], r.json()["data"][0]["changed"]) == ("sent_on_time", [])
    bare = decision("90nr0005526", decided="2024-12-02", category="standard", kind="not_charged")
    again = call(server, "staff", "POST", "/decisions", json=bare)
    assert again.status_code == 200, again.text
    out = again.json()
    assert (out["created"], out["updated"], out["unchanged"]) == (0, 0, 1)
    row = out["data"][0]
    assert (row["urn"], row["status"], row["letter_date"], row["victim_name"], row["bereaved"], row["offence"],
            row["changed"]) == ("90NR0005526", "sent_on_time", "2024-12-03", "Mr Keep Me", True, "homicide", [])
    # a field given changes only that field, and the answer names it
    moved = call(server, "staff", "POST", "/decisions", json={**bare, "victim_name": "Mr K Me"}).json()
    assert (moved["updated"], moved["data"][0]["changed"], moved["data"][0]["letter_date"]) == (
        1, ["victim_name"], "2024-12-03")
    # clearing is explicit: JSON null
    cleared = call(server, "staff", "POST", "/decisions", json={**bare, "letter_date": None, "offence": None}).json()
    row = cleared["data"][0]
    assert (cleared["updated"], row["changed"], row["letter_date"], row["offence"], row["victim_name"]) == (
        1, ["offence", "letter_date"], None, None, "Mr K Me")
    assert row["status"] == "overdue"


def test_batch_is_all_or_nothing(server):
    good = [decision(f"22BB00001{i}", team="east") for i in range(3)]
    bad = {"decisions": [*good, decision("22BB0000199", kind="dropped", team="east")]}
    r = call(server, "manager", "POST", "/decisions", json=bad)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["details"][0]["field"] == "decisions.3.decision"
    assert "'dropped' is not one of" in err["message"]
    assert listed(server, "manager", urn="22BB0000110")["count"] == 0  # nothing stored
    r = call(server, "manager", "POST", "/decisions", json={"decisions": good})
    assert r.status_code == 201
    assert (r.json()["count"], r.json()["created"]) == (3, 3)
    assert listed(server, "manager", team="east")["count"] == 3


@pytest.mark.parametrize("role,body,status,field", [
    ("manager", decision("33CC0000124"), 422, "team"),
    ("staff", decision("33CC0000124", team="south"), 403, None),
    ("staff", {**decision("33CC0000124"), "colour": "red"}, 422, "colour"),
    ("staff", {**decision("33CC0000124"), "decision_date": "2024-02-30"}, 422, "decision_date"),
    ("staff", {"decisions": []}, 422, "decisions"),
    ("staff", {"decisions": [decision("33CC0000124"), decision("33CC0000124", category="standard")]},
     422, "decisions.1.urn"),
])
def test_register_refusals(server, role, body, status, field):
    r = call(server, role, "POST", "/decisions", json=body)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"code", "message", "details"}
    if field:
        assert err["details"][0]["field"] == field


def test_every_wrong_field_is_named_at_once(server):
    body = {**decision("33CC0000224", category="vulnerable", decided="2024-02-30"), "decison": "discontinued"}
    del body["decision"]
    r = call(server, "staff", "POST", "/decisions", json=body)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["details"] == [
        {"field": "decison", "message": f"unknown field (allowed: {', '.join(DECISION_FIELDS)})"},
        {"field": "decision_date", "message": "'2024-02-30' is not a real date (use YYYY-MM-DD)"},
        {"field": "victim_category", "message": "'vulnerable' is not one of 'enhanced' or 'standard'"},
        {"field": "decision", "message": "is required for a decision"},
    ]
    assert err["message"] == "4 problems: decison, decision_date, victim_category, decision (see details)"


def test_a_batch_names_every_wrong_field_of_every_decision(server):
    batch = {"decisions": [decision("33CC0000324", kind="dropped", team="east"),
                           decision("33CC0000424", team="east"),
                           decision("33CC0000524", category="vulnerable", team=7)]}
    r = call(server, "manager", "POST", "/decisions", json=batch)
    assert r.status_code == 422
    assert [d["field"] for d in r.json()["error"]["details"]] == [
        "decisions.0.decision", "decisions.2.victim_category", "decisions.2.team"]
    assert listed(server, "manager", urn="33CC0000424")["count"] == 0  # nothing stored


def test_every_wrong_query_parameter_is_named_at_once(server):
    r = call(server, "staff", "GET", "/decisions",
             params={"status": "late", "limit": 0, "offset": -1, "decided_from": "2024-13-01"})
    assert r.status_code == 422
    details = {d["field"]: d["message"] for d in r.json()["error"]["details"]}
    assert details == {
        "query.status": "'late' is not one of 'due', 'due_today', 'overdue', 'sent_on_time', 'sent_late' or 'not_required'",
        "query.decided_from": "'2024-13-01' is not a real date (use YYYY-MM-DD)",
        "query.limit": "must be 1 or more",
        "query.offset": "must be 0 or more",
    }


def test_staff_cannot_take_over_another_teams_case(server):
    """Each team has its own register: north's entry for the same case is north's alone, and
    nothing in the answer tells north that south registered it."""
    assert call(server, "south", "POST", "/decisions", json=decision("44DD0000124")).status_code == 201
    r = call(server, "staff", "POST", "/decisions", json=decision("44DD0000124", category="standard"))
    assert r.status_code == 201 and r.json()["data"][0]["team"] == "north"
    assert listed(server, "south", urn="44DD0000124")["data"][0]["victim_category"] == "enhanced"


def test_malformed_json_is_400(server):
    r = httpx.post(f"{server.url}/api/v1/decisions", content=b"{not json", timeout=30,
                   headers={**auth(server.tokens["staff"]), "content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "malformed_json"


@pytest.mark.parametrize("path", ["/decisions", "/decisions/unlinked-letters", "/reports/timeliness"])
def test_panel_admin_and_strangers_are_kept_out(server, path):
    for role, status in (("panel", 403), ("admin", 403), (None, 401)):
        r = call(server, role, "GET", path)
        assert r.status_code == status
        assert "Okafor" not in r.text
    assert call(server, "panel", "POST", "/decisions", json=decision("55EE0000124")).status_code == 403


def test_letters_change_statuses_and_views(server):
    register = {"decisions": [
        decision("66FF0000124"),                                   # sent on time
        decision("66FF0000224", category="standard"),              # sent late
        decision("66FF0000324", decided="2024-12-31"),             # missing: overdue
        decision("66FF0000424", decided="2025-01-03"),             # due today
        decision("66FF0000524", decided="2025-01-03", category="standard"),  # due
    ]}
    assert call(server, "staff", "POST", "/decisions", json=register).status_code == 201

    def send(urn, decided, sent, category="enhanced"):
        ctx = {"urn": urn, "decision": "discontinued", "decision_date": decided, "letter_date": sent,
               "victim_category": category, "victim_name": "Ms Okafor"}
        r = call(server, "staff", "POST", "/letters", json={"text": TEXT, "context": ctx})
        assert r.status_code == 201, r.text
        letter_id = r.json()["id"]
        assert call(server, "staff", "POST", f"/letters/{letter_id}/sent",
                    json={"sent_date": sent, **SAID_WHY}).status_code == 200
        return letter_id

    first = send("66FF0000124", "2024-12-19", "2024-12-20")
    send("66ff0000224", "2024-12-19", "2025-01-02", "standard")  # case reference typed in lower case
    stray = send("99ZZ0000124", "2024-12-19", "2024-12-20")

    rows = {r["urn"]: r for r in listed(server, "staff")["data"] if r["urn"].startswith("66FF")}
    assert {u: (r["status"], r["working_days_left"], r["working_days_late"]) for u, r in rows.items()} == {
        "66FF0000124": ("sent_on_time", None, 0), "66FF0000224": ("sent_late", None, 2),
        "66FF0000324": ("overdue", 0, 2), "66FF0000424": ("due_today", 0, 0), "66FF0000524": ("due", 4, 0)}
    # The old signed count stays for one release.
    assert {u: r["working_days"] for u, r in rows.items()} == {
        "66FF0000124": 0, "66FF0000224": -2, "66FF0000324": -2, "66FF0000424": 0, "66FF0000524": 4}
    assert rows["66FF0000124"]["letter_ids"] == [first]
    assert rows["66FF0000124"]["sent_on"] == "2024-12-20"

    overdue = listed(server, "staff", status="overdue")
    assert overdue["count"] == len(overdue["data"])
    assert "66FF0000324" in [r["urn"] for r in overdue["data"]]
    assert all(r["status"] == "overdue" and r["team"] == "north" for r in overdue["data"])
    # Most urgent first: the earliest due date leads.
    dues = [r["due_date"] for r in overdue["data"]]
    assert dues == sorted(dues)

    page = call(server, "staff", "GET", "/decisions", params={"as_of": AS_OF, "limit": 2, "offset": 1}).json()
    whole = listed(server, "staff")
    assert page["count"] == whole["count"]
    assert page["data"] == whole["data"][1:3]
    assert all(r["team"] == "north" for r in whole["data"])
    other = call(server, "staff", "GET", "/decisions", params={"team": "south"})  # not an empty list
    assert other.status_code == 422 and other.json()["error"]["details"][0]["field"] == "query.team"

    unlinked = call(server, "staff", "GET", "/decisions/unlinked-letters").json()
    assert [r["id"] for r in unlinked["data"]] == [stray]
    assert unlinked["count"] == 1
    assert call(server, "south", "GET", "/decisions/unlinked-letters").json()["count"] == 0


def test_timeliness_report_json_and_csv(server):
    r = call(server, "manager", "POST", "/decisions", json={"decisions": [
        decision("77GG0000123", decided="2023-03-01", team="west"),
        decision("77GG0000223", decided="2023-03-02", team="west", category="standard"),
        decision("77GG0000323", decided="2023-03-03", team="west", letter_date="2023-03-06"),
    ]})
    assert r.status_code == 201
    params = {"month_from": "2023-03", "month_to": "2023-03", "as_of": AS_OF}
    r = call(server, "manager", "GET", "/reports/timeliness", params=params)
    assert r.status_code == 200
    data = r.json()["data"]
    assert [(d["team"], d["working_day_limit"], d["required"], d["sent_on_time"], d["missing"],
             d["timeliness_rate"]) for d in data] == [
        ("west", 1, 2, 1, 1, 50.0), ("west", 5, 1, 0, 1, 0.0), ("west", None, 3, 1, 2, 33.3)]
    r = call(server, "manager", "GET", "/reports/timeliness", params={**params, "format": "csv"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows[2] == {"month": "2023-03", "team": "west", "working_day_limit": "all", "required": "3",
                       "sent": "1", "sent_on_time": "1", "sent_late": "0", "missing": "2", "pending": "0",
                       "not_required": "0", "due_before_today": "3", "on_time_of_due": "1", "timeliness_rate": "33.3",
                       "month_counted_by": "the month of the decision, not the month each letter was due (the "
                                           "dashboard counts by the month due, so its figure for a month can differ)"}
    # Staff see only their own team's rows.
    staff = call(server, "staff", "GET", "/reports/timeliness", params={"as_of": AS_OF}).json()["data"]
    assert staff and {d["team"] for d in staff} == {"north"}
    other = call(server, "staff", "GET", "/reports/timeliness", params={"team": "west"})  # not an empty list
    assert other.status_code == 422 and other.json()["error"]["details"][0]["field"] == "query.team"
    assert call(server, "manager", "GET", "/reports/timeliness", params={"month_from": "2023-13"}).status_code == 422


@pytest.mark.parametrize("path, low, high, low_value, high_value", [
    ("/reports/timeliness", "month_from", "month_to", "2026-12", "2025-01"),
    ("/decisions", "decided_from", "decided_to", "2025-02-01", "2025-01-31"),
    ("/letters", "date_from", "date_to", "2025-02-01", "2025-01-31"),
])
def test_a_range_that_ends_before_it_starts_names_both_fields(server, path, low, high, low_value, high_value):
    """Report item 14: month_from after month_to answered 200 with an empty list."""
    for fmt in ({}, {"format": "csv"}) if path == "/reports/timeliness" else ({},):
        r = call(server, "manager", "GET", path, params={low: low_value, high: high_value, **fmt})
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        assert err["code"] == "invalid" and [d["field"] for d in err["details"]] == [f"query.{high}"]
        assert err["message"] == (f"query.{high}: '{high_value}' is before query.{low} '{low_value}': "
                                  f"{high} must be the same as {low} or later")
    # The same value at both ends is a range of one month (day), not an error.
    assert call(server, "manager", "GET", path, params={low: low_value, high: low_value}).status_code == 200


# The yes-or-no fields of a decision are JSON booleans, as a letter's are: "yes" was taken as true.
REASON = "The family liaison officer told the family in person."


@pytest.mark.parametrize("field, value, message", [
    ("bereaved", "yes", "'yes' is text, not true or false: send true or false, without quotes"),
    ("bereaved", "false", "'false' is text, not true or false: send true or false, without quotes"),
    ("bereaved", 1, "1 is a number, not true or false: send true or false, without quotes"),
    ("letter_required", "no", "'no' is text, not true or false: send true or false, without quotes"),
    ("letter_required", 0, "0 is a number, not true or false: send true or false, without quotes"),
    ("letter_required", ["no"], "must be true or false, not a list: send true or false, without quotes"),
])
def test_a_yes_or_no_field_given_as_text_is_refused_naming_field_and_row(server, field, value, message):
    extra = {"no_letter_reason": REASON} if field == "letter_required" else {}
    body = decision("93YN0000125", team="north", **{field: value}, **extra)
    r = call(server, "manager", "POST", "/decisions", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"] == [{"field": field, "message": message}]
    assert r.json()["error"]["message"] == f"{field}: {message}"
    # In a batch, the row is named; nothing of the batch is stored.
    batch = call(server, "manager", "POST", "/decisions",
                 json={"decisions": [decision("93YN0000225", team="north"), body]})
    assert batch.status_code == 422
    assert batch.json()["error"]["details"] == [{"field": f"decisions.1.{field}", "message": message}]
    for urn in ("93YN0000125", "93YN0000225"):
        assert listed(server, "manager", urn=urn)["count"] == 0


def test_a_text_yes_is_named_with_every_other_wrong_field_of_its_decision(server):
    body = decision("93YN0000325", team="north", bereaved="yes", kind="dropped")
    r = call(server, "manager", "POST", "/decisions", json={"decisions": [decision("93YN0000425", team="north"), body]})
    assert r.status_code == 422
    assert [d["field"] for d in r.json()["error"]["details"]] == ["decisions.1.decision", "decisions.1.bereaved"]


@pytest.mark.parametrize("values", [{"bereaved": True}, {"bereaved": False}, {"bereaved": None},
                                    {"letter_required": True}, {"letter_required": None},
                                    {"letter_required": False, "no_letter_reason": REASON}])
def test_yes_or_no_fields_as_json_booleans_or_null_are_taken(server, values):
    r = call(server, "manager", "POST", "/decisions", json=decision("93YN0000525", team="north", **values))
    assert r.status_code in (200, 201), r.text
    row = r.json()["data"][0]
    if values.get("letter_required") is False:
        assert row["status"] == "not_required"
    elif "bereaved" in values:
        assert row["bereaved"] is values["bereaved"]


def test_the_timeliness_reports_row_for_all_limits_says_so_and_is_the_sum_of_the_others(server):
    """The report's row for every limit together had working_day_limit null and nothing else to
    tell it from a row whose limit was unknown: a client adding the rows up counted each letter
    twice. Now each row says `all_limits`; docs/api.md says what the row is."""
    r = call(server, "manager", "POST", "/decisions", json={"decisions": [
        decision("78HH0000123", decided="2023-05-01", team="west"),
        decision("78HH0000223", decided="2023-05-02", team="west", category="standard", letter_date="2023-05-03"),
        decision("78HH0000323", decided="2023-05-03", team="west", letter_date="2023-05-09"),
    ]})
    assert r.status_code == 201, r.text
    params = {"month_from": "2023-05", "month_to": "2023-05", "team": "west", "as_of": AS_OF}
    data = call(server, "manager", "GET", "/reports/timeliness", params=params).json()["data"]
    every = [d for d in data if d["all_limits"]]
    each = [d for d in data if not d["all_limits"]]
    assert len(every) == 1 and every[0]["working_day_limit"] is None
    assert sorted(d["working_day_limit"] for d in each) == [1, 5]
    for key in ("required", "sent", "sent_on_time", "sent_late", "missing", "pending", "not_required",
                "due_before_today"):
        assert every[0][key] == sum(d[key] for d in each), key
    assert every[0]["required"] == 3
    # The CSV's columns are unchanged: the same row has "all" for its limit.
    rows = list(csv.DictReader(io.StringIO(call(server, "manager", "GET", "/reports/timeliness",
                                                params={**params, "format": "csv"}).text)))
    assert [row["working_day_limit"] for row in rows] == ["all" if d["all_limits"] else str(d["working_day_limit"])
                                                          for d in data]
    assert "all_limits" not in rows[0]
    schema = httpx.get(f"{server.url}/openapi.json", timeout=30).json()["components"]["schemas"]["ReportRow"]
    assert "all_limits" in schema["required"] and schema["properties"]["all_limits"]["type"] == "boolean"
    from live_server import ROOT

    api_md = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert "`all_limits`" in api_md and "`working_day_limit` is `null`" in api_md


def test_paging_with_after_neither_repeats_nor_skips_decisions_registered_meanwhile(server):
    """GET /decisions paged by offset: decisions registered between two pages push the rows
    along, so the next page repeats some. `after` (the `next` of the page before, a place in the
    list's order) gives each decision once, as `before_id` does on GET /letters and GET /audit."""
    server.tokens["paging"] = make_user(server.db, "paging-staff", "staff", "paging")

    def register(*decisions):
        r = call(server, "paging", "POST", "/decisions", json={"decisions": list(decisions)})
        assert r.status_code == 201, r.text
        return {d["urn"]: d["id"] for d in r.json()["data"]}

    first = register(*[decision(f"79PG000{n}124", decided=f"2024-12-0{n}") for n in range(2, 6)],  # open
                     decision("79PG0006124", decided="2024-11-04", letter_date="2024-11-05"),  # sent
                     decision("79PG0007124", decided="2024-11-05", letter_date="2024-11-06"))
    page1 = listed(server, "paging", limit=3)
    assert page1["count"] == 6 and page1["next"] == f"open.2024-12-05.{first['79PG0004124']}"
    seen = [d["id"] for d in page1["data"]]
    # meanwhile: two decisions that come first (due earlier), one after the place, one sent
    later = register(decision("79PG0008124", decided="2024-11-28"), decision("79PG0009124", decided="2024-11-29"),
                     decision("79PG0010124", decided="2024-12-06"),
                     decision("79PG0011124", decided="2024-11-06", letter_date="2024-11-07"))
    by_offset = listed(server, "paging", limit=3, offset=3)
    assert set(seen) & {d["id"] for d in by_offset["data"]}  # why offset is not enough
    place, pages = page1["next"], []
    while place:
        page = listed(server, "paging", limit=2, after=place)
        pages.append(page)
        place = page["next"]
    rest = [d["id"] for p in pages for d in p["data"]]
    assert pages[0]["count"] == 5  # counts what comes after the place
    assert len(seen + rest) == len(set(seen + rest))  # nothing twice
    assert set(first.values()) <= set(seen + rest)  # nothing skipped
    assert set(rest) - set(first.values()) == {later["79PG0010124"], later["79PG0011124"]}  # new, after the place
    assert pages[-1]["next"] is None and len(pages) == 3
    # the first page's order, then on: the list as a whole, once, in its order
    whole = [d["id"] for d in listed(server, "paging")["data"]]
    assert [i for i in whole if i in set(seen + rest)] == seen + rest


@pytest.mark.parametrize("place", ["nonsense", "open.2024-02-30.5", "shut.2024-12-05.5", "open.2024-12-05.-5",
                                   "open.2024-12-05.0", "closed.20241205.5", "open.2024-W49-4.5"])
def test_a_place_that_is_not_one_is_named(server, place):
    r = call(server, "staff", "GET", "/decisions", params={"after": place})
    assert r.status_code == 422, r.text
    (detail,) = r.json()["error"]["details"]
    assert detail["field"] == "query.after" and "pass back the `next` of the page before" in detail["message"]
