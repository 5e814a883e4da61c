"""Letter -> DOCX: each block of ``letter.j2`` as Markdown, walked into WordprocessingML.

The look comes from a reference document (``templates/reference.docx`` or ``--reference-docx``),
as with pandoc's ``--reference-doc``: its styles, numbering, page setup and headers are kept, its
body is replaced by the letter. Styles are found by name. The reference is read once per process
(python-docx) and its unchanged parts are copied as bytes, so a letter takes a few milliseconds.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import RenderError
from ...markup import Walker, parse
from ...templating import packaged_templates, render_blocks
from ..markdown import FILTERS
from .fields import docproperty_fields
from .package import assemble
from .wordml import (
    DECLARATION,
    R,
    W,
    copy,
    escape,
    quoteattr,
    relationships,
)

if TYPE_CHECKING:
    from ...markup import SyntaxTreeNode
    from ...model import Letter
    from .. import RenderOptions

BLOCK_STYLES = {
    "dateline": "Letter Date",
    "header": "Letter Header",
    "recipients": "Letter Recipients",
    "subject": "Letter Subject",
    "body": "Body Text",
    "signatures": "Letter Signature",
    "annexes": "Letter Annexes",
    "annex": "Body Text",
}
"""The paragraph style of each block of ``letter.j2``; any other block is body text."""
LINE_BLOCKS = frozenset({"dateline", "header", "recipients", "subject", "signatures"})
"""Blocks whose lines stay lines even where the spec asks for soft Markdown line breaks."""
ANNEX_STYLES = ("Annex Heading", "Annex Title")
"""The first paragraphs of each annex: "Annexe 1", then its title."""
BODY_TEXT = "Body Text"
LIST_STYLES = {"bullet_list": "List Bullet", "ordered_list": "List Number"}
HYPERLINK_STYLE = "Hyperlink"
CODE_STYLE = "Verbatim Char"
CODE_BLOCK_STYLE = "Source Code"
QUOTE_STYLE = "Block Text"
SIGNATURES_TABLE_STYLE = "Letter Signatures"
LIST_INDENT = 567
"""Left indent of a list paragraph per level (1 cm), for paragraphs that continue an item."""
BULLET_WIDTH = 397
"""Room for the bullet or number of a list item in an indented block (7 mm)."""


def render(letter: Letter, options: RenderOptions) -> bytes:
    reference = load_reference(options.reference_docx or packaged_templates() / "reference.docx")
    parts = render_blocks("letter.docx.j2", letter, FILTERS, options.templates, hard_break="  \n")
    writer = BodyWriter(reference)
    for block, text in parts:
        writer.block(block, text, letter)
    if writer.missing or writer.unnumbered:
        raise RenderError(reference.lacking(writer.missing, writer.unnumbered))
    return assemble(reference, letter, writer)


# -- the reference document -------------------------------------------------------------------


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
        raise _unreadable(path, exc) from None
    return _load(str(path), str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def _unreadable(path: Path, exc: OSError) -> RenderError:
    return RenderError(f"{path}: cannot read the reference document: {exc.strerror}")


@lru_cache(maxsize=8)
def _load(path_text: str, resolved: str, mtime_ns: int, size: int) -> Reference:
    """Read a reference document; the cache key (the file, its time and size) changes when the
    file does. Errors name the file as the user gave it."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree  # type: ignore[import-untyped]

    path = Path(path_text)
    try:
        with path.open("rb") as file:  # is_zipfile answers False for a file it cannot read
            is_zip = zipfile.is_zipfile(file)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if not is_zip:
        raise RenderError(f"{path}: not a DOCX document (a DOCX is a zip package; this is not)")
    try:
        document = docx.Document(path_text)
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


# -- the body ---------------------------------------------------------------------------------


@dataclass
class Run:
    """The character formatting in force while walking inline Markdown."""

    bold: int = 0
    italic: int = 0
    style: str | None = None


@dataclass
class BodyWriter(Walker):
    """Markdown syntax trees -> ``w:p`` and ``w:tbl`` elements (XML text), block by block."""

    reference: Reference
    out: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    lists: list[tuple[int, int, int, int]] = field(default_factory=list)
    """Each list: its numId, abstract numbering, level and first number."""
    run: Run = field(default_factory=Run)
    style_name: str = BODY_TEXT
    soft_line_breaks: bool = False
    first_styles: list[str] = field(default_factory=list)
    page_break: bool = False
    depth: int = 0
    missing: list[tuple[str, str]] = field(default_factory=list)
    """Styles the letter needs and the reference lacks (kind, name), in the order needed."""
    unnumbered: list[str] = field(default_factory=list)
    """List styles of the letter that the reference has without list numbering."""

    def block(self, name: str, text: str, letter: Letter) -> None:
        """One block of the template, laid out with its paragraph style."""
        tree = parse(text)
        if not tree.children:
            return
        self.style_name = BLOCK_STYLES.get(name, BODY_TEXT)
        self.soft_line_breaks = name in LINE_BLOCKS
        self.first_styles = list(ANNEX_STYLES) if name == "annex" else []
        self.page_break = name == "annex"
        grouped = name == "signatures" and letter.style.marks == "grouped"
        if not (grouped and self.signature_table(tree, letter)):
            self.visit(tree)

    def finished(self) -> list[str]:
        """The body; Word wants a paragraph after a table that ends it."""
        if self.out and self.out[-1].startswith("<w:tbl>"):
            self.out.append("<w:p/>")
        return self.out

    def style(self, name: str, kind: str = "paragraph") -> str:
        """The id of the style called ``name``. One the reference lacks is noted, for an error
        naming every one the letter needs, and its name stands for it until then."""
        style_id = self.reference.styles.get((kind, name.lower()))
        if style_id is None:
            if (kind, name) not in self.missing:
                self.missing.append((kind, name))
            return name
        return style_id

    def abstract_numbering(self, list_style: str) -> int:
        """The numbering of a list style; one the reference has without numbering is noted."""
        self.style(list_style)
        number = self.reference.list_numbering.get(list_style.lower())
        if number is None:
            missing = ("paragraph", list_style) in self.missing  # then named as missing
            if not missing and list_style not in self.unnumbered:
                self.unnumbered.append(list_style)
            return 0
        return number

    # -- blocks -------------------------------------------------------------------------------

    def visit_root(self, node: SyntaxTreeNode) -> None:
        for child in node.children:
            self.visit(child)

    def paragraph(self, runs: str, style: str | None = None, properties: str = "") -> None:
        if self.first_styles and self.depth == 0 and style is None:
            style = self.first_styles.pop(0)
        style_id = self.style(style or self.style_name)
        if self.page_break:
            properties = "<w:pageBreakBefore/>" + properties
            self.page_break = False
        self.out.append(
            f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/>{properties}</w:pPr>{runs}</w:p>'
        )

    def visit_paragraph(self, node: SyntaxTreeNode) -> None:
        self.paragraph(self.inline(node.children))

    def visit_heading(self, node: SyntaxTreeNode) -> None:
        self.paragraph(self.inline(node.children), f"Heading {node.tag[1:]}")

    def visit_blockquote(self, node: SyntaxTreeNode) -> None:
        outer, self.style_name = self.style_name, QUOTE_STYLE
        for child in node.children:
            self.visit(child)
        self.style_name = outer

    def visit_code_block(self, node: SyntaxTreeNode) -> None:
        lines = node.content.rstrip("\n").split("\n")
        self.paragraph(
            "<w:r><w:br/></w:r>".join(self.text_run(line) for line in lines), CODE_BLOCK_STYLE
        )

    visit_fence = visit_code_block

    def visit_html_block(self, node: SyntaxTreeNode) -> None:
        self.paragraph(self.text_run(node.content.strip("\n")))

    def visit_hr(self, node: SyntaxTreeNode) -> None:
        border = '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="auto"/></w:pBdr>'
        self.paragraph("", properties=border)

    def visit_bullet_list(self, node: SyntaxTreeNode) -> None:
        style = LIST_STYLES[node.type]
        start = int(node.attrs.get("start", 1)) if node.type == "ordered_list" else 1
        num_id = self.reference.next_num_id + len(self.lists)
        level = min(self.depth, 8)
        self.lists.append((num_id, self.abstract_numbering(style), level, start))
        numbered = f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'
        # A list in an indented block (recipients on the right) keeps the block's indent.
        offset = self.reference.indents.get(self.style(self.style_name), 0)
        indent = f'<w:ind w:left="{offset + LIST_INDENT * (level + 1)}"/>'
        if offset:
            hanging = f'w:left="{offset + LIST_INDENT * level + BULLET_WIDTH}"'
            numbered += f'<w:ind {hanging} w:hanging="{BULLET_WIDTH}"/>'
        self.depth += 1
        for item in node.children:
            children = list(item.children)
            if children and children[0].type == "paragraph":
                self.paragraph(self.inline(children.pop(0).children), style, numbered)
            else:
                self.paragraph("", style, numbered)
            for child in children:
                if child.type == "paragraph":
                    self.paragraph(self.inline(child.children), self.style_name, indent)
                else:
                    self.visit(child)
        self.depth -= 1

    visit_ordered_list = visit_bullet_list

    def signature_table(self, tree: SyntaxTreeNode, letter: Letter) -> bool:
        """Grouped marks: the signatories side by side, each under their mark, in a borderless
        table of two columns. False when the block does not hold one paragraph per mark and
        per signatory (a template override), which is then laid out as it comes."""
        signatories = letter.signatories
        marked = [s for s in signatories if s.mark]
        paragraphs = tree.children
        if len(signatories) < 2 or len(paragraphs) != len(marked) + len(signatories):
            return False
        if any(p.type != "paragraph" for p in paragraphs):
            return False
        rendered = []
        for node in paragraphs:
            outer, self.out = self.out, []
            self.visit(node)
            rendered.append("".join(self.out))
            self.out = outer
        marks = iter(rendered[: len(marked)])
        cells = [
            (next(marks) if s.mark else "") + name
            for s, name in zip(signatories, rendered[len(marked) :], strict=True)
        ]
        if len(cells) % 2:
            cells.append("<w:p/>")
        width = self.reference.text_width // 2
        rows = "".join(
            "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
            + "".join(
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{cell}</w:tc>'
                for cell in cells[i : i + 2]
            )
            + "</w:tr>"
            for i in range(0, len(cells), 2)
        )
        style_id = self.style(SIGNATURES_TABLE_STYLE, "table")
        self.out.append(
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{style_id}"/>'
            f'<w:tblW w:w="{2 * width}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
            '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
            'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr>'
            f'<w:tblGrid><w:gridCol w:w="{width}"/><w:gridCol w:w="{width}"/></w:tblGrid>'
            f"{rows}</w:tbl>"
        )
        return True

    # -- inline -------------------------------------------------------------------------------

    def text_run(self, text: str) -> str:
        if not text:
            return ""
        properties = []
        if self.run.style:
            properties.append(f'<w:rStyle w:val="{self.run.style}"/>')
        if self.run.bold:
            properties.append("<w:b/><w:bCs/>")
        if self.run.italic:
            properties.append("<w:i/><w:iCs/>")
        rpr = f"<w:rPr>{''.join(properties)}</w:rPr>" if properties else ""
        pieces = (f'<w:t xml:space="preserve">{escape(piece)}</w:t>' for piece in text.split("\t"))
        return f"<w:r>{rpr}{'<w:tab/>'.join(pieces)}</w:r>"

    def visit_text(self, node: SyntaxTreeNode) -> str:
        return self.text_run(node.content)

    visit_html_inline = visit_text

    def visit_code_inline(self, node: SyntaxTreeNode) -> str:
        outer, self.run.style = self.run.style, self.style(CODE_STYLE, "character")
        try:
            return self.text_run(node.content)
        finally:
            self.run.style = outer

    def visit_softbreak(self, node: SyntaxTreeNode) -> str:
        return "<w:r><w:br/></w:r>" if self.soft_line_breaks else self.text_run(" ")

    def visit_hardbreak(self, node: SyntaxTreeNode) -> str:
        return "<w:r><w:br/></w:r>"

    def visit_strong(self, node: SyntaxTreeNode) -> str:
        self.run.bold += 1
        try:
            return self.inline(node.children)
        finally:
            self.run.bold -= 1

    def visit_em(self, node: SyntaxTreeNode) -> str:
        self.run.italic += 1
        try:
            return self.inline(node.children)
        finally:
            self.run.italic -= 1

    def visit_link(self, node: SyntaxTreeNode) -> str:
        """A clickable link: a relationship to the target, or an anchor inside the document.
        A link to nothing (``[ici](#)``, as the archive has them) is its text only."""
        href = str(node.attrs.get("href", ""))
        if not href or href == "#":
            return self.inline(node.children)
        if href.startswith("#"):
            opening = f"<w:hyperlink w:anchor={quoteattr(href[1:])}>"
        else:
            rid = f"rIdLink{len(self.links) + 1}"
            self.links.append((rid, href))
            opening = f'<w:hyperlink r:id="{rid}" w:history="1">'
        outer, self.run.style = self.run.style, self.style(HYPERLINK_STYLE, "character")
        try:
            return f"{opening}{self.inline(node.children)}</w:hyperlink>"
        finally:
            self.run.style = outer

    def visit_image(self, node: SyntaxTreeNode) -> str:
        """A letter shows no images: an image is its alt text, whose words are its children
        (the tree leaves ``alt`` empty, as markdown-it-py does), walked into runs like any
        inline nodes: emphasis, code and links inside it keep their look."""
        return self.inline(node.children)
