"""A Word document read as the Markdown of its letter, for the same recognizer as Markdown.

The package is untrusted input, opened as a reference document is (``render/docx/unpack.py``:
bounded parts, no DTD) before python-docx reads it. Each paragraph of the body, in order,
becomes a Markdown block: bold and italic runs (direct formatting as well as a style's) as
``**`` and ``*``, hyperlinks with their targets, line breaks as hard breaks, numbered and
bulleted paragraphs as list items. Tables are read cell by cell: a table of label and value
(``Réf.: | CL-21/27``) as the lines of one block, any other (signatures side by side) as the
blocks of its cells in reading order. Where a document sets its parts apart with empty
paragraphs, as people do when they type a letter, each run of paragraphs between them is one
block, its lines joined by hard breaks; a tab between a label and its value is a space (none
after a Chinese colon).

What a document cannot say, the Markdown cannot get back: whether a line ended in a hard break
or the next paragraph began, how a link was written (``<…>`` or ``[…](…)``), which escapes the
text had. The recognizer reads the parts of the letter all the same.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import RenderError
from .blocks import NotALetter

__all__ = ["markdown_of"]

LABEL = re.compile(r"\A[^\W\d][\w .'’/-]{0,30}:\s")
"""A header line: a short label and its colon (``Tél.:``, ``Courriel:``, ``Réf.:``)."""
SPECIAL = re.compile(r"([\\*_`])")
"""What Markdown would read as markup in plain text."""
EMBEDDINGS = dict.fromkeys([0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
"""Bidirectional marks, embeddings and isolates: how a right-to-left document keeps a phone number's
groups in order, the layout's, not the text's."""
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def markdown_of(raw: bytes, name: str) -> str:
    """The Markdown of the letter in the DOCX ``raw``; :class:`NotALetter` naming ``name``
    when it is no Word document, or holds no text."""
    document = _document(raw, name)
    numbering = _list_kinds(document)
    items = list(_items(document, numbering))
    if not any(text for text, _ in items):
        raise NotALetter(f"{name}: the document holds no text (expected a letter)")
    typed = sum(1 for item in items if item == ("", "p")) >= 3
    return "\n".join(_blocks(items, typed)) + "\n"


def _document(raw: bytes, name: str) -> Any:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from ..render.docx.unpack import repack, unpack

    if not raw:
        raise NotALetter(f"{name}: the file is empty (expected a Word document)")
    try:
        parts = unpack(Path(name), raw)
    except RenderError as exc:
        raise NotALetter(str(exc).replace("reference document", "document")) from None
    try:
        return docx.Document(io.BytesIO(repack(parts)))
    except (PackageNotFoundError, KeyError, ValueError, SyntaxError) as exc:
        raise NotALetter(f"{name}: not a Word document ({exc})") from None


# -- paragraphs, as Markdown lines ------------------------------------------------------------


def _items(document: Any, numbering: dict[tuple[str, str], str]) -> Iterator[tuple[str, str]]:
    """Each paragraph of the body as ``(markdown, kind)``: kind is ``"p"``, ``"-"`` or ``"1."``
    for list items, ``"row"`` for the lines of a label-and-value table; empty paragraphs as
    ``("", "p")``."""
    from docx.table import Table

    for item in document.iter_inner_content():
        if isinstance(item, Table):
            yield from _table(item, numbering)
        else:
            yield _paragraph(item, numbering)


def _table(table: Any, numbering: dict[tuple[str, str], str]) -> Iterator[tuple[str, str]]:
    rows = [[cell for cell in row.cells] for row in table.rows]
    texts = [[cell.text.strip() for cell in row] for row in rows]
    if texts and all(len(row) == 2 and row[0].endswith(":") for row in texts if any(row)):
        yield "", "gap"
        for row in rows:
            label, value = (
                " ".join(_paragraph(p, numbering)[0] for p in c.paragraphs) for c in row
            )
            if label or value:
                yield f"{label.strip()} {value.strip()}", "row"
        yield "", "gap"
        return
    seen: set[int] = set()
    for row in rows:
        for cell in row:
            if id(cell._tc) in seen:  # a merged cell is every one of its grid's cells
                continue
            seen.add(id(cell._tc))
            yield "", "gap"
            for paragraph in cell.paragraphs:
                yield _paragraph(paragraph, numbering)
            yield "", "gap"


@cache
def _run_on_labels() -> re.Pattern[str]:
    """A header line's labels in the middle of a line: where a document that lost its line
    breaks (soft ones, which Word shows as spaces) ran one header line into the next."""
    from .words import LANGUAGES, wording

    labels = {"Téléphone", "Fax", "E-mail"}  # the archive's own wordings besides the house's
    for language in LANGUAGES:
        found = wording(language).labels
        labels.update(
            filter(None, (found.reference, found.contact, found.phone, found.fax, found.email))
        )
    alternatives = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    return re.compile(rf" +(?=(?:{alternatives}):\s)")


def _header_lines(text: str) -> str:
    """A paragraph of header lines run into one, broken again before each label."""
    lines = text.split("  \n")
    if not _is_label(lines[0]):
        return text
    return "  \n".join(part for line in lines for part in _run_on_labels().split(line))


def _paragraph(paragraph: Any, numbering: dict[tuple[str, str], str]) -> tuple[str, str]:
    from docx.text.hyperlink import Hyperlink

    pieces: list[tuple[str, bool, bool]] = []
    for item in paragraph.iter_inner_content():
        if isinstance(item, Hyperlink):
            target = item.address + (f"#{item.fragment}" if item.fragment else "")
            text = item.text
            link = f"[{_escaped(text)}]({target or '#'})" if text else ""
            if link:
                bold = bool(item.runs) and all(_formatted(run, "bold") for run in item.runs)
                pieces.append((link, bold, False))
            continue
        pieces.extend(_run(item))
    text = "  \n".join(line.rstrip() for line in _joined(pieces).strip().split("\n"))
    text = _header_lines(text)
    return text, _list_kind(paragraph, numbering)


def _run(run: Any) -> Iterator[tuple[str, bool, bool]]:
    """A run's text, as escaped Markdown, and whether it is bold and italic; a break as a
    newline of its own, a tab as a space."""
    bold, italic = _formatted(run, "bold"), _formatted(run, "italic")
    for child in run._r:
        tag = child.tag
        if tag == f"{W}t":
            yield _escaped(child.text or ""), bold, italic
        elif tag in (f"{W}br", f"{W}cr"):
            yield "\n", False, False
        elif tag == f"{W}tab":
            yield "\t", False, False


def _joined(pieces: list[tuple[str, bool, bool]]) -> str:
    """Runs of the same formatting as one, marked; the marks kept off spaces at their ends."""
    merged: list[list[Any]] = []
    for text, bold, italic in pieces:
        if not text:
            continue
        if text in ("\n", "\t"):
            bold = italic = False
        elif not text.strip() and merged:  # a space between two bold runs is in the bold
            merged[-1][0] += text
            continue
        if merged and merged[-1][1:] == [bold, italic]:
            merged[-1][0] += text
        else:
            merged.append([text, bold, italic])
    out = []
    for text, bold, italic in merged:
        mark = ("**" if bold else "") + ("*" if italic else "")
        if not mark or not text.strip():
            out.append(text)
            continue
        for i, line in enumerate(text.split("\n")):
            core = line.strip()
            lead, trail = line[: len(line) - len(line.lstrip())], line[len(line.rstrip()) :]
            out.append(
                ("\n" if i else "") + (lead + mark + core + mark[::-1] + trail if core else line)
            )
    text = "".join(out)
    text = re.sub(r"(?<=[：])[ ]*\t[\t ]*", "", text)  # Chinese: "事由：value", no space
    return re.sub(r"[ ]*\t[\t ]*", " ", text)  # label<TAB>value: "label value"


def _escaped(text: str) -> str:
    return SPECIAL.sub(r"\\\1", text.translate(EMBEDDINGS))


def _formatted(run: Any, attribute: str) -> bool:
    """Direct formatting first, then the run's character style and the styles it is based on.
    A paragraph style's bold (a heading's, an annex title's) is the style's, not the text's."""
    value = getattr(run.font, attribute)
    if value is not None:
        return bool(value)
    style = run.style
    while style is not None:
        value = getattr(style.font, attribute, None)
        if value is not None:
            return bool(value)
        style = style.base_style
    return False


# -- lists ------------------------------------------------------------------------------------


def _list_kinds(document: Any) -> dict[tuple[str, str], str]:
    """``(numId, ilvl)`` -> ``"-"`` or ``"1."``, from the numbering part."""
    try:
        part = document.part.numbering_part
    except (KeyError, NotImplementedError):
        return {}
    root = part.element
    formats: dict[str, dict[str, str]] = {}
    for abstract in root.iterfind(f"{W}abstractNum"):
        levels = {}
        for level in abstract.iterfind(f"{W}lvl"):
            fmt = level.find(f"{W}numFmt")
            levels[level.get(f"{W}ilvl", "0")] = "" if fmt is None else fmt.get(f"{W}val", "")
        formats[abstract.get(f"{W}abstractNumId", "")] = levels
    kinds = {}
    for num in root.iterfind(f"{W}num"):
        abstract_id = num.find(f"{W}abstractNumId")
        if abstract_id is None:
            continue
        for level, fmt in formats.get(abstract_id.get(f"{W}val", ""), {}).items():
            kind = "-" if fmt in ("bullet", "none", "") else "1."
            kinds[(num.get(f"{W}numId", ""), level)] = kind
    return kinds


def _list_kind(paragraph: Any, numbering: dict[tuple[str, str], str]) -> str:
    properties = paragraph._p.pPr
    number = None if properties is None else properties.numPr
    style = paragraph.style
    while number is None and style is not None:  # numbering by the paragraph's style
        style_properties = style.element.pPr
        number = None if style_properties is None else style_properties.numPr
        style = style.base_style
    if number is not None and number.numId is not None:
        level = "0" if number.ilvl is None else str(number.ilvl.val)
        if str(number.numId.val) != "0":
            return numbering.get((str(number.numId.val), level), "-")
    name = (paragraph.style.name or "") if paragraph.style is not None else ""
    if name.startswith("List Number"):
        return "1."
    if name.startswith("List Bullet"):
        return "-"
    return "p"


# -- blocks -----------------------------------------------------------------------------------


def _blocks(items: list[tuple[str, str]], typed: bool) -> Iterator[str]:
    """The items as Markdown blocks with blank lines between them. List items of one list
    stand together; label-and-value lines make one block; so do, in a typed document, the
    paragraphs between two empty ones."""
    block: list[tuple[str, str]] = []
    counter = 0

    def flush() -> Iterator[str]:
        nonlocal counter
        if not block:
            return
        lines = []
        for text, kind in block:
            if kind == "-":
                lines.append(f"- {text}".rstrip())
            elif kind == "1.":
                counter += 1
                lines.append(f"{counter}. {text}".rstrip())
            else:
                lines.append(text)
        listed = all(kind in ("-", "1.") for _, kind in block)
        yield ("\n" if listed else "  \n").join(lines) + "\n"
        block.clear()
        counter = 0

    for text, kind in items:
        if not text and kind not in ("-", "1."):  # an empty list item is one, bullet and all
            yield from flush()
            continue
        previous = block[-1][1] if block else None
        together = previous is not None and (
            (kind in ("-", "1.") and previous == kind)
            or (kind == "row" and previous == "row")
            or (_is_label(text) and previous in ("row", "label"))
            or (typed and kind == "p" and previous in ("p", "label"))
        )
        if not together:
            yield from flush()
        if kind == "p" and _is_label(text):
            kind = "label"
        block.append((text, kind))
    yield from flush()


def _is_label(text: str) -> bool:
    return "\n" not in text and len(text) < 120 and LABEL.match(text) is not None
