"""Read a spec file into plain data, keeping where each value stood in the YAML.

PyYAML's safe loader is used only to *compose* the node graph; the values are built here so that
each keeps its position, its source text and the tag YAML gave it. That is what lets validation
say "line 14, column 10" and refuse a value YAML silently rewrote (``0123`` read as 83).
"""

from __future__ import annotations

import os
import re
import stat
from bisect import bisect_right
from collections.abc import Container, Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .errors import Problem, SpecError, UnprintableText

MAX_BYTES = 2 * 1024 * 1024
"""A letter is a few kilobytes; anything past this is not a letter."""
MAX_NODES = 100_000
"""Bound on values built, so that anchors and aliases cannot expand without limit."""
MAX_DEPTH = 64
LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
"""The line breaks YAML counts, so that a line number here is the line of a YAML mark."""

Path_ = tuple[str | int, ...]

_OTHER_PLANES = "".join(
    f"{chr(plane)}-{chr(plane + 0xFFFD)}" for plane in range(0x10000, 0x110000, 0x10000)
)
REFUSED_CHARACTER = re.compile(
    f"[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufdcf\ufdf0-\ufefe\uff00-\ufffd{_OTHER_PLANES}]"
)
"""What no output can carry: C0 controls but the tab and line ends, DEL and the C1 controls,
half of a UTF-16 pair, U+FEFF past the start of the file, Unicode's 66 noncharacters
(U+FDD0 to U+FDEF, and the last two of each plane). Written as what is allowed, the commonest
first: a class listing what is refused, planes past the first included, costs the regular
expression engine every item for every character, and was a fifth of a letter's time. The
YAML reader refuses most of them in the file itself; an escape (``"\\u0085"``) or a raw
U+FEFF or noncharacter gets past it, and validation refuses them in the value."""


def refusal(character: str, holder: str, written: str = "") -> str:
    """The message for a character that ``holder`` (a spec, a letter) cannot hold; ``written``
    is how the text writes it, when not as itself (a Markdown character reference)."""
    code = ord(character)
    if 0xD800 <= code <= 0xDFFF:
        what, hint = f"U+{code:04X}, half of a UTF-16 pair,", " (write the character itself)"
    elif code == 0xFEFF:
        what, hint = "U+FEFF, a byte order mark,", " (it is invisible in most editors: delete it)"
    elif code < 0x20 or 0x7F <= code <= 0x9F:
        what, hint = f"the control character U+{code:04X},", ""
    else:
        what, hint = f"U+{code:04X}, a Unicode noncharacter,", ""
    if written:
        hint = f" (written '{written}')"
    return f"contains {what} which a {holder} cannot hold{hint}"


_SHORT_TAGS = {
    f"tag:yaml.org,2002:{name}": name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}
"""The tags a spec may hold, by the name a :class:`Position` keeps of each."""
_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"


class Position(NamedTuple):
    """Where a value was written: 1-based line and column, its text and the tag YAML gave it."""

    line: int
    column: int
    text: str = ""
    tag: str = ""


@dataclass
class Source:
    """A spec's data, and the YAML nodes it was built from, which know where each value and
    each mapping key was written."""

    path: Path
    data: Any
    node: yaml.Node | None = None
    """The document's nodes, walked only when a message needs a place: keeping a position for
    every value cost a fifth of reading a letter, and most letters are valid."""
    problems: list[Problem] = field(default_factory=list)
    """Values that could not be built (a tag, an impossible date); they hold :data:`BROKEN`."""
    text: str = ""
    """The decoded file, so that lint can point inside a block of text."""

    def position(self, where: Path_) -> Position:
        """The position of a value, or of its nearest written ancestor (for a missing field)."""
        nodes = self._nodes(where)
        if not nodes:
            return Position(1, 1)
        node = nodes[-1][1]
        mark = node.start_mark
        text = node.value if isinstance(node, yaml.ScalarNode) else ""
        return Position(mark.line + 1, mark.column + 1, text, _SHORT_TAGS[node.tag])

    def written(self, where: Path_) -> bool:
        """Whether the spec holds a value at ``where`` (``ignore[0]``, not ``ignore: W101``)."""
        return len(self._nodes(where)) == len(where) + 1

    def problem(
        self, where: Path_, message: str, code: str, *, key: bool = False, severity: str = "error"
    ) -> Problem:
        nodes = self._nodes(where) if key else []
        if key and where and len(nodes) == len(where) + 1:
            mark = nodes[-1][0].start_mark
            pos = Position(mark.line + 1, mark.column + 1)
        else:
            pos = self.position(where)
        return Problem(
            file=str(self.path),
            line=pos.line,
            column=pos.column,
            field=dotted(where),
            message=message,
            code=code,
            severity=severity,
        )

    def _nodes(self, where: Path_) -> list[tuple[yaml.Node, yaml.Node]]:
        """The (key, value) nodes from the document down to ``where``, as far as the data was
        built from them: the first of duplicate keys, no merge key, no tag a spec may not hold,
        no deeper than :data:`MAX_DEPTH`. The document's own pair holds its node twice."""
        node = self.node
        if node is None or node.tag not in _SHORT_TAGS:
            return []
        nodes = [(node, node)]
        for part in where[:MAX_DEPTH]:
            found = None
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for key_node, value_node in node.value:
                    if (
                        isinstance(key_node, yaml.ScalarNode)
                        and key_node.value == part
                        and key_node.tag != _MERGE
                    ):
                        found = key_node, value_node
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                found = node.value[part], node.value[part]
            if found is None or found[1].tag not in _SHORT_TAGS:
                break
            nodes.append(found)
            node = found[1]
        return nodes


def dotted(where: Path_) -> str:
    """``("contacts", 0, "email")`` -> ``contacts[0].email``."""
    out = ""
    for part in where:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _refuse(path: Path, message: str, code: str, line: int = 0, column: int = 0) -> SpecError:
    """An error about the file as a whole: unreadable, not UTF-8, not YAML."""
    return SpecError([Problem(str(path), line, column, "", message, code)])


def _too_big(path: Path, size: int) -> SpecError:
    message = f"file is {size} bytes, more than a spec may hold ({MAX_BYTES})"
    return _refuse(path, message, "E002")


class _Broken:
    def __repr__(self) -> str:
        return "BROKEN"


BROKEN = _Broken()
"""Stands for a value already reported as a problem, so validation does not report it twice."""


MAX_SKIPPED_DEPTH = 10_000
"""How deep a collection past :data:`MAX_DEPTH` is read to find where it ends, so that the
rest of the spec is checked too; deeper than this (each level costs the pure parser about 20
µs), the spec is refused at the collection that went too deep."""


class TooDeep(Exception):
    """A collection nested so deep that the rest of its spec is not read."""

    def __init__(self, mark: yaml.Mark, where: Path_) -> None:
        super().__init__(mark, where)
        self.mark = mark
        self.where = where


class _Loader(yaml.SafeLoader):
    """A private subclass, so nothing is patched on PyYAML's own loaders.

    Its composer stops descending past :data:`MAX_DEPTH`: a collection deeper than that is
    kept as an empty node at its own mark, its content read and dropped, so that validation
    reports it at the line, column and field where the nesting went too deep, and PyYAML's
    recursion stays bounded however deep the document goes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.where: list[str | int] = []
        """The field being composed, as :class:`Source` names fields."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        # A key is named by its mapping: only a value or an item is a field of its own.
        field = index if isinstance(parent, yaml.SequenceNode) else getattr(index, "value", None)
        if field is not None:
            self.where.append(field)
        if len(self.where) > MAX_DEPTH and self.check_event(yaml.CollectionStartEvent):
            node: yaml.Node | None = self._too_deep()
        else:
            node = super().compose_node(parent, index)
        if field is not None:
            self.where.pop()
        return node

    # PyYAML's scanner looks at every open simple key for every token, which makes a document
    # nested n deep cost n² (four seconds at 5,000 levels). The keys are kept by flow level, and
    # a key is saved after those of the levels around it, so the dictionary's order is theirs in
    # the text: the nearest key is the first, and the stale keys are those before the first
    # that is not. These two answer as PyYAML's own do, in constant time.

    def next_possible_simple_key(self) -> int | None:
        for key in self.possible_simple_keys.values():
            return key.token_number  # type: ignore[no-any-return]
        return None

    def stale_possible_simple_keys(self) -> None:
        keys = self.possible_simple_keys
        while keys:
            level, key = next(iter(keys.items()))
            if key.line == self.line and self.index - key.index <= 1024:
                return
            if key.required:
                raise yaml.scanner.ScannerError(
                    "while scanning a simple key",
                    key.mark,
                    "could not find expected ':'",
                    self.get_mark(),
                )
            del keys[level]

    def _too_deep(self) -> yaml.Node:
        start = self.peek_event()  # type: ignore[no-untyped-call]
        sequence = isinstance(start, yaml.SequenceStartEvent)
        tag = self.DEFAULT_SEQUENCE_TAG if sequence else self.DEFAULT_MAPPING_TAG
        kind = yaml.SequenceNode if sequence else yaml.MappingNode
        node = kind(tag, [], start.start_mark, start.end_mark)
        open_collections = 0
        while True:  # a loop, not a recursion: the content may nest thousands deep
            event = self.get_event()  # type: ignore[no-untyped-call]
            if getattr(event, "anchor", None) is not None and not isinstance(
                event, yaml.AliasEvent
            ):
                self.anchors[event.anchor] = node
            if isinstance(event, yaml.CollectionStartEvent):
                open_collections += 1
                if open_collections > MAX_SKIPPED_DEPTH:
                    raise TooDeep(start.start_mark, tuple(self.where))
            elif isinstance(event, yaml.CollectionEndEvent):
                open_collections -= 1
                if open_collections == 0:
                    node.end_mark = event.end_mark
                    return node


_CLoader: type[yaml.CSafeLoader] | None = None
_Resolvers = tuple[tuple[str, re.Pattern[str]], ...]
_WILDCARD: _Resolvers = tuple(yaml.resolver.Resolver.yaml_implicit_resolvers.get(None, []))
_IMPLICIT: dict[str, _Resolvers] = {
    first: (*resolvers, *_WILDCARD)
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    if first is not None
}
"""The safe loader's implicit resolvers by a value's first character, as PyYAML keeps them."""

if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        """libyaml composes the same nodes, with the same marks, several times faster.

        It asks Python for the tag of every value: this answers as PyYAML's resolver does (the
        same implicit resolvers, looked up once), without its path resolvers, which the safe
        loader never has."""

        def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
            if kind is yaml.ScalarNode:
                if implicit[0]:
                    for tag, pattern in _IMPLICIT.get(value[:1], _WILDCARD):
                        if pattern.match(value):
                            return tag
                return str(self.DEFAULT_SCALAR_TAG)
            if kind is yaml.SequenceNode:
                return str(self.DEFAULT_SEQUENCE_TAG)
            return str(self.DEFAULT_MAPPING_TAG)

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            """Path resolvers follow where a node is; the safe loader has none."""

        def ascend_resolver(self) -> None:
            """See :meth:`descend_resolver`."""


_CONTENT = re.compile(r"(?:\A|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029])\s*[^\s#]")
"""A line (as ``str.splitlines`` cuts them) that holds more than white space and a comment:
without one, a file is empty. Found at the first line of a letter, not after splitting it all."""

LIBYAML_MAX_INDICATORS = 10_000
"""libyaml's composer recurses in C once per nesting level and crashes, rather than raising,
somewhere past 20,000 levels. Every collection starts at one of ``[{-:?``, so a text with
fewer of those characters than this cannot nest that deep; any other text takes the pure
parser, whose recursion Python bounds."""


def read(path: Path) -> Source:
    """Read and parse ``path``; raise :class:`SpecError` naming the file for anything unreadable."""
    return parse(read_bytes(path), path)


def read_bytes(path: Path) -> bytes:
    """A spec's bytes, in five system calls (``Path.read_bytes`` makes nine: a build reads
    thousands); :class:`SpecError` naming the file for anything unreadable. Only a plain file
    is read (a pipe would wait for a writer, a device never end), and no more of it than
    :data:`MAX_BYTES`."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise _refuse(path, "no such file", "E001") from None
    except IsADirectoryError:
        raise _refuse(path, "is a folder, not a spec file", "E001") from None
    except OSError as exc:
        raise _unreadable(path, exc) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise _refuse(path, "is a folder, not a spec file", "E001")
        if not stat.S_ISREG(st.st_mode):
            raise _refuse(path, "is not a file but a pipe or a device", "E001")
        if st.st_size > MAX_BYTES:
            raise _too_big(path, st.st_size)
        pieces, size = [], 0
        while size <= MAX_BYTES and (piece := os.read(fd, 1 << 16)):
            pieces.append(piece)
            size += len(piece)
        if size > MAX_BYTES:  # it grew while being read
            raise _too_big(path, size)
        return b"".join(pieces)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    finally:
        os.close(fd)


class UnreadableSpec(SpecError):
    """A spec the system will not let be read (its permissions, a folder that cannot be
    entered): not a letter that is wrong, so a build keeps the letter's files."""


def _unreadable(path: Path, exc: OSError) -> UnreadableSpec:
    return UnreadableSpec([Problem(str(path), 0, 0, "", f"cannot read: {exc.strerror}", "E001")])


def parse(raw: bytes, path: Path) -> Source:
    if len(raw) > MAX_BYTES:
        raise _too_big(path, len(raw))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"byte 0x{raw[exc.start]:02x} is not UTF-8 (save the file as UTF-8)"
        raise _refuse(path, message, "E003", line, column) from None
    if not _CONTENT.search(text):
        raise _refuse(path, "file is empty (expected a letter spec)", "E004", 1, 1)
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = exc.problem or "malformed YAML"
        if exc.context and exc.context_mark and exc.problem_mark:
            # "while scanning a quoted scalar (line 4, column 10), found unexpected end of
            # stream": where the construct began is often where the mistake is.
            began = exc.context_mark
            what = f"{exc.context} (line {began.line + 1}, column {began.column + 1}), {what}"
        raise _refuse(path, f"invalid YAML: {what}", "E005", line, column) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        if isinstance(exc.character, int):
            message = refusal(chr(exc.character), "spec")
        else:
            message = f"contains a character YAML refuses ({exc.reason})"
        raise _refuse(path, message, "E105", line, column) from None
    except yaml.YAMLError as exc:
        raise _refuse(path, f"invalid YAML: {exc}", "E005") from None
    except TooDeep as exc:
        message = f"nested more than {MAX_DEPTH} levels deep"
        line, column = exc.mark.line + 1, exc.mark.column + 1
        problem = Problem(str(path), line, column, dotted(exc.where), message, "E006")
        raise SpecError([problem]) from None
    except RecursionError:
        raise _refuse(path, "invalid YAML: nested too deeply", "E006") from None
    if node is None:
        raise _refuse(path, "file is empty (expected a letter spec)", "E004", 1, 1)
    builder = _Builder(path)
    data = builder.build(node, (), 0)
    if builder.count > MAX_NODES:
        raise SpecError(builder.problems)
    return Source(path, data, node, builder.problems, text)


def _compose(text: str) -> yaml.Node | None:
    """The node graph, through libyaml when that is safe. A document libyaml refuses goes
    through the pure parser too, whose messages say more, and which reads any depth: libyaml
    refuses a thousand levels of nesting itself (since PyYAML 6.0.4), where the pure parser's
    composer stops at :data:`MAX_DEPTH` and leaves the rest to validation."""
    shallow = len(text) < LIBYAML_MAX_INDICATORS or (
        sum(map(text.count, "[{-:?")) < LIBYAML_MAX_INDICATORS
    )
    if _CLoader is not None and shallow:
        try:
            return yaml.compose(text, Loader=_CLoader)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=_Loader)


class _Builder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def fail(self, node: yaml.Node, where: Path_, message: str, code: str) -> None:
        self.problems.append(
            Problem(
                str(self.path),
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                dotted(where),
                message,
                code,
            )
        )

    def build(self, node: yaml.Node, where: Path_, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            if self.count == MAX_NODES + 1:
                self.fail(
                    node,
                    where,
                    f"anchors and aliases expand to more than {MAX_NODES} values",
                    "E007",
                )
            return BROKEN
        if depth > MAX_DEPTH:
            self.fail(node, where, f"nested more than {MAX_DEPTH} levels deep", "E006")
            return BROKEN
        tag = _SHORT_TAGS.get(node.tag)
        if tag is None:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self.fail(node, where, f"YAML tag '{tag}' is not allowed in a spec", "E008")
            return BROKEN
        if isinstance(node, yaml.ScalarNode):
            value = node.value
            if tag == "str":  # most values: the text as written, nothing to construct
                return value
            try:
                return self.constructor.construct_object(node, deep=True)
            except (ValueError, OverflowError, yaml.constructor.ConstructorError) as exc:
                if tag == "timestamp":
                    self.fail(node, where, f"'{value}' is not a date that exists ({exc})", "E104")
                else:
                    self.fail(node, where, f"'{value}' cannot be read: {exc}", "E005")
                return BROKEN
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, where, depth)
        items = []
        for i, item in enumerate(node.value):
            if self._text(item, depth):
                self.count += 1
                items.append(item.value)
            else:
                items.append(self.build(item, (*where, i), depth + 1))
        return items

    def _text(self, node: yaml.Node, depth: int) -> bool:
        """Whether :meth:`build` would take the ``node`` under ``depth`` as the text written
        (most values): it is then taken without the call, nor the path that names it."""
        return (
            type(node) is yaml.ScalarNode
            and node.tag == _STR
            and depth < MAX_DEPTH
            and self.count < MAX_NODES
        )

    def _mapping(self, node: yaml.MappingNode, where: Path_, depth: int) -> dict[Hashable, Any]:
        out: dict[Hashable, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self.fail(key_node, where, "merge keys ('<<') are not supported in a spec", "E008")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, where, "a key must be a plain name", "E005")
                continue
            key = key_node.value
            if key in out:
                message = f"duplicate key '{key}' (the first one would be lost)"
                self.fail(key_node, (*where, key), message, "E009")
                continue
            if self._text(value_node, depth):
                self.count += 1
                out[key] = value_node.value
            else:
                out[key] = self.build(value_node, (*where, key), depth + 1)
        return out


# -- where the words stand ------------------------------------------------------------------

_WORD = re.compile(r"\S+")
_PROPERTIES = re.compile(r"(?:[!&]\S*\s+(?:#[^\r\n]*\s+)*)*")
"""A value's tag (``!!str``) and anchor (``&name``), with the white space and comments after
them: where YAML marks the value to start, before its first quote."""
_OPENING = re.compile(r"[|>][-+0-9]*[ \t]*(?:#[^\r\n]*)?")
"""How a block scalar opens: its indicators, and a comment."""
_BETWEEN = re.compile(r"\s*")
"""What stands between two words in the file."""
_BREAK = LINE_BREAK.pattern
_QUOTED_PIECES = {
    '"': re.compile(
        r'(?P<text>[^"\\ \t\r\n\x85\u2028\u2029]+|[ \t]+(?![ \t\r\n\x85\u2028\u2029]))'
        r"|(?P<escape>\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[^\r\n\x85\u2028\u2029]))"
        rf"|\\?[ \t]*(?P<fold>{_BREAK})"
    ),
    "'": re.compile(
        r"(?P<text>[^' \t\r\n\x85\u2028\u2029]+|[ \t]+(?![ \t\r\n\x85\u2028\u2029]))"
        r"|(?P<escape>'')"
        rf"|[ \t]*(?P<fold>{_BREAK})"
    ),
}
"""The pieces of a quoted scalar, by its quote, as YAML reads them: text (white space within a
line included), an escape that makes one character (``''`` the only one in single quotes), a
line break that is folded (escaped too, in double quotes)."""
_EMPTY_LINE = re.compile(rf"[ \t]*({_BREAK})")
_SEPARATORS = ("\u2028", "\u2029")
"""The line breaks YAML keeps as they are when it folds a line; the others become a space."""


class Locator:
    """Maps an offset in a text value to its line and column in the file.

    A quoted value is read again as YAML reads it, escapes and folded lines included, so that
    a character an escape made is placed at its escape. In a plain value or a block, the
    value's words are matched, in order, with the file's text from the value's start (a folded
    block joins lines, a literal one keeps them, both indent). One pass per value either way,
    so a long body with many warnings is placed in linear time. Where the file and the value
    part all the same, an offset further on is placed there; an offset before the first word,
    at the value's own position.
    """

    def __init__(self, source: Source) -> None:
        self.source = source
        self.starts = [0] + [m.end() for m in LINE_BREAK.finditer(source.text)]
        self.maps: dict[Path_, tuple[list[int], list[int], int]] = {}

    def locate(self, where: Path_, offset: int) -> tuple[int, int]:
        position = self.source.position(where)
        if where not in self.maps:
            self.maps[where] = self._map(where, position.line, position.column)
        value_starts, raw_starts, stop = self.maps[where]
        i = bisect_right(value_starts, offset) - 1
        if i < 0:
            return position.line, position.column
        raw = min(raw_starts[i] + offset - value_starts[i], stop)
        line = bisect_right(self.starts, raw)
        return line, raw - self.starts[line - 1] + 1

    def problem(
        self, where: Path_, offset: int, message: str, code: str, severity: str = "error"
    ) -> Problem:
        """A problem at ``offset`` in the value at ``where``: a word of a long body, say."""
        line, column = self.locate(where, offset)
        path = str(self.source.path)
        return Problem(path, line, column, dotted(where), message, code, severity)

    def _map(self, where: Path_, line: int, column: int) -> tuple[list[int], list[int], int]:
        """Where each piece of the value starts, in the value and in the file, and a point no
        offset is placed past (where the two part, or the value's end)."""
        value, raw = _value(self.source.data, where), self.source.text
        value_starts: list[int] = []
        raw_starts: list[int] = []
        if not raw or not isinstance(value, str) or line > len(self.starts):
            return value_starts, raw_starts, len(raw)
        at = self.starts[line - 1] + column - 1
        properties = _PROPERTIES.match(raw, at)
        at = properties.end() if properties else at
        if raw.startswith(('"', "'"), at):
            return _quoted(raw, at + 1, _QUOTED_PIECES[raw[at]])
        opening = _OPENING.match(raw, at)
        at = opening.end() if opening else at
        for word in _WORD.finditer(value):
            gap = _BETWEEN.match(raw, at)
            at = gap.end() if gap else at
            if not raw.startswith(word[0], at):
                same = 0
                while same < len(word[0]) and raw[at + same : at + same + 1] == word[0][same]:
                    same += 1
                value_starts.append(word.start())
                raw_starts.append(at)
                return value_starts, raw_starts, at + same
            value_starts.append(word.start())
            raw_starts.append(at)
            at += len(word[0])
        return value_starts, raw_starts, len(raw)


def _quoted(raw: str, at: int, pieces: re.Pattern[str]) -> tuple[list[int], list[int], int]:
    """The map of a quoted scalar whose text starts at ``at``, read as ``pieces``: a piece
    starts wherever the value and the file stop running together (after an escape, at a folded
    line break), and each character an escape or a line break makes is at its escape or its
    break."""
    value_starts: list[int] = []
    raw_starts: list[int] = []
    made = 0  # characters of the value so far

    def piece(start: int, length: int) -> None:
        nonlocal made
        if not raw_starts or start - raw_starts[-1] != made - value_starts[-1]:
            value_starts.append(made)
            raw_starts.append(start)
        made += length

    while match := pieces.match(raw, at):
        at = match.end()
        if match["text"] is not None:
            piece(match.start(), len(match["text"]))
        elif match["escape"] is not None:
            piece(match.start(), 1)
        else:
            empty_lines = []
            while line := _EMPTY_LINE.match(raw, at):
                empty_lines.append(line.start(1))
                at = line.end()
            while raw.startswith((" ", "\t"), at):  # the next line's indent
                at += 1
            escaped = raw.startswith("\\", match.start())  # in double quotes: no space
            if not escaped and (not empty_lines or match["fold"] in _SEPARATORS):
                piece(match.start("fold"), 1)  # a space, or the line or paragraph separator
            for start in empty_lines:
                piece(start, 1)  # a line break each
    return value_starts, raw_starts, at


def unprintable(path: Path, exc: UnprintableText) -> Problem:
    """The problem of a spec's text that an output cannot print, at the line, column and field
    where the spec (read again) first writes it; at the file alone when it cannot tell."""
    try:
        source = read(path)
    except SpecError:
        source = None
    if source is not None:
        for where, value in texts(source.data):
            at = value.find(exc.text)
            if at >= 0:
                return Locator(source).problem(where, at, exc.detail, "E900")
    return Problem(str(path), message=exc.detail, code="E900")


def texts(
    data: Any, where: Path_ = (), leave_out: Container[str] = ()
) -> Iterator[tuple[Path_, str]]:
    """Every text of a spec's data, with where it stands, in the order of the file; not those
    under the keys in ``leave_out``."""
    if isinstance(data, str):
        yield where, data
    elif isinstance(data, dict):
        for key, value in data.items():
            if key not in leave_out:
                yield from texts(value, (*where, key), leave_out)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from texts(value, (*where, i), leave_out)


def _value(data: Any, where: Path_) -> Any:
    for part in where:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data
