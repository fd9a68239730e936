"""Letters last scored with older rules are said, not silently counted as current.

A release that changes the rules (or migration 0011, which leaves some drafts to be scored
again) leaves each stored letter with the score it had then until `vcl-qa rescore` scores it
again. The manager's dashboard counted those scores as if they were today's, and `vcl-qa
status` said "Nothing needs doing.". Now both say how many letters are from older rules and what
to do. Real SQLite file, the real command, the real server."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from live_server import LiveServer
from vcl_qa.cli import main
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user, user_by_name
from vcl_qa.letters import service
from web_site import signed_in, visible_text

TEXT = ("Dear Ms Grant\n\nI am sorry to tell you that we have decided to stop the case against the man "
        "who took your bicycle.\n\nYours sincerely\nJ Whitcombe\nVictim Liaison Officer\n")
CASE = {"decision": "discontinued", "decision_date": "2025-11-20", "victim_category": "standard"}


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def dbfile(tmp_path, monkeypatch):
    """Three letters: one scored with older rules, one left to be scored again (no rules
    version), one current; and a purged one from older rules (it cannot be scored again)."""
    path = tmp_path / "vcl_qa.db"
    monkeypatch.setenv("VCL_QA_DB", str(path))
    db = open_db(path)
    migrate(db)
    token = add_user(db, "boss", "manager")[1]
    add_user(db, "writer", "staff", team="north")
    writer = user_by_name(db, "writer")
    ids = [service.submit(db, writer, TEXT, dict(CASE, urn=f"01AB{n:07d}"), team="north")["id"] for n in range(4)]
    db.execute("UPDATE letters SET rules_version = 'rules of last year' WHERE id IN (?, ?)", [ids[0], ids[3]])
    db.execute("UPDATE letters SET rules_version = NULL WHERE id = ?", [ids[1]])
    db.execute("UPDATE letters SET purged_at = '2025-12-01T09:00:00+00:00' WHERE id = ?", [ids[3]])
    db.conn.commit()
    db.close()
    return path, token


def test_status_says_how_many_letters_are_from_older_rules_until_they_are_rescored(dbfile):
    facts = json.loads(run("status", "--format", "json").stdout)
    assert facts["scored_with_older_rules"] == 2  # not the current one, nor the purged one
    said = run("status")
    assert said.exit_code == 1
    assert "2 letters were last scored with older rules" in said.stdout and "Run `vcl-qa rescore`" in said.stdout

    assert run("rescore").exit_code == 0
    facts = json.loads(run("status", "--format", "json").stdout)
    assert facts["scored_with_older_rules"] == 0
    assert not any("older rules" in w for w in facts["warnings"])


def test_the_dashboard_says_so_until_they_are_rescored(dbfile):
    path, token = dbfile
    server = LiveServer(path).start()
    try:
        site = {"url": server.url, "tokens": {"manager": token}}
        page = signed_in(site, "manager").get("/dashboard")
        assert page.status_code == 200
        said = visible_text(page.text)
        assert ("2 of these letters were last checked with older rules, or before a change to how a "
                "“not a problem” mark counts") in said
        assert "vcl-qa rescore" in said
        # a day replayed counts each letter with the result it had then: nothing to say there
        assert 'id="older-rules"' not in signed_in(site, "manager").get("/dashboard", params={"as_of": "2025-12-01"}).text

        assert run("rescore").exit_code == 0
        assert 'id="older-rules"' not in signed_in(site, "manager").get("/dashboard").text
    finally:
        server.stop()
