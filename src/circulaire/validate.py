"""Raw spec data (with positions) -> :class:`Letter`, or every problem found, at once.

The conversion is driven by the dataclasses of ``model.py``: their fields and types say what a
spec may hold, so the rules live in one place.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import os
import re
import types
import typing
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from . import model
from .dates import check_language
from .errors import Problem, SpecError, quoted
from .model import (
    HOUSE_WORDING,
    MARKDOWN,
    MAY_BE_EMPTY,
    SERIES_PATTERN,
    UNIQUE_ITEMS,
    Letter,
    Reference,
)
from .source import BROKEN, REFUSED_CHARACTER, Locator, Path_, Source, dotted, read, refusal

T = TypeVar("T")

EMAIL_PATTERN = re.compile(r"\A[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\Z")
"""An address, whole: ``\\A…\\Z``, since ``$`` would match before a final line break."""
_ISO_DATE = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_YAML_KINDS = {
    "int": "a number",
    "float": "a number",
    "bool": "a boolean",
    "null": "nothing (null)",
    "timestamp": "a date",
}


class _Invalid:
    """Marks a value that failed conversion (a problem has been recorded)."""


INVALID: Any = _Invalid()


_TAB_AT_LINE_END = re.compile(r"\t[ \t]*(?:\r\n|[\r\n]|\Z)")
"""A tab that only white space follows to the end of its line: Markdown drops trailing white
space, and a hard break's two spaces after a tab left no trace of the tab in any format."""


def load_letter(path: str | os.PathLike[str]) -> Letter:
    """Read, parse and validate one spec file, named by a path or its text; a translation's
    (``27.en.yaml``) with its original. A file that is no spec of its archive
    (:func:`discover.refused`) is not read at all."""
    return load_spec(path)[1]


def load_spec(path: str | os.PathLike[str]) -> tuple[Source, Letter]:
    """:func:`load_letter`, with the spec as read (for the positions of its words)."""
    from .discover import refused
    from .translation import language_of, load

    spec = Path(path)
    problem = refused(spec)
    if problem is not None:
        raise SpecError([problem])
    if language_of(spec):
        version = load(spec)
        return version.source, version.letter
    source = read(spec)
    return source, validate(source)


def validate(source: Source) -> Letter:
    """Turn a parsed spec into a :class:`Letter`, raising :class:`SpecError` with every problem."""
    checker = _Checker(source)
    checker.problems.extend(source.problems)
    if not isinstance(source.data, dict):
        raise SpecError(
            [
                source.problem(
                    (), "expected a mapping of letter fields (reference: ..., date: ...)", "E100"
                )
            ]
        )
    letter = checker.convert(source.data, Letter, ())
    checker.check_letter(checker.top)
    if checker.problems:
        raise SpecError(sorted(checker.problems, key=lambda p: (p.line, p.column, p.field)))
    assert isinstance(letter, Letter)
    return letter


def validate_translation(source: Source) -> model.Translation:
    """Turn a parsed translation into a :class:`~circulaire.model.Translation`, raising
    :class:`SpecError` with every problem; a field that only the original may hold (the
    reference, a date, a contact) is one."""
    checker = _Checker(source)
    checker.problems.extend(source.problems)
    if not isinstance(source.data, dict):
        message = "expected a mapping of the translated fields (subject: ..., body: ...)"
        raise SpecError([source.problem((), message, "E100")])
    translation = checker.convert(source.data, model.Translation, ())
    if checker.problems:
        raise SpecError(sorted(checker.problems, key=lambda p: (p.line, p.column, p.field)))
    assert isinstance(translation, model.Translation)
    return translation


_ORIGINALS: dict[type, frozenset[str]] = {
    model.Translation: frozenset(f.name for f in dataclasses.fields(Letter))
    - {f.name for f in dataclasses.fields(model.Translation)},
    model.SignatoryVersion: frozenset({"name"}),
    model.StyleVersion: frozenset(f.name for f in dataclasses.fields(model.Style)) - {"labels"},
}
"""The fields of the original that a translation may not restate, by translated record."""


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(model))


@functools.cache
def _fields(cls: type) -> dict[str, dataclasses.Field[Any]]:
    return {f.name: f for f in dataclasses.fields(cls)}


@functools.cache
def _plan(cls: type) -> tuple[dict[str, tuple[Any, ...]], tuple[str, ...]]:
    """For each field of a record, by name: its field and its type's :func:`_shape`, whether
    it is required, and which rules of ``model.py`` apply to it (a text that may not be empty,
    the house wording, Markdown, unique items, a check of its value); and the names of the
    fields required. Worked out once per record, not once per value; a record's fields are
    then looked at as the spec gives them, not all of the model's."""
    hints = _hints(cls)
    plan = {
        name: (
            f,
            _shape(hints[name]),
            _required(f),
            (cls.__name__, name) not in MAY_BE_EMPTY,
            (cls.__name__, name) in HOUSE_WORDING,
            (cls.__name__, name) in MARKDOWN,
            (cls.__name__, name) in UNIQUE_ITEMS,
            _FIELD_CHECKS.get((cls.__name__, name)),
        )
        for name, f in _fields(cls).items()
    }
    return plan, tuple(name for name, entry in plan.items() if entry[2])


_Shape = tuple[str, Any, bool, Any]


@functools.cache
def _shape(tp: Any) -> _Shape:
    """How a model type converts: (kind, its argument, whether ``None`` is allowed, the shape
    of the type inside a union or a tuple); worked out once per type, not once per value (a
    ``Literal``'s hash alone, in Python, was a twentieth of validating)."""
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        arguments = typing.get_args(tp)
        options = [a for a in arguments if a is not type(None)]
        return "union", options[0], len(options) < len(arguments), _shape(options[0])
    if origin is tuple:
        item = typing.get_args(tp)[0]
        return "tuple", item, False, _shape(item)
    if origin is Literal:
        return "literal", typing.get_args(tp), False, None
    if dataclasses.is_dataclass(tp):
        return "record", tp, False, None
    kinds: dict[Any, str] = {str: "str", bool: "bool", date: "date"}
    return kinds.get(tp, "unknown"), tp, False, None


class _Checker:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.top: dict[str, Any] = {}
        """The letter's fields that converted, so rules across fields run even when some fail."""

    @functools.cached_property
    def locator(self) -> Locator:
        return Locator(self.source)

    def fail(self, where: Path_, message: str, code: str, *, key: bool = False) -> Any:
        self.problems.append(self.source.problem(where, message, code, key=key))
        return INVALID

    # -- conversion, by type ---------------------------------------------------------------

    def convert(self, value: Any, tp: Any, where: Path_) -> Any:
        return self._convert(value, _shape(tp), where)

    def _convert(self, value: Any, shape: _Shape, where: Path_) -> Any:
        if value is BROKEN:
            return INVALID
        kind, argument, nullable, inner = shape
        if kind == "str":
            return self._text(value, where)
        if kind == "union":
            if value is None and nullable:
                return None
            return self._convert(value, inner, where)
        if kind == "tuple":
            return self._sequence(value, inner, where)
        if kind == "literal":
            return self._choice(value, argument, where)
        if kind == "record":
            return self._record(value, argument, where)
        if kind == "bool":
            written = self.source.position(where).text
            if isinstance(value, bool) and written.lower() in ("true", "false"):
                return value
            if isinstance(value, bool):  # yes, no, on, off: YAML 1.1's, not an editor's 1.2
                message = (
                    f"'{written}' is true or false to YAML 1.1 only: write {str(value).lower()}"
                )
                return self.fail(where, message, "E103")
            return self.fail(where, f"{self._shown(value, where)} is not true or false", "E101")
        if kind == "date":
            return self._date(value, where)
        raise TypeError(f"model type {argument!r} has no conversion")  # a bug in model.py

    def _shown(self, value: Any, where: Path_) -> str:
        text = self.source.position(where).text
        if isinstance(value, dict | list):
            return "a mapping" if isinstance(value, dict) else "a list"
        return repr(text if text else value)

    def _text(self, value: Any, where: Path_) -> Any:
        if isinstance(value, str):
            bad = _refused(value)
            if bad:  # at the character itself, which may be a line of a long body
                message = refusal(bad[0], "letter")
                self.problems.append(self.locator.problem(where, bad.start(), message, "E105"))
                return INVALID
            dropped = "\t" in value and _TAB_AT_LINE_END.search(value)
            if dropped:  # Markdown would drop it, with a hard break's two spaces after it too
                message = (
                    "a tab at the end of a line, which the letter would lose (delete it, or "
                    "write a space where a word ends)"
                )
                at = dropped.start()
                self.problems.append(self.locator.problem(where, at, message, "E116"))
                return INVALID
            return value
        if isinstance(value, dict | list):
            kind = "a mapping" if isinstance(value, dict) else "a list"
            return self.fail(where, f"expected text, got {kind}", "E101")
        pos = self.source.position(where)
        if value is None:
            return self.fail(where, "is empty (expected text)", "E102")
        kind = _YAML_KINDS.get(pos.tag, "something other than text")
        shown = value.isoformat() if isinstance(value, date) else value
        return self.fail(
            where,
            f"'{pos.text}' is read by YAML as {kind} ({shown!r}), not as text "
            f'(quote it: "{pos.text}")',
            "E103",
        )

    def _date(self, value: Any, where: Path_) -> Any:
        if isinstance(value, datetime):
            return self.fail(
                where,
                f"'{self.source.position(where).text}' has a time (expected a date, YYYY-MM-DD)",
                "E104",
            )
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            if not _ISO_DATE.match(value):
                # "10 mai 2021", "2021-05-10 10:00": not an ISO date at all
                return self.fail(
                    where,
                    f"{quoted(value)} is not a date (expected YYYY-MM-DD, such as 2021-07-08)",
                    "E104",
                )
            try:
                return date.fromisoformat(value)
            except ValueError:
                return self.fail(
                    where,
                    f"{quoted(value)} is not a date that exists (expected YYYY-MM-DD)",
                    "E104",
                )
        return self.fail(
            where, f"{self._shown(value, where)} is not a date (expected YYYY-MM-DD)", "E104"
        )

    def _choice(self, value: Any, options: tuple[str, ...], where: Path_) -> Any:
        if isinstance(value, str) and value in options:
            return value
        expected = ", ".join(options)
        hint = _did_you_mean(str(value), options)
        return self.fail(
            where, f"{self._shown(value, where)} is not one of {expected}{hint}", "E106"
        )

    def _sequence(self, value: Any, item: _Shape, where: Path_) -> Any:
        if not isinstance(value, list):
            # "one line or a list of lines", "one contact or a list of contacts"
            items = [self._convert(value, item, where)]
        else:
            items = [self._convert(v, item, (*where, i)) for i, v in enumerate(value)]
        if any(v is INVALID for v in items):
            return INVALID
        return tuple(items)

    def _record(self, value: Any, cls: type, where: Path_) -> Any:
        name = cls.__name__.lower()
        if not isinstance(value, dict):
            return self.fail(
                where,
                f"expected a mapping of {name} fields, got {self._shown(value, where)}",
                "E101",
            )
        fields = _fields(cls)
        ok = True
        originals = _ORIGINALS.get(cls, ())
        if originals or not value.keys() <= fields.keys():
            for key in value:
                if key in originals:
                    original = "comes from the original: a translation holds only its own words"
                    self.fail((*where, key), original, "E117", key=True)
                    ok = False
                elif key not in fields:
                    hint = _did_you_mean(key, list(fields))
                    self.fail((*where, key), f"unknown field{hint}", "E107", key=True)
                    ok = False
        kwargs: dict[str, Any] = {}
        plan, required_fields = _plan(cls)
        for fname in required_fields:
            if fname not in value:
                self.fail((*where, fname), "required field is missing", "E102")
                ok = False
        for fname, given in value.items():
            if fname not in plan:
                continue  # reported above
            f, shape, required, written, house, markdown, unique, check = plan[fname]
            at = (*where, fname)
            converted = self._convert(given, shape, at)
            if (
                written
                and converted is not INVALID
                and not (type(converted) is str and not _blank(converted))
            ):  # a text written (most fields) has nothing more to check
                converted = self._written(converted, given, at, f, house)
            if markdown and isinstance(converted, str):
                converted = self._markdown(converted, at)
            if unique and converted is not INVALID:
                converted = self._unique(converted, at)
            if check and converted is not INVALID and converted is not None:
                message = check(converted)
                if message:
                    converted = self.fail(at, message, _CHECK_CODES[check])
            if converted is INVALID:
                ok = False
            elif converted is None and required:
                self.fail(at, "is empty", "E102")
                ok = False
            else:
                kwargs[fname] = converted
        if not where:
            self.top = kwargs
        if not ok:
            return INVALID
        return cls(**kwargs)

    def _written(
        self,
        converted: Any,
        value: Any,
        where: Path_,
        f: dataclasses.Field[Any],
        house: bool = False,
    ) -> Any:
        """A text the letter prints, or each line of a list of them, holds more than white
        space: an empty one would leave a gap where the letter shows it. ``house``: left out,
        the field is the house wording of the letter's language."""
        if isinstance(converted, tuple) and isinstance(value, list):
            for i, item in enumerate(converted):
                if isinstance(item, str) and _blank(item):
                    self.fail((*where, i), "is empty (write its text, or remove the line)", "E102")
                    converted = INVALID
            return converted
        # One line given for a list of them ("title: ''") is the field's text.
        text = converted[0] if isinstance(converted, tuple) else converted
        if not isinstance(text, str) or not _blank(text):
            return converted
        if _required(f):
            return self.fail(where, "is empty", "E102")
        default = f" for '{f.default}'" if isinstance(f.default, str) and f.default else ""
        if house:
            default = " for the house wording of the letter's language"
        return self.fail(
            where, f"is empty (write its text, or leave the field out{default})", "E102"
        )

    def _markdown(self, text: str, where: Path_) -> Any:
        """Markdown that every output shows alike, read as the parser reads it: no character
        reference to a character no output can carry (E105, as the character itself), no raw
        HTML (E108), no link but to a web or mail address or within the site (E109), no
        footnote, strikethrough, image, task or alert of GFM (E121-E125). The
        Markdown output publishes the text as written, so what DOCX and PDF would drop is
        refused rather than dropped."""
        from .markup import unsafe

        found = unsafe(text, REFUSED_CHARACTER)
        for item in found:
            if item.kind == "character":
                message, code = refusal(item.value, "letter", item.written), "E105"
            elif item.kind == "html":
                message, code = (
                    f"raw HTML {quoted(_first_line(item.written))} is not allowed in a letter "
                    "(the Markdown would publish it, the DOCX and the PDF drop it: write \\< "
                    "to show a '<')",
                    "E108",
                )
            elif item.kind in _CONSTRUCTS:
                what, instead, code = _CONSTRUCTS[item.kind]
                message = (
                    f"{what} {quoted(_first_line(item.written))} is not supported in a letter "
                    f"(the Markdown would show it, the other formats could not: {instead})"
                )
            elif item.kind == "image":
                message, code = (
                    f"the image {quoted(_first_line(item.value))} is not supported in a letter "
                    "(the DOCX, PDF and text show no images: write its words, or link to it "
                    "with [words](address))",
                    "E123",
                )
            else:
                message, code = (
                    f"the {item.kind} {quoted(_first_line(item.value))} leads to "
                    f"{quoted(_first_line(item.written))}, which a letter may not link to "
                    "(expected an http:, https: or mailto: address, or one on the same site "
                    "such as #annexe)",
                    "E109",
                )
            self.problems.append(self.locator.problem(where, item.offset, message, code))
        return INVALID if found else text

    def _unique(self, items: tuple[Any, ...], where: Path_) -> Any:
        first: dict[Any, int] = {}
        for i, item in enumerate(items):
            if item in first:
                self.fail(
                    (*where, i),
                    f"'{item}' is already at {dotted((*where, first[item]))} "
                    "(each may stand once in the list)",
                    "E115",
                )
                items = INVALID
            first.setdefault(item, i)
        return items

    # -- rules across fields ---------------------------------------------------------------

    def check_letter(self, fields: dict[str, Any]) -> None:
        if "signatories" in fields and not fields["signatories"]:
            self.fail(("signatories",), "a letter needs at least one signatory", "E102")
        reference = Reference.parse(fields.get("reference", ""))
        if reference is None:
            return
        day = fields.get("date")
        today = date.today()
        year = reference.year_in(today)
        if day is not None and day.year != year:
            why = ""
            if day.year // 100 != year // 100:  # 0021 or 2121 for CL-21; 2028 for CL-28 (1928)
                why = (
                    f": its {reference.year} stands for the latest year ending in "
                    f"{reference.year} up to next year, {today.year + 1}"
                )
            self.fail(
                ("date",),
                f"the year {day.year:04d} disagrees with the reference "
                f"{reference} (expected a date in {year}{why})",
                "E112",
            )
        path = self.source.path
        folder = path.parent.name
        if SERIES_PATTERN.match(folder):
            number = f"{reference.number}{path.suffix}"
            if (reference.folder, number) != (folder, path.name):
                expected, actual = Path(reference.folder) / number, Path(folder) / path.name
                self.fail(
                    ("reference",),
                    f"{reference} disagrees with the file's path {actual} (expected {expected})",
                    "E113",
                )


def _email(value: str) -> str | None:
    if EMAIL_PATTERN.match(value):
        return None
    return f"{quoted(value)} is not an e-mail address"


def _reference(value: str) -> str | None:
    if Reference.parse(value):
        return None
    other_digits = any(c.isdigit() and not c.isascii() for c in value)
    digits = ", in the digits 0-9" if other_digits else ""
    return (
        f"{quoted(value)} is not a reference (expected <series>-<yy>/<number>{digits}, "
        "such as CL-21/27)"
    )


def _language(value: str) -> str | None:
    problem = check_language(value)
    return f"{problem} (expected a locale such as fr or fr_CH)" if problem else None


_FIELD_CHECKS = {
    ("Contact", "email"): _email,
    ("Letter", "reference"): _reference,
    ("Letter", "language"): _language,
}
"""Rules on one field's value, run as soon as the field is converted."""
_CONSTRUCTS = {
    "footnote": (
        "the footnote",
        "write the note in the text, in parentheses, or as a numbered paragraph at the end",
        "E121",
    ),
    "strikethrough": (
        "the strikethrough",
        "leave the words out, or write \\~ to show a '~'",
        "E122",
    ),
    "task": (
        "the task list item",
        "write a plain list item, or \\[ ] to show the brackets",
        "E124",
    ),
    "alert": (
        "the alert",
        "write a plain quote or paragraph, or \\[!NOTE] to show the brackets",
        "E125",
    ),
}
"""Markdown that GFM's readers show, refused (E121, E122, E124, E125): what it is, what to
write instead, its code."""

_CHECK_CODES = {_email: "E110", _reference: "E111", _language: "E114"}


def _first_line(text: str, width: int = 60) -> str:
    """The first line of a piece of Markdown, cut to ``width``, for a message."""
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= width else line[: width - 1] + "…"


def _refused(text: str) -> re.Match[str] | None:
    """The first character of ``text`` that no output can carry (:data:`REFUSED_CHARACTER`).
    Each of them is one Python does not print, so a text that is printable, but for its line
    breaks, has none: ``str.isprintable`` says so in a tenth of the pattern's time."""
    if text.isprintable() or ("\n" in text and text.replace("\n", "").isprintable()):
        return None
    return REFUSED_CHARACTER.search(text)


def _blank(text: str) -> bool:
    """Whether ``text`` holds white space alone, or nothing: ``not text.strip()``, without
    copying a body of thousands of characters to find it has more."""
    return not text or text.isspace()


def _required(f: dataclasses.Field[Any]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def _did_you_mean(word: str, options: typing.Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
