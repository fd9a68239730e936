"""A number in an API address is digits alone, as a body's id is (real uvicorn, real SQLite file).

An integrator's review: GET /api/v1/letters/1.0, /letters/+1 and /letters/01 all returned letter
1 (and /letters/1_0 letter 10), while a body's `"letter_id": 43.0` is refused. Each is now a 422
naming `path.NAME` and saying how to write it.
"""
from __future__ import annotations

import re

import httpx
import pytest

from live_server import LiveServer, auth, make_user

TEXT = "Dear Ms Okafor\n\nWe have decided to stop the case. I am sorry for the upset this causes.\n"
ROLES = ("staff", "manager", "admin", "panel")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("path_ids") / "vcl_qa.db").start()
    srv.tokens = {role: make_user(srv.db, f"a-{role}", role, "north" if role in ("staff", "manager") else None)
                  for role in ROLES}
    r = httpx.post(f"{srv.url}/api/v1/letters", json={"text": TEXT}, headers=auth(srv.tokens["staff"]), timeout=60)
    assert r.status_code == 201, r.text
    srv.letter = r.json()["id"]
    yield srv
    srv.stop()


def get(server, path, role="staff"):
    return httpx.get(f"{server.url}/api/v1{path}", headers=auth(server.tokens[role]), timeout=30)


@pytest.mark.parametrize("written, meant", [("1.0", "1"), ("+1", "1"), ("01", "1"), ("%201", "1"), ("1.", "1"),
                                            ("0001", "1")])
def test_a_number_written_otherwise_is_refused_saying_how_to_write_it(server, written, meant):
    assert server.letter == 1
    assert get(server, "/letters/1").status_code == 200
    r = get(server, f"/letters/{written}")
    assert r.status_code == 422
    shown = written.replace("%20", " ")
    message = (f"'{shown}' is not written in digits alone: give it with no sign, decimal point, space or "
               f"leading zero, as {meant}")
    assert r.json()["error"] == {"code": "invalid", "message": f"path.letter_id: {message}",
                                 "details": [{"field": "path.letter_id", "message": message}]}


@pytest.mark.parametrize("written, message", [
    ("1_0", "'1_0' is not a whole number: give it in digits alone, such as 12"),
    ("1e0", "'1e0' is not a whole number: give it in digits alone, such as 12"),
    ("%EF%BC%91", "'\uff11' is not a whole number: give it in digits alone, such as 12"),  # a full-width 1
    ("abc", "'abc' is not a whole number: give it in digits alone, such as 12"),
    ("0", "must be 1 or more"),
    ("-1", "must be 1 or more"),
    ("9223372036854775808", "must be 9223372036854775807 or less"),
    ("9" * 5000, "must be 9223372036854775807 or less"),
])
def test_other_values_say_what_is_wrong(server, written, message):
    r = get(server, f"/letters/{written}")
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [{"field": "path.letter_id", "message": message}]


def test_the_largest_id_is_read(server):
    assert get(server, "/letters/9223372036854775807").status_code == 404


def test_a_version_is_read_the_same_way(server):
    assert get(server, "/letters/1/versions/1").status_code == 200
    r = get(server, "/letters/1/versions/01")
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [{"field": "path.version", "message": (
        "'01' is not written in digits alone: give it with no sign, decimal point, space or leading zero, as 1")}]


def integer_path_routes(server) -> list[tuple[str, str, list[str]]]:
    """Every route of the API with a whole number in its path: (method, path, those names)."""
    spec = httpx.get(f"{server.url}/openapi.json", timeout=30).json()
    out = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            names = [p["name"] for p in op.get("parameters", [])
                     if p["in"] == "path" and p["schema"].get("type") == "integer"]
            for p in op.get("parameters", []):  # still described as a number, with its range
                if p["name"] in names:
                    assert p["schema"]["minimum"] == 1 and p["schema"]["maximum"] >= 100_000, (path, p)
            if names:
                out.append((method.upper(), path, names))
    return out


def test_every_route_with_a_number_in_its_path_reads_it_strictly(server):
    routes = integer_path_routes(server)
    assert len(routes) >= 12  # letters (8), users (2), panel (3): the scan finds them
    loose = []
    for method, path, names in routes:
        for name in names:
            # the other parts as a client would give them; this one written with a leading zero
            url = re.sub(r"{(\w+)}", lambda m: "01" if m.group(1) == name else
                         "0123456789abcdef" if m.group(1) == "item_id" else "2025Q1" if m.group(1) == "period"
                         else "1", path)
            answers = {}
            for role in ROLES:
                r = httpx.request(method, f"{server.url}/api/v1{url.removeprefix('/api/v1')}", json={},
                                  headers=auth(server.tokens[role]), timeout=30)
                answers[role] = (r.status_code, [d["field"] for d in r.json()["error"]["details"]]
                                 if r.status_code == 422 else None)
            named = [role for role, (status, fields) in answers.items() if status == 422 and f"path.{name}" in fields]
            taken = [role for role, (status, _) in answers.items() if status not in (401, 403, 422)]
            if not named or taken:
                loose.append((method, url, answers))
    assert loose == []
