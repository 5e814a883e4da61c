"""Letter dates in each language, Babel wrapped once, with the house's exceptions in one place.

Babel writes the long date of CLDR; the house's letters differ in a few languages:

- French: "1er juillet 2021" for the first of the month (Babel: "1 juillet 2021");
- English: "16 March 2005", day before month, whatever the region (Babel's ``en``: "March 16,
  2005");
- Russian: "24 марта 2011 года" (Babel: "24 марта 2011 г.");
- Arabic: Western digits, "6 ديسمبر 2016", whatever digits a locale's CLDR data prefers.

Spanish ("24 de junio de 2011") and Chinese ("2021年7月8日") are CLDR's own.
"""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache
from typing import Any

from .errors import quoted


@cache
def _locale(language: str) -> Any:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language)
    except (ValueError, UnknownLocaleError) as exc:
        raise ValueError(f"unknown language {quoted(language)}") from exc


def check_language(language: str) -> str | None:
    """Return a message when Babel does not know ``language``, else ``None``."""
    try:
        _locale(language)
    except ValueError as exc:
        return str(exc)
    return None


HOUSE_PATTERNS = {
    "en": "d MMMM y",
    "ru": "d MMMM y 'года'",
}
"""The house's long date where it is not CLDR's, by language (every region of it), as a CLDR
pattern: British order in English, "года" in Russian."""

WESTERN_DIGITS = {"ar": str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)}
"""Languages whose letters write their dates in the digits 0-9: Arabic-Indic and Eastern
Arabic-Indic digits, should a locale's data ever give them, become Western ones."""


@lru_cache(maxsize=1024)
def long_date(day: date, language: str = "fr") -> str:
    """The date as the house writes it in ``language``: ``31 août 2020``, ``1er juillet 2021``,
    ``16 March 2005``, ``24 марта 2011 года``, ``6 ديسمبر 2016``, ``2021年7月8日``.

    Kept for the last thousand dates: a build writes each letter's date in every format, and an
    archive's letters share their days."""
    from babel.dates import format_date

    locale = _locale(language)
    pattern = HOUSE_PATTERNS.get(locale.language, "long")
    text: str = format_date(day, format=pattern, locale=locale)
    if locale.language == "fr" and day.day == 1:
        text = "1er" + text[1:] if text.startswith("1 ") else text
    digits = WESTERN_DIGITS.get(locale.language)
    return text.translate(digits) if digits else text


def dated(day: date, language: str = "fr") -> str:
    """The date as it follows the place: ``le 1er juillet 2021`` in French.

    Templates written before the catalogs use it; the house templates take the place and date
    from the catalog's ``%(place)s, %(date)s``, whose French is ``%(place)s, le %(date)s``."""
    if language.split("_")[0] == "fr":
        return f"le {long_date(day, language)}"
    return long_date(day, language)


def place_and_date(place: str, day: date, language: str = "fr") -> str:
    """``Genève, le 31 août 2020`` (see :func:`dated`)."""
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
