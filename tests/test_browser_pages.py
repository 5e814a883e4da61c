"""The letter pages and the register in a real browser (issue #17, section 4): Chromium through
the ``page`` fixture (tests/browser.py), which fails a test on any console error of the page.

A reader types in the search box and chooses filters; the rows shown are those a reader sees.
The register works from ``file://`` and from a web server, and without JavaScript it is the
whole table. axe-core finds no serious or critical violation in any page of the archive.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import accessibility
from circulaire.build import register
from circulaire.build.register import Row
from test_register_html import build

ALL = ["CL-19/73", "CL-20/038", "CL-21/27"]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser") / "dist"
    build(folder, "md,html")
    return folder


@pytest.fixture(scope="module")
def served(dist: Path) -> Iterator[str]:
    """The output folder from a web server on the loopback interface, as a website serves it."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(dist))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def shown(page: Any) -> tuple[list[str], str]:
    """The references of the rows a reader sees once the table has settled, and the count."""
    page.wait_for_selector("#register:not([aria-busy])", state="attached")
    references = page.eval_on_selector_all(
        "#register tbody tr",
        "rows => rows.filter(r => r.offsetParent).map(r => r.cells[0].textContent)",
    )
    return references, page.text_content("#shown")


def search(page: Any, words: str) -> tuple[list[str], str]:
    page.fill("#filters [name=q]", "")
    page.type("#filters [name=q]", words)
    return shown(page)


@pytest.mark.parametrize("where", ["file", "http"])
def test_a_reader_searches_and_filters(page: Any, dist: Path, served: str, where: str) -> None:
    page.goto((dist / "index.html").as_uri() if where == "file" else served + "index.html")
    assert shown(page) == (ALL, "3 of 3 shown")
    assert search(page, "zhao") == (ALL, "3 of 3 shown")  # ZHAO in CL-19/73
    assert search(page, "numeriques") == (["CL-20/038"], "1 of 3 shown")  # numériques
    assert search(page, "TÉLÉCOMMUNICATIONS") == (["CL-19/73"], "1 of 3 shown")
    assert search(page, "nguyen") == (["CL-20/038", "CL-21/27"], "2 of 3 shown")
    page.select_option("#filters [name=year]", "2021")
    assert shown(page) == (["CL-21/27"], "1 of 3 shown")
    assert search(page, "") == (["CL-21/27"], "1 of 3 shown")
    page.select_option("#filters [name=year]", "")
    page.select_option("#filters [name=format]", "html")
    assert shown(page) == (ALL, "3 of 3 shown")
    assert search(page, "nowhere") == ([], "0 of 3 shown")


def test_a_link_can_ask_for_a_search(page: Any, dist: Path) -> None:
    page.goto(f"{(dist / 'index.html').as_uri()}?q=ZHAO+digital")
    assert shown(page) == (["CL-21/27"], "1 of 3 shown")
    assert page.input_value("#filters [name=q]") == "ZHAO digital"
    page.goto(f"{(dist / 'index.html').as_uri()}?year=2020&series=CL")
    assert shown(page) == (["CL-20/038"], "1 of 3 shown")


def test_every_link_of_the_register_opens_a_page_built(page: Any, served: str) -> None:
    page.goto(served + "index.html")
    links = page.eval_on_selector_all("#register a", "links => links.map(a => a.href)")
    assert len(links) == 16
    for link in links:
        response = page.request.get(link)
        assert response.status == 200, link


def test_without_javascript_the_whole_table(chromium: Any, dist: Path) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto((dist / "index.html").as_uri())
        assert not page.is_visible("#filters")  # a form that would do nothing
        assert shown(page)[0] == ALL
    finally:
        context.close()


def test_ten_thousand_letters_load_and_filter(page: Any, tmp_path: Path) -> None:
    rows = sorted(
        Row(
            f"20{19 + i % 8}-05-17",
            f"CL-{19 + i % 8}/{i:04d}",
            f"Lettre n° {i}: réunion {'à Genève' if i % 10 == 0 else 'en ligne'}",
            ("Houlin ZHAO",) if i % 2 else ("Nguyen Manh Hung",),
            tuple((fmt, f"CL-{19 + i % 8}/{i:04d}.{fmt}") for fmt in ("md", "html")),
            language="fr",
        )
        for i in range(10_000)
    )
    index = tmp_path / "index.html"
    index.write_bytes(register.html(rows))
    page.goto(index.as_uri())
    assert shown(page)[1] == "10000 of 10000 shown"
    references, count = search(page, "geneve")
    assert count == "1000 of 10000 shown" and len(references) == 1000
    assert all(int(reference[6:]) % 10 == 0 for reference in references)
    page.select_option("#filters [name=year]", "2020")
    references, count = search(page, "geneve zhao")
    expected = sorted(f"CL-20/{i:04d}" for i in range(1, 10_000, 8) if i % 10 == 0 and i % 2)
    assert sorted(references) == expected and count == f"{len(expected)} of 10000 shown"
    page.select_option("#filters [name=year]", "")
    assert search(page, "")[1] == "10000 of 10000 shown"
    assert len(shown(page)[0]) == 10_000


# -- accessibility ------------------------------------------------------------------------------


def test_the_register_is_accessible(page: Any, dist: Path) -> None:
    page.goto((dist / "index.html").as_uri())
    assert accessibility(page) == []


def letter_pages() -> list[str]:
    from conftest import LETTERS

    return sorted(
        spec.relative_to(LETTERS).with_suffix(".html").as_posix()
        for spec in LETTERS.rglob("*.yaml")
    )


@pytest.mark.parametrize("name", letter_pages())
def test_every_letter_page_is_accessible(page: Any, dist: Path, name: str) -> None:
    page.goto((dist / name).as_uri())
    assert page.title()
    assert accessibility(page) == []
    # the landmarks a screen reader lists, as the browser exposes them
    for role in ("banner", "main", "contentinfo"):
        assert page.get_by_role(role).count() == 1, role
    assert page.get_by_role("heading", level=1).count() == 1
    direction = page.evaluate("getComputedStyle(document.body).direction")
    assert direction == ("rtl" if name.endswith(".ar.html") else "ltr")
