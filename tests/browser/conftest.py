"""Browser tests: one real server (tests/live_server.py) and one headless Debian Chromium per run.

Playwright drives the system's /usr/bin/chromium (installed by scripts/system-packages.sh);
Playwright's own browser download is never used.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from live_server import ROOT, LiveServer, make_user  # noqa: E402

CHROMIUM = os.environ.get("VCL_QA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
TEAM = "north"


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """A server with the sample letters stored as sent, one user per role and two panel members."""
    from vcl_qa.panel import sampling
    from vcl_qa.db import open_db
    from vcl_qa.letters import bulk
    from vcl_qa.db.users import user_by_name

    db_path = tmp_path_factory.mktemp("browser") / "vcl_qa.db"
    tokens = {"staff": make_user(db_path, "Sam Staff", "staff", TEAM),
              "manager": make_user(db_path, "Mo Manager", "manager"),
              "panel": make_user(db_path, "Pat Panel", "panel"),
              "panel2": make_user(db_path, "Priya Panel", "panel")}
    db = open_db(db_path)
    try:
        bulk.import_folder(db, ROOT / "sample_letters", TEAM, sent=True)
        sampling.draw(db, user_by_name(db, "Mo Manager"), "2024Q4")
    finally:
        db.close()
    server = LiveServer(db_path).start()
    yield {"url": server.url, "tokens": tokens, "db": db_path}
    server.stop()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM} (run scripts/system-packages.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site["url"],
                                  locale="en-GB", reduced_motion="reduce")
    context.add_init_script(path=str(AXE))
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


@pytest.fixture(scope="module")
def script_page(browser):
    """A blank page of the real browser with the letter page's two scripts (api/static/greeting.js
    and insert.js) loaded, for tests that give "Insert this paragraph" texts directly
    (browser_helpers.placed)."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<!doctype html><title>insert</title>")
    for name in ("greeting.js", "insert.js"):
        page.add_script_tag(content=(ROOT / "api" / "static" / name).read_text())
    yield page
    context.close()
