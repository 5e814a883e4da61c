"""The screenshots of the HTML format in the README, taken again after a change to the pages:

    .venv/bin/python docs/screenshots.py

Builds the archive (``letters/``) with ``-f md,html`` into a temporary folder and takes, with
headless Chromium (Debian's, through Playwright), the register page (a search typed in it)
and the letter page of CL-21/27, each 1000 pixels wide, into ``docs/*.png``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
LETTERS = DOCS.parent / "letters"


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        dist = Path(scratch) / "dist"
        circulaire = Path(sys.executable).with_name("circulaire")
        command = [str(circulaire), "build", str(LETTERS), "-o", str(dist), "-f", "md,html"]
        subprocess.run(command, check=True, capture_output=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1000, "height": 600})
            page.goto((dist / "index.html").as_uri())
            page.type("#filters [name=q]", "zhao")
            page.wait_for_selector("#register:not([aria-busy])", state="attached")
            page.screenshot(path=DOCS / "register-html.png", full_page=True)
            page.set_viewport_size({"width": 1000, "height": 1300})
            page.goto((dist / "CL-21" / "27.html").as_uri())
            page.screenshot(path=DOCS / "CL-21-27-html.png")
            browser.close()


if __name__ == "__main__":
    main()
