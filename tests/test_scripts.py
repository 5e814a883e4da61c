"""Letters in Arabic and in Chinese: right to left, Chinese lines, fonts from packages, in DOCX
and PDF, as pdftotext, LibreOffice and pandoc read them. A letter in French is as it was."""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree

from circulaire.cli import cli
from circulaire.dates import document_language
from circulaire.errors import RenderError
from circulaire.markup import parse
from circulaire.model import Letter
from circulaire.render import render
from circulaire.render.docx import load_reference
from circulaire.render.docx.scripts import LRM, directional_runs, mirrored_part, styles
from circulaire.scripts import FontPackage, writing
from circulaire.templating import packaged_templates
from circulaire.validate import load_letter
from conftest import ARCHIVE, LETTERS, require
from readers import (
    IDEOGRAPH,
    JUSTIFIED_ARABIC_SIMILAR_ENOUGH,
    SIMILAR_ENOUGH,
    fonts_embedded,
    pandoc_markdown,
    pdf_text,
    require_font,
    similarity,
    soffice_to_pdf,
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


HANGING = ("，", "。", "、", "：", "；", "-")
"""Punctuation Typst lets hang into the margin at a line's end (half a Chinese comma, most of a
hyphen), as print does."""


def test_chinese_lines_break_between_ideographs_and_are_justified(tmp_path: Path) -> None:
    pdf = written(letter("zh"), tmp_path, "pdf")
    lines = pdf_text(pdf).splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("国际电信联盟和越南"))
    ideograph = re.compile(f"[{IDEOGRAPH}]")
    assert ideograph.fullmatch(lines[first][-1]) and ideograph.fullmatch(lines[first + 1][0])
    placed = words_placed(pdf)
    tops = sorted({round(y) for text, _, _, y in placed if ideograph.search(text)})
    last = [max((x1, text) for text, _, x1, y in placed if round(y) == top) for top in tops]
    margin = PAGE_WIDTH - 20 * MM
    full = [end for end, text in last if end > margin - 2 and not text.endswith(HANGING)]
    assert len(full) >= 10
    assert max(full) - min(full) < 0.5  # every full line ends at the margin
    hung = [end for end, text in last if text.endswith(HANGING)]
    assert all(end < margin + 6 for end in hung)  # at most half a comma past it


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


# -- DOCX ------------------------------------------------------------------------------------


def test_arabic_paragraphs_tables_headers_and_page_are_right_to_left() -> None:
    document = render(letter("ar"), "docx")
    main = part(document, "word/document.xml")
    body = main.find("w:body", NS)
    paragraphs = body.findall(".//w:p", NS)
    assert paragraphs and all(p.find("w:pPr/w:bidi", NS) is not None for p in paragraphs)
    section = body.find("w:sectPr", NS)
    assert section.find("w:bidi", NS) is not None
    margins = section.find("w:pgMar", NS)  # the wider one on the right, where it is bound
    assert (margins.get(f"{{{W}}}left"), margins.get(f"{{{W}}}right")) == ("1134", "1418")
    for header in ("word/header1.xml", "word/header2.xml"):
        for paragraph in part(document, header).iter(f"{{{W}}}p"):
            assert paragraph.find("w:pPr/w:bidi", NS) is not None
    grouped = dataclasses.replace(
        letter("ar"), style=dataclasses.replace(letter("ar").style, marks="grouped")
    )
    table = part(render(grouped, "docx"), "word/document.xml").find(".//w:tbl/w:tblPr", NS)
    assert [etree.QName(child).localname for child in table][:2] == ["tblStyle", "bidiVisual"]


def runs(document: bytes) -> list[tuple[str, bool]]:
    """Each run of the body: its text, and whether it is marked right to left."""
    main = part(document, "word/document.xml")
    return [
        ("".join(run.itertext()), run.find("w:rPr/w:rtl", NS) is not None)
        for run in main.iter(f"{{{W}}}r")
        if run.find("w:t", NS) is not None
    ]


def test_arabic_runs_are_right_to_left_and_latin_ones_are_not() -> None:
    found = runs(render(letter("ar"), "docx"))
    for text, rtl in found:
        assert not (ARABIC_LETTER.search(text) and LATIN_LETTER.search(text)), text
        if ARABIC_LETTER.search(text):
            assert rtl, text
        if LATIN_LETTER.search(text):
            assert not rtl, text
    for latin in ("ITU Digital World 2021", "forum.telecom@itu.int", "ITU"):
        assert (latin, False) in found
    # A link that is Latin and ends in a slash keeps it at its end: a left-to-right mark.
    assert found[found.index(("https://digital-world.itu.int/", False)) + 1] == (LRM, False)


def test_arabic_bold_is_bold_in_the_complex_script_font_too() -> None:
    main = part(render(letter("ar"), "docx"), "word/document.xml")
    bold = [run for run in main.iter(f"{{{W}}}r") if run.find("w:rPr/w:b", NS) is not None]
    assert bold and all(run.find("w:rPr/w:bCs", NS) is not None for run in bold)


def defaults(document: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """The default fonts and languages of a document's text."""
    properties = part(document, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    fonts, language = properties.find("w:rFonts", NS), properties.find("w:lang", NS)
    return (
        {etree.QName(k).localname: v for k, v in fonts.attrib.items()},
        {etree.QName(k).localname: v for k, v in language.attrib.items()},
    )


def test_the_document_language_and_font_of_arabic_and_of_chinese() -> None:
    arabic = render(letter("ar"), "docx")
    fonts, language = defaults(arabic)
    assert (fonts["cs"], language["bidi"]) == ("Amiri", "ar-EG")
    chinese = render(letter("zh"), "docx")
    fonts, language = defaults(chinese)
    assert (fonts["eastAsia"], language["eastAsia"]) == ("Noto Serif CJK SC", "zh-CN")
    # Latin words keep the house's language: in Chinese, LibreOffice breaks them anywhere.
    assert language["val"] == "fr-CH"
    for document, tag in ((arabic, "ar"), (chinese, "zh")):
        core = part(document, "docProps/core.xml")
        assert core.findtext("{http://purl.org/dc/elements/1.1/}language") == tag


def test_chinese_runs_set_their_punctuation_in_the_chinese_font() -> None:
    main = part(render(letter("zh"), "docx"), "word/document.xml")
    assert main.find(".//w:bidi", NS) is None and main.find(".//w:rtl", NS) is None
    for run in main.iter(f"{{{W}}}r"):
        text = "".join(run.itertext())
        hint = run.find("w:rPr/w:rFonts", NS)
        if re.search(f"[{IDEOGRAPH}]", text):
            assert hint is not None and hint.get(f"{{{W}}}hint") == "eastAsia", text


@pytest.mark.parametrize(
    "spec",
    [spec for spec in ARCHIVE if not spec.name.endswith((".ar.yaml", ".zh.yaml"))],
    ids=lambda p: p.relative_to(LETTERS).with_suffix("").as_posix(),
)
def test_a_letter_in_latin_or_cyrillic_letters_is_written_as_before(spec: Path) -> None:
    """French, English, Spanish, Russian: no direction, no script fonts, the styles as the
    reference gives them for the letter's language."""
    item = load_letter(spec)
    document = render(item, "docx")
    main = zipfile.ZipFile(io.BytesIO(document)).read("word/document.xml")
    assert b"<w:bidi/>" not in main and b"<w:rtl/>" not in main and b"w:hint" not in main
    reference = load_reference(packaged_templates() / "reference.docx")
    [styles_part] = [p for p in reference.parts if p.name == "word/styles.xml"]
    expected = reference.styles_in(styles_part, document_language(item.language))
    assert zipfile.ZipFile(io.BytesIO(document)).read("word/styles.xml") == expected


def test_a_reference_with_its_own_font_for_arabic_keeps_it() -> None:
    own = (
        f'<w:styles xmlns:w="{W}"><w:docDefaults><w:rPrDefault><w:rPr>'
        '<w:rFonts w:ascii="Cambria" w:cs="Traditional Arabic"/></w:rPr></w:rPrDefault>'
        "</w:docDefaults></w:styles>"
    ).encode()
    root = etree.fromstring(styles(own, writing("ar_SA")))
    assert root.find(".//w:rFonts", NS).get(f"{{{W}}}cs") == "Traditional Arabic"
    assert root.find(".//w:lang", NS).get(f"{{{W}}}bidi") == "ar-SA"


def test_a_header_as_word_saves_it_is_mirrored_in_schema_order() -> None:
    header = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<w:hdr xmlns:w="{W}"><w:p><w:pPr><w:pStyle w:val="Header"/><w:jc w:val="right"/>'
        "</w:pPr><w:r><w:t>Union</w:t></w:r></w:p><w:p/></w:hdr>"
    ).encode()
    root = etree.fromstring(mirrored_part(header))
    names = [[etree.QName(c).localname for c in p.find("w:pPr", NS)] for p in root]
    assert names == [["pStyle", "bidi", "jc"], ["bidi"]]
    assert "".join(root.itertext()) == "Union"


@given(st.lists(st.sampled_from([*"aZ9 .,/-()@،", "حضرات", "ITU", "2021", "\u200e"])).map("".join))
@example("(ITU) وزارة")
@example("https://digital-world.itu.int/.")
@example("حضرات 2021 9ITU")
def test_a_text_right_to_left_is_cut_into_runs_of_one_direction(text: str) -> None:
    pieces = directional_runs(text)
    embedded = re.compile("[\u202a\u202c]")  # a number in groups, embedded left to right
    assert embedded.sub("", "".join(piece for piece, _ in pieces)) == text
    assert all(piece for piece, _ in pieces)
    for (_, first), (_, second) in itertools.pairwise(pieces):
        assert first != second  # the pieces alternate
    for piece, rtl in pieces:
        kinds = [unicodedata.bidirectional(char) for char in embedded.sub("", piece)]
        if not rtl:  # Latin letters, or a number in groups, and nothing Arabic inside
            assert "AL" not in kinds and ("L" in kinds or "\u202a" in piece)
        else:
            assert "L" not in kinds and "\u202a" not in piece


@settings(max_examples=100, deadline=None)
@given(body=ARABIC_MARKDOWN)
def test_any_arabic_text_gives_a_document_word_can_open(body: str) -> None:
    data = render(dataclasses.replace(letter("ar"), body=body), "docx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith((".png", ".odttf")):
                continue  # the house's logo and its embedded fonts
            root = etree.fromstring(archive.read(name))  # well-formed, or this raises
            for properties in root.iter(f"{{{W}}}pPr"):  # in the order Word requires
                names = [etree.QName(child).localname for child in properties]
                assert names == sorted(names, key=PARAGRAPH_ORDER.index), names


PARAGRAPH_ORDER = (
    *("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr"),
    *("suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku"),
    *("wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi"),
    *("adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents"),
    *("suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap"),
    *("outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"),
)
"""A paragraph's properties, in the order WordprocessingML requires."""


# -- real readers: LibreOffice and pandoc -----------------------------------------------------


@pytest.fixture(scope="module")
def libreoffice_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The Arabic and Chinese letters as DOCX, converted to PDF by LibreOffice in one run."""
    require_font("Amiri", "fonts-hosny-amiri")
    require_font("Noto Serif CJK SC", "fonts-noto-cjk")
    folder = tmp_path_factory.mktemp("libreoffice")
    documents = [written(letter(language), folder, "docx") for language in LANGUAGES]
    pdfs = soffice_to_pdf(documents, folder, folder / "profile")
    return dict(zip(LANGUAGES, pdfs, strict=True))


@pytest.mark.slow
def test_libreoffice_lays_the_arabic_docx_out_right_to_left(
    libreoffice_pdfs: dict[str, Path],
) -> None:
    pdf = libreoffice_pdfs["ar"]
    placed = words_placed(pdf, page=1)
    salutation = line_of(placed, "حضرات")
    assert salutation["حضرات"] > salutation["السادة"] > salutation["والسيدات،"]
    assert max(line_of(placed, "يوليو").values()) < PAGE_WIDTH / 2  # the date, left
    recipients = line_of(placed, "البعثات")
    assert max(x for word, x in recipients.items() if word != "•") < PAGE_WIDTH / 2
    assert min(line_of(placed, "الدولي").values()) > PAGE_WIDTH / 2  # letterhead
    text = pdf_text(pdf)
    for latin in ("forum.telecom@itu.int", "https://digital-world.itu.int/", "ITU Telecom"):
        assert latin in text
    item = letter("ar")
    read = without_page_furniture(text, item)
    assert similarity(read, render(item, "txt").decode()) >= JUSTIFIED_ARABIC_SIMILAR_ENOUGH


@pytest.mark.slow
def test_libreoffice_reads_the_chinese_docx(libreoffice_pdfs: dict[str, Path]) -> None:
    item = letter("zh")
    read = without_page_furniture(pdf_text(libreoffice_pdfs["zh"]), item)
    assert similarity(read, render(item, "txt").decode()) >= SIMILAR_ENOUGH
    # never cut in a word, but after its own hyphen (which pdftotext takes away at a line end)
    assert re.search(r"请访问： https://\s?digital-?\s?world\.itu\.int/。", read)


def link_targets(markdown: str) -> list[str]:
    return [str(node.attrs["href"]) for node in parse(markdown).walk() if node.type == "link"]


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_pandoc_reads_the_docx_back(language: str, tmp_path: Path) -> None:
    item = letter(language)
    markdown = pandoc_markdown(written(item, tmp_path, "docx"))
    expected = render(item, "md").decode()
    if language == "ar":  # pandoc reads the runs right to left as such
        assert markdown.count('<span dir="rtl">') > 20
    words = re.sub(r"</?span[^>]*>|\u200e", "", markdown)
    assert similarity(words, expected) >= SIMILAR_ENOUGH
    assert link_targets(words) == link_targets(expected)


def test_a_phone_number_keeps_its_groups_in_order_right_to_left(tmp_path: Path) -> None:
    """+41 22 730 6341 in an Arabic letter: the algorithm of direction alone would set its
    groups right to left (6341 730 22 41+). The PDF isolates it; the DOCX embeds it left to
    right; pdftotext reads both in order."""
    item = load_letter(LETTERS / "CL-21" / "27.ar.yaml")
    main = zipfile.ZipFile(io.BytesIO(render(item, "docx"))).read("word/document.xml")
    assert "\u202a+41 22 730 6341\u202c".encode() in main
    pdf = tmp_path / "ar.pdf"
    pdf.write_bytes(render(item, "pdf"))
    assert "+41 22 730 6341" in pdf_text(pdf)


LONG_ADDRESS = "https://digital-world.itu.int/programme/sessions/ministerial_roundtable/" * 3


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_long_address_is_broken_across_lines_and_stays_on_the_page(
    language: str, tmp_path: Path
) -> None:
    """A word of 40 characters or more is cut into pieces a line may end after, in a letter
    right to left (in the word's own direction) and in Chinese (where only Latin runs are
    words) as in French."""
    item = letter(language)
    item = dataclasses.replace(item, body=f"{item.body}\n\n{LONG_ADDRESS}\n")
    pdf = tmp_path / f"{language}.pdf"
    pdf.write_bytes(render(item, "pdf"))
    # its pieces (the letter's own https://digital-world. runs a point past the margin in
    # Chinese, before and after the address was added)
    placed = [word for word in words_placed(pdf) if re.search("programme|sessions|table", word[0])]
    assert len(placed) >= 3
    assert min(left for _, left, _, _ in placed) >= 20 * MM - 1
    assert max(right for _, _, right, _ in placed) <= PAGE_WIDTH - 20 * MM + 1
    read = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", pdf_text(pdf))  # bidi marks
    # never lost (pdftotext takes a hyphen that ends a line for a word's hyphenation)
    assert "".join(read.split()).replace("-", "").count(LONG_ADDRESS.replace("-", "")) == 1
