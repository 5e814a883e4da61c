"""Property tests: whatever the bytes, a spec becomes a letter or clean problems (with a line
where there is one), and lint and every output format take the result: never another
exception, never a hang."""

from __future__ import annotations

import sys
from bisect import bisect_right
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circulaire.errors import Problem, SpecError
from circulaire.formats import FORMATS, show
from circulaire.lint import lint
from circulaire.model import Letter
from circulaire.source import LINE_BREAK, Locator, parse
from circulaire.validate import validate
from conftest import ARCHIVE

SPECS = {path: path.read_bytes() for path in ARCHIVE}
FIELDS = [
    "reference",
    "date",
    "place",
    "subject",
    "salutation",
    "body",
    "signatories",
    "recipients",
    "contact",
    "closing",
    "annexes",
    "style",
    "ignore",
    "name",
    "title",
    "email",
    "phone",
    "labels",
    "marks",
    "content",
]

fuzz = settings(
    max_examples=80,
    deadline=2000,  # a few ms each; a second would mean something expands without bound
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def outcome(raw: bytes, path: Path) -> Letter | list[Problem]:
    """Load, validate and lint ``raw``: a letter, or the problems (which every format shows)."""
    try:
        source = parse(raw, path)
        letter = validate(source)
    except SpecError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file == str(path)
            assert problem.message
            assert problem.severity == "error"
            assert problem.line >= 0 and problem.column >= 0
        for fmt in FORMATS:
            show(exc.problems, fmt)
        return exc.problems
    for warning in lint(source, letter):
        assert warning.severity == "warning"
        assert 1 <= warning.line <= raw.count(b"\n") + raw.count(b"\r") + 1
    return letter


@st.composite
def mutated(draw: st.DrawFn) -> tuple[Path, bytes]:
    path = draw(st.sampled_from(sorted(SPECS)))
    raw = bytearray(SPECS[path])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(raw)))
        kind = draw(st.sampled_from(["delete", "insert", "bytes", "line", "indent"]))
        if kind == "delete":
            del raw[at : at + draw(st.integers(1, 200))]
        elif kind == "insert":
            raw[at:at] = draw(st.text(max_size=30)).encode("utf-8", "surrogatepass")
        elif kind == "bytes":
            raw[at:at] = draw(st.binary(max_size=8))
        elif kind == "line":
            token = draw(
                st.sampled_from(
                    [
                        ": ",
                        "- ",
                        "&a ",
                        "*a",
                        "!!python/object ",
                        "<<: ",
                        "'",
                        '"',
                        "|",
                        ">-",
                        "\t",
                        "~",
                        "0123",
                        "2021-02-30",
                        "no",
                        "[",
                        "{",
                        "\r\n",
                        "\ufeff",
                        "\x00",
                        "#",
                    ]
                )
            )
            raw[at:at] = token.encode("utf-8")
        else:
            raw[at:at] = b"\n" + b" " * draw(st.integers(0, 6))
    return path, bytes(raw)


@fuzz
@given(mutated())
def test_a_mutated_archive_spec(case: tuple[Path, bytes]) -> None:
    path, raw = case
    outcome(raw, path)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.text(max_size=40),
    st.sampled_from(["CL-21/27", "2021-07-08", "Houlin Zhao", "[x](#)", "le lundi 17 mai 2021"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), inner, max_size=6)
    ),
    max_leaves=30,
)


@fuzz
@given(st.dictionaries(st.sampled_from(FIELDS), values, max_size=14))
def test_random_yaml_of_letter_fields(data: dict[str, Any]) -> None:
    raw = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    outcome(raw, Path("letters/CL-21/27.yaml"))


@fuzz
@given(
    st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    )
)
def test_random_bytes(raw: bytes) -> None:
    outcome(raw, Path("random.yaml"))


@fuzz
@given(st.text(max_size=400))
def test_any_body_text(body: str) -> None:
    raw = SPECS[sorted(SPECS)[0]]
    data = yaml.safe_load(raw)
    data["body"] = body
    data.pop("ignore", None)
    dumped = yaml.safe_dump(data, allow_unicode=True)
    result = outcome(dumped.encode("utf-8"), Path("x.yaml"))
    if isinstance(result, Letter):
        assert result.body == yaml.safe_load(dumped)["body"]


ESCAPES = {
    "\\\\": "\\",
    '\\"': '"',
    "\\/": "/",
    "\\0": "\0",
    "\\a": "\a",
    "\\b": "\b",
    "\\t": "\t",
    "\\\t": "\t",
    "\\n": "\n",
    "\\v": "\v",
    "\\f": "\f",
    "\\r": "\r",
    "\\e": "\x1b",
    "\\ ": " ",
    "\\N": "\x85",
    "\\_": "\xa0",
    "\\L": "\u2028",
    "\\P": "\u2029",
}
"""YAML's escapes of one character or two, and what each makes."""
YAML_BREAKS = {"\n": "\n", "\r\n": "\n", "\r": "\n", "\x85": "\n", "\u2028": "\u2028"}
"""A line break in a file, and what it is in a value (the paragraph separator as the line one)."""


@st.composite
def escape(draw: st.DrawFn) -> tuple[str, str]:
    """An escape as written and the character it makes."""
    width, letter = draw(st.sampled_from([(0, ""), (2, "x"), (4, "u"), (8, "U")]))
    if not width:
        return draw(st.sampled_from(sorted(ESCAPES.items())))
    code = draw(st.integers(0, min(16**width - 1, sys.maxunicode)))
    return f"\\{letter}{code:0{width}X}", chr(code)


@st.composite
def quoted(draw: st.DrawFn, quote: str) -> tuple[str, str, list[tuple[int, int]]]:
    """A quoted scalar's text (without its quotes), its value, and pairs of where a character
    stands in the value and where it was written, for each word and escape. A single-quoted
    scalar has one escape, ``''``, and its backslashes are text."""
    newline = draw(st.sampled_from(sorted(YAML_BREAKS)))
    words = st.text(
        st.sampled_from(list("aé’#:-[]" + ("'" if quote == '"' else "\\"))), min_size=1, max_size=5
    )
    escapes = escape() if quote == '"' else st.just(("''", "'"))
    breaks = ["fold", "escaped"] if quote == '"' else ["fold"]
    written, value, pairs = "", "", []
    for i in range(draw(st.integers(1, 12))):
        if i:  # between two words or escapes: nothing, blanks, a folded or escaped line break
            kind = draw(st.sampled_from(["none", "blanks", *breaks]))
            blanks = st.text(st.sampled_from(" \t"), max_size=2)
            if kind == "blanks":
                written += (space := draw(blanks.filter(bool)))
                value += space
            elif kind in ("fold", "escaped"):
                empty = draw(st.integers(0, 2))
                written += ("\\" if kind == "escaped" else draw(blanks)) + newline
                for _ in range(empty):
                    written += draw(blanks) + newline
                written += " " + draw(blanks)  # the next line's indent
                if kind == "fold" and (empty == 0 or YAML_BREAKS[newline] != "\n"):
                    value += YAML_BREAKS[newline] if YAML_BREAKS[newline] != "\n" else " "
                value += YAML_BREAKS[newline] * empty
        if draw(st.booleans()):
            text, made = draw(escapes)
            pairs.append((len(value), len(written)))
        else:  # a word, by its first and last characters
            text = made = draw(words)
            last = len(text) - 1
            pairs += [(len(value), len(written)), (len(value) + last, len(written) + last)]
        written += text
        value += made
    return written, value, pairs


@settings(max_examples=300, deadline=2000)
@given(st.sampled_from("\"'").flatmap(lambda quote: st.tuples(st.just(quote), quoted(quote))))
def test_every_character_of_a_quoted_text_is_placed_where_it_was_written(
    case: tuple[str, tuple[str, str, list[tuple[int, int]]]],
) -> None:
    """A problem at a character an escape made lands on that escape, whatever escapes and
    line breaks come before it (validation's E105 and lint's warnings both place theirs so)."""
    quote, (written, value, pairs) = case
    text = f"letter:\n  body: {quote}{written}{quote}\n"
    source = parse(text.encode("utf-8"), Path("x.yaml"))
    assert source.data["letter"]["body"] == value
    locator = Locator(source)
    starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]
    opening = len("letter:\n  body: ") + 1
    for in_value, in_written in pairs:
        at = opening + in_written
        line = bisect_right(starts, at)
        assert locator.locate(("letter", "body"), in_value) == (line, at - starts[line - 1] + 1)
