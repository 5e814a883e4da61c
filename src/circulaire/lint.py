"""Lint: things a valid letter may still get wrong, as warnings with stable codes.

A warning never stops a letter from rendering. ``validate --strict`` makes warnings errors, and a
spec silences a code with ``ignore: [W101]`` (the archive reproduces published letters, slips
included). Each warning points at the line of the YAML where the words stand, inside a block of
text too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from .errors import Problem
from .model import Letter
from .source import Locator, Path_, Source, texts
from .translate import TO_TRANSLATE
from .translation import CODES as TRANSLATION_CODES
from .validate import EMAIL_PATTERN

if TYPE_CHECKING:
    from .markup import SyntaxTreeNode

CODES: dict[str, str] = {
    "W100": "a code in `ignore:` that is not a lint code",
    "W101": "a French formula misspelled (Veillez agréer)",
    "W102": "a weekday that disagrees with its date (le lundi 18 mai 2021)",
    "W103": "a deadline earlier than the letter's date",
    "W104": "a link with an empty or '#' target",
    "W105": "an e-mail link whose address is not valid",
    "W106": "a placeholder left from `circulaire new` ([À compléter: ...])",
    "W107": "a date in the text that does not exist (30 février 2021)",
    "W108": "an empty list item, which prints a lone bullet (a bare `-` line)",
    "W121": "two letters with the same subject and date (archive)",
    "W122": "a gap in a year's numbering (archive)",
    **TRANSLATION_CODES,
}
"""Every warning code, with what it flags; docs/validating.md lists them."""

PLACEHOLDER = "À compléter"
"""Placeholders written by ``circulaire new`` read ``[À compléter: what]``."""

MONTHS = {
    "janvier": 1,
    "février": 2,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    "decembre": 12,
}
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

MISSPELLINGS = {
    "veillez agréer": "Veuillez agréer",
    "veuillez agréez": "Veuillez agréer",
    "veuillez agreer": "Veuillez agréer",
    "veuiller agréer": "Veuillez agréer",
    "je vous pris d'agréer": "Je vous prie d'agréer",
    "je vous pris de croire": "Je vous prie de croire",
    "considération distingué.": "considération distinguée.",
    "salutations distingués": "salutations distinguées",
    "sentiments distinguées": "sentiments distingués",
}
"""Misspelled closing formulas (lower case) and their right spelling."""

_S = r"[ \t\r\n\u00a0]+"
_DAY = r"(?P<day>1er|[0-3]?[0-9])"
_MONTH = r"(?P<month>" + "|".join(MONTHS) + ")"
_DATE = _DAY + _S + _MONTH + _S + r"(?P<year>[0-9]{4})\b"
_WEEKDAY_DATE = re.compile(r"\b(?P<weekday>" + "|".join(WEEKDAYS) + ")" + _S + _DATE, re.IGNORECASE)
_DEADLINE = re.compile(
    r"(?P<phrase>\bd['’]ici(?:" + _S + r"au|" + _S + r"le)?|\bavant" + _S + r"le"
    r"|\bau"
    + _S
    + r"plus"
    + _S
    + r"tard"
    + _S
    + r"(?:le)?|\bjusqu['’]au)"
    + _S
    + r"(?:(?:"
    + "|".join(WEEKDAYS)
    + r")"
    + _S
    + r")?"
    + _DATE,
    re.IGNORECASE,
)
_ANY_DATE = re.compile(r"\b" + _DATE, re.IGNORECASE)
_FORMULA = re.compile(
    "|".join(
        _S.join(re.escape(word).replace("'", "['’]") for word in k.split()) for k in MISSPELLINGS
    ),
    re.IGNORECASE,
)
"""The formulas however they are spaced (two spaces, a line break of a block) and with either
apostrophe (a word processor's ’)."""
_PLACEHOLDER = re.compile(r"\[" + re.escape(PLACEHOLDER) + r"[^\]]*\]", re.IGNORECASE)
_MARKDOWN_FIELDS = {("body",), ("annexes", "content")}
"""Fields whose text is Markdown, where links are looked at."""


@dataclass(frozen=True)
class _Found:
    """A warning about ``length`` characters at ``offset`` of the text at ``where``."""

    where: Path_
    offset: int
    length: int
    message: str
    code: str


def lint(source: Source, letter: Letter) -> list[Problem]:
    """Every warning about a valid letter, placed where the words stand in the YAML; the codes
    the letter ignores are left out."""
    found: list[_Found] = []
    for where, text in texts(source.data, leave_out=("ignore",)):
        for check in _TEXT_CHECKS:
            found.extend(check(where, text, letter))
        if tuple(p for p in where if isinstance(p, str)) in _MARKDOWN_FIELDS:
            from .markup import parse

            tree = parse(text)
            found.extend(_links(where, text, tree))
            found.extend(_empty_items(where, text, tree))
    where_words = Locator(source)
    problems = [
        where_words.problem(f.where, f.offset, f.message, f.code, "warning")
        for f in found
        if f.code not in letter.ignore
    ]
    for i, code in enumerate(letter.ignore):
        if code not in CODES:
            problems.append(
                source.problem(
                    ("ignore", i) if source.written(("ignore", i)) else ("ignore",),
                    f"'{code}' is not a lint code (expected one of {', '.join(CODES)})",
                    "W100",
                    severity="warning",
                )
            )
    return [p for p in problems if p.code not in letter.ignore]


def _formulas(where: Path_, text: str, letter: Letter) -> Iterator[_Found]:
    for match in _FORMULA.finditer(text):
        written = _words(match[0])
        right = MISSPELLINGS[written.replace("’", "'").lower()]
        message = f"'{written}' is misspelled (expected '{right}')"
        yield _Found(where, match.start(), len(match[0]), message, "W101")


def _dates(where: Path_, text: str, letter: Letter) -> Iterator[_Found]:
    for match in _ANY_DATE.finditer(text):
        if _day(match) is None:
            message = f"'{_words(match[0])}' is not a date that exists"
            yield _Found(where, match.start(), len(match[0]), message, "W107")
    for match in _WEEKDAY_DATE.finditer(text):
        day = _day(match)
        said = match["weekday"].lower()
        if day is not None and WEEKDAYS[day.weekday()] != said:
            actual = WEEKDAYS[day.weekday()]
            dated = f"{match['day']} {match['month']} {day.year}"  # as written: 1er stays 1er
            message = (
                f"'{_words(match[0])}': {dated} falls on a {actual} (expected '{actual} {dated}')"
            )
            yield _Found(where, match.start(), len(match[0]), message, "W102")
    for match in _DEADLINE.finditer(text):
        day = _day(match)
        if day is not None and day < letter.date:
            message = (
                f"the deadline '{_words(match[0])}' is before the letter's date "
                f"({letter.date.isoformat()})"
            )
            yield _Found(where, match.start(), len(match[0]), message, "W103")


def _placeholders(where: Path_, text: str, letter: Letter) -> Iterator[_Found]:
    for match in _PLACEHOLDER.finditer(text):
        message = f"placeholder '{match[0]}' is still to be replaced"
        yield _Found(where, match.start(), len(match[0]), message, "W106")


def _to_translate(where: Path_, text: str, letter: Letter) -> Iterator[_Found]:
    at = text.find(TO_TRANSLATE)
    while at >= 0:
        message = f"still to translate (remove {TO_TRANSLATE} once it is)"
        yield _Found(where, at, len(TO_TRANSLATE), message, "W205")
        at = text.find(TO_TRANSLATE, at + 1)


_TEXT_CHECKS: tuple[Callable[[Path_, str, Letter], Iterator[_Found]], ...] = (
    _formulas,
    _dates,
    _placeholders,
    _to_translate,
)


def _links(where: Path_, text: str, tree: SyntaxTreeNode) -> Iterator[_Found]:
    from .markup import link_spans, link_target, plain_text

    spans: list[tuple[int, int]] | None = None  # found when a link is wrong (a second parse)
    links = (node for node in tree.walk() if node.type == "link")
    for i, node in enumerate(links):
        target = link_target(node).strip()
        if target in ("", "#"):
            shown = "an empty target" if not target else "the target '#'"
            message = f"the link '{plain_text(node)}' has {shown} (expected a URL)"
            code = "W104"
        elif target.lower().startswith("mailto:"):
            address = target[len("mailto:") :].split("?", 1)[0]
            if all(EMAIL_PATTERN.match(one) for one in address.split(",")):  # RFC 6068
                continue
            message = (
                f"the link '{plain_text(node)}' goes to '{address}', which is not an e-mail address"
            )
            code = "W105"
        else:
            continue
        if spans is None:
            spans = link_spans(text)
        start, end = spans[i] if i < len(spans) else (0, 0)
        yield _Found(where, start, end - start, message, code)


def _empty_items(where: Path_, text: str, tree: SyntaxTreeNode) -> Iterator[_Found]:
    """A list item with nothing in it (``-`` alone on its line): every format prints its bullet,
    and nothing after it. Placed at its marker."""
    from .markup import empty_items

    if not any(node.type == "list_item" and not node.children for node in tree.walk()):
        return
    message = "an empty list item prints a lone bullet (remove the marker, or write the item)"
    for offset in empty_items(text):
        yield _Found(where, offset, 1, message, "W108")


def _day(match: re.Match[str]) -> date | None:
    day = 1 if match["day"].lower() == "1er" else int(match["day"])
    try:
        return date(int(match["year"]), MONTHS[match["month"].lower()], day)
    except ValueError:
        return None


def _words(text: str) -> str:
    return " ".join(text.split())
