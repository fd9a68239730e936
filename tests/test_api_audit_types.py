"""GET /audit filters by every object type the log is written with (an integrator's review:
`object_type=decision` was a 422 "'decision' is not one of 'letter' or 'user'", though the log
records decisions, panel items, periods and policy, and training exercises)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import httpx
import pytest

from api.routes.audit import OBJECT_TYPES
from live_server import LiveServer, auth, make_user

ROOT = Path(__file__).resolve().parent.parent


def written_object_types() -> dict[str, str]:
    """Each object_type the code passes to audit.record (4th argument or keyword), or writes
    straight into audit_log, with one place that does."""
    found: dict[str, str] = {}
    for path in sorted([*(ROOT / "vcl_qa").rglob("*.py"), *(ROOT / "api").rglob("*.py")]):
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "record" and getattr(node.func.value, "id", "") == "audit"):
                continue
            given = node.args[3] if len(node.args) >= 4 else next(
                (k.value for k in node.keywords if k.arg == "object_type"), None)
            if given is None or (isinstance(given, ast.Constant) and given.value is None):
                continue
            assert isinstance(given, ast.Constant), f"{path}:{node.lineno}: an object_type that is not a literal"
            found.setdefault(given.value, f"{path.relative_to(ROOT)}:{node.lineno}")
        # an entry written by SQL (a migration): INSERT INTO audit_log (... object_type ...) VALUES (..., 'type', ...)
        for m in re.finditer(r"INSERT INTO audit_log \(at, user_id, user_name, action, object_type[^)]*\)\"\s*"
                             r"\"\s*VALUES \([^,]+, [^,]+, [^,]+, [^,]+, '([a-z_]+)'", source):
            found.setdefault(m.group(1), f"{path.relative_to(ROOT)}")
    return found


def test_the_filter_takes_every_object_type_the_log_is_written_with():
    written = written_object_types()
    assert {"letter", "user", "decision"} <= set(written)  # the scan finds them
    assert {t: where for t, where in written.items() if t not in OBJECT_TYPES} == {}
    assert set(OBJECT_TYPES) == set(written), "a type the filter takes that nothing writes"


def test_docs_list_the_object_types():
    doc = (ROOT / "docs" / "api.md").read_text()
    line = next(x for x in doc.split("\n\n") if x.startswith("**Audit log**"))
    assert re.findall(r"`([a-z_]+)`", line.split("`object_type` is one of", 1)[1].split(":", 1)[0]) == list(
        OBJECT_TYPES)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("audit_types") / "vcl_qa.db").start()
    srv.staff = make_user(srv.db, "north-staff", "staff", "north")
    srv.admin = make_user(srv.db, "an-admin", "admin")
    srv.manager = make_user(srv.db, "a-manager", "manager")
    yield srv
    srv.stop()


def audit(server, **params):
    return httpx.get(f"{server.url}/api/v1/audit", params=params, headers=auth(server.admin), timeout=30)


def test_decision_entries_are_listed_by_their_type(server):
    r = httpx.post(f"{server.url}/api/v1/decisions", headers=auth(server.staff), timeout=30, json={
        "urn": "11AA0000124", "decision": "discontinued", "decision_date": "2024-12-19",
        "victim_category": "enhanced"})
    assert r.status_code == 201, r.text
    r = audit(server, object_type="decision")
    assert r.status_code == 200, r.text
    assert [e["action"] for e in r.json()["data"]] == ["decisions.register"]
    assert {e["object_type"] for e in r.json()["data"]} == {"decision"}


def test_panel_policy_entries_are_listed_by_their_type(server):
    r = httpx.put(f"{server.url}/api/v1/panel/policy", headers=auth(server.manager), timeout=30,
                  json={"random_share": 0.5})
    assert r.status_code == 200, r.text
    r = audit(server, object_type="panel_policy")
    assert r.status_code == 200 and [e["action"] for e in r.json()["data"]] == ["panel.policy"]


@pytest.mark.parametrize("kind", OBJECT_TYPES)
def test_every_type_is_taken(server, kind):
    r = audit(server, object_type=kind)
    assert r.status_code == 200, r.text
    assert all(e["object_type"] == kind for e in r.json()["data"])


def test_an_unknown_type_names_them_all(server):
    r = audit(server, object_type="decisions")
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [{"field": "query.object_type", "message": (
        "'decisions' is not one of 'letter', 'user', 'decision', 'panel_period', 'panel_item', 'panel_policy' or "
        "'training_exercise'")}]
