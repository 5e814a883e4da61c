"""Letter -> PDF: ``letter.typ.j2`` writes the letter as Typst markup, Typst typesets it.

Python only escapes spec text and turns Markdown into Typst markup; the page, the letterhead
and the look of every part are in the template. Fonts are the ones built into Typst, those a
``fonts/`` folder next to the templates holds, and those of the packages that the letter's
script needs (Arabic, Chinese: :mod:`circulaire.scripts`), never the machine's, so every
machine gives the same bytes; the PDF's dates are the letter's, never the clock's.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime, time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RenderError, UnprintableText
from ..house import house
from ..markup import TextWalker, is_tight, link_target, parse
from ..scripts import writing
from ..templating import origins, packaged_templates, render_template

if TYPE_CHECKING:
    from ..house import House
    from ..markup import SyntaxTreeNode
    from ..model import Letter
    from ..scripts import FontPackage
    from . import RenderOptions

TEMPLATE = "letter.typ.j2"
LINE_BREAK = "\\\n"
"""A Typst line break: a backslash at the end of a line."""
PDF_STANDARD = "a-2u"
"""PDF/A-2u, for archives: fonts embedded, every character mapped to Unicode (so pdftotext and
screen readers read the words), and a character the fonts cannot show is an error, never a
blank box."""
PACKAGES_FOLDER = "typst"
"""Typst packages next to the packaged templates (``typst/local/circulaire/0.1.0``), which any
template may import (``@local/circulaire:0.1.0``), a ``--templates`` folder's too: values the
same for every letter, which Typst then builds once per process rather than once per letter.
Nothing is ever downloaded."""
FONTS_FOLDER = "fonts"
"""A folder of font files next to the templates, which the template may name besides Typst's
own fonts."""
NO_FALLBACK = "#set text(fallback: false)\n"
"""The letter is set in the fonts it asks for (the template's, and Typst's monospace font for
code), and in no other. Typst would set a character they lack in any font it has that has it
(Arabic in its monospace font, Devanagari in its math font): another letter, silently. Without
fallback, the character is the asked font's blank glyph, which PDF/A refuses: an error naming
the text."""

_SPECIAL = re.compile(r"""[\\#$*_`<>@\[\]~/=+\-.:(){}|^]""")
"""Characters with a meaning in Typst markup, or in a construct they start (``//`` comments,
``--`` dashes, ``...``, ``1.`` lists, ``http://`` links, ``#f[..](..)`` arguments). Typst reads
a backslash before any of them as that character, so each is escaped wherever it stands.
Quotes stay: Typst shows them as the letter's language writes them (« », ’)."""
_LINE_END = re.compile(r"\s*[\n\r\u2028\u2029]\s*")
"""Every character Typst takes for a line end (two make a paragraph break)."""
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def escape(text: str) -> str:
    """Spec text -> Typst markup that shows exactly that text and nothing else.

    Line ends become spaces: a blank line in a subject must not start a new paragraph.
    """
    text = _LINE_END.sub(" ", _not_text(text))
    return _SPECIAL.sub(lambda m: "\\" + m[0], text)


def string(text: str) -> str:
    """Text as a Typst string literal (for metadata and link targets)."""
    text = _not_text(text)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{escaped}"'


def _not_text(text: str) -> str:
    """Control characters have no glyph; validation refuses them in a spec, and a letter built
    in Python that carries one fails here rather than printing something else."""
    found = _NOT_TEXT.search(text)
    if found:
        raise RenderError(f"character U+{ord(found[0]):04X} cannot be printed (in {text[:40]!r})")
    return text


def embedded(call: str) -> str:
    """A Typst call set in markup: ``#`` before it and ``;`` after it.

    Whatever follows a call in markup may go on with it: ``[..]`` and ``(..)`` as more
    arguments, ``.b`` as a field or a method, and a ``;`` as the end of the call, which Typst
    drops. The ``;`` written here ends the call, so the words that follow are words."""
    return f"#{call};"


def _strong(markup: str) -> str:
    return embedded(f"strong[{markup}]") if markup else markup


def _mailto(address: str) -> str:
    return embedded(f"link({string('mailto:' + address)})[{escape(address)}]")


def _item(text: str) -> str:
    return f"- {escape(text)}"


class TypstMarkup(TextWalker):
    """Markdown syntax tree -> Typst markup. Lists and other blocks are written as function
    calls (``#list(..)``, ``#enum(start: ..)``), which need no indentation and restart their
    numbering; text goes through :func:`escape`. Blocks are separated by blank lines."""

    def visit_heading(self, node: SyntaxTreeNode) -> str:
        level = int(node.tag[1:])
        return embedded(f"heading(level: {level})[{self.inline(node.children)}]")

    def visit_bullet_list(self, node: SyntaxTreeNode) -> str:
        return self._list("list", node)

    def visit_ordered_list(self, node: SyntaxTreeNode) -> str:
        start = int(node.attrs.get("start", 1))
        return self._list("enum", node, f"start: {start}, ")

    def _list(self, function: str, node: SyntaxTreeNode, arguments: str = "") -> str:
        tight = is_tight(node)
        separator = "\n" if tight else "\n\n"
        items = ", ".join(f"[{self.blocks(item.children, separator)}]" for item in node.children)
        return embedded(f"{function}({arguments}tight: {str(tight).lower()}, {items})")

    def visit_blockquote(self, node: SyntaxTreeNode) -> str:
        return embedded(f"quote(block: true)[{self.blocks(node.children)}]")

    def visit_table(self, node: SyntaxTreeNode) -> str:
        """A Typst ``table``: as many columns as the widest row, each aligned as the Markdown
        asks (``:---:``; ``start`` otherwise, the start of the line in the letter's
        direction), the header row repeated on each page, its words strong."""
        count = max(len(row.children) for row in node.children)
        first = node.children[0]
        aligns = [_ALIGN[str(cell.attrs.get("align", ""))] for cell in first.children]
        aligns += [_ALIGN[""]] * (count - len(aligns))
        rows = []
        for row in node.children:
            cells = [f"[{self.inline(cell.children)}]" for cell in row.children]
            cells += ["[]"] * (count - len(cells))
            if row.attrs.get("header"):
                strong = ", ".join(f"strong{cell}" for cell in cells)
                rows.append(f"table.header({strong})")
            else:
                rows.append(", ".join(cells))
        return embedded(
            f"table(columns: {count}, align: ({', '.join(aligns)},), {', '.join(rows)})"
        )

    def visit_code_block(self, node: SyntaxTreeNode) -> str:
        return embedded(f"raw(block: true, {string(node.content.rstrip(chr(10)))})")

    visit_fence = visit_code_block

    def visit_hr(self, node: SyntaxTreeNode) -> str:
        return embedded("line(length: 100%)")

    def visit_html_block(self, node: SyntaxTreeNode) -> str:
        return escape(node.content.rstrip("\n"))

    # -- inline ------------------------------------------------------------------------------

    def visit_text(self, node: SyntaxTreeNode) -> str:
        return escape(node.content)

    visit_html_inline = visit_text

    def visit_code_inline(self, node: SyntaxTreeNode) -> str:
        return embedded(f"raw({string(node.content)})")

    def visit_softbreak(self, node: SyntaxTreeNode) -> str:
        return "\n"

    def visit_hardbreak(self, node: SyntaxTreeNode) -> str:
        return LINE_BREAK

    def visit_strong(self, node: SyntaxTreeNode) -> str:
        return embedded(f"strong[{self.inline(node.children)}]")

    def visit_em(self, node: SyntaxTreeNode) -> str:
        return embedded(f"emph[{self.inline(node.children)}]")

    def visit_link(self, node: SyntaxTreeNode) -> str:
        text = self.inline(node.children)
        href = link_target(node)
        if not href or href.startswith("#"):
            return text  # a link to nowhere (``[ici](#)``) in the archive: its words only
        return embedded(f"link({string(href)})[{text}]")

    def visit_image(self, node: SyntaxTreeNode) -> str:
        return self.inline(node.children)  # its alt text (the tree's ``alt`` is always empty)


_ALIGN = {"": "start", "left": "start", "center": "center", "right": "end"}


def markdown_to_typst(text: str) -> str:
    markup: str = TypstMarkup().visit(parse(text))
    return markup


def markdown_to_kept_typst(text: str) -> str:
    """A body that ends the letter without a closing formula: its last paragraph sticks to
    the signatures (a sticky block), as the DOCX keeps it with them, so that no signature
    ever stands alone at the top of a page."""
    walker, tree = TypstMarkup(), parse(text)
    if not tree.children or tree.children[-1].type != "paragraph":
        return markdown_to_typst(text)
    *head, last = tree.children
    kept = embedded(f"block(sticky: true)[{walker.visit(last)}]")
    return walker.blocks(head) + "\n\n" + kept if head else kept


def typst_bytes(data: bytes) -> str:
    """Bytes as a Typst value (a logo embedded in the source, which then reads no file)."""
    try:
        return f"bytes({string(data.decode('utf-8'))})"
    except (UnicodeDecodeError, RenderError):
        return f"bytes(({', '.join(map(str, data))},))"


FILTERS: dict[str, Callable[..., str]] = {
    "typst_bytes": typst_bytes,
    "inline": escape,
    "strong": _strong,
    "mailto": _mailto,
    "item": _item,
    "markdown": markdown_to_typst,
    "markdown_kept": markdown_to_kept_typst,
    "typst_string": string,
}


def typst_source(letter: Letter, options: RenderOptions) -> str:
    """The letter as Typst markup. A printed letter's header, recipient and signature lines
    are lines whatever Markdown line ends the spec asks for (``line_breaks: soft``). Fonts
    never fall back, whatever the template (:data:`NO_FALLBACK`)."""
    printed, context = _printed(letter, options)
    markup = render_template(TEMPLATE, printed, FILTERS, options.templates, **context)
    return NO_FALLBACK + markup


def _printed(letter: Letter, options: RenderOptions) -> tuple[Letter, dict[str, Any]]:
    """The letter as printed, and what the template is told besides."""
    printed = dataclasses.replace(
        letter, style=dataclasses.replace(letter.style, line_breaks="hard")
    )
    context = {
        "hard_break": LINE_BREAK,
        "script": writing(letter.language),
        "draft": options.draft,
        "house": _house(options.templates, letter.language),
    }
    return printed, context


_packaged_templates = cache(packaged_templates)
"""The packaged templates' folder, looked up once per process rather than three times a
letter (the look-up resolves the path: a third of the Python side of a PDF)."""


@cache
def _house(user_templates: Path | None, language: str) -> House:
    """The house of a templates folder for a language, once per process (:func:`house` reads
    its settings once too, but looks up the packaged templates at each call)."""
    return house(user_templates, language)


def _written_by(letter: Letter, options: RenderOptions, line: int | None) -> str:
    """The template and line that wrote line ``line`` of the Typst source, as a message
    begins (``letter.typ.j2:40``), or the template's name when none did (the preamble)."""
    if line is None:
        return TEMPLATE
    printed, context = _printed(letter, options)
    lines = origins(TEMPLATE, printed, FILTERS, options.templates, **context)
    index = line - 1 - NO_FALLBACK.count("\n")
    origin = lines[index] if 0 <= index < len(lines) else None
    return f"{origin[0]}:{origin[1]}" if origin else TEMPLATE


def render(letter: Letter, options: RenderOptions) -> bytes:
    import typst

    source = typst_source(letter, options)
    fonts = writing(letter.language).fonts
    absent = [package for package in fonts if package.location() is None]
    root = options.templates or _packaged_templates()
    compiler = _compiler(os.getpid(), str(root), _font_folders(options.templates, fonts))
    # The letter's date is the PDF's creation date, whatever the clock says.
    timestamp = datetime.combine(letter.date, time(), tzinfo=UTC)
    try:
        pdf, warnings = compiler.compile_with_warnings(
            source.encode("utf-8"), format="pdf", timestamp=timestamp, pdf_standards=[PDF_STANDARD]
        )
    except typst.TypstError as exc:
        problem, line = _diagnostic(exc)
        if absent:  # the cause, whatever Typst says of its effect
            raise RenderError(_not_installed(letter, absent)) from None
        where = _written_by(letter, options, line)
        message = f"{where}: Typst could not typeset {letter.reference}: {problem}"
        missing = _MISSING_GLYPH.search(problem)
        if missing is None:
            raise RenderError(message) from None
        advice = (
            f"a font that has it can be shipped in {FONTS_FOLDER}/ next to the templates and"
            " named in the template's font list"
        )
        raise UnprintableText(
            f"{message}; {advice}", missing[1], f"{missing[0]}; {advice}"
        ) from None
    if warnings:
        # A missing font would silently fall back to another: a different letter.
        if absent:
            raise RenderError(_not_installed(letter, absent))
        diagnostics = [_diagnostic(warning) for warning in warnings]
        where = _written_by(letter, options, diagnostics[0][1])
        problems = "; ".join(problem for problem, _ in diagnostics)
        raise RenderError(f"{where}: Typst warns about {letter.reference}: {problems}")
    if not isinstance(pdf, bytes):
        raise RenderError(f"{TEMPLATE}: Typst returned no PDF for {letter.reference}")
    return pdf


_MISSING_GLYPH = re.compile(r'the text `"(.+?)"` could not be displayed with font `"[^"]*"`')
"""Typst's words for a character no font of the letter has (fallback is off)."""


def _diagnostic(exc: Any) -> tuple[str, int | None]:
    """Typst's message and hints, and the line of the generated source it points at (also
    returned, for the template line that wrote it)."""
    message = str(getattr(exc, "message", "") or exc)
    hints = [str(hint) for hint in getattr(exc, "hints", []) or []]
    diagnostic = str(getattr(exc, "diagnostic", "") or "")
    where = re.search(r"^\s*([0-9]+) │ (.*)$", diagnostic, re.MULTILINE)
    parts = [message]
    if where:
        parts.append(f"at line {where[1]} of the Typst source: {where[2].strip()[:120]}")
    parts.extend(f"hint: {hint}" for hint in hints)
    return "; ".join(parts), int(where[1]) if where else None


def _not_installed(letter: Letter, absent: list[FontPackage]) -> str:
    """A font the letter's script needs is not installed: which, and how to install it."""
    script = writing(letter.language).script
    fonts = "; ".join(
        f"the font {package.family} comes in the package {package.distribution}"
        f" ({package.install()})"
        for package in absent
    )
    return (
        f"{TEMPLATE}: {letter.reference} is in {script}, which needs fonts not installed: {fonts}"
    )


def _font_folders(
    user_templates: Path | None, packages: tuple[FontPackage, ...] = ()
) -> tuple[str, ...]:
    """The folders Typst takes fonts from besides its own: the templates' ``fonts/``, then
    those of the packages a letter's script needs. A letter in French loads no other font."""
    folders = [_packaged_templates() / FONTS_FOLDER]
    if user_templates is not None:
        folders.insert(0, user_templates / FONTS_FOLDER)
    found = [str(folder) for folder in folders if folder.is_dir()]
    found.extend(str(folder) for package in packages if (folder := package.location()))
    return tuple(found)


@cache
def _compiler(pid: int, root: str, font_folders: tuple[str, ...]) -> Any:
    """One Typst compiler per process, templates folder and fonts: it keeps its fonts loaded
    and its caches warm. Keyed by process id, so that a forked worker makes its own."""
    import typst

    return typst.Compiler(
        root=root,
        font_paths=list(font_folders),
        ignore_system_fonts=True,
        sys_inputs={},
        package_path=str(_packaged_templates() / PACKAGES_FOLDER),
    )
