"""French (and other) letter dates, Babel wrapped once.

Babel writes "1 juillet 2021"; French letters write "1er juillet 2021". That rule lives here.
"""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache
from typing import Any


@cache
def _locale(language: str) -> Any:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language)
    except (ValueError, UnknownLocaleError) as exc:
        raise ValueError(f"unknown language '{language}'") from exc


def check_language(language: str) -> str | None:
    """Return a message when Babel does not know ``language``, else ``None``."""
    try:
        _locale(language)
    except ValueError as exc:
        return str(exc)
    return None


@lru_cache(maxsize=1024)
def long_date(day: date, language: str = "fr") -> str:
    """``31 août 2020``; ``1er juillet 2021`` for the first of the month in French.

    Kept for the last thousand dates: a build writes each letter's date in every format, and an
    archive's letters share their days."""
    from babel.dates import format_date

    locale = _locale(language)
    text: str = format_date(day, format="long", locale=locale)
    if str(locale).startswith("fr") and day.day == 1:
        text = "1er" + text[1:] if text.startswith("1 ") else text
    return text


def dated(day: date, language: str = "fr") -> str:
    """The date as it follows the place: ``le 1er juillet 2021`` in French."""
    if language.split("_")[0] == "fr":
        return f"le {long_date(day, language)}"
    return long_date(day, language)


def place_and_date(place: str, day: date, language: str = "fr") -> str:
    """``Genève, le 31 août 2020``."""
    return f"{place}, {dated(day, language)}"


HOUSE_LANGUAGE = {"fr": "fr-CH"}
"""The document language of a letter that names only its language: the house is in Geneva."""


def document_language(language: str) -> str:
    """The letter's locale as a document language tag, for DOCX and PDF: ``fr_CH`` ->
    ``fr-CH``; a bare ``fr`` is the house's ``fr-CH``."""
    tag = language.replace("_", "-")
    return HOUSE_LANGUAGE.get(tag, tag)


FILTERS = {
    "long_date": long_date,
    "dated": dated,
    "place_and_date": place_and_date,
    "document_language": document_language,
}
"""Exposed to templates: ``{{ letter.date | long_date(letter.language) }}``."""
