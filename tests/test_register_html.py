"""The register as a web page: ``index.html`` beside ``index.md`` when a build writes HTML."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from circulaire.build import register
from circulaire.build.register import Row
from circulaire.cli import cli
from conftest import LETTERS
from test_html import Page


def build(dist: Path, formats: str = "md,html") -> None:
    result = CliRunner().invoke(cli, ["build", str(LETTERS), "-o", str(dist), "-f", formats])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("register") / "dist"
    build(folder)
    return folder


def cells(page: str) -> list[list[str]]:
    """The text of each cell of each body row."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub("<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body)
    ]


def test_a_build_with_html_writes_the_register_page(dist: Path) -> None:
    page = (dist / "index.html").read_text()
    Page(page)
    rows = cells(page)
    assert [row[0] for row in rows] == ["CL-19/73", "CL-20/038", "CL-21/27"]
    assert [row[4] for row in rows] == ["fr", "fr", "fr, ar, en, es, ru, zh"]
    links = re.findall(r'href="([^"]*)"', page)
    assert "CL-21/27.html" in links and "CL-21/27.en.md" in links
    for link in links:
        assert (dist / unquote(link)).is_file(), link


def test_the_page_asks_nothing_of_any_other_site(dist: Path) -> None:
    page = (dist / "index.html").read_text()
    assert not re.search(r"[a-z]+://", page)
    assert not re.search(r'(?:src|href|action)="(?:[a-z]+:|/)', page)
    assert "default-src 'none'" in page


def test_index_md_is_the_same_with_or_without_the_page(tmp_path: Path, dist: Path) -> None:
    build(tmp_path / "md", "md,html")
    assert (tmp_path / "md" / "index.md").read_bytes() == (dist / "index.md").read_bytes()


def test_the_same_bytes_twice(tmp_path: Path, dist: Path) -> None:
    build(tmp_path / "again")
    assert (tmp_path / "again" / "index.html").read_bytes() == (dist / "index.html").read_bytes()


def test_a_build_with_nothing_to_do_leaves_the_page_alone(tmp_path: Path) -> None:
    folder = tmp_path / "dist"
    build(folder)
    before = (folder / "index.html").stat().st_mtime_ns
    time.sleep(0.01)
    build(folder)
    assert (folder / "index.html").stat().st_mtime_ns == before


def test_a_page_removed_or_spoiled_is_written_again(tmp_path: Path) -> None:
    folder = tmp_path / "dist"
    build(folder)
    page = (folder / "index.html").read_bytes()
    (folder / "index.html").unlink()
    build(folder)
    assert (folder / "index.html").read_bytes() == page
    (folder / "index.html").write_bytes(page.replace(b"CL-21/27", b"CL-21/28"))
    build(folder)
    assert (folder / "index.html").read_bytes() == page


def test_no_page_without_html(tmp_path: Path) -> None:
    folder = tmp_path / "dist"
    build(folder, "md")
    assert not (folder / "index.html").exists()
    build(folder, "md,html")
    assert (folder / "index.html").exists()
    build(folder, "md")  # html dropped: the page would link to files no longer there
    assert not (folder / "index.html").exists()


def row(subject: str, signatory: str = "A. B.") -> Row:
    return Row("2021-01-02", "CL-21/1", subject, (signatory,), (("html", "CL-21/1.html"),))


def test_spec_text_prints_escaped() -> None:
    page = register.html([row('<script>alert("x")</script> & co', "<b>O'Neil</b>")]).decode()
    Page(page)
    assert page.count("<script>") == 1
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in page
    assert "&lt;b&gt;O&#x27;Neil&lt;/b&gt;" in page


def test_ten_thousand_letters_make_a_page_of_reasonable_size() -> None:
    rows = sorted(
        Row(
            f"20{10 + i % 15}-05-17",
            f"CL-{10 + i % 15}/{i:04d}",
            f"Invitation à la réunion numéro {i} du groupe d'études",
            ("Houlin Zhao", "Nguyen Manh Hung"),
            tuple((fmt, f"CL-{10 + i % 15}/{i:04d}.{fmt}") for fmt in ("md", "html", "pdf")),
            versions=(("en", (("html", f"CL-{10 + i % 15}/{i:04d}.en.html"),)),),
        )
        for i in range(10_000)
    )
    started = time.perf_counter()
    page = register.html(rows)
    assert time.perf_counter() - started < 5
    assert len(page) / len(rows) < 600  # about 450 bytes a row: 4.5 MB for 10,000 letters


# In a real browser (typing, choosing filters, file:// and a server): test_browser_pages.py.


def test_the_manifest_believes_a_language_only_of_a_locale() -> None:
    from circulaire.build.manifest import opened

    assert opened({"reference": "CL-21/1", "language": "fr_CH"})["language"] == "fr_CH"
    for wrong in (5, "<b>fr</b>", "", "fr\n"):
        with pytest.raises(ValueError):
            opened({"reference": "CL-21/1", "language": wrong})
