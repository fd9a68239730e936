"""Every route x every role (plus no token and a wrong token) gets exactly the expected status."""
from __future__ import annotations

import itertools
import re

import httpx
import pytest

from live_server import LiveServer, auth, make_user
from vcl_qa.training.exercises import built_in

ROLES = ["staff", "other_team_staff", "panel", "manager", "admin", "no_token", "wrong_token"]
OK_LETTER = {"text": "Dear Ms Okafor\nWe have decided to stop the case.\n",
             "context": {"decision": "discontinued"}}

# (name, method, path, body, {role: status}); {letter} is a fresh north-team letter, {user} a
# fresh user. Roles not listed get 401 (no or wrong token) or 403.
MATRIX = [
    ("health", "GET", "/health", None,
     {"staff": 200, "other_team_staff": 200, "panel": 200, "manager": 200, "admin": 200,
      "no_token": 200, "wrong_token": 200}),
    ("me", "GET", "/me", None,
     {"staff": 200, "other_team_staff": 200, "panel": 200, "manager": 200, "admin": 200}),
    ("submit", "POST", "/letters", {**OK_LETTER, "team": "north"},
     {"staff": 201, "other_team_staff": 403, "manager": 201}),
    ("add version", "POST", "/letters", {**OK_LETTER, "letter_id": "{letter}"},
     {"staff": 201, "other_team_staff": 404, "manager": 201}),
    ("list", "GET", "/letters", None, {"staff": 200, "other_team_staff": 200, "manager": 200}),
    ("read", "GET", "/letters/{letter}", None, {"staff": 200, "other_team_staff": 404, "manager": 200}),
    ("compare", "GET", "/letters/{letter}/compare", None,
     {"staff": 200, "other_team_staff": 404, "manager": 200}),
    ("read a version", "GET", "/letters/{letter}/versions/1", None,
     {"staff": 200, "other_team_staff": 404, "manager": 200}),
    ("suppress", "POST", "/letters/{letter}/suppressions",
     {"rule": "content.support", "reason": "named in the leaflet enclosed"},
     {"staff": 201, "other_team_staff": 404, "manager": 201}),
    ("send", "POST", "/letters/{letter}/sent", {}, {"staff": 200, "other_team_staff": 404, "manager": 200}),
    ("undo send", "DELETE", "/letters/{letter}/sent", None,
     {"staff": 409, "other_team_staff": 404, "manager": 409}),  # a fresh letter is not sent
    ("restore finding", "DELETE", "/letters/{letter}/suppressions/1", None,
     {"staff": 404, "other_team_staff": 404, "manager": 404}),  # a fresh letter has none
    ("check", "POST", "/check", OK_LETTER, {"staff": 200, "other_team_staff": 200, "manager": 200}),
    ("set aside", "GET", "/set-aside", None, {"staff": 200, "other_team_staff": 200, "manager": 200}),
    ("delete", "DELETE", "/letters/{letter}", None, {"manager": 204}),
    ("list users", "GET", "/users", None, {"admin": 200}),
    ("add user", "POST", "/users", {"name": "{name}", "role": "panel"}, {"admin": 201}),
    ("new token", "POST", "/users/{user}/token", None, {"admin": 200}),
    ("disable user", "DELETE", "/users/{user}", None, {"admin": 204}),
    ("audit log", "GET", "/audit", None, {"manager": 200, "admin": 200}),
    ("register decision", "POST", "/decisions",
     {"urn": "{name}", "decision": "discontinued", "decision_date": "2025-01-06",
      "victim_category": "standard", "team": "north"},
     {"staff": 201, "other_team_staff": 403, "manager": 201}),
    ("list decisions", "GET", "/decisions", None, {"staff": 200, "other_team_staff": 200, "manager": 200}),
    ("unlinked letters", "GET", "/decisions/unlinked-letters", None,
     {"staff": 200, "other_team_staff": 200, "manager": 200}),
    ("timeliness report", "GET", "/reports/timeliness", None,
     {"staff": 200, "other_team_staff": 200, "manager": 200}),
    # Community Involvement Panel (tests/test_panel_loop.py walks the whole loop). Period
    # 2031Q1 never exists (404 once past the role check); 2030Q1 is made by its draw.
    ("panel queue", "GET", "/review-queue", None, {"panel": 200}),
    ("panel item", "GET", "/review-queue/" + "0" * 16, None, {"panel": 404}),
    ("panel rate", "POST", "/review-queue/" + "0" * 16 + "/ratings",
     {"scores": {"clarity": 3, "empathy": 3, "explanation": 3, "next_steps": 3}, "overall": 3}, {"panel": 404}),
    ("panel reveal", "POST", "/review-queue/" + "0" * 16 + "/reveal", None, {"panel": 404}),
    ("panel detail report", "POST", "/review-queue/" + "0" * 16 + "/detail-reports", {"words": "Meadow View"},
     {"panel": 404}),
    ("panel verdict", "POST", "/review-queue/" + "0" * 16 + "/findings/1/verdict",
     {"verdict": "not_a_problem"}, {"panel": 404}),
    ("panel policy", "GET", "/panel/policy", None, {"manager": 200}),
    ("panel policy change", "PUT", "/panel/policy", {"raters_per_letter": 2}, {"manager": 200}),
    ("panel periods", "GET", "/panel/periods", None, {"manager": 200}),
    ("panel period create", "POST", "/panel/periods",
     {"name": "{name}", "start_date": "2030-01-01", "end_date": "2030-01-31"}, {"manager": 201}),
    ("panel draw", "POST", "/panel/periods/2030Q1/draw", {}, {"manager": 200}),
    ("panel items", "GET", "/panel/periods/2031Q1/items", None, {"manager": 404}),
    ("panel add item", "POST", "/panel/periods/2030Q1/items", {"letter_id": "{letter}", "reason": "by hand"},
     {"manager": 409}),  # a draft letter cannot go to the panel
    ("panel remove item", "POST", "/panel/periods/2031Q1/items/{letter}/remove", {"reason": "no"},
     {"manager": 404}),
    ("panel assign", "POST", "/panel/periods/2031Q1/assign", None, {"manager": 404}),
    ("panel agreement", "GET", "/panel/periods/2031Q1/agreement", None, {"manager": 404}),
    ("panel report", "GET", "/panel/periods/2031Q1/report", None, {"manager": 404}),
    ("panel feedback list", "GET", "/panel/feedback", None, {"staff": 200, "other_team_staff": 200, "manager": 200}),
    ("panel feedback", "GET", "/panel/feedback/{letter}", None,
     {"staff": 200, "other_team_staff": 404, "manager": 200}),
    # Training (tests/test_api_training.py walks it through): staff and managers; panel and admin 403.
    ("training exercises", "GET", "/training/exercises", None,
     {"staff": 200, "other_team_staff": 200, "manager": 200}),
    ("training exercise", "GET", "/training/exercises/khan-brother", None,
     {"staff": 200, "other_team_staff": 200, "manager": 200}),
    ("training attempt", "POST", "/training/exercises/khan-brother/attempts",
     {"text": built_in("khan-brother").letter},  # a few words are refused (422), not scored
     {"staff": 201, "other_team_staff": 201, "manager": 201}),
    ("training latest attempt", "GET", "/training/exercises/lane-charge-changed/attempts/latest", None,
     {"staff": 404, "other_team_staff": 404, "manager": 404}),  # nobody has tried it
    ("training progress", "GET", "/training/progress", None,
     {"staff": 200, "other_team_staff": 200, "manager": 200}),
    ("training panel letters", "GET", "/training/panel-letters", None, {"manager": 200}),
    ("training preview", "POST", "/training/exercises/preview",
     {"letter_id": "{letter}", "title": "A title", "brief": "A brief here."}, {"manager": 404}),  # a draft letter
    ("training make exercise", "POST", "/training/exercises",
     {"letter_id": "{letter}", "title": "A title", "brief": "A brief here."}, {"manager": 404}),
    ("training remove exercise", "DELETE", "/training/exercises/panel-999999", None, {"manager": 404}),
]


def expected(statuses: dict, role: str) -> int:
    if role in statuses:
        return statuses[role]
    return 401 if role in ("no_token", "wrong_token") else 403


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("roles") / "vcl_qa.db").start()
    srv.tokens = {
        "staff": make_user(srv.db, "staff", "staff", "north"),
        "other_team_staff": make_user(srv.db, "south-staff", "staff", "south"),
        "panel": make_user(srv.db, "panel", "panel"),
        "manager": make_user(srv.db, "manager", "manager"),
        "admin": make_user(srv.db, "admin", "admin"),
        "wrong_token": "x" * 43,
    }
    yield srv
    srv.stop()


_counter = itertools.count()


def fill(value, letter_id: int, user_id: int):
    if isinstance(value, dict):
        return {k: fill(v, letter_id, user_id) for k, v in value.items()}
    if value == "{letter}":
        return letter_id
    if value == "{name}":
        return f"new-user-{next(_counter)}"
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,method,path,body,statuses", MATRIX, ids=[m[0] for m in MATRIX])
def test_route_role_status(server, name, method, path, body, statuses, role):
    api = f"{server.url}/api/v1"
    staff = auth(server.tokens["staff"])
    letter_id = httpx.post(f"{api}/letters", json=OK_LETTER, headers=staff, timeout=30).json()["id"]
    user_id = httpx.post(f"{api}/users", json={"name": f"target-{next(_counter)}", "role": "panel"},
                         headers=auth(server.tokens["admin"]), timeout=30).json()["user"]["id"]
    headers = auth(server.tokens[role]) if role in server.tokens else {}
    url = api + path.format(letter=letter_id, user=user_id)
    r = httpx.request(method, url, json=fill(body, letter_id, user_id), headers=headers, timeout=30)
    assert r.status_code == expected(statuses, role), r.text
    if r.status_code >= 400:
        assert set(r.json()["error"]) == {"code", "message", "details"}


def test_matrix_covers_every_route_of_these_routers(server):
    schema = httpx.get(f"{server.url}/openapi.json").json()
    mine = {"letters", "users", "audit", "health", "decisions", "reports", "panel", "training", "check"}
    routes = {(m.upper(), p.removeprefix("/api/v1").replace("{letter_id}", "{letter}").replace("{user_id}", "{user}"))
              for p, ops in schema["paths"].items() for m, op in ops.items()
              if set(op.get("tags", [])) & mine}
    covered = {(m, _panel_placeholders(p)) for _, m, p, _, _ in MATRIX}
    assert routes == covered


def _panel_placeholders(path: str) -> str:
    """The matrix's literal panel period names and item codes as the schema's placeholders."""
    path = re.sub(r"^/panel/periods/20\d\dQ\d", "/panel/periods/{period}", path)
    path = re.sub(r"^/review-queue/[0-9a-f]{16}", "/review-queue/{item_id}", path)
    path = re.sub(r"^/training/exercises/(?!preview$)[a-z0-9-]+", "/training/exercises/{exercise_id}", path)
    path = re.sub(r"/suppressions/\d+$", "/suppressions/{suppression_id}", path)
    path = re.sub(r"^/letters/\{letter\}/versions/\d+$", "/letters/{letter}/versions/{version}", path)
    return path.replace("/findings/1/", "/findings/{number}/")


# GET /metrics sits outside /api/v1 (where Prometheus looks). From this machine it needs no
# token; a request from elsewhere (here: as a proxy forwards it) needs an admin's, and a token
# sent from this machine is judged the same way (a staff token 403, a wrong one 401).
METRICS_REMOTE = {"admin": 200, "no_token": 401, "wrong_token": 401}


@pytest.mark.parametrize("role", ROLES)
def test_metrics_role_status(server, role):
    headers = auth(server.tokens[role]) if role in server.tokens else {}
    remote = httpx.get(f"{server.url}/metrics", headers={**headers, "X-Forwarded-For": "203.0.113.7"})
    assert remote.status_code == METRICS_REMOTE.get(role, 403), remote.text
    if remote.status_code >= 400:
        assert set(remote.json()["error"]) == {"code", "message", "details"}
    # from this machine: no token passes; a token sent is judged as from anywhere else
    local = httpx.get(f"{server.url}/metrics", headers=headers)
    assert local.status_code == (200 if role == "no_token" else remote.status_code), local.text
    if local.status_code == 200:
        assert "vcl_qa_http_requests_total" in local.text


def test_panel_never_gets_letter_text(server):
    api = f"{server.url}/api/v1"
    staff = auth(server.tokens["staff"])
    letter_id = httpx.post(f"{api}/letters", json=OK_LETTER, headers=staff, timeout=30).json()["id"]
    panel = auth(server.tokens["panel"])
    for path in ("/letters", f"/letters/{letter_id}", f"/letters/{letter_id}/compare",
                 f"/letters/{letter_id}/versions/1", "/audit"):
        r = httpx.get(api + path, headers=panel)
        assert r.status_code == 403
        assert "Okafor" not in r.text


# ---- pages (issue 12): every role against the new pages, signed in through the web -------------
# {decision}: a north-team decision; {user}: a fresh panel member; {code}: a made-up link code.
# Roles not listed get 403 once signed in; no_token and wrong_token (not signed in) are sent
# to the sign-in page (303), except where the page is public.
PAGE_MATRIX = [
    ("GET", "/dashboard", {"manager": 200}),
    ("GET", "/dashboard.csv", {"manager": 200}),
    ("GET", "/decisions", {"staff": 200, "other_team_staff": 200, "manager": 200}),
    ("GET", "/decisions/{decision}/letter", {"staff": 200, "other_team_staff": 404, "manager": 200}),
    ("GET", "/panel/guide", {"panel": 200, "manager": 200}),
    ("GET", "/panel-periods", {"manager": 200}),
    ("POST", "/panel-periods", {"manager": 400}),  # an empty form: the page says what is missing
    ("GET", "/panel-periods/{period}", {"manager": 200}),
    ("POST", "/panel-periods/{period}/items/{item}/hide", {"manager": 303}),
    ("POST", "/panel-periods/{period}/items/{item}/remove", {"manager": 400}),  # no reason: the page asks why
    ("POST", "/panel-periods/{period}/approve", {"manager": 303}),
    ("GET", "/panel-periods/{period}/report", {"manager": 200}),
    ("GET", "/panel-periods/{period}/report.csv", {"manager": 200}),
    ("GET", "/admin/users", {"admin": 200}),
    ("POST", "/admin/users", {"admin": 400}),  # an empty form: the page says what is missing
    ("POST", "/admin/users/{user}", {"admin": 303}),
    ("POST", "/admin/users/{user}/disable", {"admin": 303}),
    ("POST", "/admin/users/{user}/enable", {"admin": 400}),  # the user is on: the page says so
    ("POST", "/admin/users/{user}/token", {"admin": 200}),
    ("POST", "/admin/users/{user}/sign-in-link", {"admin": 200, "manager": 200}),
    ("GET", "/sign-in/link/{code}", dict.fromkeys(ROLES, 400)),
    ("POST", "/sign-in/link/{code}", dict.fromkeys(ROLES, 400)),
]
PAGE_FORMS = {"/admin/users/{user}": {"role": "panel", "team": ""}}


def _page_item(server) -> int:
    """A letter in panel period 2019Q2 (a sent letter drawn into it once, held for a check)."""
    import datetime as dt

    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service
    from vcl_qa.panel import sampling

    db = open_db(server.db)
    try:
        row = db.execute("SELECT i.id FROM panel_items i JOIN panel_periods p ON p.id = i.period_id"
                         " WHERE p.name = '2019Q2'").fetchone()
        if row is None:
            staff = user_by_name(db, "staff")
            letter = service.submit(db, staff, OK_LETTER["text"], {"decision": "discontinued",
                                    "decision_date": "2019-04-01"}, team="north")
            service.mark_sent(db, staff, letter["id"], dt.date(2019, 4, 2),
                              before_saved_reason="posted first, saved here afterwards to record it")
            sampling.draw(db, user_by_name(db, "manager"), "2019Q2", preview=True)
            row = db.execute("SELECT i.id FROM panel_items i JOIN panel_periods p ON p.id = i.period_id"
                             " WHERE p.name = '2019Q2'").fetchone()
        return row[0]
    finally:
        db.close()


def _web(server, role: str) -> tuple[httpx.Client, str]:
    """A client signed in to the pages as `role` (none for no_token/wrong_token) and its form token."""
    client = httpx.Client(base_url=server.url, timeout=30)
    if role not in server.tokens or role == "wrong_token":
        return client, ""
    pre = re.search(r'name="pre_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    assert client.post("/sign-in", data={"pre_token": pre, "token": server.tokens[role]}).status_code == 303
    return client, re.search(r'name="csrf_token" value="([^"]+)"', client.get("/account").text).group(1)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,path,statuses", PAGE_MATRIX, ids=[f"{m} {p}" for m, p, _ in PAGE_MATRIX])
def test_page_role_status(server, method, path, statuses, role):
    api = f"{server.url}/api/v1"
    decision = httpx.post(f"{api}/decisions", headers=auth(server.tokens["staff"]), timeout=30, json={
        "urn": f"PAGE{next(_counter)}", "decision": "discontinued", "decision_date": "2025-01-06",
        "victim_category": "standard"}).json()["data"][0]["id"]
    user = httpx.post(f"{api}/users", json={"name": f"page-target-{next(_counter)}", "role": "panel"},
                      headers=auth(server.tokens["admin"]), timeout=30).json()["user"]["id"]
    client, token = _web(server, role)
    url = path.format(decision=decision, user=user, code="x" * 43, period="2019Q2", item=_page_item(server))
    data = {"csrf_token": token, **PAGE_FORMS.get(path, {})} if method == "POST" else None
    r = client.request(method, url, data=data)
    signed_out = role in ("no_token", "wrong_token")
    want = statuses.get(role, 303 if signed_out else 403)
    assert r.status_code == want, (role, url, r.text[:300])
    if want == 303 and signed_out:
        assert r.headers["location"].startswith("/sign-in")


def test_page_matrix_covers_the_new_pages(server):
    from api.web import ROUTERS

    prefixes = ("/dashboard", "/decisions", "/admin", "/panel/guide", "/sign-in/link", "/panel-periods")
    routes = {(m, r.path.replace("{decision_id}", "{decision}").replace("{user_id}", "{user}")
               .replace("{name}", "{period}").replace("{item_id}", "{item}"))
              for router in ROUTERS for r in router.routes if getattr(r, "path", "").startswith(prefixes)
              for m in getattr(r, "methods", ()) if m != "HEAD"}
    assert routes == {(m, p) for m, p, _ in PAGE_MATRIX}
