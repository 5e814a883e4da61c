"""Markdown, parsed once by markdown-it-py, walked by every output format.

Each output subclasses :class:`Walker` and writes one method per node type (``paragraph``,
``bullet_list``, ``strong``...), as markdown-it-py's own renderer does. No regex Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


INLINE_MARKERS = "\n!&*<[\\]_`"
"""The characters where an inline rule of CommonMark can begin or end (line break, image,
entity, emphasis, autolink and HTML, link, escape, code span). markdown-it-py also stops
plain text at the characters its extensions use (``:``, ``-``, ``+``, ``@``...): in French
prose, at nearly every word, to try rules that cannot match there."""


@cache
def _parser() -> MarkdownIt:
    """CommonMark, whose plain text runs on to the next of :data:`INLINE_MARKERS`: the same
    tokens (``tests/test_markup.py`` checks it), a sixth faster."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark")
    parser.inline.terminator_re = re.compile(f"[{re.escape(INLINE_MARKERS)}]")
    return parser


class SyntaxTreeNode:
    """A node of the syntax tree: markdown-it-py's tokens, nested.

    It has the attributes of markdown-it-py's own ``SyntaxTreeNode`` that the walkers read
    (``type``, ``children``, ``attrs``, ``content``, ``map``, ``hidden``, ``tag``), built in
    one pass over the tokens at a third of the cost: a body is parsed on every render."""

    __slots__ = ("attrs", "children", "content", "hidden", "map", "tag", "type")

    def __init__(self, kind: str, token: Token | None = None) -> None:
        self.type = kind
        self.children: list[SyntaxTreeNode] = []
        if token is None:
            self.attrs: dict[str, str | int | float] = {}
            self.content, self.hidden, self.tag = "", False, ""
            self.map: tuple[int, int] | None = None
        else:
            self.attrs, self.content, self.hidden = token.attrs, token.content, token.hidden
            self.map = (token.map[0], token.map[1]) if token.map else None
            self.tag = token.tag

    def walk(self) -> Iterator[SyntaxTreeNode]:
        """This node, then every node under it, depth first, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.type})"


def tree(tokens: Sequence[Token]) -> SyntaxTreeNode:
    """Nest markdown-it-py's flat token stream: ``*_open`` ... ``*_close`` pairs become a node
    of type ``*`` whose children are what lies between; inline tokens hold their own."""
    root = SyntaxTreeNode("root")
    stack = [root]
    for token in tokens:
        nesting = token.nesting
        if nesting == 1:
            node = SyntaxTreeNode(token.type.removesuffix("_open"), token)
            stack[-1].children.append(node)
            stack.append(node)
        elif nesting == -1:
            stack.pop()
        else:
            node = SyntaxTreeNode(token.type, token)
            if token.children:
                node.children = tree(token.children).children
            stack[-1].children.append(node)
    return root


@lru_cache(maxsize=64)
def parse(text: str) -> SyntaxTreeNode:
    """The syntax tree of a Markdown text (``node.map`` holds source lines).

    Lint and the text, DOCX and PDF renderers each walk a letter's body: it is parsed once.
    The tree is shared, so walkers only read it."""
    return tree(_parser().parse(text))


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


@lru_cache(maxsize=1024)
def escape_markdown(text: str) -> str:
    """Spec text -> Markdown that shows exactly that text (never markup of its own).

    Brackets are escaped only where they could make a link (``](``, ``][``, ``]:``), so that
    marks such as ``[original signé]`` stay as the archive writes them. Labels, names and
    titles come back in every letter of a build: their escaped forms are kept.
    """
    text = _INLINE_SPECIAL.sub(r"\\\g<0>", text)
    if _LINK_LIKE.search(text):
        text = text.replace("[", "\\[").replace("]", "\\]")
    return _BLOCK_START.sub(r"\\\g<0>", text)
