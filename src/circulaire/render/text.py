"""Letter -> plain text for e-mail: no Markdown markup left, links as "text <url>".

Lines are wrapped at :data:`WIDTH` columns (``style.text_lines: wrap``, the default): at spaces,
and between the characters of Chinese, never inside a word or an address; a list item hangs
under its first word, a table's columns are aligned within the width. ``keep`` keeps the lines
of the spec (a paragraph on one line, a soft line break a line end).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, partial
from itertools import pairwise
from typing import TYPE_CHECKING

from ..markup import TextWalker, is_tight, parse
from ..templating import render_template

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..markup import SyntaxTreeNode
    from ..model import Letter
    from . import RenderOptions

BULLET = "•"
WIDTH = 72
"""The columns of a line of plain text, as e-mail writes them."""
GAP = "  "
"""Between two columns of a table."""
_NO_BREAK_BEFORE = frozenset("，。、；：？！）」』》〉】〕…‘’“”,.;:!?)]}%·")
_NO_BREAK_AFTER = frozenset("（「『《〈【〔‘“([{")
_SPACES = re.compile("( +)")


class _Columns(dict[str, int]):
    """The columns of each character met, worked out once per process: a build wraps the
    words of every letter, and Unicode's tables cost a look-up each."""

    def __missing__(self, character: str) -> int:
        if unicodedata.category(character) in ("Mn", "Me", "Cf"):
            width = 0
        else:
            width = 2 if unicodedata.east_asian_width(character) in "WF" else 1
        self[character] = width
        return width


class _Wide(dict[str, bool]):
    """Whether a character is wide (Chinese), each worked out once per process."""

    def __missing__(self, character: str) -> bool:
        wide = self[character] = unicodedata.east_asian_width(character) in "WF"
        return wide


class _OneColumn(dict[str, bool]):
    """Whether a character takes one column and is no wide one, that a line may break beside."""

    def __missing__(self, character: str) -> bool:
        one = self[character] = _COLUMNS[character] == 1 and not _WIDE[character]
        return one


_COLUMNS = _Columns()
_WIDE = _Wide()
_ONE_COLUMN = _OneColumn()


def columns(text: str) -> int:
    """The columns ``text`` takes in a monospace font: two for a wide character (Chinese),
    none for a combining mark (Arabic vowels) or a format character."""
    if _one_column_each(text):
        return len(text)
    return sum(map(_COLUMNS.__getitem__, text))


def _one_column_each(text: str) -> bool:
    """Whether each character of ``text`` takes one column and none is wide: at once for the
    Latin scripts, whose characters all lie below the combining marks (U+0300), the soft
    hyphen (no column) apart; ASCII's control characters take one."""
    if text.isascii():
        return True
    if _ABOVE_LATIN.search(text) is None:
        return "\xad" not in text
    return all(map(_ONE_COLUMN.__getitem__, text))


_ABOVE_LATIN = re.compile("[^\x00-\u02ff]")
"""A character at or past the combining marks: one scan in C, not a comparison a character."""


def _units(word: str) -> list[str]:
    """A word cut where a line may break inside it: beside a wide character (Chinese breaks
    between characters), but never before a closing mark nor after an opening one."""
    if word.isascii() or not any(map(_WIDE.__getitem__, word)):
        return [word]
    wide = _WIDE.__getitem__
    units = [word[:1]]
    for before, character in pairwise(word):
        breaks = (wide(before) or wide(character)) and unicodedata.category(character) != "Mn"
        if breaks and character not in _NO_BREAK_BEFORE and before not in _NO_BREAK_AFTER:
            units.append(character)
        else:
            units[-1] += character
    return units


def wrap(text: str, width: int, first: str = "", rest: str = "") -> str:
    """``text`` in lines of at most ``width`` columns, broken at spaces and between Chinese
    characters, a word longer than the width (an address) left whole on a line of its own;
    ``first`` before the first line, ``rest`` before the others. A line end in ``text`` (a
    hard break) stays one."""
    lines: list[str] = []
    for given in text.split("\n"):
        line = first if not lines else rest
        if _one_column_each(given):
            lines.extend(_greedy(given, width, line, rest))
            continue
        used = columns(line)
        if used + columns(given.strip(" ")) <= width:  # it fits: its spaces within kept
            lines.append((line + given.lstrip(" ")).rstrip())
            continue
        filled, space = False, ""
        for piece in _SPACES.split(given):
            if not piece:
                continue
            if piece[0] == " ":
                space = piece
                continue
            for unit in _units(piece):
                before = space if filled else ""
                size = len(before) + columns(unit)
                if filled and used + size > width:
                    lines.append(line.rstrip())
                    line, used, before = rest, columns(rest), ""
                    size = columns(unit)
                line += before + unit
                used += size
                filled, space = True, ""
            space = ""
        lines.append(line.rstrip())
    return "\n".join(lines)


def _greedy(given: str, width: int, first: str, rest: str) -> list[str]:
    """The lines of :func:`wrap` for a line whose characters each take one column (none
    wide): each line the longest run of words, from a word to a word's end, that fits (a
    regular expression finds it), else the one word that does not; spaces between lines
    dropped, those within a line kept."""
    word = _NOT_SPACE.search(given)
    if word is None:  # spaces only
        return [first.rstrip()]
    lines, prefix = [], first
    while word is not None:
        room = width - columns(prefix)
        at = word.start()
        found = (_fitting(room) if room > 0 else _ONE_WORD).match(given, at)
        found = found or _ONE_WORD.match(given, at)
        assert found is not None  # at a word's first character
        lines.append((prefix + found[0]).rstrip())
        word, prefix = _NOT_SPACE.search(given, found.end()), rest
    return lines


@cache
def _fitting(room: int) -> re.Pattern[str]:
    """Words and the spaces between them, at most ``room`` characters, ending at a word's end."""
    if room == 1:
        return re.compile(r"[^ ](?= |\Z)")
    return re.compile(rf"[^ ](?:.{{0,{room - 2}}}[^ ])?(?= |\Z)", re.DOTALL)


_ONE_WORD = re.compile(r"[^ ]+")
_NOT_SPACE = re.compile(r"[^ ]")


class PlainText(TextWalker):
    """Markdown syntax tree -> plain text. Block methods return text without a final newline.

    ``width`` is the columns left for the block being written (a list item's content has
    fewer than its list); ``None`` keeps the lines as the spec writes them."""

    def __init__(self, width: int | None = WIDTH) -> None:
        self.width = width

    def visit_paragraph(self, node: SyntaxTreeNode) -> str:
        text = self.inline(node.children)
        return text if self.width is None else wrap(text, self.width)

    visit_heading = visit_paragraph

    def visit_bullet_list(self, node: SyntaxTreeNode) -> str:
        return self._list(node, [BULLET] * len(node.children))

    def visit_ordered_list(self, node: SyntaxTreeNode) -> str:
        start = int(node.attrs.get("start", 1))
        return self._list(node, [f"{start + i}." for i in range(len(node.children))])

    def _list(self, node: SyntaxTreeNode, markers: list[str]) -> str:
        separator = "\n" if is_tight(node) else "\n\n"
        items = []
        for marker, item in zip(markers, node.children, strict=True):
            content = self.narrower(len(marker) + 1, partial(self.blocks, item.children, separator))
            pad = " " * (len(marker) + 1)
            lines = content.split("\n")
            first = f"{marker} {lines[0]}".rstrip()
            rest = [f"{pad}{line}" if line else "" for line in lines[1:]]
            items.append("\n".join([first, *rest]))
        return separator.join(items)

    def narrower(self, by: int, write: Callable[[], str]) -> str:
        """What ``write`` writes in ``by`` columns fewer (inside an item, a quote)."""
        outer = self.width
        if outer is not None:
            self.width = max(outer - by, 1)
        try:
            return write()
        finally:
            self.width = outer

    def visit_blockquote(self, node: SyntaxTreeNode) -> str:
        content = self.narrower(2, partial(self.blocks, node.children))
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
        return "\n" if self.width is None else " "  # a paragraph wrapped is one line, reflowed

    def visit_hardbreak(self, node: SyntaxTreeNode) -> str:
        return "\n"

    def visit_table(self, node: SyntaxTreeNode) -> str:
        """Columns aligned as the Markdown asks (``:---:``), two spaces apart, the header over
        a rule; a cell's words wrapped in its column where the table would be wider than the
        text. A table that cannot fit even so is written a row at a time, each cell after
        its column's header (``Date: 14 février``)."""
        rows = [[self.inline(cell.children) for cell in row.children] for row in node.children]
        count = max(len(row) for row in rows)
        rows = [row + [""] * (count - len(row)) for row in rows]
        first = node.children[0]
        header = bool(first.attrs.get("header"))
        aligns = [str(cell.attrs.get("align", "")) for cell in first.children]
        aligns += [""] * (count - len(aligns))
        natural = [max(1, *(columns(row[c]) for row in rows)) for c in range(count)]
        least = [
            max(1, *(columns(u) for row in rows for w in row[c].split() for u in _units(w)))
            for c in range(count)
        ]
        room = None if self.width is None else self.width - len(GAP) * (count - 1)
        widths = list(natural)
        if room is not None and sum(widths) > room:
            if sum(least) > room:
                return self._records(rows, header)
            while sum(widths) > room:  # the widest column that can give gives a column
                c = max(range(count), key=lambda c: (widths[c] - least[c] > 0, widths[c]))
                widths[c] -= 1
        lines = []
        for i, row in enumerate(rows):
            cells = [wrap(text, widths[c]).split("\n") for c, text in enumerate(row)]
            for k in range(max(len(cell) for cell in cells)):
                shown = [
                    _aligned(cell[k] if k < len(cell) else "", widths[c], aligns[c])
                    for c, cell in enumerate(cells)
                ]
                lines.append(GAP.join(shown).rstrip())
            if i == 0 and header:
                lines.append(GAP.join("-" * w for w in widths))
        return "\n".join(lines)

    def _records(self, rows: list[list[str]], header: bool) -> str:
        names = rows[0] if header else [""] * len(rows[0])
        width = self.width or WIDTH
        records = []
        for row in rows[1:] if header else rows:
            lines = [
                wrap(f"{name}: {text}" if name else text, width, rest="  ")
                for name, text in zip(names, row, strict=True)
                if text
            ]
            records.append("\n".join(lines))
        return "\n\n".join(records)

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


def _aligned(text: str, width: int, align: str) -> str:
    pad = width - columns(text)
    if align == "right":
        return " " * pad + text
    if align == "center":
        return " " * (pad // 2) + text + " " * (pad - pad // 2)
    return text + " " * pad


def markdown_to_text(text: str) -> str:
    plain: str = PlainText().visit(parse(text))
    return plain


def markdown_to_kept_text(text: str) -> str:
    plain: str = PlainText(None).visit(parse(text))
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


KEPT_FILTERS = {**FILTERS, "markdown": markdown_to_kept_text}


def render(letter: Letter, options: RenderOptions) -> bytes:
    kept = letter.style.text_lines == "keep"
    filters = KEPT_FILTERS if kept else FILTERS
    text = render_template("letter.txt.j2", letter, filters, options.templates, hard_break="\n")
    if not kept:
        text = "\n".join(_wrapped(line) for line in text.split("\n"))
    return (text.rstrip() + "\n").encode("utf-8")


def _wrapped(line: str) -> str:
    """A line of the template (a subject, a closing, a recipient), wrapped; the Markdown's
    lines, already wrapped, and those that start with a space (code, a table's) are left."""
    if columns(line) <= WIDTH or line.startswith(" "):
        return line
    if line.startswith(BULLET + " "):
        return wrap(line, WIDTH, rest="  ")
    return wrap(line, WIDTH)
