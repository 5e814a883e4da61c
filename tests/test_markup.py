"""The syntax tree walkers read is markdown-it-py's, nested: the same nodes as its own tree."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode as Reference

from circulaire.markup import INLINE_MARKERS, SyntaxTreeNode, _parser, parse

LETTERS = Path(__file__).resolve().parents[1] / "letters"

SAMPLES = [
    "Un paragraphe **gras**, *italique*, `code`, [lien](https://itu.int) et <b>html</b>.",
    "- un\n- deux\n\n  suite\n- trois\n",
    "3. trois\n4. quatre\n\n> cité\n> > deux fois\n\n# Titre\n\nTitre\n=====\n",
    "```python\ncode\n```\n\n    indenté\n\n***\n\n<div>\nbloc\n</div>\n",
    "ligne  \ndure\\\nfin &amp; ![image](a.png) <https://itu.int> [réf]\n\n[réf]: /url",
    "- \n-\n  1. imbriqué\n     - encore\n",
    "",
]


COMMONMARK = MarkdownIt("commonmark")
"""markdown-it-py as it comes, to compare with :func:`circulaire.markup._parser`."""


def _shape(node: SyntaxTreeNode | Reference) -> tuple[object, ...]:
    return (
        node.type,
        node.tag,
        node.content,
        node.hidden,
        node.map,
        dict(node.attrs),
        tuple(_shape(child) for child in node.children),
    )


def _samples() -> list[str]:
    specs = [path.read_text(encoding="utf-8") for path in sorted(LETTERS.rglob("*.yaml"))]
    return SAMPLES + specs  # a whole spec is Markdown too, of a kind


@pytest.mark.parametrize("text", _samples())
def test_the_tree_is_markdown_it_pys(text: str) -> None:
    ours, theirs = parse(text), Reference(COMMONMARK.parse(text))
    assert ours.type == theirs.type == "root"
    assert [_shape(node) for node in ours.children] == [_shape(n) for n in theirs.children]


def test_walk_visits_every_node_in_document_order() -> None:
    text = SAMPLES[0]
    ours = [node.type for node in parse(text).walk()]
    assert ours == [node.type for node in Reference(COMMONMARK.parse(text)).walk()]
    assert ours[:3] == ["root", "paragraph", "inline"]


def _tokens(parser: MarkdownIt, text: str) -> list[dict[str, object]]:
    return [token.as_dict() for token in parser.parse(text)]


@pytest.mark.parametrize("text", _samples())
def test_the_parser_gives_commonmarks_tokens(text: str) -> None:
    assert _tokens(_parser(), text) == _tokens(COMMONMARK, text)


PIECES = [*INLINE_MARKERS, *":-+@#>=~|.()0123 \t", "a", "é", "  \n", "1. ", "mailto:a@b.c"]
LINES_OF_PIECES = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(LINES_OF_PIECES)
def test_any_text_gives_commonmarks_tokens(text: str) -> None:
    """Plain text that runs past ``:`` or ``-`` changes nothing: every rule still fires."""
    assert _tokens(_parser(), text) == _tokens(COMMONMARK, text)
