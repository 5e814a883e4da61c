"""Letter -> plain text for e-mail: no Markdown markup left, links as "text <url>"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..markup import TextWalker, is_tight, parse
from ..templating import render_template

if TYPE_CHECKING:
    from ..markup import SyntaxTreeNode
    from ..model import Letter
    from . import RenderOptions

BULLET = "•"


class PlainText(TextWalker):
    """Markdown syntax tree -> plain text. Block methods return text without a final newline."""

    def visit_heading(self, node: SyntaxTreeNode) -> str:
        return self.inline(node.children)

    def visit_bullet_list(self, node: SyntaxTreeNode) -> str:
        return self._list(node, [BULLET] * len(node.children))

    def visit_ordered_list(self, node: SyntaxTreeNode) -> str:
        start = int(node.attrs.get("start", 1))
        return self._list(node, [f"{start + i}." for i in range(len(node.children))])

    def _list(self, node: SyntaxTreeNode, markers: list[str]) -> str:
        separator = "\n" if is_tight(node) else "\n\n"
        items = []
        for marker, item in zip(markers, node.children, strict=True):
            content = self.blocks(item.children, separator)
            pad = " " * (len(marker) + 1)
            lines = content.split("\n")
            first = f"{marker} {lines[0]}".rstrip()
            rest = [f"{pad}{line}" if line else "" for line in lines[1:]]
            items.append("\n".join([first, *rest]))
        return separator.join(items)

    def visit_blockquote(self, node: SyntaxTreeNode) -> str:
        content = self.blocks(node.children)
        return "\n".join(f"> {line}".rstrip() for line in content.split("\n"))

    def visit_code_block(self, node: SyntaxTreeNode) -> str:
        return "\n".join(f"    {line}" for line in node.content.rstrip("\n").split("\n"))

    visit_fence = visit_code_block

    def visit_hr(self, node: SyntaxTreeNode) -> str:
        return "* * *"

    def visit_html_block(self, node: SyntaxTreeNode) -> str:
        return node.content.rstrip("\n")

    # -- inline ------------------------------------------------------------------------------

    def visit_text(self, node: SyntaxTreeNode) -> str:
        return node.content

    visit_code_inline = visit_text
    visit_html_inline = visit_text

    def visit_softbreak(self, node: SyntaxTreeNode) -> str:
        return "\n"

    visit_hardbreak = visit_softbreak

    def visit_strong(self, node: SyntaxTreeNode) -> str:
        return self.inline(node.children)

    visit_em = visit_strong

    def visit_link(self, node: SyntaxTreeNode) -> str:
        text = self.inline(node.children)
        href = str(node.attrs.get("href", ""))
        shown = href.removeprefix("mailto:")
        if not href or href == "#" or shown == text:
            return text
        return f"{text} <{shown}>"

    def visit_image(self, node: SyntaxTreeNode) -> str:
        return self.inline(node.children)  # its alt text (the tree's ``alt`` is always empty)


def markdown_to_text(text: str) -> str:
    plain: str = PlainText().visit(parse(text))
    return plain


def _same(text: str) -> str:
    return text


def _item(text: str) -> str:
    return f"{BULLET} {text}"


FILTERS = {
    "inline": _same,
    "strong": _same,
    "mailto": _same,
    "item": _item,
    "markdown": markdown_to_text,
}


def render(letter: Letter, options: RenderOptions) -> bytes:
    text = render_template("letter.txt.j2", letter, FILTERS, options.templates, hard_break="\n")
    return (text.rstrip() + "\n").encode("utf-8")
