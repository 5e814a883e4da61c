"""A table of the Markdown (GFM's pipe table) as a ``w:tbl``: a header row repeated on each
page, single borders, each column as wide as its words ask within the text width, each cell's
paragraph aligned as its column (``:---:``), in the body's style and so in the house font."""

from __future__ import annotations

JUSTIFICATION = {"left": "left", "center": "center", "right": "right", "": "left"}
"""A column's alignment as ``w:jc``; in a letter right to left, Word reads ``left`` as the
start of the line, so that ``:---`` is where the line starts in every format."""
BORDER = '<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
BORDERS = "".join(
    BORDER.format(side=side) for side in ("top", "left", "bottom", "right", "insideH", "insideV")
)
LEAST = 4
"""The fewest characters' share a column gets, so that a short column is still readable."""


def widths(sizes: list[int], text_width: int) -> list[int]:
    """The width of each column (twentieths of a point) within ``text_width``: in proportion to
    the longest text of each column, none below :data:`LEAST` characters' share."""
    shares = [max(size, LEAST) for size in sizes]
    total = sum(shares)
    found = [text_width * share // total for share in shares]
    found[-1] += text_width - sum(found)
    return found


def cell(paragraph_style: str, runs: str, align: str, rtl: bool, width: int) -> str:
    """One cell: its width, and one paragraph without space around it."""
    properties = (
        f'<w:pStyle w:val="{paragraph_style}"/>'
        + ("<w:bidi/>" if rtl else "")
        + '<w:spacing w:before="40" w:after="40"/>'
        + f'<w:jc w:val="{JUSTIFICATION.get(align, "left")}"/>'
    )
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
        f"<w:p><w:pPr>{properties}</w:pPr>{runs}</w:p></w:tc>"
    )


def table(rows: list[tuple[bool, list[str]]], column_widths: list[int], rtl: bool) -> str:
    """The ``w:tbl`` of rows of cells (each the XML of a ``w:tc``); a header row (``True``)
    is repeated at the top of each page and never split."""
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in column_widths)
    body = "".join(
        "<w:tr><w:trPr><w:cantSplit/>"
        + ("<w:tblHeader/>" if header else "")
        + "</w:trPr>"
        + "".join(cells)
        + "</w:tr>"
        for header, cells in rows
    )
    return (
        "<w:tbl><w:tblPr>"
        + ("<w:bidiVisual/>" if rtl else "")
        + f'<w:tblW w:w="{sum(column_widths)}" w:type="dxa"/>'
        + f"<w:tblBorders>{BORDERS}</w:tblBorders>"
        + '<w:tblLayout w:type="fixed"/>'
        + '<w:tblCellMar><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/>'
        + "</w:tblCellMar>"
        + '<w:tblLook w:val="0020" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
        + 'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr>'
        + f"<w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>"
    )
