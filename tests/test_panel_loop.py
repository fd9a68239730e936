"""The whole panel loop against the real server: staff submit and send letters, a manager
draws a sample, two panel members rate, the author reads the feedback, the manager reads the
agreement figures and the period report. No personal data reaches a panel member at any step."""
from __future__ import annotations

import csv
import io
import re

import httpx
import pytest

from live_server import LiveServer, auth, make_user, sample_payloads, sent_on

# Why a letter saved here today went out on an earlier day (asked for by marking it sent then).
SAID_WHY = {"sent_before_saved_reason": "posted first, saved here afterwards to record it"}

PHONE = re.compile(r"(?:\+44\s?|0)\d[\d ()\-]{8,14}\d")
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
TITLES = {"mr", "mrs", "ms", "miss", "dr", "mx"}


def personal_data(payloads: list[dict]) -> set[str]:
    """Victim name parts of 3+ letters, URNs, phone numbers and emails in the letters."""
    out = set()
    for p in payloads:
        ctx = p["context"]
        out |= {w for w in re.findall(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", ctx.get("victim_name") or "")
                if len(w) >= 3 and w.lower() not in TITLES}
        if ctx.get("urn"):
            out.add(str(ctx["urn"]))
        out |= set(PHONE.findall(p["text"])) | set(EMAIL.findall(p["text"]))
    return out


class Recorder:
    """An HTTP client for one user that keeps every response body it received."""

    def __init__(self, base: str, token: str):
        self.http = httpx.Client(base_url=f"{base}/api/v1", headers=auth(token), timeout=60)
        self.bodies: list[str] = []

    def __call__(self, method: str, path: str, expect: int, **kw) -> httpx.Response:
        r = self.http.request(method, path, **kw)
        self.bodies.append(f"{method} {path} -> {r.status_code}\n{r.text}")
        assert r.status_code == expect, f"{method} {path}: {r.status_code} {r.text}"
        return r


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("panel_loop") / "vcl_qa.db").start()
    yield srv
    srv.stop()


def test_panel_loop(server):
    tokens = {
        "north": make_user(server.db, "north-writer", "staff", "north"),
        "south": make_user(server.db, "south-writer", "staff", "south"),
        "manager": make_user(server.db, "area-manager", "manager"),
        "amina": make_user(server.db, "amina-panel", "panel"),
        "brian": make_user(server.db, "brian-panel", "panel"),
    }
    staff = {t: Recorder(server.url, tokens[t]) for t in ("north", "south")}
    manager = Recorder(server.url, tokens["manager"])
    panel = {p: Recorder(server.url, tokens[p]) for p in ("amina", "brian")}

    # 1. Staff submit letters and mark them sent in the period.
    payloads = sample_payloads()[:16]
    letter_team = {}
    for i, body in enumerate(payloads):
        team = "north" if i % 2 == 0 else "south"
        day = f"2025-02-{i + 1:02d}"
        lid = staff[team]("POST", "/letters", 201, json=sent_on(body, day)).json()["id"]
        staff[team]("POST", f"/letters/{lid}/sent", 200, json={"sent_date": day, **SAID_WHY})
        letter_team[lid] = team

    # 2. A manager sets the policy, draws a sample, adds one letter by hand, removes another.
    policy = manager("PUT", "/panel/policy", 200, json={"random_share": 0.5, "seed": 42}).json()
    assert policy["policy"]["raters_per_letter"] == 2
    manager("PUT", "/panel/policy", 422, json={"random_share": 3})
    draw = manager("POST", "/panel/periods/2025Q1/draw", 200, json={}).json()
    assert draw["population"] == 16 and draw["seed"] == 42 and draw["assigned"] == 2 * draw["letters"]
    items = manager("GET", "/panel/periods/2025Q1/items", 200).json()["data"]
    sampled = {i["letter_id"] for i in items}
    outside = next(l for l in letter_team if l not in sampled)
    manager("POST", "/panel/periods/2025Q1/items", 201, json={"letter_id": outside, "reason": "complaint received"})
    removed = sorted(sampled)[0]
    manager("POST", f"/panel/periods/2025Q1/items/{removed}/remove", 200, json={"reason": "case reopened"})
    items = manager("GET", "/panel/periods/2025Q1/items", 200).json()["data"]
    assert all(sorted(i["raters"]) == ["amina-panel", "brian-panel"] for i in items)
    assert {i["letter_id"] for i in items} == (sampled - {removed}) | {outside}

    # 3. Two panel members rate every letter in their queue, mark a passage, reveal, judge.
    overall_by = {"amina": lambda k: 2 + k % 3, "brian": lambda k: 2 + (k + (k % 4 == 0)) % 3}
    queues = {}
    for name, client in panel.items():
        client("GET", "/letters", 403)
        client("GET", "/panel/periods/2025Q1/items", 403)
        client("GET", "/panel/feedback", 403)
        q = client("GET", "/review-queue", 200).json()
        assert q["count"] == len(items)
        queues[name] = q["data"]
        for k, entry in enumerate(q["data"]):
            code = entry["item_id"]
            item = client("GET", f"/review-queue/{code}", 200).json()
            assert item["findings"] is None and item["rating"] is None
            client("POST", f"/review-queue/{code}/reveal", 409)
            o = overall_by[name](k)
            client("POST", f"/review-queue/{code}/ratings", 422,
                   json={"scores": {"clarity": 9}, "overall": o})
            rating = {"scores": {"clarity": o, "empathy": o, "explanation": o, "next_steps": o}, "overall": o,
                      "comment": f"The letter needs a warmer opening ({k}).",
                      "marks": [{"start": 0, "end": min(40, len(item["text"])), "comment": "Opening"}]}
            client("POST", f"/review-queue/{code}/ratings", 201, json=rating)
            findings = client("POST", f"/review-queue/{code}/reveal", 200).json()["data"]
            for f in findings:
                if f["start"] is not None:
                    assert item["text"][f["start"]:f["end"]] == f["text"]
            if findings and name == "amina":
                client("POST", f"/review-queue/{code}/findings/1/verdict", 200,
                       json={"verdict": "not_a_problem", "note": "reads fine"})
            client("POST", f"/review-queue/{code}/ratings", 409, json=rating)
            assert client("GET", f"/review-queue/{code}", 200).json()["rating"]["overall"] == o
    # Each member sees only their own item codes.
    amina_codes = {e["item_id"] for e in queues["amina"]}
    panel["brian"]("GET", f"/review-queue/{next(iter(amina_codes))}", 404)
    assert not amina_codes & {e["item_id"] for e in queues["brian"]}

    # 4. The author reads the panel's feedback on their team's letters (and not others').
    fb_list = staff["north"]("GET", "/panel/feedback", 200).json()["data"]
    assert fb_list and {r["team"] for r in fb_list} == {"north"}
    letter_id = fb_list[0]["letter_id"]
    fb = staff["north"]("GET", f"/panel/feedback/{letter_id}", 200).json()
    assert fb["count"] == 2
    assert {r["rater"] for r in fb["ratings"]} == {"Panel member A", "Panel member B"}
    assert all("warmer opening" in r["comment"] and r["marks"][0]["comment"] == "Opening" for r in fb["ratings"])
    assert "amina-panel" not in str(fb) and "brian-panel" not in str(fb)
    staff["south"]("GET", f"/panel/feedback/{letter_id}", 404)

    # 5. The manager reads the agreement figures and the period report.
    agree = manager("GET", "/panel/periods/2025Q1/agreement", 200).json()
    assert agree["ratings"] == 2 * len(items) and agree["raters"] == 2
    assert agree["letters_with_two_or_more_ratings"] == len(items)
    assert agree["alpha_overall"] is not None and -1 <= agree["alpha_overall"] <= 1
    assert agree["spearman_overall_vs_score"] is not None
    assert any(r["not_a_problem"] > 0 and r["precision"] < 1 for r in agree["rules"])
    csv_text = manager("GET", "/panel/periods/2025Q1/agreement", 200, params={"format": "csv"}).text
    assert csv_text.startswith("measure,name,value,count")
    html = manager("GET", "/panel/periods/2025Q1/report", 200)
    assert html.headers["content-type"].startswith("text/html")
    assert "The most serious problems found automatically" in html.text and "warmer opening" in html.text
    rows = list(csv.DictReader(io.StringIO(
        manager("GET", "/panel/periods/2025Q1/report", 200, params={"format": "csv"}).text)))
    assert {"failed_rule", "rubric", "trend", "comment"} <= {r["Section code"] for r in rows}

    # 6. No personal data in anything a panel member received.
    secrets = personal_data(payloads)
    assert len(secrets) > 30
    # The same check finds the details in what staff received (so it can fail).
    staff_text = "\n".join(staff["north"].bodies + staff["south"].bodies)
    assert sum(1 for s in secrets if re.search(rf"(?<![\w]){re.escape(s)}(?![\w])", staff_text)) > 30
    for name, client in panel.items():
        assert len(client.bodies) > 20
        for body in client.bodies:
            for s in secrets:
                assert not re.search(rf"(?<![\w]){re.escape(s)}(?![\w])", body), (name, s, body[:200])
