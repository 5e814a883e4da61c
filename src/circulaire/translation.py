"""A letter in another language: a translation's spec beside its original, made into one
letter, and read against the original as a reviser would.

``letters/CL-21/27.en.yaml`` is the English version of ``letters/CL-21/27.yaml``: it holds
only the words of its language (see :class:`~circulaire.model.Translation`); the reference,
date, contacts, signatories' names and style are the original's, and cannot be contradicted.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Problem, SpecError
from .model import LANGUAGE_CODE, Letter, Signatory, Translation

if TYPE_CHECKING:  # a build that renders nothing reads no YAML: yaml is not imported
    from .source import Path_, Source

NAME = re.compile(rf"\A(?P<stem>[^.]+)\.(?P<language>{LANGUAGE_CODE})(?P<suffix>\.ya?ml)\Z")
"""A translation's file name: the original's, with the language before the suffix
(``27.en.yaml``)."""

CODES: dict[str, str] = {
    "W201": "a translation whose paragraphs or list items are not the original's in number",
    "W202": "a translation whose links or e-mail addresses are not the original's",
    "W203": "a translation whose numbers or dates are not the original's",
    "W204": "a text of a translation left in the original's words",
    "W205": "a text of a draft translation still marked [To translate]",
}
"""The warnings of a translation read against its original; docs/validating.md lists them."""


def language_of(path: Path | str) -> str | None:
    """The language of a translation's spec (``27.en.yaml`` -> ``en``); None for an original.
    The path may be a key of the manifest (``CL-21/27.en.yaml``), read without making a Path
    of it: a build asks it of every letter."""
    name = path.rpartition("/")[2] if isinstance(path, str) else path.name
    match = NAME.match(name)
    return match["language"] if match else None


def original_of(path: Path) -> Path:
    """The original of a translation's spec: ``27.yaml`` beside ``27.en.yaml`` (or ``27.yml``)."""
    match = NAME.match(path.name)
    assert match is not None, path
    for suffix in dict.fromkeys((match["suffix"], ".yaml", ".yml")):
        candidate = path.with_name(match["stem"] + suffix)
        if candidate.exists():
            return candidate
    return path.with_name(match["stem"] + match["suffix"])


@dataclass(frozen=True)
class Version:
    """A translation made into a letter, with what it was made from."""

    letter: Letter
    """The letter in the translation's language: its words, the original's facts."""
    source: Source
    """The translation's spec, as read (for positions)."""
    translation: Translation
    original: Letter
    original_source: Source


def load(path: Path) -> Version:
    """Read a translation and its original, and make them one letter; a :class:`SpecError`
    for a translation whose original is missing or invalid, or that does not match it."""
    from .source import read

    origin = original_of(path)
    source = read(path)  # the translation's own errors first: its file may not even be read
    original: Source | SpecError
    try:
        original = read(origin)
    except SpecError as exc:
        original = exc
    return made(source, original)


def made(
    source: Source, original_source: Source | SpecError, validated: Letter | None = None
) -> Version:
    """:func:`load`, from the translation and its original as read (or the error of reading
    the original), and the original's letter when it has been validated already (a build
    renders each of a letter's versions from one reading of the original)."""
    from .discover import refused
    from .validate import validate, validate_translation

    path = source.path
    language = language_of(path)
    assert language is not None, path
    origin = original_of(path)
    outside = refused(origin)  # a link out of the archive: nothing of it may be used
    try:
        if outside is not None:
            raise SpecError([outside])
        if isinstance(original_source, SpecError):
            raise original_source
        original = validated if validated is not None else validate(original_source)
    except SpecError as exc:
        missing = not origin.exists()
        why = "is missing" if missing else "is not valid (validate it first)"
        if outside is not None:
            why = "is not read: it is no spec of its archive (validate it first)"
        message = f"the original of this translation, {origin}, {why}"
        raise SpecError([Problem(str(path), message=message, code="E118")]) from exc
    translation = validate_translation(source)
    problems = list(_mismatches(source, translation, original, language, origin))
    if problems:
        raise SpecError(problems)
    letter = merge(original, translation, language)
    return Version(letter, source, translation, original, original_source)


def merge(original: Letter, translation: Translation, language: str) -> Letter:
    """The letter in ``language``: the translation's words on the original's facts."""
    mark = _default(Signatory, "mark")
    signatories = tuple(
        dataclasses.replace(
            signatory,
            title=version.title,
            organization=version.organization,
            mark=version.mark if version.mark is not None else mark,
        )
        for signatory, version in zip(original.signatories, translation.signatories, strict=True)
    )
    return dataclasses.replace(
        original,
        place=translation.place,
        subject=translation.subject,
        salutation=translation.salutation,
        body=translation.body,
        recipients=translation.recipients,
        reference_label=translation.reference_label,
        department=translation.department,
        closing=translation.closing,
        annexes=translation.annexes,
        organization=translation.organization,
        signatories=signatories,
        language=language,
        style=dataclasses.replace(original.style, labels=translation.style.labels),
        ignore=translation.ignore,
    )


def _default(cls: type, name: str) -> Any:
    return next(f.default for f in dataclasses.fields(cls) if f.name == name)


def _mismatches(
    source: Source, translation: Translation, original: Letter, language: str, origin: Path
) -> Iterator[Problem]:
    """What the translation lacks, or has more of, than its original: each an error, since
    the letter would not be the same letter."""
    if language == original.language.split("_")[0]:
        message = f"a translation into {language}, the language of its original {origin}"
        yield source.problem((), message, "E119")
    for name, count in (("signatories", len(original.signatories)), ("annexes", None)):
        mine = len(getattr(translation, name))
        theirs = len(getattr(original, name)) if count is None else count
        if mine != theirs:
            message = f"{mine} here, {theirs} in the original {origin}: translate each, in order"
            yield source.problem((name,), message, "E119")
    for where, here, there in _optional_texts(translation, original):
        if here and not there:
            message = f"the original {origin} has none: leave it out"
            yield source.problem(where, message, "E119")
        elif there and not here:
            message = f"the original {origin} has it: translate it"
            yield source.problem(where, message, "E119")


def _optional_texts(translation: Translation, original: Letter) -> Iterator[tuple[Path_, Any, Any]]:
    for name in ("recipients", "reference_label", "department", "closing", "organization"):
        yield (name,), getattr(translation, name), getattr(original, name)
    for i, (version, signatory) in enumerate(
        zip(translation.signatories, original.signatories, strict=False)
    ):
        yield ("signatories", i, "title"), version.title, signatory.title
        yield ("signatories", i, "organization"), version.organization, signatory.organization
    for i, (annex, theirs) in enumerate(zip(translation.annexes, original.annexes, strict=False)):
        yield ("annexes", i, "content"), annex.content.strip(), theirs.content.strip()


# -- read against the original, as a reviser would ----------------------------------------------


def review(version: Version) -> list[Problem]:
    """The warnings of a translation against its original: a different number of paragraphs
    or list items, other links or e-mail addresses, other numbers or dates, words left as
    the original's. Codes the translation ignores are left out."""
    found: list[Problem] = []
    here, there = version.letter, version.original
    source = version.source
    markdown: list[tuple[Path_, str, str]] = [(("body",), here.body, there.body)]
    markdown += [
        (("annexes", i, "content"), mine.content, theirs.content)
        for i, (mine, theirs) in enumerate(zip(here.annexes, there.annexes, strict=True))
    ]
    for where, mine, theirs in markdown:
        shape, other = _shape(mine), _shape(theirs)
        if shape != other:
            message = (
                f"{_count(shape)} here, {_count(other)} in the original:"
                " a translation keeps the original's paragraphs and lists"
            )
            found.append(source.problem(where, message, severity="warning", code="W201"))
    for where, mine, theirs in _texts(version):
        targets, others = _targets(mine), _targets(theirs)
        if targets != others:
            message = f"links and addresses {_listed(targets)}, the original's {_listed(others)}"
            found.append(source.problem(where, message, severity="warning", code="W202"))
        numbers = _numbers(mine, here.language)
        others_ = _numbers(theirs, there.language)
        if numbers != others_:
            only_here = sorted((numbers - others_).elements())
            only_there = sorted((others_ - numbers).elements())
            message = "numbers and dates differ from the original's: " + "; ".join(
                part
                for part in (
                    f"{', '.join(only_here)} here only" if only_here else "",
                    f"{', '.join(only_there)} in the original only" if only_there else "",
                )
                if part
            )
            found.append(source.problem(where, message, severity="warning", code="W203"))
        if mine.strip() == theirs.strip() and _has_common_words(mine):
            message = "the same words as the original's: translate them (or ignore W204)"
            found.append(source.problem(where, message, severity="warning", code="W204"))
    return [p for p in found if p.code not in here.ignore]


def _texts(version: Version) -> Iterator[tuple[Path_, str, str]]:
    """Each translated text with the original's, by where the translation writes it."""
    here, there = version.letter, version.original
    for name in ("place", "subject", "salutation", "body", "reference_label", "department"):
        mine, theirs = getattr(here, name), getattr(there, name)
        if mine and theirs:
            yield (name,), mine, theirs
    if here.closing and there.closing:
        yield ("closing",), here.closing, there.closing
    for i, (mine, theirs) in enumerate(zip(here.recipients, there.recipients, strict=False)):
        yield ("recipients", i), mine, theirs
    for i, (signatory, other) in enumerate(zip(here.signatories, there.signatories, strict=True)):
        for j, (mine, theirs) in enumerate(zip(signatory.title, other.title, strict=False)):
            yield ("signatories", i, "title", j), mine, theirs
        if signatory.organization and other.organization:
            yield ("signatories", i, "organization"), signatory.organization, other.organization
    for i, (annex, theirs_annex) in enumerate(zip(here.annexes, there.annexes, strict=True)):
        if annex.title and theirs_annex.title:
            yield ("annexes", i, "title"), annex.title, theirs_annex.title
        if annex.content.strip() and theirs_annex.content.strip():
            yield ("annexes", i, "content"), annex.content, theirs_annex.content


def _shape(text: str) -> tuple[int, int]:
    """(paragraphs, list items) of a Markdown text."""
    from .markup import parse

    counts = Counter(node.type for node in parse(text).walk())
    return counts["paragraph"], counts["list_item"]


def _count(shape: tuple[int, int]) -> str:
    paragraphs, items = shape
    words = f"{paragraphs} paragraph{'s' * (paragraphs != 1)}"
    return f"{words} and {items} list item{'s' * (items != 1)}" if items else words


_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL = re.compile(r"https?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"»]")
_WORD = re.compile(r"[^\W\d_]{3,}")


def _has_common_words(text: str) -> bool:
    """Whether a text holds a word that is not a name (not capitalized): a text of names
    alone (``Viet Nam``, ``ITU``) may be the same in every language."""
    return any(not word[0].isupper() for word in _WORD.findall(text))


def _targets(text: str) -> list[str]:
    """Link targets and e-mail addresses, in order; an e-mail link and its text count once."""
    from .markup import link_target, parse

    found: list[str] = []
    for node in parse(text).walk():
        if node.type == "link":
            target = link_target(node).removeprefix("mailto:")
            if target and target != "#":
                found.append(target)
        elif node.type == "text":
            spans = sorted(
                [(m.start(), m[0]) for m in _URL.finditer(node.content)]
                + [(m.start(), m[0]) for m in _EMAIL.finditer(node.content) if "//" not in m[0]]
            )
            found.extend(value for _, value in spans)
    # A link whose text is its own target (<https://…>, [a@b.ch](mailto:a@b.ch)) is one.
    return [value for i, value in enumerate(found) if i == 0 or found[i - 1] != value]


def _listed(targets: list[str]) -> str:
    return "(" + ", ".join(targets) + ")" if targets else "(none)"


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NUMBER = re.compile(r"[0-9]+")


def _numbers(text: str, language: str) -> Counter[str]:
    """The numbers of a text, its dates read in its language first (``31 juillet 2021``,
    ``31 July 2021`` and ``2021年7月31日`` are all ``2021-07-31``): a multiset, since word
    order differs from language to language. Links and addresses are left out: they are
    compared on their own."""
    text = _EMAIL.sub(" ", _URL.sub(" ", text.translate(_DIGITS)))
    found: Counter[str] = Counter()
    # 2021年10月12日至15日 is 12 to 15 October 2021: the date of its end, and a number.
    for match in _CJK_RANGE.finditer(text):
        found[f"{int(match['year']):04d}-{int(match['month']):02d}-{int(match['end']):02d}"] += 1
        found[str(int(match["day"]))] += 1
    text = _CJK_RANGE.sub(" ", text)
    for pattern in _date_patterns(language.split("_")[0]):
        for match in pattern.finditer(text):
            day, month, year = match["day"], _month(match["month"], language), match["year"]
            found[f"{int(year):04d}-{month:02d}-{int(day):02d}"] += 1
        text = pattern.sub(" ", text)
    text = _CJK_MONTH.sub(" ", text)  # 9月至11月: months, which other languages write as words
    found.update(str(int(number)) for number in _NUMBER.findall(text))
    return found


_CJK_RANGE = re.compile(
    r"(?P<year>[0-9]{4})\s*年\s*(?P<month>[0-9]{1,2})\s*月\s*(?P<day>[0-9]{1,2})\s*日\s*"
    r"[至到~～－–-]\s*(?P<end>[0-9]{1,2})\s*日"
)
_CJK_MONTH = re.compile(r"[0-9]{1,2}\s*月")


@cache
def _months(language: str) -> dict[str, int]:
    """Month names of a language, as its dates write them (lower case) -> month number."""
    from babel import Locale, UnknownLocaleError
    from babel.dates import get_month_names

    try:
        locale = Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return {}
    names: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, context, locale).items():
                names.setdefault(name.lower().rstrip("."), number)
    return names


def _month(name: str, language: str) -> int:
    if name.isdigit():
        return int(name)
    return _months(language.split("_")[0])[name.lower().rstrip(".")]


@cache
def _date_patterns(language: str) -> tuple[re.Pattern[str], ...]:
    """Dates as a language writes them: day month year (``31 juillet 2021``, ``24 de junio de
    2011``, ``24 марта 2011 года``), month day, year (``July 31, 2021``), and the CJK
    ``2021年7月31日``."""
    patterns = [
        re.compile(
            r"(?P<year>[0-9]{4})\s*年\s*(?P<month>[0-9]{1,2})\s*月\s*(?P<day>[0-9]{1,2})\s*日"
        )
    ]
    months = sorted(_months(language), key=len, reverse=True)
    if months:
        month = "(?P<month>" + "|".join(re.escape(m) for m in months) + r")\.?"
        day = r"(?P<day>[0-3]?[0-9])(?:er|st|nd|rd|th|º|°)?"
        link = r"(?:\s+de)?\s+"
        patterns.append(
            re.compile(rf"\b{day}{link}{month}{link}(?P<year>[0-9]{{4}})\b", re.IGNORECASE)
        )
        patterns.append(re.compile(rf"\b{month}\s+{day},?\s+(?P<year>[0-9]{{4}})\b", re.IGNORECASE))
    return tuple(patterns)
