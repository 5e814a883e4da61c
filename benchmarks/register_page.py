"""The register page of a synthetic archive, measured in a real browser (issue #17).

    .venv/bin/python benchmarks/register_page.py                 # 10,000 letters
    .venv/bin/python benchmarks/register_page.py --letters 50000 --runs 5

Makes a synthetic archive (``synthetic.py``), builds it with ``circulaire build -f md,html``,
then opens ``dist/index.html`` in headless Chromium (Debian's, driven by Playwright) from
``file://``, and prints a Markdown table: the page's size, its first contentful paint and load
(the browser's Performance API), and the time from a search or filter's ``input`` event to the
next frame painted with the rows it shows, typed and chosen as a reader would. Each figure is
the median of ``--runs`` fresh pages. Figures depend on the machine: printed, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import make_archive  # noqa: E402

ARGUMENTS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

FILTER = """async ([selector, value]) => {
  const field = document.querySelector(selector);
  const frame = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  await frame();
  const started = performance.now();
  field.value = value;
  field.dispatchEvent(new Event("input", { bubbles: true }));
  await frame();
  const painted = performance.now() - started;
  while (document.getElementById("register").hasAttribute("aria-busy")) await frame();
  const settled = performance.now() - started;
  return [painted, settled, document.getElementById("shown").textContent];
}"""
"""The time from an ``input`` event to the frame after it (the handler, style, layout and
paint of the first rows it shows: ``requestAnimationFrame`` runs before that frame's paint, the
timeout after it), and to the frame where every row is shown or hidden (``aria-busy`` gone)."""

STEPS = [
    ("search a word (`télécommunications`)", "#filters [name=q]", "télécommunications"),
    (
        "search, no accents or capitals (`developpement zhao`)",
        "#filters [name=q]",
        "developpement zhao",
    ),
    ("clear the search: every row again", "#filters [name=q]", ""),
    ("filter a year", "#filters [name=year]", "2023"),
    ("filter a year and a format", "#filters [name=format]", "md"),
    ("back to every row", "#filters [name=year]", ""),
]


Figures = dict[str, tuple[float, float, str]]


def measure(browser: Any, page_path: Path) -> Figures:
    context = browser.new_context()
    page = context.new_page()
    page.goto(page_path.as_uri(), wait_until="load")
    page.wait_for_selector("#register:not([aria-busy])")
    paint = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime")
    load = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    shown = page.evaluate("document.getElementById('shown').textContent")
    figures: Figures = {"first contentful paint": (paint, paint, ""), "load": (load, load, shown)}
    for what, selector, value in STEPS:
        painted, settled, shown = page.evaluate(FILTER, [selector, value])
        figures[what] = (painted, settled, shown)
    context.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--page", type=Path, help="measure this index.html; build none")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        page_path = options.page
        if page_path is None:
            archive = make_archive(Path(scratch) / "letters", options.letters)
            dist = Path(scratch) / "dist"
            circulaire = Path(sys.executable).with_name("circulaire")
            command = [str(circulaire), "build", str(archive), "-o", str(dist), "-f", "md,html"]
            subprocess.run(command, check=True, capture_output=True)
            page_path = dist / "index.html"
        size = page_path.stat().st_size
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=options.chromium, args=ARGUMENTS)
            runs = [measure(browser, page_path) for _ in range(options.runs)]
            browser.close()
    rows = page_path.name if options.page else f"{options.letters:,} letters"
    print(f"Register page, {rows}, {size / 1e6:.1f} MB; median of {options.runs} pages.\n")
    print("| Measure | first frame | every row | shown |")
    print("| --- | --- | --- | --- |")
    for what in runs[0]:
        painted = statistics.median(run[what][0] for run in runs)
        settled = statistics.median(run[what][1] for run in runs)
        print(f"| {what} | {painted:.0f} ms | {settled:.0f} ms | {runs[0][what][2]} |")


if __name__ == "__main__":
    main()
