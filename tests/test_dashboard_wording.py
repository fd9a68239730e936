"""Review 11a, finding 12: wording on the manager's pages. A letter sent on its due date was
"sent before its due date"; "not yet due" counted letters due today too (one link for both);
the digest called the UK date "today's date on this computer". Real SQLite file, real server,
the real command (in a child process with the computer's clock in another time zone)."""
from __future__ import annotations

import html
import os
import re
import subprocess
import sys

import pytest

from live_server import ROOT, LiveServer
from vcl_qa import clock
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user
from vcl_qa.decisions import register, store
from vcl_qa.engine.dates import long_date
from vcl_qa.letters.bulk import Actor
from web_site import signed_in, visible_text

AS_OF = "2025-12-03"  # a Wednesday: the day counted as today
REGISTER = [
    # due today (Wed 3 Dec), not sent
    {"urn": "T1", "decision_date": "2025-12-02", "victim_category": "enhanced"},
    # due today and sent today: on or before its due date, not counted until the day has passed
    {"urn": "T2", "decision_date": "2025-12-02", "victim_category": "enhanced", "letter_date": "2025-12-03"},
    # due Mon 8 Dec: due later
    {"urn": "L1", "decision_date": "2025-12-01", "victim_category": "standard"},
    {"urn": "L2", "decision_date": "2025-12-02", "victim_category": "standard"},
    # due Mon 1 Dec, never sent: counted, missing
    {"urn": "P1", "decision_date": "2025-11-24", "victim_category": "standard"},
]


def _sentence(page: str) -> str:
    """The "Not counted yet" line as a browser shows it (links inline: no space added around them)."""
    inner = re.search(r'<p id="not-counted">(.*?)</p>', page, re.S).group(1)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", inner)).split())


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("wording") / "vcl_qa.db"
    db = open_db(path)
    migrate(db)
    token = add_user(db, "manager", "manager")[1]
    store.upsert_many(db, Actor("test"), [register.record_from_mapping(
        {"decision": "discontinued", "team": "north", **r}) for r in REGISTER])
    db.close()
    server = LiveServer(path).start()
    yield {"url": server.url, "tokens": {"manager": token}, "path": path}
    server.stop()


def test_due_today_and_due_later_apart_and_sent_on_or_before(site):
    client = signed_in(site, "manager")
    page = client.get("/dashboard", params={"as_of": AS_OF})
    assert page.status_code == 200
    line = _sentence(page.text)
    assert line == "Not counted yet: 1 due today, 2 due later and 1 already sent, on or before its due date."
    assert "not yet due" not in visible_text(page.text) and "sent before" not in visible_text(page.text)
    # each link lists what it counts, on the same day
    for link_id, urns in (("not-counted-due-today", ["T1"]), ("not-counted-due-later", ["L1", "L2"])):
        href = re.search(rf'href="([^"]+)" id="{link_id}"', page.text).group(1).replace("&amp;", "&")
        assert f"as_of={AS_OF}" in href
        listed = visible_text(client.get(href).text)
        assert sorted(u for u in ("T1", "T2", "L1", "L2", "P1") if re.search(rf"\b{u}\b", listed)) == urns


def test_only_one_kind_waiting_reads_plainly(site):
    """The day before: nothing due that day, no letter sent yet; only letters due later."""
    page = signed_in(site, "manager").get("/dashboard", params={"as_of": "2025-12-02"})
    assert _sentence(page.text) == "Not counted yet: 4 due later."


def test_the_digest_names_the_uk_date_whatever_the_computers_time_zone(site):
    env = {**os.environ, "VCL_QA_DB": str(site["path"]), "TZ": "Pacific/Kiritimati"}  # UTC+14
    before = clock.today()
    out = subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", "digest"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    after = clock.today()  # the UK date on each side of the run
    assert any(f"Counting {long_date(d)} as today (today's date in the UK); the register holds 5 decisions."
               in out.stdout for d in {before, after})
    assert "on this computer" not in out.stdout
