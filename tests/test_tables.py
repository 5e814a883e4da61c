"""Markdown tables in every format, and the Markdown of GFM that no format but the published
Markdown could show, refused at validation (E121-E125) with where it stands and what to write."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner

from circulaire.cli import cli as main
from circulaire.render import render
from circulaire.render.text import WIDTH, columns, markdown_to_text
from circulaire.validate import load_letter
from conftest import require
from test_adversarial_specs import spec_with_body

TABLE = """\
Le calendrier:

| Étape | Date | Montant |
|:------|:----:|--------:|
| Inscription des **participants** | 14 février | 100 |
| Clôture | 1er mars | 2 000 |
"""


def _validate(spec: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", str(spec)])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "body, line, column, what, code",
    [
        ("Une note[^1].\n\n[^1]: Le texte.", 9, 11, "the footnote '[^1]'", "E121"),
        ("Un mot ~~barré~~ ici.", 9, 10, "the strikethrough '~~barré~~'", "E122"),
        ("Un ~mot~ barré.", 9, 6, "the strikethrough '~mot~'", "E122"),
        ("Voir ![le logo](logo.png).", 9, 8, "the image 'le logo'", "E123"),
        ("Voir ![logo](data:image/png;base64,AA).", 9, 8, "the image 'logo'", "E123"),
        ("- [ ] à faire\n- [x] fait", 9, 5, "the task list item '[ ]'", "E124"),
        ("> [!NOTE]\n> Attention.", 9, 3, "the alert '> [!NOTE]", "E125"),
    ],
)
def test_markdown_no_format_but_the_markdown_shows_is_refused(
    tmp_path: Path, body: str, line: int, column: int, what: str, code: str
) -> None:
    spec = spec_with_body(tmp_path, body)
    exit_code, out = _validate(spec)
    assert exit_code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"{spec}:{line}:{column}: body: {what}"), first
    assert "is not supported in a letter" in first
    assert "write" in first  # what to write instead
    result = CliRunner().invoke(main, ["validate", "--format", "json", str(spec)])
    assert f'"{code}"' in result.output
    assert CliRunner().invoke(main, ["render", str(spec), "-f", "md"]).exit_code == 1


def test_a_footnote_definition_is_refused_too(tmp_path: Path) -> None:
    _, out = _validate(spec_with_body(tmp_path, "Texte.\n\n[^a]: Une note sans appel."))
    assert "11:3: body: the footnote '[^a]: Une note sans appel.'" in out


def test_text_that_only_looks_like_them_is_kept(tmp_path: Path) -> None:
    body = "Un \\~ tilde, \\[^1] et \\[ ] écrits, [un lien](https://www.itu.int) et 3 < 4."
    assert _validate(spec_with_body(tmp_path, body)) == (0, "1 spec checked, all valid\n")


def _letter(tmp_path: Path, body: str = TABLE) -> object:
    return load_letter(spec_with_body(tmp_path, body))


def test_a_table_is_published_as_written(tmp_path: Path) -> None:
    markdown = render(_letter(tmp_path), "md").decode()  # type: ignore[arg-type]
    assert TABLE.rstrip() in markdown


def test_a_table_in_text_has_its_columns_aligned() -> None:
    assert markdown_to_text(TABLE).split("\n")[2:] == [
        "Étape                            Date     Montant",
        "----------------------------  ----------  -------",
        "Inscription des participants  14 février      100",
        "Clôture                        1er mars     2 000",
    ]


def test_a_wide_table_in_text_wraps_its_cells_within_the_width() -> None:
    words = "une cellule de beaucoup de mots qui ne tiendrait pas sur une ligne"
    text = markdown_to_text(f"| Étape | Détail |\n|---|---|\n| Un | {words} {words} |\n")
    lines = text.split("\n")
    assert all(columns(line) <= WIDTH for line in lines)
    assert lines[0].startswith("Étape  Détail")
    assert lines[2].startswith("Un     une cellule")
    assert lines[3].startswith("       ")  # the cell goes on in its column
    assert (
        " ".join(
            " ".join(line.split()[1:] if i == 0 else line.split())
            for i, line in enumerate(lines[2:])
        )
        == f"{words} {words}"
    )


def test_a_table_that_cannot_fit_is_written_a_row_at_a_time() -> None:
    word = "télécommunications"
    header = "| " + " | ".join("abcdef") + " |"
    rule = "|" + "---|" * 6
    row = "| " + " | ".join([word] * 6) + " |"
    text = markdown_to_text(f"{header}\n{rule}\n{row}\n")
    assert text.split("\n") == [f"{name}: {word}" for name in "abcdef"]


def test_a_table_in_docx_is_a_real_table(tmp_path: Path) -> None:
    docx = render(_letter(tmp_path), "docx")  # type: ignore[arg-type]
    xml = zipfile.ZipFile(BytesIO(docx)).read("word/document.xml").decode()
    table = xml[xml.index("<w:tbl>") : xml.index("</w:tbl>")]
    assert "<w:tblBorders>" in table
    rows = re.findall(r"<w:tr>.*?</w:tr>", table)
    assert len(rows) == 3
    assert "<w:tblHeader/>" in rows[0] and "<w:tblHeader/>" not in rows[1]
    assert "<w:b/>" in rows[0]  # the header's words bold
    assert re.findall(r'<w:jc w:val="(\w+)"/>', rows[1]) == ["left", "center", "right"]
    assert "Inscription des " in rows[1] and "Montant" in rows[0]
    assert "| Étape" not in xml


def test_a_table_in_docx_is_seen_as_one_by_libreoffice(tmp_path: Path) -> None:
    soffice = require("soffice")
    (tmp_path / "letter.docx").write_bytes(render(_letter(tmp_path), "docx"))  # type: ignore[arg-type]
    subprocess.run(
        [
            soffice,
            "--headless",
            "--convert-to",
            "html",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "letter.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    html = (tmp_path / "letter.html").read_text(encoding="utf-8", errors="replace")
    assert html.count("<tr") == 3 and "<table" in html


def test_a_table_in_pdf_is_a_typst_table(tmp_path: Path) -> None:
    from circulaire.render.pdf import markdown_to_typst

    typst = markdown_to_typst(TABLE)
    assert "#table(columns: 3, align: (start, center, end,), table.header(" in typst
    pdftotext = require("pdftotext")
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(render(_letter(tmp_path), "pdf"))  # type: ignore[arg-type]
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"Étape +Date +Montant", text)
    assert re.search(r"Clôture +1er mars +2 000", text)
    assert "|" not in text


def test_a_table_in_html_has_column_headers(tmp_path: Path) -> None:
    html = render(_letter(tmp_path), "html").decode()  # type: ignore[arg-type]
    assert '<th scope="col" style="text-align: center">Date</th>' in html
    assert "<td>" not in html.split("<tbody>")[0]
    assert '<td style="text-align: end">2 000</td>' in html
    assert "<strong>participants</strong>" in html


def test_a_table_in_a_list_item_and_short_rows(tmp_path: Path) -> None:
    body = "- Un point:\n\n  | a | b |\n  |---|---|\n  | 1 |\n"
    letter = _letter(tmp_path, body)
    for fmt in ("txt", "docx", "pdf", "html"):
        assert render(letter, fmt)  # type: ignore[arg-type]
    assert "  a  b\n  -  -\n  1" in render(letter, "txt").decode()  # type: ignore[arg-type]


def test_kept_lines_keep_a_table_at_its_width(tmp_path: Path) -> None:
    letter = _letter(tmp_path)
    kept = dataclasses.replace(
        letter,  # type: ignore[type-var]
        style=dataclasses.replace(letter.style, text_lines="keep"),  # type: ignore[attr-defined]
    )
    assert "Inscription des participants  14 février      100" in render(kept, "txt").decode()
