"""DOCX: the parts of the letter in order and with their emphasis, links and lists that Word,
LibreOffice and pandoc read, metadata from the letter only, the same bytes every time."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from circulaire.cli import cli
from circulaire.errors import RenderError
from circulaire.markup import parse, plain_text
from circulaire.model import Annex, Letter
from circulaire.render import RenderOptions, render
from circulaire.render.docx import load_reference
from circulaire.render.docx import reference as docx_reference
from circulaire.scripts import writing
from circulaire.templating import packaged_templates
from circulaire.validate import load_letter
from conftest import ARCHIVE, LETTERS, MARKDOWNISH, ROOT, require
from readers import (
    JUSTIFIED_ARABIC_SIMILAR_ENOUGH,
    SIMILAR_ENOUGH,
    pandoc_markdown,
    pdf_text,
    similarity,
    soffice_to_pdf,
    without_direction,
    without_page_furniture,
)

REFERENCE = packaged_templates() / "reference.docx"
R_ID = qn("r:id")


def letter(reference: str = "CL-21/27") -> Letter:
    return load_letter(LETTERS / f"{reference}.yaml")


def read(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def rendered(item: Letter, **options: Path) -> docx.document.Document:
    return read(render(item, "docx", RenderOptions(**options)))


def styled(document: docx.document.Document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs]


def with_body(body: str, **changes: object) -> Letter:
    return dataclasses.replace(letter(), body=body, **changes)  # type: ignore[arg-type]


# -- the parts of the letter ------------------------------------------------------------------


def test_every_part_in_the_order_of_the_markdown() -> None:
    paragraphs = styled(rendered(letter("CL-21/27")))
    assert paragraphs[:7] == [
        ("Letter Date", "Genève, le 8 juillet 2021"),
        (
            "Letter Header",
            "Contact: Theo Tunga\nTél.: +41 22 730 6341\n"
            "Courriel: guestrelations.telecom@itu.int\nRéf.: Lettre circulaire CL-21/27",
        ),
        ("List Bullet", "Aux États Membres de l'UIT"),
        (
            "List Bullet",
            "Aux Membres de Secteur, Associés et établissements universitaires participant "
            "aux travaux de l'UIT",
        ),
        ("List Bullet", "Aux Missions permanentes à Genève"),
        (
            "Letter Subject",  # hanging after a tab
            "Objet:\tInvitation à participer à ITU Digital World 2021, qui aura lieu en ligne",
        ),
        ("Body Text", "Madame, Monsieur,"),
    ]
    styles = [style for style, _ in paragraphs]
    assert styles[7:13] == ["Body Text"] * 6
    assert paragraphs[12][1].startswith("Veillez agréer")
    assert paragraphs[13:] == [
        ("Letter Signature", "[original signé]"),
        (
            "Letter Signature",
            "Houlin Zhao\nSecrétaire général\nUnion internationale des télécommunications",
        ),
        ("Letter Signature", "[original signé]"),
        (
            "Letter Signature",
            "Nguyen Manh Hung\nMinistre de l'information et des communications\nViet Nam",
        ),
    ]


def test_department_recipients_as_lines_and_soft_line_breaks() -> None:
    paragraphs = styled(rendered(letter("CL-19/73")))
    assert paragraphs[:3] == [
        ("Letter Date", "Secrétariat général (SG)"),
        ("Letter Date", "Genève, le 24 décembre 2019"),
        # line_breaks: soft -- the header lines stay lines on paper
        ("Letter Header", "Réf.: CL-19/73\nContact: Victoria Sukenik\nCourriel: strategy@itu.int"),
    ]
    assert paragraphs[3][0] == "Letter Recipients"
    recipients = styled(rendered(letter("CL-20/038")))[2]
    assert recipients == (
        "Letter Recipients",
        "Aux Ministres des États Membres de l'UIT\nCopie aux missions permanentes à Genève",
    )


def test_bold_where_the_markdown_is_bold() -> None:
    document = rendered(letter("CL-21/27"))
    subject = next(p for p in document.paragraphs if p.style.name == "Letter Subject")
    assert [(run.text, bool(run.bold)) for run in subject.runs] == [
        ("Objet:\t", False),  # the subject hangs after a tab
        ("Invitation à participer à ITU Digital World 2021, qui aura lieu en ligne", True),
    ]
    body = [p for p in document.paragraphs if p.style.name == "Body Text"][1]
    bold = [run.text for run in body.runs if run.bold]
    assert bold == [
        "ITU Digital World 2021",
        "se tiendra finalement sous la forme d'une manifestation virtuelle, de septembre à "
        "décembre 2021",
    ]
    signature = [p for p in document.paragraphs if p.style.name == "Letter Signature"][1]
    assert all(run.bold for run in signature.runs if run.text.strip())  # signatory_bold: all


def test_spec_text_is_never_markup() -> None:
    document = rendered(dataclasses.replace(letter(), subject="Les *étoiles* et **[x](y)**"))
    subject = next(p for p in document.paragraphs if p.style.name == "Letter Subject")
    assert subject.text == "Objet:\tLes *étoiles* et **[x](y)**"
    assert not any(run.italic for run in subject.runs)


def test_italic_hard_breaks_and_code() -> None:
    document = rendered(with_body("Un *mot* et `code`  \nà la ligne."))
    body = [p for p in document.paragraphs if p.style.name == "Body Text"][1]
    assert [run.text for run in body.runs if run.italic] == ["mot"]
    assert body._p.xpath(".//w:br")
    assert body.text == "Un mot et code\nà la ligne."
    code = next(run for run in body.runs if run.text == "code")
    assert code.style.name == "Verbatim Char"


def hyperlinks(document: docx.document.Document) -> list[tuple[str, str]]:
    """(shown text, target) of each clickable link, in order."""
    links = []
    for element in document.element.body.iter(qn("w:hyperlink")):
        relationship = document.part.rels[element.get(R_ID)]
        assert relationship.is_external
        text = "".join(t.text for t in element.iter(qn("w:t")))
        links.append((text, relationship.target_ref))
    return links


def test_real_clickable_links_mailto_too() -> None:
    assert hyperlinks(rendered(letter("CL-21/27"))) == [
        ("guestrelations.telecom@itu.int", "mailto:guestrelations.telecom@itu.int"),
        ("https://digital-world.itu.int/", "https://digital-world.itu.int/"),
        ("forum.telecom@itu.int", "mailto:forum.telecom@itu.int"),
        ("participate.telecom@itu.int", "mailto:participate.telecom@itu.int"),
    ]


def test_links_to_nothing_are_text_and_plain_email_is_no_link() -> None:
    document = rendered(letter("CL-19/73"))  # [Résolution 200](#), email: plain
    assert hyperlinks(document) == []
    assert "voir la Résolution 200 (Rév. Dubaï, 2018)" in document.paragraphs[6].text


def test_link_runs_take_the_hyperlink_style() -> None:
    document = rendered(letter("CL-21/27"))
    element = next(document.element.body.iter(qn("w:hyperlink")))
    assert element.xpath(".//w:rStyle/@w:val") == ["Hyperlink"]
    assert element.get(qn("w:history")) == "1"


def body_paragraph(document: docx.document.Document) -> docx.text.paragraph.Paragraph:
    """The first paragraph of the body, after the salutation."""
    return [p for p in document.paragraphs if p.style.name == "Body Text"][1]


def italic(paragraph: docx.text.paragraph.Paragraph) -> list[str]:
    """The italic words of a paragraph, inside links too."""
    return [str(text) for text in paragraph._p.xpath(".//w:r[w:rPr/w:i]/w:t/text()")]


def texts(document: docx.document.Document) -> str:
    """Every text node of the document's body, as Word shows it."""
    return "".join(t.text or "" for t in document.element.body.iter(qn("w:t")))


def test_an_image_shows_its_alt_text_as_words() -> None:
    document = rendered(with_body("Image ![logo](l.png) ici, ![](vide.png)fin."))
    assert body_paragraph(document).text == "Image logo ici, fin."
    assert "<w:" not in texts(document)


def test_the_alt_text_of_an_image_keeps_its_emphasis_code_and_links() -> None:
    document = rendered(with_body("![alt *em* `c` [l](https://l.org) ![x](y.png)](i.png)"))
    body = body_paragraph(document)
    assert body.text == "alt em c l x"
    assert italic(body) == ["em"]
    assert next(run for run in body.runs if run.text == "c").style.name == "Verbatim Char"
    assert [link.text for link in body.hyperlinks] == ["l"]
    assert hyperlinks(document)[-1] == ("l", "https://l.org")
    assert "<w:" not in texts(document)


def test_an_image_in_a_link_is_the_link_s_words() -> None:
    document = rendered(with_body("Voir [![alt *em*](i.png)](https://b.org)."))
    body = body_paragraph(document)
    assert body.text == "Voir alt em."
    assert italic(body) == ["em"]
    assert [link.text for link in body.hyperlinks] == ["alt em"]
    assert hyperlinks(document)[-1] == ("alt em", "https://b.org")
    assert "<w:" not in texts(document)


def test_an_image_in_a_list_item_and_in_an_annex_shows_its_alt_text() -> None:
    annexes = (Annex("Carte", "La carte ![*plan*](plan.png) du site."),)
    document = rendered(with_body("- Un ![logo](l.png) ici", annexes=annexes))
    assert ("List Bullet", "Un logo ici") in styled(document)
    assert styled(document)[-1] == ("Body Text", "La carte plan du site.")
    assert "<w:" not in texts(document)


def numbering_of(paragraph: docx.text.paragraph.Paragraph) -> tuple[int, int]:
    num_pr = paragraph._p.pPr.numPr
    return num_pr.numId.val, num_pr.ilvl.val


def test_each_list_numbers_from_its_own_start() -> None:
    body = "Premier:\n\n1. un\n2. deux\n\nSecond:\n\n1. un\n2. deux\n\nTroisième:\n\n3. trois\n"
    document = rendered(with_body(body))
    items = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in items] == ["un", "deux", "un", "deux", "trois"]
    nums = [numbering_of(p)[0] for p in items]
    assert nums[0] == nums[1] != nums[2] == nums[3] != nums[4] != nums[0]
    numbering = document.part.numbering_part.element
    style_num = document.styles["List Number"].element.pPr.numPr.numId.val
    abstract = numbering.num_having_numId(style_num).abstractNumId.val
    for num_id, start in [(nums[0], 1), (nums[2], 1), (nums[4], 3)]:
        num = numbering.num_having_numId(num_id)
        assert num.abstractNumId.val == abstract
        assert num.xpath("./w:lvlOverride/w:startOverride/@w:val") == [str(start)]


def test_nested_lists_and_items_of_several_paragraphs() -> None:
    body = "- un\n\n  suite\n\n  - un.a\n- deux\n"
    document = rendered(with_body(body, recipients=()))
    items = [(p.text, p._p.pPr.numPr) for p in document.paragraphs if p.style.name == "List Bullet"]
    assert [text for text, _ in items] == ["un", "un.a", "deux"]
    assert items[0][1].ilvl.val == 0 and items[1][1].ilvl.val == 1
    [suite] = [p for p in document.paragraphs if p.text == "suite"]
    # continues the item under its text, without a bullet of its own
    assert suite.style.name == "Body Text" and suite._p.pPr.numPr is None
    assert round(suite.paragraph_format.left_indent.cm) == 1


def test_grouped_marks_put_the_signatories_side_by_side() -> None:
    document = rendered(letter("CL-20/038"))
    [table] = document.tables
    assert table.style.name == "Letter Signatures"
    assert not table.style.element.xpath(".//w:tblBorders/*[@w:val!='nil']")
    assert len(table.columns) == 2 and len(table.rows) == 1
    assert [cell.text for cell in table.rows[0].cells] == [
        "[original signé]\nHoulin Zhao\nSecrétaire général\nUnion internationale des "
        "télécommunications",
        "[original signé]\nNguyen Manh Hung\nMinistre de l'information et des communications\n"
        "Viet Nam",
    ]
    body = document.element.body
    assert body[list(body).index(table._tbl) + 1].tag == qn("w:p")  # Word wants one after


def test_three_grouped_signatories_fill_two_rows_each_under_their_own_mark() -> None:
    first, second = letter("CL-20/038").signatories
    third = dataclasses.replace(second, name="Troisième Personne", mark="")
    item = dataclasses.replace(letter("CL-20/038"), signatories=(first, third, second))
    [table] = rendered(item).tables
    cells = [[cell.text.split("\n")[0] for cell in row.cells] for row in table.rows]
    assert cells == [
        ["[original signé]", "Troisième Personne"],  # no mark: the name comes first
        ["[original signé]", ""],
    ]
    assert table.rows[1].cells[0].text.split("\n")[1] == "Nguyen Manh Hung"


def test_each_annex_starts_on_a_new_page() -> None:
    annexes = (Annex("Premier", "Texte **un**."), Annex("Second", ""))
    document = rendered(dataclasses.replace(letter("CL-19/73"), annexes=annexes))
    paragraphs = document.paragraphs
    tail = styled(document)[-6:]
    assert tail == [
        ("Letter Annexes", "Annexes: 2"),
        ("Annex Heading", "Annexe 1"),
        ("Annex Title", "Premier"),
        ("Body Text", "Texte un."),
        ("Annex Heading", "Annexe 2"),
        ("Annex Title", "Second"),
    ]
    breaks = [p.text for p in paragraphs if p.paragraph_format.page_break_before]
    assert breaks == ["Annexe 1", "Annexe 2"]


def test_an_annex_without_a_title_has_its_heading_alone_then_its_text() -> None:
    """``annex_heading: run_in`` joins heading and text in Markdown only."""
    annexes = (Annex(None, "**UNITED NATIONS**\n\nMessage."), Annex("Second", "Texte."))
    item = dataclasses.replace(letter("CL-19/73"), annexes=annexes)
    run_in = dataclasses.replace(
        item, style=dataclasses.replace(item.style, annex_heading="run_in")
    )
    for shown in (item, run_in):
        assert styled(rendered(shown))[-6:] == [
            ("Annex Heading", "Annexe 1"),
            ("Body Text", "UNITED NATIONS"),
            ("Body Text", "Message."),
            ("Annex Heading", "Annexe 2"),
            ("Annex Title", "Second"),
            ("Body Text", "Texte."),
        ]


# -- the reference document -------------------------------------------------------------------


def test_the_reference_document_is_the_one_the_script_builds() -> None:
    script = ROOT / "tools" / "make_reference_docx.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check", "-o", str(REFERENCE)], capture_output=True
    )
    assert result.returncode == 0, result.stderr.decode()


def first_page_header(document: docx.document.Document) -> str:
    """The letterhead's words, those its fields show included (``Paragraph.text`` skips them)."""
    paragraphs = document.sections[0].first_page_header._element.xpath("./w:p")
    return "\n".join("".join(p.xpath(".//w:t/text()")).strip() for p in paragraphs)


def test_house_style_page_letterhead_and_page_numbers() -> None:
    document = rendered(letter("CL-21/27"))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert section.different_first_page_header_footer
    assert first_page_header(document) == "Union internationale des télécommunications"
    fields = section.header._element.xpath(".//w:fldSimple/@w:instr")
    assert [f.strip() for f in fields] == ["DOCPROPERTY reference", "PAGE", "NUMPAGES"]
    shown = "".join(section.header._element.xpath(".//w:t/text()"))
    assert shown == "CL-21/27 – 2/2"  # the values shown before Word updates the fields


def test_the_letterhead_shows_the_letters_organization() -> None:
    other = dataclasses.replace(letter(), organization="Organisation météorologique mondiale")
    document = rendered(other)
    assert first_page_header(document) == "Organisation météorologique mondiale"
    fields = document.sections[0].first_page_header._element.xpath(".//w:fldSimple/@w:instr")
    assert [f.strip() for f in fields] == ["DOCPROPERTY organization"]
    # Without its own organization, a letter's is its first signatory's, as in the PDF.
    assert letter().organization is None
    assert first_page_header(rendered(letter())) == "Union internationale des télécommunications"


def without_organization() -> Letter:
    item = letter()
    signatories = tuple(dataclasses.replace(s, organization=None) for s in item.signatories)
    return dataclasses.replace(item, organization=None, signatories=signatories)


@pytest.mark.parametrize("saved_by", ["circulaire", "word"])
def test_a_letter_without_organization_has_no_letterhead_as_in_the_pdf(
    tmp_path: Path, saved_by: str
) -> None:
    reference = REFERENCE
    if saved_by == "word":  # the field as begin/instrText/separate/end runs
        reference = edited_reference(
            tmp_path,
            "word/header1.xml",
            '<w:fldSimple w:instr=" DOCPROPERTY organization "><w:r><w:t>Union internationale '
            "des télécommunications</w:t></w:r></w:fldSimple>",
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space='
            '"preserve"> DOCPROPERTY organization \\* MERGEFORMAT </w:instrText></w:r><w:r>'
            '<w:fldChar w:fldCharType="separate"/></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>UIT'
            '</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>',
        )
        other = dataclasses.replace(letter(), organization="OMM")
        assert first_page_header(rendered(other, reference_docx=reference)) == "OMM"
    document = rendered(without_organization(), reference_docx=reference)
    header = document.sections[0].first_page_header._element
    # One empty paragraph of no style: no words, and no rule under them (the PDF has neither).
    assert [len(p) for p in header.xpath("./w:p")] == [0]
    properties = read(render(without_organization(), "docx")).core_properties
    assert properties.author == ""


def test_a_letterhead_that_shows_more_than_the_organization_keeps_its_style(
    tmp_path: Path,
) -> None:
    shown = "<w:r><w:t>Union internationale des télécommunications</w:t></w:r></w:fldSimple>"
    path = edited_reference(
        tmp_path, "word/header1.xml", shown, shown + "<w:r><w:t>Genève</w:t></w:r>"
    )
    document = rendered(without_organization(), reference_docx=path)
    assert first_page_header(document) == "Genève"
    assert document.sections[0].first_page_header.paragraphs[0].style.name == "Letterhead"


def test_a_letterhead_without_fields_is_kept_as_it_is(tmp_path: Path) -> None:
    plain = "<w:r><w:t>Maison de verre</w:t></w:r>"
    path = edited_reference(
        tmp_path,
        "word/header1.xml",
        '<w:fldSimple w:instr=" DOCPROPERTY organization ">'
        "<w:r><w:t>Union internationale des télécommunications</w:t></w:r></w:fldSimple>",
        plain,
    )
    other = dataclasses.replace(letter(), organization="Organisation météorologique mondiale")
    document = rendered(other, reference_docx=path)
    assert first_page_header(document) == "Maison de verre"
    assert not document.sections[0].first_page_header._element.xpath(".//w:fldSimple")


def test_another_reference_document_gives_its_look(tmp_path: Path) -> None:
    house = docx.Document(str(REFERENCE))
    house.styles["Letter Subject"].font.size = docx.shared.Pt(16)
    house.sections[0].left_margin = docx.shared.Cm(4)
    house.save(str(tmp_path / "house.docx"))
    document = rendered(letter(), reference_docx=tmp_path / "house.docx")
    assert document.styles["Letter Subject"].font.size == docx.shared.Pt(16)
    assert round(document.sections[0].left_margin.cm) == 4
    assert document.paragraphs[0].text == "Genève, le 8 juillet 2021"


def edited_reference(tmp_path: Path, part: str, old: str, new: str) -> Path:
    """The house reference with ``old`` replaced by ``new`` in one of its parts."""
    path = tmp_path / "house.docx"
    with zipfile.ZipFile(REFERENCE) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == part:
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode())
            target.writestr(item, data)
    return path


def reference_without(tmp_path: Path, style: str) -> Path:
    """The house reference with one style renamed away."""
    return edited_reference(
        tmp_path, "word/styles.xml", f'w:val="{style}"', 'w:val="Something Else"'
    )


def test_docproperty_fields_as_word_saves_them_show_the_letters_values(tmp_path: Path) -> None:
    simple = (
        '<w:fldSimple w:instr=" DOCPROPERTY reference "><w:r><w:t>CL-00/0</w:t></w:r></w:fldSimple>'
    )
    complex_field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
        ' DOCPROPERTY "date" \\* MERGEFORMAT </w:instrText></w:r><w:r><w:fldChar '
        'w:fldCharType="separate"/></w:r><w:r><w:t>1er janvier</w:t></w:r><w:r><w:t> 2000</w:t>'
        '</w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    path = edited_reference(tmp_path, "word/header2.xml", simple, complex_field)
    header = rendered(letter(), reference_docx=path).sections[0].header
    assert "".join(header._element.xpath(".//w:t/text()")) == "8 juillet 2021 – 2/2"


def test_a_reference_missing_a_style_is_an_error_naming_it(tmp_path: Path) -> None:
    path = reference_without(tmp_path, "Letter Subject")
    with pytest.raises(RenderError, match="no paragraph style 'Letter Subject'"):
        rendered(letter(), reference_docx=path)
    result = CliRunner().invoke(
        cli, ["render", str(LETTERS / "CL-21/27.yaml"), "-f", "docx", "--reference-docx",
              str(path), "-o", str(tmp_path / "out.docx")]
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"{path}: the reference document has no paragraph style 'Letter Subject'"
    )
    assert not (tmp_path / "out.docx").exists()


def test_a_reference_missing_several_styles_names_them_all_at_once(tmp_path: Path) -> None:
    house = docx.Document(str(REFERENCE))
    for name in ("Letter Subject", "Body Text", "Hyperlink", "List Number"):
        house.styles[name].name = f"Old {name}"
    house.save(str(tmp_path / "house.docx"))
    with pytest.raises(RenderError) as raised:
        rendered(with_body("1. un\n"), reference_docx=tmp_path / "house.docx")
    # In the order the letter needs them: the header's email link, the subject, the body.
    assert str(raised.value) == (
        f"{tmp_path / 'house.docx'}: the reference document has no character style "
        "'Hyperlink', no paragraph style 'Letter Subject', no paragraph style 'Body Text' and "
        "no paragraph style 'List Number'"
    )


def test_missing_styles_and_a_list_style_without_numbering_in_one_message(
    tmp_path: Path,
) -> None:
    house = docx.Document(str(REFERENCE))
    house.styles["Letter Subject"].name = "Old Letter Subject"
    num_pr = house.styles["List Number"].element.pPr.numPr
    num_pr.getparent().remove(num_pr)
    house.save(str(tmp_path / "house.docx"))
    with pytest.raises(RenderError) as raised:
        rendered(with_body("1. un\n\n2. deux\n"), reference_docx=tmp_path / "house.docx")
    assert str(raised.value) == (
        f"{tmp_path / 'house.docx'}: the reference document has no paragraph style "
        "'Letter Subject'; the paragraph style 'List Number' of the reference document has no "
        "list numbering"
    )


def test_a_list_style_without_numbering_is_an_error(tmp_path: Path) -> None:
    house = docx.Document(str(REFERENCE))
    num_pr = house.styles["List Number"].element.pPr.numPr
    num_pr.getparent().remove(num_pr)
    house.save(str(tmp_path / "house.docx"))
    with pytest.raises(RenderError, match="'List Number' of the reference document has no list"):
        rendered(with_body("1. un\n"), reference_docx=tmp_path / "house.docx")


def assert_refused(reference: Path, message: str, tmp_path: Path) -> None:
    """Rendering with ``reference`` fails with ``message`` after its name, and writes nothing."""
    result = CliRunner().invoke(
        cli, ["render", str(LETTERS / "CL-21/27.yaml"), "-f", "docx", "--reference-docx",
              str(reference), "-o", str(tmp_path / "out.docx")]
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"{reference}: {message}"), result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.docx").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a word document\n", "not a DOCX document (a DOCX is a zip package; this is not)"),
        (b"", "not a DOCX document (a DOCX is a zip package; this is not)"),
        ("zip", "not a DOCX document: "),
    ],
    ids=["text", "empty", "zip-not-docx"],
)
def test_a_reference_that_is_not_a_docx_is_a_clear_error(
    tmp_path: Path, content: bytes | str, message: str
) -> None:
    path = tmp_path / "house.docx"
    if content == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "hello")
    else:
        assert isinstance(content, bytes)
        path.write_bytes(content)
    assert_refused(path, message, tmp_path)


def _reference_with(tmp_path: Path, part: str, replace: Callable[[bytes], bytes]) -> Path:
    path = tmp_path / "house.docx"
    with zipfile.ZipFile(REFERENCE) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, replace(data) if item.filename == part else data)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda tmp: _reference_with(tmp, "word/styles.xml", lambda data: data[:-20]),
            "a part of this DOCX is not well-formed XML: ",
        ),
        (
            lambda tmp: _reference_with(
                tmp,
                "[Content_Types].xml",
                lambda data: data.replace(b"document.main+xml", b"template.main+xml"),
            ),
            "not a Word document: ",
        ),
    ],
    ids=["broken-xml", "a-template"],
)
def test_a_reference_that_fails_to_load_says_why(
    tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    """A DOCX that cannot be loaded for another reason than not being one says that reason."""
    path = make(tmp_path)
    assert_refused(path, message, tmp_path)


def test_the_reference_is_read_again_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "house.docx"
    path.write_bytes(REFERENCE.read_bytes())
    first = load_reference(path)
    assert load_reference(path) is first
    path.write_bytes(reference_without(tmp_path, "Letter Date").read_bytes() + b"")
    with pytest.raises(RenderError, match="'Letter Date'"):
        rendered(letter(), reference_docx=path)


def test_a_docx_template_may_override_one_block_with_super(tmp_path: Path) -> None:
    (tmp_path / "letter.docx.j2").write_text(
        '{% extends "letter.j2" %}\n{% block subject %}\nÀ lire.\n\n{{ super() }}'
        "{% endblock %}\n{% block annex %}\n**Pièce jointe**\n\n{{ super() }}{% endblock %}\n",
        encoding="utf-8",
    )
    document = rendered(letter("CL-19/73"), templates=tmp_path)
    texts = styled(document)
    at = texts.index(("Letter Subject", "À lire."))
    assert texts[at + 1][0] == "Letter Subject"
    assert texts[at + 1][1].startswith("Objet: Journée mondiale")
    assert texts[-15:-12] == [
        ("Annex Heading", "Pièce jointe"),
        ("Annex Title", "Annexe 1"),
        ("Body Text", "Appel à l'action pour la Journée mondiale 2020 des télécommunications et "
         "de la société de l'information"),
    ]  # fmt: skip
    assert render(letter("CL-19/73"), "md", RenderOptions(templates=tmp_path)) == render(
        letter("CL-19/73"), "md"
    )  # the Markdown is not changed


@pytest.mark.slow
def test_a_reference_saved_by_libreoffice_lays_out_letters(tmp_path: Path) -> None:
    """The README's way to a house style of one's own: open the reference, save it."""
    saved = tmp_path / "saved"
    program = require("soffice")
    subprocess.run(
        [program, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(saved), str(REFERENCE)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    item = letter("CL-19/73")
    document = tmp_path / "letter.docx"
    document.write_bytes(render(item, "docx", RenderOptions(reference_docx=saved / REFERENCE.name)))
    [pdf] = soffice_to_pdf([document], tmp_path, tmp_path / "profile")
    text = pdf_text(pdf)
    assert similarity(text, render(item, "txt").decode()) >= SIMILAR_ENOUGH
    # The letter on page 1, its signatures with it, and the annex on page 2, as in the PDF.
    assert "CL-19/73 – 2/2" in text


def test_a_template_override_changes_the_docx(tmp_path: Path) -> None:
    layout = (packaged_templates() / "letter.j2").read_text(encoding="utf-8")
    changed = layout.replace("label=labels.subject | inline,", 'label="Concerne",')
    assert changed != layout
    (tmp_path / "letter.j2").write_text(changed, encoding="utf-8")
    document = rendered(letter(), templates=tmp_path)
    subject = next(p for p in document.paragraphs if p.style.name == "Letter Subject")
    assert subject.text.startswith("Concerne:\tInvitation")


# -- metadata and bytes -----------------------------------------------------------------------


def test_metadata_comes_from_the_letter() -> None:
    data = render(letter("CL-21/27"), "docx")
    properties = read(data).core_properties
    day = datetime(2021, 7, 8, tzinfo=UTC)
    assert (
        properties.title
        == "Invitation à participer à ITU Digital World 2021, qui aura lieu en ligne"
    )
    assert (properties.subject, properties.identifier) == ("CL-21/27", "CL-21/27")
    assert properties.language == "fr-CH"
    assert properties.author == "Union internationale des télécommunications"
    assert (properties.created, properties.modified) == (day, day)
    assert properties.last_modified_by == properties.keywords == properties.comments == ""
    assert properties.revision == 0 and properties.last_printed is None
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            assert b"python-docx" not in archive.read(name).lower(), name
        assert "docProps/app.xml" not in archive.namelist()
        assert "docProps/thumbnail.jpeg" not in archive.namelist()


def test_custom_properties_reference_and_date() -> None:
    data = render(letter("CL-20/038"), "docx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        custom = archive.read("docProps/custom.xml").decode()
        rels = archive.read("_rels/.rels").decode()
        types = archive.read("[Content_Types].xml").decode()
    properties = dict(re.findall(r'name="(\w+)"><vt:\w+>([^<]*)<', custom))
    assert properties == {
        "reference": "CL-20/038",
        "date": "2020-08-31T00:00:00Z",
        "organization": "Union internationale des télécommunications",
    }
    assert 'relationships/custom-properties" Target="docProps/custom.xml"' in rels
    assert 'PartName="/docProps/custom.xml" ContentType="application/vnd.openxml' in types


def text_language(document: docx.document.Document) -> list[str]:
    return document.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val")


def test_language_of_the_letter_for_metadata_spelling_and_hyphenation() -> None:
    document = rendered(dataclasses.replace(letter(), language="de_CH"))
    assert document.core_properties.language == "de-CH"
    assert text_language(document) == ["de-CH"]
    assert text_language(rendered(letter())) == ["fr-CH"]


def test_styles_without_defaults_get_them_first() -> None:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    styles = f'<w:styles xmlns:w="{w}"><w:style w:styleId="Normal"/></w:styles>'.encode()
    root = etree.fromstring(docx_reference._with_language(styles, "it-CH"))
    assert [etree.QName(child).localname for child in root] == ["docDefaults", "style"]
    assert root.xpath("//w:lang/@w:val", namespaces={"w": w}) == ["it-CH"]


def test_a_reference_without_a_text_language_gets_the_letters(tmp_path: Path) -> None:
    path = edited_reference(
        tmp_path, "word/styles.xml", '<w:lang w:val="fr-CH" w:eastAsia="en-US" w:bidi="ar-SA"/>', ""
    )
    assert text_language(rendered(letter(), reference_docx=path)) == ["fr-CH"]


def test_the_same_bytes_every_time(spec: Path) -> None:
    first = render(load_letter(spec), "docx")
    docx_reference._load.cache_clear()  # read the reference document afresh
    assert render(load_letter(spec), "docx") == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        names = archive.namelist()
        assert names[:2] == ["[Content_Types].xml", "_rels/.rels"]


def test_the_same_bytes_from_another_process(tmp_path: Path) -> None:
    spec = LETTERS / "CL-19/73.yaml"
    target = tmp_path / "letter.docx"
    subprocess.run(
        [sys.executable, "-m", "circulaire", "render", str(spec), "-o", str(target)],
        check=True,
        capture_output=True,
    )
    assert target.read_bytes() == render(load_letter(spec), "docx")


# -- bad input --------------------------------------------------------------------------------


def test_an_empty_body_and_long_words_give_a_sensible_document() -> None:
    word = "Anticonstitutionnellement" * 40
    document = rendered(
        with_body("", subject=word, closing=None, recipients=(word,), annexes=(Annex(word),))
    )
    texts = [p.text for p in document.paragraphs]
    assert texts[texts.index("Madame, Monsieur,") + 1].startswith("[original signé]")
    assert sum(word in text for text in texts) == 3


def test_xml_special_characters_are_text() -> None:
    body = "A < B & C > D \"quoted\" 'single' [lien](https://example.org/?a=1&b=<2>)"
    document = rendered(with_body(body))
    body_text = [p.text for p in document.paragraphs if p.style.name == "Body Text"][1]
    assert body_text == "A < B & C > D \"quoted\" 'single' lien"
    assert hyperlinks(document) [-1] == ("lien", "https://example.org/?a=1&b=%3C2%3E")  # fmt: skip


def test_a_character_xml_cannot_hold_is_an_error_not_a_corrupt_file() -> None:
    with pytest.raises(RenderError, match="U\\+0001 cannot be written in a DOCX"):
        render(with_body("bonjour \x01"), "docx")


@settings(max_examples=150, deadline=None)
@given(body=MARKDOWNISH, subject=MARKDOWNISH.filter(str.strip))
def test_any_text_gives_a_document_word_can_open(body: str, subject: str) -> None:
    data = render(with_body(body, subject=subject), "docx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(archive.read(name))  # well-formed, or this raises
    document = read(data)
    assert any(p.style.name == "Letter Subject" for p in document.paragraphs)


INLINE_PIECES = st.lists(
    st.sampled_from(["![", "[", "](i.png)", "](https://a.org)", "*", "**", "`", "mot", " ", "\n"]),
    max_size=30,
).map("".join)
"""Images and links nested in each other, with emphasis and code inside them."""


@settings(max_examples=150, deadline=None)
@given(body=INLINE_PIECES)
def test_nested_images_and_links_are_words_never_xml(body: str) -> None:
    document = rendered(with_body(body))
    assert "<w:" not in texts(document)


# -- the real readers -------------------------------------------------------------------------


def test_the_measure_tells_other_words_apart() -> None:
    text = render(letter("CL-21/27"), "txt").decode()
    hyphenated = text.replace("informer que", "infor-\nmer que").replace("  ", " \n ")
    assert similarity(hyphenated, text) > 0.999
    assert similarity(text, render(letter("CL-20/038"), "txt").decode()) < 0.6
    half = " ".join(text.split()[::2])
    assert similarity(half, text) < SIMILAR_ENOUGH


@pytest.fixture(scope="module")
def libreoffice_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """Every letter of the archive as DOCX, converted to PDF by LibreOffice in one run."""
    folder = tmp_path_factory.mktemp("libreoffice")
    documents = {}
    for spec in ARCHIVE:
        name = spec.relative_to(LETTERS).with_suffix("").as_posix().replace("/", "-")
        documents[spec] = folder / f"{name}.docx"
        documents[spec].write_bytes(render(load_letter(spec), "docx"))
    documents[HOSTILE] = folder / "hostile.docx"
    documents[HOSTILE].write_bytes(render(hostile_letter(), "docx"))
    pdfs = soffice_to_pdf(list(documents.values()), folder, folder / "profile")
    return dict(zip(documents, pdfs, strict=True))


HOSTILE = Path("hostile")
LONG_WORD = "Anticonstitutionnellement" * 40


def hostile_letter() -> Letter:
    """No body, a word longer than a line, characters XML and Markdown treat specially."""
    return with_body(
        "",
        subject=LONG_WORD,
        recipients=("A <b> & C 'd' \"e\" *f* [g](h)",),
        closing=None,
        annexes=(Annex(LONG_WORD, LONG_WORD),),
    )


@pytest.mark.slow
def test_libreoffice_lays_out_a_hostile_letter(libreoffice_pdfs: dict[Path, Path]) -> None:
    text = pdf_text(libreoffice_pdfs[HOSTILE])
    assert "A <b> & C 'd' \"e\" *f* [g](h)" in text
    assert text.count("Madame, Monsieur,") == 1
    assert "".join(text.split()).count(LONG_WORD) == 3  # wrapped, never lost


@pytest.mark.slow
def test_libreoffice_reads_the_words_of_the_letter(
    spec: Path, libreoffice_pdfs: dict[Path, Path]
) -> None:
    item = load_letter(spec)
    text = render(item, "txt").decode()
    read_back = without_page_furniture(pdf_text(libreoffice_pdfs[spec]), item)
    arabic = writing(item.language).script == "Arabic"
    enough = JUSTIFIED_ARABIC_SIMILAR_ENOUGH if arabic else SIMILAR_ENOUGH
    assert similarity(read_back, text) >= enough


def emphasis(markdown: str) -> dict[str, list[str]]:
    """What must survive a trip through DOCX: bold and italic text, link targets, list items."""
    found: dict[str, list[str]] = {"strong": [], "em": [], "link": [], "list_item": []}

    def walk(node: object) -> None:
        kind = node.type  # type: ignore[attr-defined]
        if kind in ("strong", "em", "list_item"):
            found[kind].append(" ".join(plain_text(node).split()))  # type: ignore[arg-type]
        elif kind == "link" and node.attrs.get("href", "#") != "#":  # type: ignore[attr-defined]
            found["link"].append(str(node.attrs["href"]))  # type: ignore[attr-defined]
        elif kind == "html_block":  # pandoc writes tables as HTML
            for tag, text in re.findall(r"<(strong|em)>(.*?)</\1>", node.content):  # type: ignore[attr-defined]
                found[tag].append(text)
        for child in node.children:  # type: ignore[attr-defined]
            walk(child)

    walk(parse(markdown))
    return found


PANDOC_LETTERS = [
    *ARCHIVE,
    "Un *mot penché*, un **mot gras** et un [lien](https://example.org/).\n\n"
    "1. premier\n2. second\n\n- puce\n- autre puce\n\n3. trois\n4. quatre\n",
]


@pytest.mark.slow
@pytest.mark.parametrize(
    "source",
    PANDOC_LETTERS,
    ids=[*(p.relative_to(LETTERS).with_suffix("").as_posix() for p in ARCHIVE), "italic-and-lists"],
)
def test_pandoc_reads_bold_italic_links_and_lists(source: Path | str, tmp_path: Path) -> None:
    item = load_letter(source) if isinstance(source, Path) else with_body(source)
    document = tmp_path / "letter.docx"
    document.write_bytes(render(item, "docx"))
    expected = emphasis(render(item, "md").decode())
    assert emphasis(without_direction(pandoc_markdown(document))) == expected
    if isinstance(source, str):
        assert expected["em"] == ["mot penché"]
        assert expected["list_item"][3:] == [
            "premier",
            "second",
            "puce",
            "autre puce",
            "trois",
            "quatre",
        ]
        assert re.search(r"^3\.\s+trois$", pandoc_markdown(document), re.MULTILINE)
