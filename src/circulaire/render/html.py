"""Letter -> one self-contained HTML5 page, through the ``letter.html.j2`` template.

The page, its parts (header, address, main, footer) and its styles, for the screen and for
an A4 print, are in the template; Python only escapes spec text and walks the Markdown of
body and annexes. Every piece of spec text is escaped, the Markdown's raw HTML included:
validation refuses raw HTML and links to no web or mail address, and the walker checks each
link's target again, since a :class:`~circulaire.model.Letter` built in Python skips
validation. Images are shown by their words: the page asks nothing of any other site.
"""

from __future__ import annotations

import dataclasses
import re
from html import escape as _escape
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ..house import house
from ..markup import Walker, is_tight, link_target, linkable, parse
from ..scripts import writing
from ..templating import render_template

if TYPE_CHECKING:
    from ..markup import SyntaxTreeNode
    from ..model import Letter
    from . import RenderOptions

TEMPLATE = "letter.html.j2"
LINE_BREAK = "<br>\n"
_LINE_END = re.compile(r"\s*[\n\r\u2028\u2029]\s*")
"""A line end in a one-line text (a subject): a space, as in the other formats."""
NUMBER = re.compile("[+]?[0-9]+(?:[ \u00a0][0-9]+)+")
"""A number of several groups (``+41 22 730 6341``): in a letter written right to left, the
bidirectional algorithm would put its groups in the order of the sentence around it."""
HEADING_SHIFT = 1
"""The subject is the page's one ``<h1>``: a heading of the body or of an annex comes under
it (``#`` is ``<h2>``)."""


def escape(text: str) -> str:
    """Spec text -> HTML that shows exactly that text: ``<``, ``>``, ``&`` and ``"`` as
    references, so that it may stand in an element or in an attribute's value (the template
    quotes every value with ``"``)."""
    return _escape(text, quote=False).replace('"', "&quot;")


def inline(text: str) -> str:
    """A one-line text of the spec, escaped; its line ends are spaces."""
    return escape(_LINE_END.sub(" ", text))


def isolated(text: str) -> str:
    """Text of a letter written right to left, each number of several groups kept left to
    right (between U+2066 and U+2069, as in the PDF); characters, not elements, so that it
    may stand in an attribute's value too."""
    return NUMBER.sub(lambda m: f"\u2066{m[0]}\u2069", text)


def inline_rtl(text: str) -> str:
    return inline(isolated(text))


def _item_rtl(text: str) -> str:
    return f"<li>{inline_rtl(text)}</li>"


def _strong(markup: str) -> str:
    return f"<strong>{markup}</strong>" if markup else markup


def _mailto(address: str) -> str:
    return f'<a href="mailto:{escape(address)}">{inline(address)}</a>'


def _item(text: str) -> str:
    return f"<li>{inline(text)}</li>"


class HtmlMarkup(Walker):
    """Markdown syntax tree -> HTML elements, one method per node type, every text escaped.
    Blocks are written one after another, each on lines of its own."""

    def __init__(self, rtl: bool = False) -> None:
        self.rtl = rtl

    def blocks(self, nodes: list[SyntaxTreeNode]) -> str:
        return "\n".join([self.visit(node) for node in nodes])

    def visit_root(self, node: SyntaxTreeNode) -> str:
        return self.blocks(node.children)

    def visit_paragraph(self, node: SyntaxTreeNode) -> str:
        words = self.inline(node.children)
        return words if node.hidden else f"<p>{words}</p>"

    def visit_heading(self, node: SyntaxTreeNode) -> str:
        level = min(int(node.tag[1:]) + HEADING_SHIFT, 6)
        return f"<h{level}>{self.inline(node.children)}</h{level}>"

    def visit_bullet_list(self, node: SyntaxTreeNode) -> str:
        return f"<ul>\n{self._items(node)}\n</ul>"

    def visit_ordered_list(self, node: SyntaxTreeNode) -> str:
        start = int(node.attrs.get("start", 1))
        opening = "<ol>" if start == 1 else f'<ol start="{start}">'
        return f"{opening}\n{self._items(node)}\n</ol>"

    def _items(self, node: SyntaxTreeNode) -> str:
        tight = is_tight(node)
        items = []
        for item in node.children:
            content = self.blocks(item.children)
            if not tight and content:
                content = f"\n{content}\n"
            items.append(f"<li>{content}</li>")
        return "\n".join(items)

    def visit_table(self, node: SyntaxTreeNode) -> str:
        """A ``<table>``: the header row's cells ``<th scope="col">`` in a ``<thead>``, each
        cell aligned as its column (``:---:``), from the start of the line or its end."""
        head: list[str] = []
        body: list[str] = []
        for row in node.children:
            header = bool(row.attrs.get("header"))
            cells = []
            for cell in row.children:
                align = _ALIGN.get(str(cell.attrs.get("align", "")), "")
                shown = f' style="text-align: {align}"' if align else ""
                opening = f'<th scope="col"{shown}>' if header else f"<td{shown}>"
                closing = "</th>" if header else "</td>"
                cells.append(f"{opening}{self.inline(cell.children)}{closing}")
            (head if header else body).append(f"<tr>{''.join(cells)}</tr>")
        parts = ["<table>"]
        if head:
            parts += ["<thead>", *head, "</thead>"]
        if body:
            parts += ["<tbody>", *body, "</tbody>"]
        return "\n".join([*parts, "</table>"])

    def visit_blockquote(self, node: SyntaxTreeNode) -> str:
        return f"<blockquote>\n{self.blocks(node.children)}\n</blockquote>"

    def visit_code_block(self, node: SyntaxTreeNode) -> str:
        return f"<pre><code>{escape(node.content)}</code></pre>"

    visit_fence = visit_code_block

    def visit_hr(self, node: SyntaxTreeNode) -> str:
        return "<hr>"

    def visit_html_block(self, node: SyntaxTreeNode) -> str:
        return f"<p>{escape(node.content.rstrip(chr(10)))}</p>"  # shown as written, never HTML

    # -- inline ------------------------------------------------------------------------------

    def visit_text(self, node: SyntaxTreeNode) -> str:
        return escape(isolated(node.content) if self.rtl else node.content)

    def visit_html_inline(self, node: SyntaxTreeNode) -> str:
        return escape(node.content)

    def visit_code_inline(self, node: SyntaxTreeNode) -> str:
        return f"<code>{escape(node.content)}</code>"

    def visit_softbreak(self, node: SyntaxTreeNode) -> str:
        return "\n"

    def visit_hardbreak(self, node: SyntaxTreeNode) -> str:
        return LINE_BREAK

    def visit_strong(self, node: SyntaxTreeNode) -> str:
        return f"<strong>{self.inline(node.children)}</strong>"

    def visit_em(self, node: SyntaxTreeNode) -> str:
        return f"<em>{self.inline(node.children)}</em>"

    def visit_link(self, node: SyntaxTreeNode) -> str:
        """A real link, to a target a letter may link to (checked again here); any other
        keeps its words only."""
        text = self.inline(node.children)
        href = link_target(node)
        if not href or not linkable(unquote(href)):  # ``java%09script:`` is no address either
            return text
        title = node.attrs.get("title")
        titled = f' title="{escape(str(title))}"' if title else ""
        return f'<a href="{escape(href)}"{titled}>{text}</a>'

    def visit_image(self, node: SyntaxTreeNode) -> str:
        return self.inline(node.children)  # its words: the page loads nothing from elsewhere


_ALIGN = {"left": "start", "center": "center", "right": "end"}


def markdown_to_html(text: str) -> str:
    markup: str = HtmlMarkup().visit(parse(text))
    return markup


def markdown_to_html_rtl(text: str) -> str:
    markup: str = HtmlMarkup(rtl=True).visit(parse(text))
    return markup


FILTERS = {
    "inline": inline,
    "strong": _strong,
    "mailto": _mailto,
    "item": _item,
    "markdown": markdown_to_html,
}
RTL_FILTERS = {
    **FILTERS,
    "inline": inline_rtl,
    "item": _item_rtl,
    "markdown": markdown_to_html_rtl,
}
"""The filters of a letter written right to left (a Jinja environment of their own)."""


def render(letter: Letter, options: RenderOptions) -> bytes:
    """The page. Like a printed letter, its header, recipient and signature lines are lines
    whatever Markdown line ends the spec asks for (``line_breaks: soft``)."""
    shown = dataclasses.replace(letter, style=dataclasses.replace(letter.style, line_breaks="hard"))
    script = writing(letter.language)
    text = render_template(
        TEMPLATE,
        shown,
        RTL_FILTERS if script.rtl else FILTERS,
        options.templates,
        hard_break=LINE_BREAK,
        script=script,
        house=house(options.templates, letter.language),
    )
    return (text.rstrip() + "\n").encode("utf-8")
