"""One layout, two formats: each part of every archive letter falls on the same page in its
DOCX (read through LibreOffice) as in its PDF (Typst), read page by page with pdftotext; and
the DOCX is set in the PDF's face, embedded, so that LibreOffice needs no font installed."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from circulaire.markup import parse, plain_text
from circulaire.model import Letter
from circulaire.render import render
from circulaire.validate import load_letter
from conftest import ARCHIVE, LETTERS
from readers import pdf_text, soffice_to_pdf

pytestmark = pytest.mark.slow

PROBE = 12
"""A part is found by its first characters (spaces aside): the first line of a paragraph holds
them, in every language (Chinese has no spaces, and a reader may put some between Chinese and
Latin letters)."""


@pytest.fixture(scope="session")
def both_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, tuple[Path, Path]]:
    """Every archive letter as PDF, and as DOCX converted by LibreOffice, in one run of it."""
    folder = tmp_path_factory.mktemp("pages")
    documents, typeset = [], []
    for spec in ARCHIVE:
        name = spec.relative_to(LETTERS).with_suffix("").as_posix().replace("/", "-")
        item = load_letter(spec)
        (folder / f"{name}.docx").write_bytes(render(item, "docx"))
        (folder / f"{name}.typst.pdf").write_bytes(render(item, "pdf"))
        documents.append(folder / f"{name}.docx")
        typeset.append(folder / f"{name}.typst.pdf")
    converted = soffice_to_pdf(documents, folder / "libreoffice", folder / "profile")
    return {
        spec: pair for spec, pair in zip(ARCHIVE, zip(typeset, converted, strict=True), strict=True)
    }


def normal(text: str) -> str:
    """Text as both readers give it: quotes straight, spaces single, no marks of direction,
    no hyphen at a line's end."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u00ad]", "", text)
    text = re.sub("[’‘]", "'", re.sub("[«»“”]", '"', text))
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return "".join(text.split())


def parts(item: Letter) -> list[tuple[str, str]]:
    """The parts of a letter, in order, each by name and by the words it starts with."""
    found = [("reference", item.reference), ("subject", item.subject)]
    found.append(("salutation", item.salutation))
    for number, node in enumerate(parse(item.body).children, start=1):
        if node.type == "paragraph":
            found.append((f"paragraph {number}", plain_text(node)))
    if item.closing:
        found.append(("closing", item.closing))
    found.extend((f"signatory {s.name}", s.name) for s in item.signatories)
    found.extend((f"annex {a.title}", a.title) for a in item.annexes)
    return found


def pages_of(pdf: Path, item: Letter) -> dict[str, int]:
    """The page (from 1) on which each part of the letter starts, searched in order."""
    pages = [normal(page) for page in pdf_text(pdf).split("\f")]
    text = "".join(pages)
    starts = []
    at = 0
    for page in pages:
        starts.append(at)
        at += len(page)
    found: dict[str, int] = {}
    at = 0
    for name, words in parts(item):
        probe = normal(words)[:PROBE]
        where = text.find(probe, at)
        assert where >= 0, f"{pdf.name}: {name} ({probe!r}) not found after character {at}"
        found[name] = sum(1 for start in starts if start <= where)
        at = where + len(probe)
    return found


@pytest.mark.parametrize("spec", ARCHIVE, ids=lambda p: p.relative_to(LETTERS).as_posix())
def test_each_part_falls_on_the_same_page(
    spec: Path, both_pdfs: dict[Path, tuple[Path, Path]]
) -> None:
    item = load_letter(spec)
    typeset, converted = both_pdfs[spec]
    assert pages_of(converted, item) == pages_of(typeset, item)
