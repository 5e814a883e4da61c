"""The real readers of our documents (LibreOffice, pdftotext, pandoc), and how we compare what
they read with the plain-text rendering. Shared by the DOCX and PDF tests."""

from __future__ import annotations

import difflib
import os
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import require

if TYPE_CHECKING:
    from circulaire.model import Letter

SIMILAR_ENOUGH = 0.95
"""Word-sequence similarity a reader's text must reach against the plain-text rendering."""
JUSTIFIED_ARABIC_SIMILAR_ENOUGH = 0.9
"""The same, for Arabic that LibreOffice justifies: it stretches the joins between letters, as
a scribe does (kashida), and pdftotext reads a word so stretched as two, a few in a hundred."""


IDEOGRAPH = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
"""Chinese characters: each is a word, since Chinese puts no space between words."""
ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
"""The vowels and other marks written over and under Arabic letters."""


def words(text: str) -> list[str]:
    """The words of a text in order. A word cut by a hyphen at the end of a line is joined
    again; as a reader cannot tell that hyphen from a hyphen of the word (``septembre-novembre``),
    hyphenated words are compared without their hyphens. Whitespace and punctuation (bullets,
    quotes) do not count. Each Chinese character is a word. The marks over and under Arabic
    letters (its vowels, ``سيُعقد``) do not count either: pdftotext may give a mark before the
    letter that bears it, cutting the word in two."""
    text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", text)
    text = re.sub(r"(\w)-(?=\w)", r"\1", text)
    text = ARABIC_MARKS.sub("", text)
    return re.findall(rf"[{IDEOGRAPH}]|[^\W{IDEOGRAPH}]+", text.casefold())


def similarity(read: str, expected: str) -> float:
    """How much of the same words, in the same order, two texts carry (difflib ratio, 0..1)."""
    return difflib.SequenceMatcher(None, words(read), words(expected), autojunk=False).ratio()


def pdf_text(pdf: Path) -> str:
    """The text of a PDF as pdftotext reads it."""
    program = require("pdftotext")
    result = subprocess.run(
        [program, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode("utf-8")


def words_placed(pdf: Path, page: int | None = None) -> list[tuple[str, float, float, float]]:
    """Each word pdftotext finds (on one page, or on all), with its left edge, right edge and
    top (points)."""
    program = require("pdftotext")
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(
        [program, "-bbox", *pages, "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>',
        result.stdout.decode("utf-8"),
    )
    return [(word, float(x0), float(x1), float(y0)) for x0, y0, x1, word in found]


def fonts_embedded(pdf: Path) -> list[str]:
    """The fonts pdffonts lists, without the subset prefix and encoding."""
    listing = subprocess.run(
        [require("pdffonts"), str(pdf)], capture_output=True, check=True, timeout=60
    ).stdout.decode()
    return sorted(
        {
            re.sub(r"^[A-Z]{6}\+|-Identity-H$", "", line.split()[0])
            for line in listing.splitlines()[2:]
        }
    )


MARKS = "[\\s\u200e\u200f\u202a-\u202e]"
"""Space, and the marks of direction pdftotext puts around words right to left."""


def without_page_furniture(text: str, item: Letter) -> str:
    """The letter's own words: the letterhead, the house's address and contacts at the foot
    of the first page (a line of pieces between " · ") and the page numbers are not in the
    text rendering, so they are left out before the two are compared."""
    furniture = re.compile(
        rf"^{MARKS}*({re.escape(item.author)}|{re.escape(item.reference)} – \d+/\d+"
        rf"|{MARKS}*\d+/\d+ – {MARKS}*{re.escape(item.reference)}"  # read right to left
        rf"|.+ · .+){MARKS}*$"
    )
    kept: list[str] = []
    for page in text.split("\f"):  # pdftotext ends each page with a form feed
        lines = page.splitlines()
        # The letterhead heads a page and the page number ends it: a signatory's organization
        # that is the author's, inside the page, is the letter's own words.
        while lines and (not lines[0].strip() or furniture.match(lines[0])):
            lines.pop(0)
        while lines and (not lines[-1].strip() or furniture.match(lines[-1])):
            lines.pop()
        kept.extend(lines)
    return "\n".join(kept)


def installed_families() -> set[str]:
    """The font families the system has (fontconfig's), as LibreOffice finds them."""
    listed = subprocess.run(
        [require("fc-list"), ":", "family"], capture_output=True, check=True, timeout=60
    ).stdout.decode("utf-8")
    return {name for line in listed.splitlines() for name in line.split(",")}


def require_font(family: str, package: str) -> None:
    """A font the system has, for LibreOffice, which takes its fonts from the system. Absent
    locally: skip, saying which Debian package brings it; absent in CI (.ci/run installs it):
    fail."""
    if family in installed_families():
        return
    message = f"the font {family} (Debian's {package}) is not installed"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, which CI needs (.ci/run installs it)")
    pytest.skip(f"{message}: install it to run this test")


def soffice_to_pdf(documents: list[Path], outdir: Path, profile: Path) -> list[Path]:
    """Convert documents to PDF with LibreOffice, in one run with its own profile folder (a
    fresh HOME-independent profile, so parallel runs and read-only homes work)."""
    program = require("soffice")
    subprocess.run(
        [
            program,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *map(str, documents),
        ],
        capture_output=True,
        check=True,
        timeout=240,
    )
    pdfs = [outdir / f"{document.stem}.pdf" for document in documents]
    missing = [str(pdf) for pdf in pdfs if not pdf.is_file()]
    assert not missing, f"LibreOffice wrote no PDF for {missing}"
    return pdfs


def pandoc_markdown(document: Path) -> str:
    """A DOCX read back by pandoc, as CommonMark."""
    program = require("pandoc")
    result = subprocess.run(
        [program, "-f", "docx", "-t", "commonmark", "--wrap=none", str(document)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return result.stdout.decode("utf-8")


def without_direction(markdown: str) -> str:
    """pandoc's Markdown without the raw HTML in which it keeps a right-to-left run's
    direction (``<span dir="rtl">``): to compare its words and emphasis with ours."""
    markdown = re.sub(r'\*\*(</span>|<span dir="rtl">)\*\*', r"\1", markdown)  # one bold span
    markdown = re.sub(r'<span dir="rtl">(.*?)</span>', r"\1", markdown, flags=re.DOTALL)
    return re.sub("[\u202a\u202c]", "", markdown)
