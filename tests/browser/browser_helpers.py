"""Helpers for the browser tests: sign in, screenshots, the axe-core accessibility check."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# Every run writes screenshots to var/screenshots (not tracked); `make screenshots` sets
# VCL_QA_SCREENSHOTS=docs/screenshots to refresh the ones the README shows.
SHOTS = ROOT / os.environ.get("VCL_QA_SCREENSHOTS", "var/screenshots")


def sign_in(page, token: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Your sign-in token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def axe_violations(page) -> list[dict]:
    """Serious and critical accessibility violations (WCAG 2.0-2.2 A and AA rules) on the page."""
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def assert_accessible(page) -> None:
    problems = axe_violations(page)
    assert problems == [], f"{page.url}: {problems}"
