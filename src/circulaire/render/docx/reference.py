"""The reference document: what a letter takes from it (styles, numbering, page setup, headers),
read once per process with python-docx, its unchanged parts kept as bytes to copy."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...errors import RenderError
from .fields import docproperty_fields
from .unpack import read_file, refuse_kind, repack, unpack, unreadable
from .wordml import DECLARATION, R, W, copy, relationships


@dataclass
class Part:
    """A part of the reference package, with its relationships, as bytes ready to copy."""

    name: str
    content_type: str
    data: bytes
    rels: bytes | None = None
    fields: str | None = None
    """For a header or footer showing DOCPROPERTY fields: its XML with a marker for each
    field's shown value, filled in with the letter's properties."""


@dataclass
class Reference:
    """What a letter takes from a reference document, read once per process."""

    path: Path
    document_name: str
    document_head: str
    document_tail: str
    document_rels: list[tuple[str, str, str, bool]]
    parts: list[Part]
    styles: dict[tuple[str, str], str]
    list_numbering: dict[str, int]
    """Abstract numbering of each list style that has one."""
    numbering_name: str | None
    numbering_xml: str
    next_num_id: int
    text_width: int
    """Width between the margins, in twentieths of a point: the signature table's."""
    indents: dict[str, int] = field(default_factory=dict)
    """Left indent of each paragraph style that has one, by style id, in twentieths of a point."""
    styles_by_language: dict[tuple[str, str], bytes] = field(default_factory=dict)

    def lacking(self, missing: list[tuple[str, str]], unnumbered: list[str]) -> str:
        """What a letter needs and this reference lacks, all of it in one message: styles
        (kind, name), and list styles without numbering."""
        problems = [
            f"the paragraph style '{name}' of the reference document has no list numbering"
            for name in unnumbered
        ]
        if missing:
            styles = [f"no {kind} style '{name}'" for kind, name in missing]
            listed = ", ".join(styles[:-1]) + " and " + styles[-1] if styles[1:] else styles[0]
            problems.insert(0, f"the reference document has {listed}")
        return f"{self.path}: " + "; ".join(problems)

    def styles_in(self, part: Part, language: str) -> bytes:
        """The styles part with the letter's language as the text's (spelling, hyphenation)."""
        key = (part.name, language)
        if key not in self.styles_by_language:
            self.styles_by_language[key] = _with_language(part.data, language)
        return self.styles_by_language[key]


def load_reference(path: Path) -> Reference:
    try:
        stat = path.stat()
    except OSError as exc:
        raise unreadable(path, exc) from None
    refuse_kind(path, stat.st_mode)  # before the cache: /dev/zero's time and size never change
    return _load(str(path), str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(path_text: str, resolved: str, mtime_ns: int, size: int) -> Reference:
    """Read a reference document; the cache key (the file, its time and size) changes when the
    file does. Errors name the file as the user gave it."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree  # type: ignore[import-untyped]

    path = Path(path_text)
    package = repack(unpack(path, read_file(path)))
    try:
        document = docx.Document(io.BytesIO(package))
        return _read(path, document)
    except RenderError:
        raise
    except (PackageNotFoundError, KeyError) as exc:  # a zip without a DOCX's parts
        raise RenderError(f"{path}: not a DOCX document: {exc}") from None
    except zipfile.BadZipFile as exc:
        raise RenderError(f"{path}: a damaged zip package: {exc}") from None
    except etree.XMLSyntaxError as exc:
        message = f"a part of this DOCX is not well-formed XML: {exc}"
        raise RenderError(f"{path}: {message}") from None
    except ValueError as exc:  # python-docx: "file '…' is not a Word file, content type is …"
        raise RenderError(f"{path}: not a Word document: {exc}") from None
    except Exception as exc:  # what python-docx and lxml raise besides: say what it is
        kind = type(exc).__name__
        raise RenderError(f"{path}: cannot read the reference document ({kind}: {exc})") from None


def _read(path: Path, document: Any) -> Reference:
    main = document.part
    head, tail = _document_frame(document)
    numbering_name, numbering_xml, num_to_abstract = _numbering_of(main)
    styles, list_numbering, indents = _styles_of(document, num_to_abstract)
    return Reference(
        path=path,
        document_name=str(main.partname).lstrip("/"),
        document_head=DECLARATION + head,
        document_tail=tail,
        document_rels=[
            (rid, rel.reltype, rel.target_ref, rel.is_external) for rid, rel in main.rels.items()
        ],
        parts=_parts_of(main),
        styles=styles,
        list_numbering=list_numbering,
        numbering_name=numbering_name,
        numbering_xml=numbering_xml,
        next_num_id=max(num_to_abstract, default=0) + 1,
        text_width=_text_width(document),
        indents=indents,
    )


def _document_frame(document: Any) -> tuple[str, str]:
    """The main part's XML before and after the body's content: its namespaces, and the
    reference's page setup (the last ``w:sectPr``), which the letter keeps."""
    from lxml import etree

    sections = document.element.body.findall(f"{{{W}}}sectPr")
    section = copy(sections[-1]) if sections else etree.Element(f"{{{W}}}sectPr")
    root = etree.Element(f"{{{W}}}document", nsmap={**document.element.nsmap, "w": W, "r": R})
    for key, value in document.element.attrib.items():
        root.set(key, value)
    body = etree.SubElement(root, f"{{{W}}}body")
    body.append(etree.Comment("body"))
    body.append(section)
    head, tail = etree.tostring(root, encoding="unicode").split("<!--body-->")
    return head, tail


def _numbering_of(main: Any) -> tuple[str | None, str, dict[int, int]]:
    """The numbering part's name and XML, and the abstract numbering of each ``w:num``."""
    from lxml import etree

    for rel in main.rels.values():
        if rel.reltype == f"{R}/numbering" and not rel.is_external:
            numbering = rel.target_part.element
            nums = {
                int(num.get(f"{{{W}}}numId")): int(abstract.get(f"{{{W}}}val"))
                for num in numbering.findall(f"{{{W}}}num")
                if (abstract := num.find(f"{{{W}}}abstractNumId")) is not None
            }
            name = str(rel.target_part.partname).lstrip("/")
            return name, etree.tostring(numbering, encoding="unicode"), nums
    return None, "", {}


def _styles_of(
    document: Any, num_to_abstract: dict[int, int]
) -> tuple[dict[tuple[str, str], str], dict[str, int], dict[str, int]]:
    """Style ids by kind and lower-case name, the abstract numbering of list styles, and the
    left indent of indented paragraph styles."""
    kinds = {1: "paragraph", 2: "character", 3: "table"}
    styles: dict[tuple[str, str], str] = {}
    list_numbering: dict[str, int] = {}
    indents: dict[str, int] = {}
    for style in document.styles:
        kind = kinds.get(int(style.type))
        if kind is None or not style.name:
            continue
        styles.setdefault((kind, style.name.lower()), style.style_id)
        if kind != "paragraph":
            continue
        if style.paragraph_format.left_indent:
            indents[style.style_id] = style.paragraph_format.left_indent // 635
        num_id = _style_num_id(style)
        if num_id is not None and num_id in num_to_abstract:
            list_numbering[style.name.lower()] = num_to_abstract[num_id]
    return styles, list_numbering, indents


def _parts_of(main: Any) -> list[Part]:
    """Every part the main part reaches (styles, numbering, headers, images...), by name.
    Package-level parts (app properties, thumbnail) are left out: they would speak of the
    reference document, not of the letter."""
    parts: list[Part] = []
    seen = {str(main.partname)}
    pending = [rel.target_part for rel in main.rels.values() if not rel.is_external]
    while pending:
        part = pending.pop(0)
        if str(part.partname) in seen:
            continue
        seen.add(str(part.partname))
        rels = [
            (rid, rel.reltype, rel.target_ref, rel.is_external) for rid, rel in part.rels.items()
        ]
        pending.extend(rel.target_part for rel in part.rels.values() if not rel.is_external)
        parts.append(
            Part(
                name=str(part.partname).lstrip("/"),
                content_type=part.content_type,
                data=part.blob,
                rels=relationships(rels) if rels else None,
                fields=docproperty_fields(part),
            )
        )
    return sorted(parts, key=lambda p: p.name)


def _text_width(document: Any) -> int:
    """Width between the margins of the last section (twips); 6.5 in when it says nothing."""
    section = document.sections[-1] if len(document.sections) else None
    if section is None or not section.page_width or section.left_margin is None:
        return 9360
    width = section.page_width - section.left_margin - (section.right_margin or 0)
    return max(int(width) // 635, 1440)


def _style_num_id(style: Any) -> int | None:
    """The numbering of a paragraph style, its own or inherited from the style it is based on."""
    while style is not None:
        ppr = style.element.pPr
        if ppr is not None and ppr.numPr is not None and ppr.numPr.numId is not None:
            return int(ppr.numPr.numId.val)
        style = style.base_style
    return None


def _with_language(styles: bytes, language: str) -> bytes:
    """Styles whose default text language (``w:docDefaults``) is ``language``; the same bytes
    when it already is."""
    from lxml import etree

    root = etree.fromstring(styles)
    path = ["docDefaults", "rPrDefault", "rPr", "lang"]
    element = root
    for name in path:
        child = element.find(f"{{{W}}}{name}")
        if child is None:
            child = etree.SubElement(element, f"{{{W}}}{name}")
            if name == "docDefaults":
                root.insert(0, root[-1])  # docDefaults comes first among the styles
        element = child
    if element.get(f"{{{W}}}val") == language:
        return styles
    element.set(f"{{{W}}}val", language)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return data
