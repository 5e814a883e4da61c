"""Markdown, parsed once by markdown-it-py, walked by every output format.

Each output subclasses :class:`Walker` and writes one method per node type (``paragraph``,
``bullet_list``, ``strong``...), as markdown-it-py's own renderer does. No regex Markdown.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.tree import SyntaxTreeNode


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


@lru_cache(maxsize=16)
def parse(text: str) -> SyntaxTreeNode:
    """The syntax tree of a Markdown text (``node.map`` holds source lines).

    Lint and the text, DOCX and PDF renderers each walk a letter's body: it is parsed once.
    The tree is shared, so walkers only read it."""
    from markdown_it.tree import SyntaxTreeNode

    return SyntaxTreeNode(_parser().parse(text))


class Walker:
    """Dispatches each node to the method named after its type; unknown types fall back."""

    def visit(self, node: SyntaxTreeNode) -> Any:
        method = getattr(self, "visit_" + node.type, None)
        if method is None:
            return self.unknown(node)
        return method(node)

    def unknown(self, node: SyntaxTreeNode) -> Any:
        raise NotImplementedError(f"{type(self).__name__} has no method for '{node.type}'")

    def inline(self, nodes: list[SyntaxTreeNode]) -> str:
        """Inline nodes, each written as text (a run of XML, of Typst, of plain text)."""
        return "".join(self.visit(node) for node in nodes)

    def visit_inline(self, node: SyntaxTreeNode) -> str:
        return self.inline(node.children)


class TextWalker(Walker):
    """A walker whose blocks are text too, separated by blank lines (plain text, Typst)."""

    def blocks(self, nodes: list[SyntaxTreeNode], separator: str = "\n\n") -> str:
        return separator.join(self.visit(node) for node in nodes)

    def visit_root(self, node: SyntaxTreeNode) -> str:
        return self.blocks(node.children)

    def visit_paragraph(self, node: SyntaxTreeNode) -> str:
        return self.inline(node.children)


def is_tight(list_node: SyntaxTreeNode) -> bool:
    """A list whose items' paragraphs are hidden is tight (no blank lines between items)."""
    for item in list_node.children:
        for child in item.children:
            if child.type == "paragraph":
                return bool(child.hidden)
    return True


def link_target(node: SyntaxTreeNode) -> str:
    href = node.attrs.get("href", "")
    return str(href)


def plain_text(node: SyntaxTreeNode) -> str:
    """The words of an inline node, without any markup."""
    if node.type in ("text", "code_inline", "html_inline"):
        return node.content
    if node.type in ("softbreak", "hardbreak"):
        return " "
    return "".join(plain_text(child) for child in node.children)


_INLINE_SPECIAL = re.compile(r"[\\`*<]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|&(?=#?\w+;)")
_LINK_LIKE = re.compile(r"\][(\[:]")
_BLOCK_START = re.compile(r"^([#>=|]|[-+*] |\d+[.)] |[-+*]$)", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """Spec text -> Markdown that shows exactly that text (never markup of its own).

    Brackets are escaped only where they could make a link (``](``, ``][``, ``]:``), so that
    marks such as ``[original signé]`` stay as the archive writes them.
    """
    text = _INLINE_SPECIAL.sub(lambda m: "\\" + m[0], text)
    if _LINK_LIKE.search(text):
        text = text.replace("[", "\\[").replace("]", "\\]")
    return _BLOCK_START.sub(lambda m: "\\" + m[0], text)
