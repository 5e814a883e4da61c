"""The body of a letter: each block's Markdown syntax tree walked into WordprocessingML
paragraphs and tables, in the reference document's styles, found by name. A letter right to
left has its paragraphs and tables right to left, and its runs marked by direction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...markup import Walker, parse
from . import signatures
from .metrics import LATIN, LIST_INDENT, MARKER_WIDTH, Face
from .scripts import LRM, directional_runs, ends_unanchored, is_latin, with_bidi
from .table import cell, table, widths
from .wordml import escape, quoteattr, with_properties

if TYPE_CHECKING:
    from ...markup import SyntaxTreeNode
    from ...model import Letter
    from .reference import Reference

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
KEPT_WITH_NEXT = frozenset({"body"})
"""Blocks whose last paragraph is kept with the next one: the closing (or the body's last
paragraph) with the first signatory."""
KEEP_WITH_NEXT = "<w:keepNext/>"
UNHYPHENATED = "<w:suppressAutoHyphens/>"
"""A list in a block of lines (the recipients) is not hyphenated, nor justified (it is set
:data:`START_ALIGNED`), as in the PDF."""
AFTER_A_TABLE = (
    '<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
    '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>'
)
"""The paragraph Word wants after a table that ends the body: 1 pt high, so that it never
takes a page of its own."""
START_ALIGNED = '<w:jc w:val="left"/>'
"""Ragged, on the side where lines start (``left`` is where a paragraph right to left starts):
the department over the date, and a list in a block of lines, as in the PDF."""
ANNEX_STYLES = ("Annex Heading", "Annex Title")
"""The first paragraphs of each annex: "Annexe 1", then its title."""
BODY_TEXT = "Body Text"
LIST_STYLES = {"bullet_list": "List Bullet", "ordered_list": "List Number"}
HYPERLINK_STYLE = "Hyperlink"
CODE_STYLE = "Verbatim Char"
CODE_BLOCK_STYLE = "Source Code"
QUOTE_STYLE = "Block Text"


@dataclass
class Run:
    """The character formatting in force while walking inline Markdown."""

    bold: int = 0
    italic: int = 0
    style: str | None = None
    latin: bool = False
    """Inside a link whose text is Latin, in a letter right to left: one run left to right."""


@dataclass
class BodyWriter(Walker):
    """Markdown syntax trees -> ``w:p`` and ``w:tbl`` elements (XML text), block by block."""

    reference: Reference
    rtl: bool = False
    """The letter is right to left (Arabic): so are its paragraphs, tables and runs."""
    east_asian: bool = False
    """The letter is in Chinese: its punctuation is set in the East Asian font (``w:hint``)."""
    face: Face = LATIN
    """The letter's text as the PDF sets it: the spaces between its signatories are in its
    ems."""
    out: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    lists: list[tuple[int, int, int, int]] = field(default_factory=list)
    """Each list: its numId, abstract numbering, level and first number."""
    run: Run = field(default_factory=Run)
    style_name: str = BODY_TEXT
    soft_line_breaks: bool = False
    justified: bool = True
    """The block is set justified, and hyphenated (body text, annexes), not ragged (lines)."""
    first_styles: list[str] = field(default_factory=list)
    page_break: bool = False
    annexes_seen: int = 0
    depth: int = 0
    missing: list[tuple[str, str]] = field(default_factory=list)
    """Styles the letter needs and the reference lacks (kind, name), in the order needed."""
    unnumbered: list[str] = field(default_factory=list)
    """List styles of the letter that the reference has without list numbering."""

    def block(self, name: str, text: str, letter: Letter) -> None:
        """One block of the template, laid out with its paragraph style."""
        first_styles = self._annex_styles(letter) if name == "annex" else []
        tree = parse(text)
        if not tree.children:
            return
        self.style_name = BLOCK_STYLES.get(name, BODY_TEXT)
        self.soft_line_breaks = name in LINE_BLOCKS
        self.justified = not self.soft_line_breaks
        self.first_styles = first_styles
        self.page_break = name == "annex"
        grouped = name == "signatures" and letter.style.marks == "grouped"
        start = len(self.out)
        if not (grouped and signatures.side_by_side(self, tree, letter)):
            self.visit(tree)
            if name == "signatures":
                signatures.space_apart(self.out, start, letter, self.face)
        if name in KEPT_WITH_NEXT and len(self.out) > start:
            self.out[-1] = with_properties(self.out[-1], first=KEEP_WITH_NEXT)
        if name == "dateline" and letter.department:
            self.out[start] = with_properties(self.out[start], last=START_ALIGNED)

    def _annex_styles(self, letter: Letter) -> list[str]:
        """The styles of the annex block's first paragraphs: an annex without a title has its
        heading alone, and its content's first paragraph stays body text."""
        at, self.annexes_seen = self.annexes_seen, self.annexes_seen + 1
        untitled = at < len(letter.annexes) and letter.annexes[at].title is None
        return list(ANNEX_STYLES[:1] if untitled else ANNEX_STYLES)

    def finished(self) -> list[str]:
        """The body; Word wants a paragraph after a table that ends it."""
        if self.out and self.out[-1].startswith("<w:tbl>"):
            self.out.append(AFTER_A_TABLE)
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
        if self.rtl:
            properties = with_bidi(properties)
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
        if not self.justified:  # the recipients: a list set ragged, as the block is
            numbered += UNHYPHENATED
        if offset:
            hanging = f'w:left="{offset + LIST_INDENT * (level + 1)}"'
            numbered += f'<w:ind {hanging} w:hanging="{MARKER_WIDTH}"/>'
        if not self.justified:
            numbered += START_ALIGNED
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

    def visit_table(self, node: SyntaxTreeNode) -> None:
        """A real table (:mod:`.table`): the header row's words bold, each cell a paragraph of
        body text aligned as its column."""
        count = max(len(row.children) for row in node.children)
        sizes = [0] * count
        for row in node.children:
            for c, child in enumerate(row.children):
                sizes[c] = max(sizes[c], len(_words(child)))
        column_widths = widths(sizes, self.reference.text_width)
        style_id = self.style(BODY_TEXT)
        rows = []
        for row in node.children:
            header = bool(row.attrs.get("header"))
            self.run.bold += header
            cells = [
                cell(
                    style_id,
                    self.inline(child.children),
                    str(child.attrs.get("align", "")),
                    self.rtl,
                    column_widths[c],
                )
                for c, child in enumerate(row.children)
            ]
            self.run.bold -= header
            cells += [cell(style_id, "", "", self.rtl, w) for w in column_widths[len(cells) :]]
            rows.append((header, cells))
        self.out.append(table(rows, column_widths, self.rtl))

    # -- inline -------------------------------------------------------------------------------

    def text_run(self, text: str) -> str:
        """The runs of a text: one, or in a letter right to left one per direction."""
        if not text:
            return ""
        if self.rtl and not self.run.latin:
            return "".join(self._run(piece, rtl) for piece, rtl in directional_runs(text))
        return self._run(text)

    def _run(self, text: str, rtl: bool = False) -> str:
        properties = []
        if self.run.style:
            properties.append(f'<w:rStyle w:val="{self.run.style}"/>')
        if self.east_asian and not text.isascii():
            properties.append('<w:rFonts w:hint="eastAsia"/>')  # “”, ：in the Chinese face
        if self.run.bold:
            properties.append("<w:b/><w:bCs/>")
        if self.run.italic:
            properties.append("<w:i/><w:iCs/>")
        if rtl:
            properties.append("<w:rtl/>")
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
        latin, self.run.latin = self.run.latin, self.rtl and is_latin(_words(node))
        try:
            text = self.inline(node.children)
            if self.run.latin and ends_unanchored(_words(node)):
                text += self._run(LRM)
            return f"{opening}{text}</w:hyperlink>"
        finally:
            self.run.style, self.run.latin = outer, latin

    def visit_image(self, node: SyntaxTreeNode) -> str:
        """A letter shows no images: an image is its alt text, whose words are its children
        (the tree leaves ``alt`` empty, as markdown-it-py does), walked into runs like any
        inline nodes: emphasis, code and links inside it keep their look."""
        return self.inline(node.children)


def _words(node: SyntaxTreeNode) -> str:
    """The text an inline node shows."""
    return "".join(child.content for child in node.walk() if child.type in ("text", "code_inline"))
