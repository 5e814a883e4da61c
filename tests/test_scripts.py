"""Letters in Arabic and in Chinese: right to left, Chinese lines, fonts from packages, in DOCX
and PDF, as pdftotext, LibreOffice and pandoc read them. A letter in French is as it was."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from circulaire.cli import cli
from circulaire.errors import RenderError
from circulaire.model import Letter
from circulaire.render import render
from circulaire.scripts import FontPackage, writing
from circulaire.validate import load_letter
from conftest import ARCHIVE, require
from readers import (
    IDEOGRAPH,
    SIMILAR_ENOUGH,
    fonts_embedded,
    pdf_text,
    similarity,
    without_page_furniture,
    words_placed,
)

SPECS = Path(__file__).resolve().parent / "scripts"
LANGUAGES = ("ar", "zh")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
PAGE_WIDTH = 595.276
"""A4, in points."""
MM = 72 / 25.4
ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
LATIN_LETTER = re.compile("[A-Za-z]")


def letter(language: str) -> Letter:
    return load_letter(SPECS / f"{language}.yaml")


def written(item: Letter, folder: Path, fmt: str) -> Path:
    path = folder / f"{item.language}.{fmt}"
    path.write_bytes(render(item, fmt))
    return path


def part(document: bytes, name: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(document)).read(name))


def line_of(placed: list[tuple[str, float, float, float]], word: str) -> dict[str, float]:
    """The words on the line of the first ``word``, each with its left edge. pdftotext gives
    the letters of a word right to left in the order they stand on the page: each is turned
    back."""
    found = [
        (text[::-1] if ARABIC_LETTER.search(text) else text, x0, y) for text, x0, _, y in placed
    ]
    top = next(y for text, _, y in found if text == word)
    return {text: x0 for text, x0, y in found if abs(y - top) < 1}


ARABIC_MARKDOWN = st.lists(
    st.sampled_from(
        [
            *("حضرات", "ITU", "2021", " ", "\n", "\n\n", "- ", "1. ", "**", "*", "(", ")"),
            *(".", "/", "[", "](https://a.org/)", "](mailto:a@b.org)", "<https://itu.int/>"),
            *("`x`", "    ", "---"),
        ]
    ),
    max_size=40,
).map("".join)
"""Arabic, Latin and Markdown mixed: lists, emphasis, links and code in a letter right to
left."""


# -- PDF -------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_pdftotext_reads_the_text_in_its_order(language: str, tmp_path: Path) -> None:
    item = letter(language)
    read = without_page_furniture(pdf_text(written(item, tmp_path, "pdf")), item)
    assert similarity(read, render(item, "txt").decode()) >= SIMILAR_ENOUGH


def test_latin_inside_arabic_keeps_its_own_order(tmp_path: Path) -> None:
    text = pdf_text(written(letter("ar"), tmp_path, "pdf"))
    for latin in (
        "forum.telecom@itu.int",
        "participate.telecom@itu.int",
        "https://digital-world.itu.int/",  # its slash at its end
        "ITU Digital World 2021",
        "ITU Telecom",
    ):
        assert latin in text
    assert "/https" not in text


def test_arabic_is_set_right_to_left_on_a_mirrored_page(tmp_path: Path) -> None:
    placed = words_placed(written(letter("ar"), tmp_path, "pdf"), page=1)
    salutation = line_of(placed, "حضرات")
    assert salutation["حضرات"] > salutation["السادة"] > salutation["والسيدات،"]
    date = line_of(placed, "يوليو").values()
    assert max(date) < PAGE_WIDTH / 2  # on the left
    assert min(date) == pytest.approx(20 * MM, abs=1)
    assert max(line_of(placed, "البعثات").values()) < PAGE_WIDTH / 2  # the recipients
    assert min(line_of(placed, "الدولي").values()) > PAGE_WIDTH / 2  # the letterhead, right
    right = max(x1 for _, _, x1, _ in placed)
    assert right == pytest.approx(PAGE_WIDTH - 25 * MM, abs=1)  # the wider margin


def test_chinese_lines_break_between_ideographs_and_are_justified(tmp_path: Path) -> None:
    pdf = written(letter("zh"), tmp_path, "pdf")
    lines = pdf_text(pdf).splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("国际电信联盟和越南"))
    ideograph = re.compile(f"[{IDEOGRAPH}]")
    assert ideograph.fullmatch(lines[first][-1]) and ideograph.fullmatch(lines[first + 1][0])
    placed = words_placed(pdf)
    tops = sorted({round(y) for text, _, _, y in placed if ideograph.search(text)})
    ends = [max(x1 for _, _, x1, y in placed if round(y) == top) for top in tops]
    full = [end for end in ends if end > PAGE_WIDTH - 20 * MM - 2]
    assert len(full) >= 10
    assert max(full) - min(full) < 0.5  # every full line ends at the margin


@pytest.mark.parametrize(
    "language, fonts",
    [
        ("ar", ["Amiri-Bold", "Amiri-Regular"]),
        (
            "zh",  # bold Chinese in the Hei face (Noto Sans SC)
            [
                "LibertinusSerif-Bold",
                "LibertinusSerif-Regular",
                "NotoSansSC-Regular",
                "NotoSerifSC-Regular",
            ],
        ),
    ],
)
def test_the_scripts_fonts_embedded_and_subset_in_a_pdf_a(
    language: str, fonts: list[str], tmp_path: Path
) -> None:
    pdf = written(letter(language), tmp_path, "pdf")
    assert fonts_embedded(pdf) == fonts
    listing = subprocess.run(
        [require("pdffonts"), str(pdf)], capture_output=True, check=True, timeout=60
    ).stdout.decode()
    for line in listing.splitlines()[2:]:
        assert re.search(r" yes yes yes +\d+ +0$", line), line  # embedded, subset, Unicode
    data = pdf.read_bytes()
    assert b"<pdfaid:part>2</pdfaid:part>" in data
    assert b"<pdfaid:conformance>U</pdfaid:conformance>" in data
    assert len(data) < 200_000  # Noto Serif SC alone is 11 MB: only the glyphs used


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_same_bytes_from_another_process(language: str, tmp_path: Path) -> None:
    spec = SPECS / f"{language}.yaml"
    target = tmp_path / "letter.pdf"
    subprocess.run(
        [sys.executable, "-m", "circulaire", "render", str(spec), "-f", "pdf", "-o", str(target)],
        check=True,
        capture_output=True,
        env={"PYTHONHASHSEED": "54321", "SOURCE_DATE_EPOCH": "0", "PATH": ""},
    )
    assert target.read_bytes() == render(letter(language), "pdf")


@settings(max_examples=40, deadline=None)
@given(body=ARABIC_MARKDOWN)
def test_any_arabic_text_gives_a_pdf(body: str) -> None:
    data = render(dataclasses.replace(letter("ar"), body=body), "pdf")
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


NOT_INSTALLED = (
    "letter.typ.j2: CL-21/27 is in Chinese, which needs fonts not installed: the font Noto "
    "Serif SC comes in the package pylopdf-fonts-zh-cn (pip install 'circulaire[chinese]')"
)


def test_a_font_package_not_installed_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(FontPackage, "location", lambda package: None)
    with pytest.raises(RenderError) as raised:
        render(letter("zh"), "pdf")
    assert str(raised.value) == NOT_INSTALLED
    spec = SPECS / "zh.yaml"
    result = CliRunner().invoke(cli, ["render", str(spec), "-o", str(tmp_path / "zh.pdf")])
    assert (result.exit_code, result.stderr) == (1, f"{NOT_INSTALLED}\n")
    assert not (tmp_path / "zh.pdf").exists()
    render(load_letter(ARCHIVE[0]), "pdf")  # French needs none of them


def test_the_font_packages_are_installed() -> None:
    """They are dependencies (Arabic) and in the test extras (Chinese): a test run that
    skipped their letters would hide a broken install."""
    for language in LANGUAGES:
        for package in writing(language).fonts:
            folder = package.location()
            assert folder is not None, package.install()
            assert any(folder.glob("*.[ot]tf")), folder
