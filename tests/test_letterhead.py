"""The house letterhead (templates/house.yaml): the logo beside the organization, the postal
address and contacts at the foot of the first page, in the PDF, the DOCX and the web page; a
logo that is missing, not an image, or an SVG that would run or load anything is refused."""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest

from circulaire.errors import RenderError
from circulaire.house import house
from circulaire.render import RenderOptions, render
from circulaire.render.pdf import typst_source
from circulaire.templating import packaged_templates
from circulaire.validate import load_letter
from conftest import LETTERS, require
from readers import pdf_text

ADDRESS = "Place des Nations · CH-1211 Genève 20 · Suisse"
CONTACTS = "Tél.: +41 22 730 5111 · Télécopie: +41 22 733 7256 · Courriel: itumail@itu.int"


def letter(name: str = "CL-21/27"):  # type: ignore[no-untyped-def]
    return load_letter(LETTERS / f"{name}.yaml")


def png(width: int = 4, height: int = 2) -> bytes:
    """A small valid PNG, grey."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def templates_with(folder: Path, settings: str, files: dict[str, bytes] | None = None) -> Path:
    folder.mkdir()
    (folder / "house.yaml").write_text(settings, encoding="utf-8")
    for name, data in (files or {}).items():
        (folder / name).write_bytes(data)
    return folder


def test_the_house_is_read_from_the_templates_folder() -> None:
    the_house = house()
    assert the_house.logo is not None and the_house.logo.kind == "svg"
    assert the_house.logo.path == packaged_templates() / "logo.svg"
    assert the_house.address == ("Place des Nations", "CH-1211 Genève 20", "Suisse")
    assert dict(the_house.contact)["email"] == "itumail@itu.int"


def test_the_pdf_has_the_logo_and_the_footer_on_its_first_page_only(tmp_path: Path) -> None:
    item = letter("CL-19/73")
    source = typst_source(item, RenderOptions())
    svg = (packaged_templates() / "logo.svg").read_text(encoding="utf-8")
    assert 'image(bytes("<svg xmlns=\\"http://www.w3.org/2000/svg\\"' in source
    assert svg.splitlines()[1].strip().replace('"', '\\"') in source  # the logo itself
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(render(item, "pdf"))
    pages = pdf_text(pdf).split("\f")
    assert len(pages) > 2
    assert ADDRESS in pages[0] and CONTACTS in pages[0]
    assert not any(ADDRESS in page for page in pages[1:])


def test_a_png_logo_is_an_image_of_the_pdf(tmp_path: Path) -> None:
    templates = templates_with(tmp_path / "t", "logo: logo.png\n", {"logo.png": png()})
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(render(letter(), "pdf", RenderOptions(templates=templates)))
    listing = subprocess.run(
        [require("pdfimages"), "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(listing) == 1 and re.match(r"\s*1\s+\d+\s+image\s+4\s+2\s", listing[0])
    assert ADDRESS not in pdf_text(pdf)  # that house has no address


def test_the_docx_has_the_logo_part_and_the_footer() -> None:
    data = render(letter(), "docx")
    package = zipfile.ZipFile(io.BytesIO(data))
    names = package.namelist()
    assert "word/media/house-logo.png" in names and "word/media/house-logo.svg" in names
    assert (
        package.read("word/media/house-logo.svg")
        == (packaged_templates() / "logo.svg").read_bytes()
    )
    assert package.read("word/media/house-logo.png").startswith(b"\x89PNG")
    header = package.read("word/header1.xml").decode()
    rels = package.read("word/_rels/header1.xml.rels").decode()
    assert 'r:embed="rIdHouseLogo"' in header and 'Target="media/house-logo.png"' in rels
    assert header.index("rIdHouseLogo") < header.index("Union internationale")
    footer = package.read("word/house-footer.xml").decode()
    assert ADDRESS in footer and CONTACTS in footer
    document = package.read("word/document.xml").decode()
    assert '<w:footerReference w:type="first" r:id="rIdHouseFooter"/>' in document
    types = package.read("[Content_Types].xml").decode()
    assert 'PartName="/word/media/house-logo.png" ContentType="image/png"' in types
    assert render(letter(), "docx") == data  # the same bytes, PNG drawn from the SVG included


def test_libreoffice_shows_the_docx_footer(tmp_path: Path) -> None:
    soffice = require("soffice")
    docx = tmp_path / "letter.docx"
    docx.write_bytes(render(letter("CL-19/73"), "docx"))
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
        capture_output=True, check=True, timeout=180,
    )  # fmt: skip
    pages = pdf_text(tmp_path / "letter.pdf").split("\f")
    assert ADDRESS in pages[0] and not any(ADDRESS in page for page in pages[1:])


def test_a_reference_document_of_ones_own_keeps_its_own_letterhead(tmp_path: Path) -> None:
    """Without the house letterhead's DOCPROPERTY organization field, no logo is added."""
    import docx

    reference = tmp_path / "own.docx"
    shutil.copy(packaged_templates() / "reference.docx", reference)
    document = docx.Document(str(reference))
    for section in document.sections:
        for paragraph in section.first_page_header.paragraphs:
            for child in list(paragraph._p):
                if child.tag.endswith("fldSimple"):
                    paragraph._p.remove(child)
            paragraph.add_run("Our own letterhead")
    document.save(str(reference))
    data = render(letter(), "docx", RenderOptions(reference_docx=reference))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert not [name for name in names if "house-" in name]


def test_the_web_page_has_the_logo_inline_and_the_footer() -> None:
    html = render(letter(), "html").decode()
    assert '<img src="data:image/svg+xml;base64,' in html
    assert "img-src data:" in html
    assert ADDRESS in html and CONTACTS.replace(" · ", " · ") in html


SPOKEN = {
    "CL-21/27": "Place des Nations · CH-1211 Genève 20 · Suisse",
    "CL-21/27.en": "Place des Nations · CH-1211 Geneva 20 · Switzerland",
    "CL-21/27.es": "Place des Nations · CH-1211 Ginebra 20 · Suiza",
    "CL-21/27.ar": "Place des Nations · CH-1211 Genève 20 · Suisse",  # none of its own: the first
}


@pytest.mark.parametrize("name", SPOKEN)
def test_the_address_is_written_in_the_letters_language(name: str, tmp_path: Path) -> None:
    item = letter(name)
    others = {address for address in SPOKEN.values() if address != SPOKEN[name]}
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(render(item, "pdf"))
    footer = zipfile.ZipFile(io.BytesIO(render(item, "docx"))).read("word/house-footer.xml")
    for shown in (pdf_text(pdf), footer.decode(), render(item, "html").decode()):
        assert SPOKEN[name] in shown.replace("\n", " ")
        assert not any(address in shown for address in others)


def test_a_regional_locale_has_its_languages_address(tmp_path: Path) -> None:
    settings = "address:\n  en: [One Road, London]\n  fr_CA: [Une rue, Montréal]\n  fr: [Une rue]\n"
    templates = templates_with(tmp_path / "t", settings)
    assert house(templates, "fr_CA").address == ("Une rue", "Montréal")
    assert house(templates, "fr-CA").address == ("Une rue", "Montréal")
    assert house(templates, "fr_CH").address == ("Une rue",)
    assert house(templates, "ru").address == ("One Road", "London")  # the first written
    one = templates_with(tmp_path / "one", "address: [Une rue, Genève]\n")
    assert house(one, "en").address == house(one, "zh").address == ("Une rue", "Genève")


@pytest.mark.parametrize(
    "settings, files, expected",
    [
        ("logo: absent.svg\n", {}, r"house.yaml:1:7: logo: no file 'absent.svg' in "),
        (
            "logo: logo.png\n",
            {"logo.png": b"GIF89a"},
            r"house.yaml:1:7: logo: .*logo.png: not a PNG",
        ),
        ("logo: logo.gif\n", {}, r"house.yaml:1:7: logo: the name of an SVG or PNG file"),
        ("logo: logo.svg\n", {"logo.svg": b"<svg"}, r"logo.svg: not an SVG image"),
        (
            "addres: [a]\n",
            {},
            r"house.yaml:1:1: addres: unknown field \(did you mean 'address'\?\)",
        ),
        ("contact:\n  phone: 0227305111\n", {}, r"house.yaml:2:10: contact.phone: a text"),
        (
            "address:\n  fr: [Place des Nations]\n  french: [Place des Nations]\n",
            {},
            r"house.yaml:3:3: address.french: not a language \(a locale such as en, fr_CH",
        ),
        ("address:\n  en: [[Place]]\n", {}, r"house.yaml:2:7: address.en: the postal address"),
        ("address: {}\n", {}, r"house.yaml:1:10: address: a list of lines, or a mapping"),
    ],
)
def test_bad_house_settings_are_an_error_naming_the_file(
    tmp_path: Path, settings: str, files: dict[str, bytes], expected: str
) -> None:
    templates = templates_with(tmp_path / "t", settings, files)
    for fmt in ("pdf", "docx", "html"):
        with pytest.raises(RenderError, match=expected):
            render(letter(), fmt, RenderOptions(templates=templates))
    assert render(letter(), "md", RenderOptions(templates=templates))  # no letterhead there


UNSAFE = {
    "script": "<script>alert(1)</script>",
    "handler": '<rect width="1" height="1" onload="alert(1)"/>',
    "external image": '<image href="https://example.org/x.png" width="1" height="1"/>',
    "external link": '<a xlink:href="javascript:alert(1)"><rect width="1" height="1"/></a>',
    "style import": "<style>@import url(https://example.org/x.css);</style>",
    "foreign object": "<foreignObject><p>x</p></foreignObject>",
}


@pytest.mark.parametrize("kind", UNSAFE)
def test_an_unsafe_svg_logo_is_refused(tmp_path: Path, kind: str) -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="0 0 10 10">{UNSAFE[kind]}</svg>'
    ).encode()
    templates = templates_with(tmp_path / "t", "logo: logo.svg\n", {"logo.svg": svg})
    with pytest.raises(RenderError, match=r"house.yaml:1:7: logo: .*logo.svg: an SVG logo may"):
        render(letter(), "html", RenderOptions(templates=templates))


def test_a_templates_folder_may_bring_its_own_logo_alone(tmp_path: Path) -> None:
    """The house's house.yaml names logo.svg: one in the templates folder in use wins."""
    folder = tmp_path / "t"
    folder.mkdir()
    own = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10"><rect width="20"/></svg>'
    (folder / "logo.svg").write_bytes(own)
    html = render(letter(), "html", RenderOptions(templates=folder)).decode()
    import base64

    assert base64.b64encode(own).decode() in html
