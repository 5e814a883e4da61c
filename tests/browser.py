"""A real browser for the tests: Debian's Chromium, driven by Playwright (no browser download).

``page`` gives a fresh page; it fails the test on any console error or uncaught exception the
page raises, as a reader's browser would show them. Absent locally, Chromium skips the test with
a reason (``require``); in CI it is installed, so the tests run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

# As the machine's probe starts it: no sandbox as root, and none of the background requests a
# closed network refuses.
ARGUMENTS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium for each module of browser tests: one for the whole run is found
    closed after tests/test_build.py (which forks and kills processes) has run."""
    from playwright.sync_api import sync_playwright

    from conftest import require  # conftest brings these fixtures in: imported late

    executable = require("chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGUMENTS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh page; the test fails on any console error or uncaught exception of the page."""
    context = chromium.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()
    assert not problems, f"the page reported errors: {problems}"


def accessibility(page: Any) -> list[str]:
    """The serious and critical axe-core violations of the page as loaded, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s)"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
