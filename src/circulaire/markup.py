"""Markdown, parsed once by pulldown-cmark (through pyromark), walked by every output format.

The tree has markdown-it-py's shape and names (``paragraph``, ``inline``, ``bullet_list``,
``strong``...): each output subclasses :class:`Walker` and writes one method per node type. No
regex Markdown. Links are normalized and checked by markdown-it-py's own functions, so that a
link's target is what markdown-it-py would make of it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, ClassVar

_LEAVES = {
    "Code": ("code_inline", "code"),
    "InlineHtml": ("html_inline", ""),
    "SoftBreak": ("softbreak", "br"),
    "HardBreak": ("hardbreak", "br"),
    "Rule": ("hr", "hr"),
}
"""pulldown-cmark's events that stand alone, as a node type and tag."""
_CONTAINERS = {
    "Paragraph": ("paragraph", "p"),
    "Item": ("list_item", "li"),
    "BlockQuote": ("blockquote", "blockquote"),
    "HtmlBlock": ("html_block", ""),
    "Emphasis": ("em", "em"),
    "Strong": ("strong", "strong"),
    "TableRow": ("tr", "tr"),
}
"""Its events that open a node and only name it."""
_BLOCKS = {
    "Paragraph",
    "Heading",
    "List",
    "Item",
    "BlockQuote",
    "CodeBlock",
    "HtmlBlock",
    "Table",
}
"""Its elements that end a tight item's words (a rule does too: see :meth:`_TreeBuilder.leaf`)."""
_LISTS = {"bullet_list", "ordered_list"}
MAX_NESTING = 20
"""Lists and quotes nested deeper than this (markdown-it-py's bound too) are laid out at this
depth, their words kept: the walkers recurse once per level, Typst gives up on quotes deeper
than about 16, and a letter has no use for more."""
_WITH_INLINE = {"paragraph", "heading", "th", "td"}
"""Nodes whose words sit in an ``inline`` child, as markdown-it-py nests them."""
_AS_TEXT = {"code_block", "fence", "html_block"}
"""Nodes that keep their text as ``content``, not as children."""


class SyntaxTreeNode:
    """A node of the syntax tree, with the attributes of markdown-it-py's own ``SyntaxTreeNode``
    that the walkers read: ``type``, ``tag``, ``children``, ``attrs``, ``content`` (the text of
    a leaf: ``text``, ``code_inline``, ``html_inline``, ``code_block``, ``fence``,
    ``html_block``) and ``hidden`` (the paragraphs of a tight list)."""

    __slots__ = ("attrs", "children", "content", "hidden", "tag", "type")

    def __init__(
        self, kind: str, tag: str = "", content: str = "", attrs: dict[str, Any] | None = None
    ) -> None:
        self.type = kind
        self.tag = tag
        self.content = content
        self.attrs: dict[str, str | int | float] = {} if attrs is None else attrs
        self.children: list[SyntaxTreeNode] = []
        self.hidden = False

    def walk(self) -> Iterator[SyntaxTreeNode]:
        """This node, then every node under it, depth first, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.type})"


@cache
def _links() -> tuple[Callable[[str], str], Callable[[str], str], Callable[[str], bool]]:
    """markdown-it-py's link functions: percent-encode a target, show an autolink, refuse a
    ``javascript:`` target. Loaded with the first link; a target that comes back (``#``, the
    secretariat's addresses) is worked out once."""
    from markdown_it import MarkdownIt

    commonmark = MarkdownIt("commonmark")
    normalize, shown = commonmark.normalizeLink, commonmark.normalizeLinkText
    return (
        lru_cache(1024)(normalize),
        lru_cache(1024)(shown),
        lru_cache(1024)(commonmark.validateLink),
    )


def _href(link: dict[str, str]) -> str | None:
    """The target of a pulldown-cmark link or image as markdown-it-py makes it (percent-encoded,
    ``mailto:`` before an e-mail autolink); ``None`` for one it refuses (``javascript:``,
    ``vbscript:``, ``file:``, ``data:`` but images)."""
    normalize, _, valid = _links()
    target = link["dest_url"]
    href = normalize("mailto:" + target if link["link_type"] == "Email" else target)
    return href if valid(href) else None


class _TreeBuilder:
    """pulldown-cmark's events -> the tree. Open nodes are on a stack; the words of a
    paragraph or heading go into its ``inline`` child; a tight list's items hold their words
    directly, so a hidden paragraph is opened for them, as markdown-it-py has it."""

    def __init__(self) -> None:
        self.root = SyntaxTreeNode("root")
        self.stack = [self.root]
        self.columns: list[str] = []
        """The alignment of each column of the table being read."""

    def open(self, node: SyntaxTreeNode) -> None:
        self.stack[-1].children.append(node)
        self.stack.append(node)
        if node.type in _WITH_INLINE:
            inline = SyntaxTreeNode("inline")
            node.children.append(inline)
            self.stack.append(inline)

    def close(self) -> SyntaxTreeNode:
        node = self.stack.pop()
        if node.type == "inline":
            _strip_edges(node)
            node = self.stack.pop()
        return node

    def words(self) -> SyntaxTreeNode:
        """The node inline content goes into, opening a tight item's hidden paragraph."""
        top = self.stack[-1]
        if top.type in ("list_item", "blockquote", "root"):
            paragraph = SyntaxTreeNode("paragraph", "p")
            paragraph.hidden = True
            self.open(paragraph)
            return self.stack[-1]
        return top

    def end_words(self) -> None:
        """A block starts or an item ends: close a tight item's hidden paragraph."""
        if self.stack[-1].type == "inline" and self.stack[-2].hidden:
            self.close()

    def text(self, value: str) -> None:
        top = self.stack[-1]
        if top.type in _AS_TEXT:
            top.content += value
            return
        children = self.words().children
        if children and children[-1].type == "text":  # run on: no node made for it
            children[-1].content += value
        else:
            children.append(SyntaxTreeNode("text", "", value))

    def start(self, tag: Any) -> None:
        name, value = _split(tag)
        if name in _BLOCKS:
            self.end_words()
        elif self.stack[-1].type not in _AS_TEXT:
            self.words()
        deep = name in ("List", "BlockQuote") and len(self.stack) > MAX_NESTING
        if deep or (name == "Item" and self.stack[-1].type not in _LISTS):
            self.stack.append(self.stack[-1])  # too deep: its content goes where it stands
            return
        if name in _CONTAINERS:
            self.open(SyntaxTreeNode(*_CONTAINERS[name]))
        elif name == "Heading":
            self.open(SyntaxTreeNode("heading", f"h{value['level'][1:]}"))
        elif name == "List":
            if value is None:
                self.open(SyntaxTreeNode("bullet_list", "ul"))
            else:  # markdown-it-py gives the start of a list only when it is not 1
                start = {"start": value} if value != 1 else {}
                self.open(SyntaxTreeNode("ordered_list", "ol", "", start))
        elif name == "CodeBlock":
            fenced = value != "Indented"
            self.open(SyntaxTreeNode("fence" if fenced else "code_block", "code"))
        elif name in ("Link", "Image"):
            self.link(name, value)
        elif name == "Table":
            self.columns = [_ALIGNMENTS[a] for a in value]
            self.open(SyntaxTreeNode("table", "table"))
        elif name == "TableHead":
            self.open(SyntaxTreeNode("tr", "tr", "", {"header": 1}))
        elif name == "TableCell":
            row = self.stack[-1]
            kind = "th" if row.attrs.get("header") else "td"
            align = self.columns[len(row.children)] if len(row.children) < len(self.columns) else ""
            self.open(SyntaxTreeNode(kind, kind, "", {"align": align} if align else {}))
        else:
            raise ValueError(f"unexpected Markdown element {name}")

    def link(self, name: str, value: dict[str, str]) -> None:
        """A link or an image; one to a target markdown-it-py refuses (``javascript:``,
        ``vbscript:``, ``file:``, ``data:`` but images) keeps its words and loses its target."""
        automatic = value["link_type"] in ("Autolink", "Email")
        href = _href(value)
        if href is None:  # a node of its own while open, whose content is the brackets
            self.stack.append(SyntaxTreeNode("words", "", "<>" if automatic else ""))
            return
        if name == "Image":
            node = SyntaxTreeNode("image", "img", "", {"src": href, "alt": ""})
        else:
            node = SyntaxTreeNode("link", "a", "", {"href": href})
        if value["title"]:
            node.attrs["title"] = value["title"]
        self.open(node)
        if automatic:  # its words are shown as markdown-it-py shows them
            self.stack.append(SyntaxTreeNode("autolink"))

    def end(self, tag: Any) -> None:
        if tag == "Item":  # pulldown-cmark ends an item by its name alone
            self.end_words()
        top = self.stack[-1]
        if top.type == "words":  # a refused link: its words go where it stood
            self.stack.pop()
            brackets = top.content  # an autolink's, as it was written
            for child in [SyntaxTreeNode("text", "", brackets[:1]), *top.children]:
                self.add(child)
            self.add(SyntaxTreeNode("text", "", brackets[1:]))
            return
        if top.type == "autolink":
            self.stack.pop()
            shown = _links()[1]("".join(child.content for child in top.children))
            self.stack[-1].children.append(SyntaxTreeNode("text", "", shown))
        node = self.close()
        if node.type == "code_block" and not node.content.endswith("\n"):
            node.content += "\n"

    def add(self, node: SyntaxTreeNode) -> None:
        """An inline node, its text run on with the text before it."""
        children = self.words().children
        if node.type == "text" and children and children[-1].type == "text":
            children[-1].content += node.content
        else:
            children.append(node)

    def leaf(self, name: str, value: str = "") -> None:
        if name not in _LEAVES:
            raise ValueError(f"unexpected Markdown element {name}")
        kind, tag = _LEAVES[name]
        if name == "Rule":
            self.end_words()
            self.stack[-1].children.append(SyntaxTreeNode(kind, tag))
            return
        self.add(SyntaxTreeNode(kind, tag, value))


_ALIGNMENTS = {"None": "", "Left": "left", "Center": "center", "Right": "right"}
"""A column's alignment (``:---``, ``:---:``, ``---:``) as a cell's ``align`` attribute."""
OPTIONS: Any = None
"""pulldown-cmark's options for a letter's Markdown: CommonMark and GFM's pipe tables."""


def _options() -> Any:
    global OPTIONS
    if OPTIONS is None:
        import pyromark

        OPTIONS = pyromark.Options.ENABLE_TABLES
    return OPTIONS


def _readers() -> Any:
    """The options of a reader of the published Markdown (GitHub's GFM): what it would show
    that the letter's other formats do not is found with them."""
    import pyromark

    options = pyromark.Options
    return (
        options.ENABLE_TABLES
        | options.ENABLE_FOOTNOTES
        | options.ENABLE_STRIKETHROUGH
        | options.ENABLE_TASKLISTS
        | options.ENABLE_GFM
    )


_BREAKS = ("softbreak", "hardbreak")


def _strip_edges(inline: SyntaxTreeNode) -> None:
    """A paragraph's or heading's words without white space at either end, non-breaking space
    and tabs included, nor the line breaks it leaves there, as markdown-it-py has them
    (CommonMark strips spaces only)."""
    children = inline.children
    while children and (_blank(children[0]) or children[0].type == "softbreak"):
        del children[0]  # a hard break here may be a backslash's, which markdown-it-py keeps
    while children and (_blank(children[-1]) or children[-1].type in _BREAKS):
        del children[-1]
    if children and children[0].type == "text":
        children[0].content = children[0].content.lstrip()
    if children and children[-1].type == "text":
        children[-1].content = children[-1].content.rstrip()


def _blank(node: SyntaxTreeNode) -> bool:
    return node.type == "text" and not node.content.strip()


def _split(tag: Any) -> tuple[str, Any]:
    """``'Paragraph'`` -> ``('Paragraph', None)``; ``{'List': 3}`` -> ``('List', 3)``."""
    if isinstance(tag, str):
        return tag, None
    for name, value in tag.items():
        return name, value
    raise ValueError("an empty Markdown tag")


def tree(text: str) -> SyntaxTreeNode:
    """The syntax tree of a Markdown text, from pulldown-cmark's events (CommonMark and
    GFM's pipe tables, no other extension)."""
    import pyromark

    builder = _TreeBuilder()
    events: Iterable[Any] = pyromark.events(text, options=_options())
    for event in events:
        if isinstance(event, str):
            builder.leaf(event)
            continue
        for kind, value in event.items():
            if kind == "Text":
                builder.text(value)
            elif kind == "Start":
                builder.start(value)
            elif kind == "End":
                builder.end(value)
            elif kind == "Html":
                builder.stack[-1].content += value
            else:
                builder.leaf(kind, value)
    return builder.root


class _Offsets:
    """The offset in characters of a byte offset of pulldown-cmark's, which counts UTF-8 bytes.
    Each is counted from the nearest one asked before it, so that offsets asked about in the
    order of the text, or nearly (a link's start, then a reference inside it), cost one pass."""

    def __init__(self, text: str) -> None:
        self.encoded = text.encode("utf-8")
        self.bytes = [0]
        self.characters = [0]

    def __call__(self, at: int) -> int:
        i = bisect_right(self.bytes, at) - 1
        counted = self.characters[i] + len(self.encoded[self.bytes[i] : at].decode("utf-8"))
        if i == len(self.bytes) - 1:
            self.bytes.append(at)
            self.characters.append(counted)
        return counted


def link_spans(text: str) -> list[tuple[int, int]]:
    """Where each link of the tree of ``text`` starts and ends in ``text``, in the order of
    its walk.

    The tree keeps no offsets, which a letter's outputs never need: this parses the text again,
    for a message about a link only."""
    import pyromark

    characters = _Offsets(text)
    spans: list[tuple[int, int]] = []
    for event, span in pyromark.events_with_range(text, options=_options()):
        start = event.get("Start") if isinstance(event, dict) else None
        if not isinstance(start, dict) or "Link" not in start:
            continue
        if _href(start["Link"]) is not None:  # a link the tree keeps
            spans.append((characters(span["start"]), characters(span["end"])))
    return spans


def empty_items(text: str) -> list[int]:
    """Where each empty list item of ``text`` (``-`` alone on its line) has its marker, in
    characters. Like :func:`link_spans`, a second parse, for a warning only."""
    import pyromark

    characters = _Offsets(text)
    found: list[int] = []
    opened: int | None = None
    for event, span in pyromark.events_with_range(text, options=_options()):
        if event == {"Start": "Item"}:
            opened = span["start"]
            continue
        if event == {"End": "Item"} and opened is not None:
            found.append(characters(opened))
        opened = None
    return found


LINKABLE = frozenset({"http", "https", "mailto"})
"""The schemes a letter may link to; a target without a scheme (``#annexe``, ``page.html``)
stays on the site that publishes the letter."""
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_NOT_IN_URL = str.maketrans("", "", "\t\n\r")
"""What a browser drops anywhere in a URL (``java&#x09;script:`` is ``javascript:``); it also
strips the control characters and spaces before one."""
_BEFORE_URL = "".join(map(chr, range(0x21)))
_REFERENCE = re.compile(r"&#(?:([0-9]{1,7})|[xX]([0-9A-Fa-f]{1,6}));")


@dataclass(frozen=True)
class Unsafe:
    """Markdown that the outputs of a letter would not all show alike, and where it starts."""

    offset: int
    """In characters of the text."""
    kind: str
    """``character``: a character reference makes ``value``; ``html``: ``written`` is raw
    HTML; ``link`` or ``image``: its target is ``written``, its words ``value`` (an image is
    refused whatever its target); one of :data:`REFUSED_CONSTRUCTS`: ``written`` is it."""
    written: str
    value: str = ""


def unsafe(text: str, refused: re.Pattern[str]) -> list[Unsafe]:
    """What of a Markdown text its outputs would not show alike, read as the parser reads it:
    a character reference to a character that ``refused`` matches (``&#x1F;``: the text holds
    it, DOCX and PDF cannot); raw HTML (the Markdown publishes it, DOCX and PDF drop it); a
    link or image whose target is no http:, https: or mailto: address nor a relative one
    (``javascript:``, ``data:``). pulldown-cmark's events show the last two
    (:func:`_flagged`); the first needs ``&#`` in the text. Only then is the text read again,
    to find where each stands."""
    if "&#" not in text and not _gfm(text) and (_unlinked(text) or not _flagged(text)):
        return []
    return _unsafe(text, refused)


_IN_SCHEME = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
"""The characters of a URL's scheme (``mailto``, ``svn+ssh``)."""


def _unlinked(text: str) -> bool:
    """Whether ``text`` cannot hold what :func:`_flagged` looks for, seen in its characters
    alone: raw HTML needs a ``<``, but for an autolink to a web or mail address
    (``<https:``); an image needs a ``![``; a link to an address a letter may not link to
    needs a ``]`` and a scheme's ``:`` after other letters than ``http``, ``https`` or
    ``mailto``, where a link's target may start: after a ``(``, a ``:`` or a space, a
    letter first (``Connect 2030:`` is none); an entity (``&colon;``) or an escape (``\\:``,
    ``\\.``), or a tab or a line break, which a browser drops, may make one. A body with
    links to the secretariat's mail and web addresses, and colons in its sentences, is not
    parsed for them."""
    if "&" in text or "![" in text:
        return False
    at = text.find("<")
    while at >= 0:
        end = at + 1
        while end < len(text) and text[end] in _IN_SCHEME:
            end += 1
        if not text.startswith(":", end) or text[at + 1 : end].lower() not in LINKABLE:
            return False
        at = text.find("<", end)
    if "]" not in text:
        return True
    at = text.find(":")
    while at >= 0:
        start = at
        while start and text[start - 1] in _IN_SCHEME:
            start -= 1
        if start == at:
            if at and text[at - 1] in "\\\t\r\n":
                return False
        elif text[start:at].lower() not in LINKABLE:
            before = text[start - 1] if start else " "
            if before in "(: ":
                if text[start].isalpha():  # a target's scheme, not "Connect 2030:"
                    return False
            elif before == "\\" or before < " " or before.isspace():  # one that runs on
                return False
        at = text.find(":", at + 1)
    return True


def _flagged(text: str) -> bool:
    """Whether ``text`` holds raw HTML, an image, or a link to no web or mail address, from
    pulldown-cmark's events alone: a letter rendered to Markdown alone never builds the tree
    (nor loads markdown-it-py, which a link's target needs), and a letter that has none of
    them is not read again."""
    import pyromark

    for event in pyromark.events(text, options=_options()):
        if isinstance(event, str):
            continue
        for kind, value in event.items():
            if kind == "InlineHtml" or (kind == "Start" and value == "HtmlBlock"):
                return True
            if kind == "Start" and isinstance(value, dict):
                for name, link in value.items():
                    if name == "Image" or (
                        name == "Link"
                        and link["link_type"] != "Email"
                        and not linkable(link["dest_url"])
                    ):
                        return True
    return False


def _unsafe(text: str, refused: re.Pattern[str]) -> list[Unsafe]:
    """:func:`unsafe`, found in pulldown-cmark's events, with their place in the text."""
    import pyromark

    found: list[Unsafe] = []
    characters = _Offsets(text)
    links: list[tuple[int, str, str, list[str]]] = []  # open links: start, kind, target, words
    events: Iterable[tuple[Any, Any]] = pyromark.events_with_range(text, options=_readers())
    for event, span in events:
        if not isinstance(event, dict):  # a break, a rule
            if links and event in ("SoftBreak", "HardBreak"):
                links[-1][3].append(" ")
            continue
        for kind, value in event.items():
            construct = _construct(kind, value)
            if construct:
                at = characters(span["start"])
                found.append(Unsafe(at, construct, text[at : characters(span["end"])]))
            elif kind in ("Text", "Code"):
                if links:
                    links[-1][3].append(value)
                bad = refused.search(value) if kind == "Text" else None
                if bad:  # made by a reference: a raw one is refused in the spec's text
                    found.append(_made(text, characters, span, bad[0]))
            elif kind == "InlineHtml" or (kind == "Start" and value == "HtmlBlock"):
                at = characters(span["start"])
                found.append(Unsafe(at, "html", text[at : characters(span["end"])]))
            elif kind == "Start" and isinstance(value, dict):
                name, link = next(iter(value.items()))
                if name not in ("Link", "Image"):
                    continue
                for decoded in (link["dest_url"], link["title"]):
                    bad = refused.search(decoded)
                    if bad:
                        found.append(_made(text, characters, span, bad[0]))
                target = link["dest_url"]
                if name == "Image":  # refused whatever its target
                    links.append((characters(span["start"]), "image", target, []))
                elif link["link_type"] != "Email" and not linkable(target):
                    at = characters(span["start"])
                    links.append((at, name.lower(), target, []))
                else:
                    links.append((-1, "", "", []))
            elif kind == "End" and value in ("Link", "Image") and links:
                at, what, target, words = links.pop()
                if links:
                    links[-1][3].extend(words)
                if at >= 0:
                    found.append(Unsafe(at, what, target, "".join(words)))
    return found


_TASK = re.compile(r"^[ \t>]*(?:(?:[-+*]|[0-9]{1,9}[.)])[ \t]+)+\[[ xX]\]", re.MULTILINE)
_BOX = re.compile(r"\[[ xX]\]")
"""A task's box, without which no line is a task: the regular expression engine finds it
fast, where it would try :data:`_TASK`'s start at every character."""


def _gfm(text: str) -> bool:
    """Whether ``text`` may hold a construct of GFM that only the published Markdown would show
    (a strikethrough, a footnote, an alert, a task): the text is read again only when it holds
    one. Literal substrings first: one pattern for all four cost more than the check itself."""
    return (
        "~" in text
        or "[^" in text
        or "[!" in text
        or (_BOX.search(text) is not None and _TASK.search(text) is not None)
    )


REFUSED_CONSTRUCTS = ("footnote", "strikethrough", "task", "alert")
"""The kinds of :class:`Unsafe` that GFM's readers show and the other formats could not."""


def _construct(kind: str, value: Any) -> str:
    """The construct of GFM an event starts, that the letter's formats do not show, or ``""``."""
    if kind == "FootnoteReference":
        return "footnote"
    if kind == "TaskListMarker":
        return "task"
    if kind != "Start":
        return ""
    if value == "Strikethrough":
        return "strikethrough"
    name, argument = _split(value)
    if name == "FootnoteDefinition":
        return "footnote"
    if name == "BlockQuote" and argument is not None:
        return "alert"
    return ""


def linkable(target: str) -> bool:
    """Whether a letter may link to ``target``: an address of :data:`LINKABLE`'s schemes, or
    one without a scheme, as a browser reads it."""
    scheme = _SCHEME.match(target.translate(_NOT_IN_URL).lstrip(_BEFORE_URL))
    return scheme is None or scheme[0][:-1].lower() in LINKABLE


def _made(text: str, characters: _Offsets, span: dict[str, int], character: str) -> Unsafe:
    """A refused ``character`` that the parser decoded in ``span``, at the character reference
    that makes it (the span of a link holds its target and title too)."""
    start, end = characters(span["start"]), characters(span["end"])
    for match in _REFERENCE.finditer(text, start, end):
        decimal, hexadecimal = match.groups()
        number = int(decimal) if decimal else int(hexadecimal, 16)
        valid = 0 < number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF
        if (chr(number) if valid else "\ufffd") == character:  # as CommonMark decodes it
            return Unsafe(match.start(), "character", match[0], character)
    return Unsafe(start, "character", "", character)


@lru_cache(maxsize=64)
def parse(text: str) -> SyntaxTreeNode:
    """The syntax tree of a Markdown text.

    Lint and the text, DOCX and PDF renderers each walk a letter's body: it is parsed once.
    The tree is shared, so walkers only read it."""
    return tree(text)


class Walker:
    """Dispatches each node to the method named after its type; unknown types fall back."""

    _methods: ClassVar[dict[str, Callable[[Any, SyntaxTreeNode], Any]]] = {}
    """Each subclass's method for a node type, found once: a body has dozens of nodes."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._methods = {}

    def visit(self, node: SyntaxTreeNode) -> Any:
        try:
            method = self._methods[node.type]
        except KeyError:
            walker = type(self)
            method = self._methods[node.type] = getattr(
                walker, "visit_" + node.type, walker.unknown
            )
        return method(self, node)

    def unknown(self, node: SyntaxTreeNode) -> Any:
        raise NotImplementedError(f"{type(self).__name__} has no method for '{node.type}'")

    def inline(self, nodes: list[SyntaxTreeNode]) -> str:
        """Inline nodes, each written as text (a run of XML, of Typst, of plain text)."""
        return "".join([self.visit(node) for node in nodes])

    def visit_inline(self, node: SyntaxTreeNode) -> str:
        return self.inline(node.children)


class TextWalker(Walker):
    """A walker whose blocks are text too, separated by blank lines (plain text, Typst)."""

    def blocks(self, nodes: list[SyntaxTreeNode], separator: str = "\n\n") -> str:
        return separator.join([self.visit(node) for node in nodes])

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
_BLOCK_START = re.compile(r"^([#>=|]|[-+*] |[-+*]$)", re.MULTILINE)
_ORDERED_START = re.compile(r"^([0-9]+)([.)])(?= |$)", re.MULTILINE)
"""``1. Introduction``: the dot is escaped, since a backslash before a digit is no escape
and would be printed."""


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
    text = _ORDERED_START.sub(r"\1\\\2", text)
    return _BLOCK_START.sub(r"\\\g<0>", text)
