"""The signatures of a letter in its DOCX: one under the other, spaced and kept together as
the PDF sets them, or side by side (``style.marks: grouped``) in a borderless table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .metrics import LEADING
from .wordml import with_properties

if TYPE_CHECKING:
    from ...markup import SyntaxTreeNode
    from ...model import Letter
    from .body import BodyWriter
    from .metrics import Face

SIGNATURES_SPACE = 3 - LEADING
"""From the closing to the first signatory, in ems, as in the PDF: 1 em, then the 2 em that set
each signatory apart, less the leading its line already has (of two paragraphs' spaces, the
larger is the one that counts, in Word and LibreOffice as in Typst)."""
LET_GO = '<w:keepNext w:val="0"/>'
"""A signatory's last paragraph, not kept with the next signatory (the style keeps the rest)."""
TABLE_STYLE = "Letter Signatures"
GUTTER = 1.5
"""Side by side, as in the PDF's grid: the marks over the closing by 1 em more than a
paragraph's space (the table's first paragraphs add theirs to the closing's), then 1.5 em
between a line and the next row."""


def space_apart(out: list[str], start: int, letter: Letter, face: Face) -> None:
    """The signatures block, from ``out[start]``: each signatory a block apart (the style's
    space before), the first further from the closing, and a name only a paragraph's space
    under its mark. A mark and its signatory stay together (the style keeps each paragraph
    with the next), and the next signatory may go over to the next page. A template that
    writes the block otherwise keeps the style's spacing and keeping."""
    if len(out) - start != sum(2 if s.has_mark else 1 for s in letter.signatories):
        return
    at = start
    for number, signatory in enumerate(letter.signatories):
        if number == 0:
            out[at] = with_properties(out[at], last=_before(face.em(SIGNATURES_SPACE)))
        if signatory.has_mark:
            at += 1
            out[at] = with_properties(out[at], last=_before(face.paragraph_space))
        out[at] = with_properties(out[at], first=LET_GO)
        at += 1


def _before(space: int) -> str:
    return f'<w:spacing w:before="{space}"/>'


def _spaced(paragraph: str, space: int) -> str:
    return with_properties(paragraph, last=_before(space))


def side_by_side(writer: BodyWriter, tree: SyntaxTreeNode, letter: Letter) -> bool:
    """Grouped marks: the signatories side by side, each under their mark, in a borderless
    table of two columns. False when the block does not hold one paragraph per mark and
    per signatory (a template override), which is then laid out as it comes."""
    signatories = letter.signatories
    marked = [s for s in signatories if s.has_mark]
    paragraphs = tree.children
    if len(signatories) < 2 or len(paragraphs) != len(marked) + len(signatories):
        return False
    if any(p.type != "paragraph" for p in paragraphs):
        return False
    rendered = []
    for node in paragraphs:
        outer, writer.out = writer.out, []
        writer.visit(node)
        rendered.append("".join(writer.out))
        writer.out = outer
    marks = iter(rendered[: len(marked)])
    face = writer.face
    gap = face.em(GUTTER - LEADING)
    cells = []
    for number, (signatory, name) in enumerate(
        zip(signatories, rendered[len(marked) :], strict=True)
    ):
        top = face.em(1) if number < 2 else gap
        if signatory.has_mark:
            cells.append(_spaced(next(marks), top) + _spaced(name, gap))
        else:  # level with the names beside it, under their marks
            cells.append(_spaced(name, top + face.pitch() + gap))
    if len(cells) % 2:
        cells.append("<w:p/>")
    width = writer.reference.text_width // 2
    rows = "".join(
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        + "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{cell}</w:tc>'
            for cell in cells[i : i + 2]
        )
        + "</w:tr>"
        for i in range(0, len(cells), 2)
    )
    style_id = writer.style(TABLE_STYLE, "table")
    writer.out.append(
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{style_id}"/>'
        f"{'<w:bidiVisual/>' if writer.rtl else ''}"
        f'<w:tblW w:w="{2 * width}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
        'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr>'
        f'<w:tblGrid><w:gridCol w:w="{width}"/><w:gridCol w:w="{width}"/></w:tblGrid>'
        f"{rows}</w:tbl>"
    )
    return True
