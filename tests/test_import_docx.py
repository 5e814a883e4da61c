"""``circulaire import`` of Word documents: circulaire's own, pandoc's, LibreOffice's, and one
typed the way people type letters in Word."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement

from circulaire.cli import cli
from circulaire.importing import import_docx
from circulaire.render import render
from circulaire.source import parse
from circulaire.validate import load_letter, validate
from conftest import ARCHIVE, LETTERS, require

LOST = re.compile(r"\[([^\]]*)\]\(#\)")
"""A link whose target is ``#``: circulaire's DOCX prints its text alone, so it comes back as
text."""


def rendered_from(spec: str) -> str:
    return render(validate(parse(spec.encode(), Path("spec.yaml"))), "md").decode()


MARK = re.compile(r"\A(\[[^\]]+\]|\([^)]+\))\Z")
"""A signature mark's line: side by side in a table, marks above each name and marks grouped
above all names are one layout in DOCX."""


def comparable(markdown: str) -> str:
    """What a Word document keeps of a letter's Markdown: not its hard breaks' marks (soft and
    hard breaks are one line break to Word), not a link to ``#``, not how a link was written,
    not where the signature marks stood in the Markdown."""
    markdown = LOST.sub(r"\1", markdown)
    markdown = re.sub(r"<((?:https?|mailto):[^>]+)>", r"[\1](\1)", markdown)
    lines = (line.rstrip() for line in markdown.strip("\n").split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line for line in lines if not MARK.match(line)))


@pytest.mark.parametrize("spec", ARCHIVE, ids=lambda p: p.relative_to(LETTERS).as_posix())
def test_every_docx_circulaire_writes_comes_back(spec: Path) -> None:
    letter = load_letter(spec)
    imported = import_docx(render(letter, "docx"), spec.name)
    assert imported.exact, imported.difference
    assert str(imported.reference) == letter.reference
    expected = render(letter, "md").decode()
    # The DOCX writer prints a salutation of two lines (Russian's) on one.
    expected = expected.replace(letter.salutation, letter.salutation.replace("\n", " "))
    assert comparable(rendered_from(imported.spec)) == comparable(expected)


def test_a_docx_comes_back_with_its_language() -> None:
    letter = load_letter(LETTERS / "CL-21" / "27.zh.yaml")
    imported = import_docx(render(letter, "docx"), "27.zh.docx")
    assert yaml.safe_load(imported.spec)["language"] == "zh"


# -- other writers ----------------------------------------------------------------------------

SOURCES = ["CL-19/73.yaml", "CL-20/038.yaml", "CL-21/27.yaml"]
READER = "commonmark+hard_line_breaks"
"""CommonMark as circulaire writes it, without "smart" quotes (which move bold's bounds). A
soft line break is a space in the DOCX pandoc writes, and a signature of one line cannot be
told into name and title: the line breaks of the letter, as Word shows them, are kept."""


def parts(spec: str) -> dict[str, object]:
    """The parts of a letter that a writer of DOCX cannot change."""
    letter = validate(parse(spec.encode(), Path("spec.yaml")))
    return {
        "reference": str(letter.reference),
        "date": letter.date,
        "place": letter.place,
        "contact": letter.contact,
        "subject": letter.subject,
        "salutation": letter.salutation,
        "paragraphs": len(letter.body.split("\n\n")),
        "signatories": [(s.name, s.title) for s in letter.signatories],
        "annexes": [a.title for a in letter.annexes],
    }


def original(name: str) -> dict[str, object]:
    path = LETTERS / name
    return parts(path.read_text(encoding="utf-8"))


def pandoc_docx(name: str, folder: Path) -> Path:
    program = require("pandoc")
    source = folder / (name.replace("/", "-") + ".md")
    source.write_bytes(render(load_letter(LETTERS / name), "md"))
    target = source.with_suffix(".docx")
    subprocess.run([program, "-f", READER, str(source), "-o", str(target)], check=True)
    return target


@pytest.mark.parametrize("name", SOURCES)
def test_a_docx_pandoc_made_gives_every_part(name: str, tmp_path: Path) -> None:
    document = pandoc_docx(name, tmp_path)
    imported = import_docx(document.read_bytes(), document.name)
    assert imported.exact, imported.difference
    assert parts(imported.spec) == original(name)


@pytest.fixture(scope="module")
def libreoffice_made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each letter through pandoc's ODT, saved as DOCX by LibreOffice: one soffice run."""
    soffice = require("soffice")
    folder = tmp_path_factory.mktemp("libreoffice")
    program = require("pandoc")
    made = {}
    for name in SOURCES:
        source = folder / (name.replace("/", "-") + ".md")
        source.write_bytes(render(load_letter(LETTERS / name), "md"))
        subprocess.run(
            [program, "-f", READER, str(source), "-o", str(source.with_suffix(".odt"))],
            check=True,
        )
        made[name] = folder / "docx" / source.with_suffix(".docx").name
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{folder}/profile",
            "--headless",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(folder / "docx"),
            *sorted(str(p) for p in folder.glob("*.odt")),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return made


@pytest.mark.slow
@pytest.mark.parametrize("name", SOURCES)
def test_a_docx_libreoffice_made_gives_every_part(
    name: str, libreoffice_made: dict[str, Path]
) -> None:
    document = libreoffice_made[name]
    imported = import_docx(document.read_bytes(), document.name)
    assert imported.exact, imported.difference
    assert parts(imported.spec) == original(name)


# -- typed by hand ----------------------------------------------------------------------------


def bold(paragraph: docx.text.paragraph.Paragraph, text: str) -> None:
    paragraph.add_run(text).bold = True


def link(paragraph: docx.text.paragraph.Paragraph, text: str, target: str) -> None:
    """A hyperlink, as Word writes one: a relationship to the target, a run inside."""
    part = paragraph.part
    rid = part.relate_to(target, docx.opc.constants.RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    text_element = OxmlElement("w:t")
    text_element.text = text
    run.append(text_element)
    hyperlink.append(run)
    paragraph._p.append(hyperlink)


def typed_letter() -> bytes:
    """A letter as people type one in Word: Normal paragraphs and direct bold, empty
    paragraphs between the parts, the header in a table of labels and values, tabs, manual
    line breaks, and the signatures side by side in a table."""
    document = docx.Document()
    add = document.add_paragraph
    add("Genève, le 1er juillet 2021")
    add("")
    table = document.add_table(rows=0, cols=2)
    for label, value in [
        ("Réf.:", "CL-21/40"),
        ("Contact:", "Ana Pereira"),
        ("Tél.:", "+41 22 730 5000"),
        ("Courriel:", "ana.pereira@itu.int"),
    ]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    add("")
    recipients = add("Aux États Membres de l'UIT")
    recipients.add_run().add_break(WD_BREAK.LINE)
    recipients.add_run("Aux Membres de Secteur de l'UIT")
    add("")
    subject = add("Objet:\t")
    bold(subject, "Atelier sur les réseaux ruraux")
    add("")
    add("Madame, Monsieur,")
    add("")
    first = add("J'ai l'honneur de vous inviter à un ")
    bold(first, "atelier")
    first.add_run(" qui se tiendra à Genève. Le programme est en ligne à l'adresse ")
    link(first, "https://www.itu.int/atelier", "https://www.itu.int/atelier")
    first.add_run(".")
    add("")
    second = add("Les inscriptions sont ouvertes ")
    second.add_run("jusqu'au 30 septembre 2021").italic = True
    second.add_run(".")
    add("")
    add("Veuillez agréer, Madame, Monsieur, l'assurance de ma considération distinguée.")
    add("")
    signatures = document.add_table(rows=1, cols=2)
    for cell, (name, title) in zip(
        signatures.rows[0].cells,
        [("Doreen Bogdan-Martin", "Directrice"), ("Seizo Onoe", "Directeur")],
        strict=True,
    ):
        cell.paragraphs[0].text = "[original signé]"
        cell.add_paragraph("")
        signature = cell.add_paragraph()
        bold(signature, name)
        signature.add_run().add_break(WD_BREAK.LINE)
        signature.add_run(title)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_letter_typed_in_word_gives_every_part() -> None:
    imported = import_docx(typed_letter(), "typed.docx")
    assert imported.exact, imported.difference
    spec = yaml.safe_load(imported.spec)
    assert spec["reference"] == "CL-21/40"
    assert str(spec["date"]) == "2021-07-01"
    assert spec["place"] == "Genève"
    assert spec["contact"] == {
        "name": "Ana Pereira",
        "phone": "+41 22 730 5000",
        "email": "ana.pereira@itu.int",
    }
    assert spec["subject"] == "Atelier sur les réseaux ruraux"
    assert spec["salutation"] == "Madame, Monsieur,"
    assert spec["body"].split("\n\n") == [
        "J'ai l'honneur de vous inviter à un **atelier** qui se tiendra à Genève. Le programme "
        "est en ligne à l'adresse [https://www.itu.int/atelier](https://www.itu.int/atelier).",
        "Les inscriptions sont ouvertes *jusqu'au 30 septembre 2021*.\n",
    ]
    assert spec["closing"].startswith("Veuillez agréer")
    assert [(s["name"], s["title"]) for s in spec["signatories"]] == [
        ("Doreen Bogdan-Martin", "Directrice"),
        ("Seizo Onoe", "Directeur"),
    ]


# -- what is no Word document -----------------------------------------------------------------


def zipped(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "empty"),
        (b"PK\x03\x04 not really a zip", "not a DOCX"),
        (zipped({"hello.txt": b"hello"}), "not a Word document"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not a DOCX"),
        (render(load_letter(LETTERS / "CL-21" / "27.yaml"), "docx")[:2000], "DOCX"),
    ],
    ids=["empty", "broken-zip", "zip-not-docx", "binary", "cut-short"],
)
def test_what_is_no_word_document_is_refused_and_nothing_written(
    content: bytes, said: str, tmp_path: Path
) -> None:
    source = tmp_path / "old.docx"
    source.write_bytes(content)
    target = tmp_path / "letters" / "27.yaml"
    result = CliRunner().invoke(cli, ["import", str(source), "-o", str(target)])
    assert result.exit_code == 1, result.output
    assert str(source) in result.stderr and said in result.stderr
    assert "Traceback" not in result.output
    assert not target.exists()


def test_a_folder_imports_its_word_documents(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    (old / "CL-21-40.docx").write_bytes(typed_letter())
    (old / "broken.docx").write_bytes(b"PK\x03\x04")
    letters = tmp_path / "letters"
    result = CliRunner().invoke(cli, ["import", str(old), "--letters", str(letters)])
    assert result.exit_code == 1, result.output
    assert "1 imported exactly, 0 with differences, 1 failed" in result.stderr
    assert (letters / "CL-21" / "40.yaml").is_file()
