"""The real readers of our documents (LibreOffice, pdftotext, pandoc), and how we compare what
they read with the plain-text rendering. Shared by the DOCX and PDF tests."""

from __future__ import annotations

import difflib
import re
import subprocess
from pathlib import Path

from conftest import require

SIMILAR_ENOUGH = 0.95
"""Word-sequence similarity a reader's text must reach against the plain-text rendering."""


def words(text: str) -> list[str]:
    """The words of a text in order. A word cut by a hyphen at the end of a line is joined
    again; as a reader cannot tell that hyphen from a hyphen of the word (``septembre-novembre``),
    hyphenated words are compared without their hyphens. Whitespace and punctuation (bullets,
    quotes) do not count."""
    text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", text)
    text = re.sub(r"(\w)-(?=\w)", r"\1", text)
    return re.findall(r"\w+", text.casefold())


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
