"""WordprocessingML and its package, as both ends of the writer need them: the reading of the
reference document and the writing of a letter's package. Namespaces, escaping, relationships."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any
from xml.sax import saxutils

from ...errors import RenderError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot hold. Validation refuses them in a spec; a letter built in Python
could still carry one, and must then fail rather than give a file Word calls corrupt."""


def escape(text: str) -> str:
    """Text as XML character data, or a RenderError for a character XML cannot hold (what
    :func:`xml.sax.saxutils.escape` gives, without its table of extra entities)."""
    return _xml_safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """Text as a quoted XML attribute value (newlines and tabs kept as references)."""
    return saxutils.quoteattr(_xml_safe(text), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def with_properties(paragraph: str, first: str = "", last: str = "") -> str:
    """A written paragraph (``<w:p><w:pPr><w:pStyle .../>...</w:pPr>...``) with properties
    added, in the order WordprocessingML requires: ``first`` (``w:keepNext``) just after its
    style, ``last`` (``w:spacing``, ``w:jc``) after the others. Anything else (a table) is
    given back as it is."""
    if not paragraph.startswith("<w:p><w:pPr><w:pStyle"):
        return paragraph
    after_style = paragraph.index("/>") + 2
    end = paragraph.index("</w:pPr>")
    return paragraph[:after_style] + first + paragraph[after_style:end] + last + paragraph[end:]


def _xml_safe(text: str) -> str:
    bad = NOT_XML.search(text)
    if bad:
        raise RenderError(
            f"the character U+{ord(bad[0]):04X} cannot be written in a DOCX: {text[:40]!r}"
        )
    return text


def rels_name(part_name: str) -> str:
    path = PurePosixPath(part_name)
    return str(path.parent / "_rels" / f"{path.name}.rels")


def relationships(rels: list[tuple[str, str, str, bool]]) -> bytes:
    items = "".join(
        f"<Relationship Id={quoteattr(rid)} Type={quoteattr(kind)} Target={quoteattr(target)}"
        + (' TargetMode="External"/>' if external else "/>")
        for rid, kind, target, external in rels
    )
    return f'{DECLARATION}<Relationships xmlns="{PACKAGE_RELS}">{items}</Relationships>'.encode()


def copy(element: Any) -> Any:
    from copy import deepcopy

    return deepcopy(element)
