"""Behind a real nginx (deploy/nginx/vcl-qa-subpath.conf, TLS) under /vcl-qa/ with
`vcl-qa serve --root-path /vcl-qa`: sign in, check a letter and read the result in Chromium,
every page, link, form, redirect, cookie and static file staying under the path."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from urllib.parse import urlparse

import httpx
import pytest

from vcl_qa import clock
from browser_helpers import shot
from live_server import LiveServer, free_port, make_user
from test_deploy import need, nginx_conf

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PREFIX = "/vcl-qa"
LETTER = ("Private - to be opened by addressee only\n\nDear Ms Grant\n\nI am writing to tell you that we "
          "have decided to stop the case against the man charged with harassing you. I am sorry that "
          "this is not the news you hoped for.\n\nYours sincerely\n\nA Writer\n")


@pytest.fixture
def proxied(tmp_path):
    nginx = need("nginx")
    db = tmp_path / "vcl_qa.db"
    token = make_user(db, "Sam Staff", "staff", "north")
    server = LiveServer(db, extra_args=["--root-path", PREFIX]).start()
    port = free_port()
    conf = nginx_conf(tmp_path, "vcl-qa-subpath.conf", upstream_port=server.port, https_port=port)
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
                            start_new_session=True, stderr=subprocess.DEVNULL)
    url = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, (tmp_path / "error.log").read_text()
            try:
                if httpx.get(f"{url}{PREFIX}/api/v1/health", verify=False, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.1)
        yield {"url": url, "token": token}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        server.stop()


def local_links(page) -> list[str]:
    return page.eval_on_selector_all(
        "a[href], form[action], link[href], script[src], img[src]",
        "els => els.map(e => e.getAttribute('href') || e.getAttribute('action') || e.getAttribute('src'))"
        ".filter(v => v && v.startsWith('/'))")


def test_pages_and_static_files_under_a_path_behind_nginx(browser, proxied):
    context = browser.new_context(ignore_https_errors=True, base_url=proxied["url"], locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    answers: list[tuple[str, int]] = []
    page.on("response", lambda r: answers.append((urlparse(r.url).path, r.status)))
    try:
        page.goto(f"{PREFIX}/check")
        assert urlparse(page.url).path == f"{PREFIX}/sign-in"  # sent to sign in, under the path
        assert "Arial" in page.evaluate("getComputedStyle(document.body).fontFamily")  # styles loaded
        page.get_by_label("Your sign-in token").fill(proxied["token"])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(rf"{PREFIX}/check$"))
        session = [c for c in context.cookies() if c["name"] == "vclqa_session"][0]
        assert session["secure"] and session["path"].startswith(PREFIX)  # https seen through the proxy
        assert all(link.startswith(PREFIX + "/") for link in local_links(page)), local_links(page)

        page.get_by_label("The letter", exact=True).fill(LETTER)
        page.get_by_label("What did we decide?").select_option("discontinued")
        today = clock.today()
        decided = page.get_by_role("group", name=re.compile("^Date of the decision"))
        decided.get_by_label("Day").fill(str(today.day))
        decided.get_by_label("Month").fill(str(today.month))
        decided.get_by_label("Year").fill(str(today.year))
        page.get_by_label("Victim's rights").select_option("standard")
        page.get_by_label("Writing to a bereaved family member?").select_option("no")
        page.get_by_label("Offence", exact=True).select_option("harassment")
        page.get_by_label("Name the letter should greet").fill("Ms Olivia Grant")
        page.get_by_role("button", name="Check the letter").click()
        page.wait_for_url(re.compile(rf"{PREFIX}/letters/\d+$"))
        assert page.locator("#score").inner_text().strip().isdigit()
        assert all(link.startswith(PREFIX + "/") for link in local_links(page)), local_links(page)
        # Checked again while typing: the page asks the API under the path too.
        page.get_by_label("The letter", exact=True).press("Control+End")
        page.keyboard.type("\nThank you.")
        page.wait_for_function("() => document.getElementById('edit-status').getAttribute('data-checks')")
        shot(page, "root-path-letter")
        assert page.request.get(f"{PREFIX}/metrics").status == 403  # not through the proxy
    finally:
        context.close()
    assert answers and all(path.startswith(PREFIX + "/") for path, _ in answers), answers
    assert [a for a in answers if a[1] >= 400] == []
    assert (f"{PREFIX}/static/app.css", 200) in answers and (f"{PREFIX}/static/app.js", 200) in answers
