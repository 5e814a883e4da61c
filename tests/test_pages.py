"""One layout, two formats: each part of every archive letter falls on the same page in its
DOCX (read through LibreOffice) as in its PDF (Typst), read page by page with pdftotext; and
the DOCX is set in the PDF's face, embedded, so that LibreOffice needs no font installed."""

from __future__ import annotations

import dataclasses
import os
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest

from circulaire.markup import parse, plain_text
from circulaire.model import Letter
from circulaire.render import render
from circulaire.validate import load_letter
from conftest import ARCHIVE, LETTERS
from readers import (
    fonts_embedded,
    installed_families,
    pdf_text,
    require_font,
    soffice_to_pdf,
)

pytestmark = pytest.mark.slow

PROBE = 12
"""A part is found by its first characters (spaces aside): the first line of a paragraph holds
them, in every language (Chinese has no spaces, and a reader may put some between Chinese and
Latin letters)."""


def cut_short(spec: Path) -> dict[str, Letter]:
    """The letter of ``spec`` with its body cut after each of its paragraphs, then run on by
    its first ones again: the closing, the marks and the signatures fall on either side of a
    page's end, wherever a body of this family may end."""
    item = load_letter(spec)
    paragraphs = item.body.split("\n\n")
    name = spec.relative_to(LETTERS).with_suffix("").as_posix()
    return {
        f"{name} ({count} paragraphs)": dataclasses.replace(
            item, body="\n\n".join((paragraphs * 3)[:count])
        )
        for count in range(1, len(paragraphs) + 4)
    }


LETTERS_AS_PUBLISHED = {spec.relative_to(LETTERS).as_posix(): load_letter(spec) for spec in ARCHIVE}
LETTERS_CUT_SHORT = {name: item for spec in ARCHIVE for name, item in cut_short(spec).items()}


HYPHENATION = {
    "fr": "hyphen-fr",
    "en_US": "hyphen-en-us",
    "es_ES": "hyphen-es",
    "ru_RU": "hyphen-ru",
}
"""LibreOffice's dictionaries for the archive's languages, and their Debian packages: without
them it breaks no word at a line's end where Typst does, and the lines differ."""


def require_hyphenation() -> None:
    """Skip locally, fail in CI (.ci/run installs them), without the dictionaries."""
    lacking = [
        package
        for language, package in HYPHENATION.items()
        if not Path(f"/usr/share/hyphen/hyph_{language}.dic").is_file()
    ]
    if not lacking:
        return
    message = f"LibreOffice's hyphenation dictionaries are not installed ({', '.join(lacking)})"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, which CI needs (.ci/run installs them)")
    pytest.skip(f"{message}: install them to run this test")


@pytest.fixture(scope="session")
def both_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Each letter as PDF, and as DOCX converted by LibreOffice, forty to a run of it."""
    require_hyphenation()
    require_font("Amiri", "fonts-hosny-amiri")  # the DOCX embeds the Latin face only
    require_font("Noto Serif CJK SC", "fonts-noto-cjk")
    folder = tmp_path_factory.mktemp("pages")
    letters = {**LETTERS_AS_PUBLISHED, **LETTERS_CUT_SHORT}
    documents, typeset = [], []
    for number, item in enumerate(letters.values()):
        (folder / f"{number}.docx").write_bytes(render(item, "docx"))
        (folder / f"{number}.typst.pdf").write_bytes(render(item, "pdf"))
        documents.append(folder / f"{number}.docx")
        typeset.append(folder / f"{number}.typst.pdf")
    converted = []
    for start in range(0, len(documents), 40):
        batch = documents[start : start + 40]
        converted += soffice_to_pdf(batch, folder / "libreoffice", folder / "profile")
    return dict(zip(letters, zip(typeset, converted, strict=True), strict=True))


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


@pytest.mark.parametrize("name", [*LETTERS_AS_PUBLISHED, *LETTERS_CUT_SHORT])
def test_each_part_falls_on_the_same_page(
    name: str, both_pdfs: dict[str, tuple[Path, Path]]
) -> None:
    """Every archive letter as published, and cut short wherever its body may end."""
    item = {**LETTERS_AS_PUBLISHED, **LETTERS_CUT_SHORT}[name]
    typeset, converted = both_pdfs[name]
    assert pages_of(converted, item) == pages_of(typeset, item)


def test_the_closing_and_the_signatures_are_never_apart(
    both_pdfs: dict[str, tuple[Path, Path]],
) -> None:
    """Wherever the body ends, the closing (or the body's last paragraph) and the first
    signatory share a page, and a mark its signatory, in both formats."""
    for name, item in LETTERS_CUT_SHORT.items():
        for pdf in both_pdfs[name]:
            found = pages_of(pdf, item)
            last = [part for part in found if part.startswith(("paragraph", "closing"))][-1]
            first = f"signatory {item.signatories[0].name}"
            assert found[last] == found[first], f"{name}: {pdf.name}"


def test_the_docx_carries_the_pdfs_face_and_libreoffice_uses_it(
    both_pdfs: dict[str, tuple[Path, Path]],
) -> None:
    """The four faces of Libertinus Serif travel in every DOCX, obfuscated with their keys as
    Word embeds them (ECMA-376 Part 1, 17.8.1), and LibreOffice sets the letter in them on a
    system that has not installed the face."""
    typeset, converted = both_pdfs["CL-21/27.yaml"]
    with zipfile.ZipFile(typeset.with_name(typeset.name.replace(".typst.pdf", ".docx"))) as docx:
        table = docx.read("word/fontTable.xml").decode()
        rels = docx.read("word/_rels/fontTable.xml.rels").decode()
        targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
        embedded = re.findall(r'<w:(embed\w+) r:id="(rId\d+)" w:fontKey="\{([^}]+)\}"', table)
        assert [kind for kind, _, _ in embedded] == [
            "embedRegular",
            "embedBold",
            "embedItalic",
            "embedBoldItalic",
        ]
        for _, rid, key in embedded:
            data = docx.read(f"word/{targets[rid]}")
            digits = bytes.fromhex(key.replace("-", ""))[::-1]
            head = bytes(byte ^ digits[i % 16] for i, byte in enumerate(data[:32]))
            font = head + data[32:]
            assert font[:4] == b"\x00\x01\x00\x00"  # TrueType, once the key is undone
            assert "Libertinus Serif".encode("utf-16-be") in font  # its name table
    if "Libertinus Serif" in installed_families():
        pytest.skip("Libertinus Serif is installed: LibreOffice may not need the embedded face")
    assert {"LibertinusSerif-Regular", "LibertinusSerif-Bold"} <= set(fonts_embedded(converted))
