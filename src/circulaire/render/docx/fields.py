"""The DOCPROPERTY fields of a house letterhead: found once in the reference document's headers
and footers, where each field's shown value becomes a marker, and filled in for each letter."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from .wordml import DECLARATION, W, copy, escape

DOCPROPERTY = re.compile(r'\s*DOCPROPERTY\s+"?(\w+)"?')
FIELD_SHOWN = re.compile("\ue000(\\w+)\ue000")
"""The marker of the value a DOCPROPERTY field shows: the property's name between U+E000."""
FIELDS_ONLY = re.compile("\ue001(<([^\\s/>]+).*?)\ue002", re.DOTALL)
"""A paragraph that shows nothing but DOCPROPERTY fields, between U+E001 and U+E002; its tag."""
SHOWS_NOTHING = frozenset(
    {"pPr", "r", "rPr", "t", "fldSimple", "fldChar", "instrText", "bookmarkStart", "bookmarkEnd"}
)
"""What a paragraph of fields only may hold outside its properties: runs, text, fields."""


def docproperty_fields(part: Any) -> str | None:
    """A header or footer with DOCPROPERTY fields, the value each shows replaced by a marker
    naming the property. Both forms of field count: ``w:fldSimple`` (as circulaire writes
    them) and begin/instrText/separate/end runs (as Word and LibreOffice save them)."""
    if not part.content_type.endswith(("header+xml", "footer+xml")):
        return None
    from lxml import etree  # type: ignore[import-untyped]

    element = copy(part.element)
    found = False
    for simple in element.iter(f"{{{W}}}fldSimple"):
        match = DOCPROPERTY.match(simple.get(f"{{{W}}}instr", ""))
        if match:
            found |= _mark_shown(list(simple.iter(f"{{{W}}}t")), match[1])
    fields: list[dict[str, Any]] = []  # the fields open at this point, innermost last
    for node in element.iter(f"{{{W}}}fldChar", f"{{{W}}}instrText", f"{{{W}}}t"):
        kind = etree.QName(node).localname
        if kind == "fldChar":
            char = node.get(f"{{{W}}}fldCharType")
            if char == "begin":
                fields.append({"instr": "", "shown": []})
            elif char == "separate" and fields:
                fields[-1]["separated"] = True
            elif char == "end" and fields:
                field_ = fields.pop()
                match = DOCPROPERTY.match(field_["instr"])
                if match:
                    found |= _mark_shown(field_["shown"], match[1])
        elif kind == "instrText" and fields:
            fields[-1]["instr"] += node.text or ""
        elif kind == "t" and fields and fields[-1].get("separated"):
            fields[-1]["shown"].append(node)
    if not found:
        return None
    for paragraph in list(element.iter(f"{{{W}}}p")):
        if _fields_only(paragraph):
            previous, parent = paragraph.getprevious(), paragraph.getparent()
            if previous is not None:
                previous.tail = (previous.tail or "") + "\ue001"
            else:
                parent.text = (parent.text or "") + "\ue001"
            paragraph.tail = "\ue002" + (paragraph.tail or "")
    text: str = etree.tostring(element, encoding="unicode")
    return DECLARATION + text


def _fields_only(paragraph: Any) -> bool:
    """Whether a paragraph shows the values of DOCPROPERTY fields (their markers) and nothing
    else: no other words, no image, no tab."""
    from lxml import etree

    markers = 0
    for node in _shown()(paragraph):
        name = etree.QName(node)
        if name.namespace != W or name.localname not in SHOWS_NOTHING:
            return False
        if name.localname == "t" and node.text:
            if not FIELD_SHOWN.fullmatch(node.text):
                return False
            markers += 1
    return markers > 0


@cache
def _shown() -> Any:
    """What a paragraph shows: every element outside its properties (compiled once: a header
    of thousands of paragraphs asked it of each)."""
    from lxml import etree

    return etree.XPath(".//*[not(ancestor::w:pPr or ancestor::w:rPr)]", namespaces={"w": W})


def filled(fields: str, values: dict[str, str]) -> str:
    """A header or footer with the letter's values in its DOCPROPERTY fields. A paragraph of
    fields only, all of the letter's properties and all empty for this letter (a letter without
    organization), is left empty and without style: no letterhead rule over nothing, as the PDF
    draws none. A field of a property circulaire does not know shows nothing, as before."""

    def paragraph(match: re.Match[str]) -> str:
        names = FIELD_SHOWN.findall(match[1])
        if all(values.get(name) == "" for name in names):
            return f"<{match[2]}/>"
        return match[1]

    text = FIELDS_ONLY.sub(paragraph, fields)
    return FIELD_SHOWN.sub(lambda m: escape(values.get(m[1], "")), text)


def _mark_shown(texts: list[Any], name: str) -> bool:
    """Put the marker of property ``name`` in the first text a field shows, empty the rest."""
    if not texts:
        return False
    texts[0].text = f"\ue000{name}\ue000"
    for extra in texts[1:]:
        extra.text = ""
    return True
