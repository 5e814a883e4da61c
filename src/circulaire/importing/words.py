"""The words a letter is read in: its language's house wording as patterns, its dates, and
Markdown's escapes and marks taken off spec text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from ..model import Labels

LANGUAGES = ("fr", "en", "es", "ru", "ar", "zh")
"""The languages whose wording is recognized, tried in this order: the house's catalogs."""

FAX = re.compile(r"fax|t[ée]l[ée]copie|факс|传真|الفاكس", re.IGNORECASE)
MARK = re.compile(r"\A[\[(（].{1,40}[\])）]\Z")
"""A signature mark: a few words in brackets, ``[original signé]``, ``(signé)``."""
CLOSING = re.compile(
    r"\A(?:veuillez|veillez|je vous prie|nous vous prions|recevez|agréez|yours|please accept|"
    r"sírvase|reciba|le saluda|atentamente|примите|с уважением|وتفضلوا|وتقبلوا|顺致|此致)",
    re.IGNORECASE,
)
"""How a closing formula begins: a last paragraph that does is the ``closing`` field."""
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


@dataclass(frozen=True)
class Wording:
    """The house wording of one language, as patterns to read a letter with."""

    language: str
    dateline: re.Pattern[str]
    labelled: re.Pattern[str]
    heading: re.Pattern[str]
    mark: str
    labels: Labels
    heading_message: str = "%(annex)s %(number)s"

    def heading_at(self, number: int) -> re.Pattern[str]:
        """Annex heading ``number`` at the start of a line, with what runs on after it
        (``rest``): nothing when the heading stands apart, the annex's first line when it
        runs in (``Annexe 1**UNITED NATIONS**``)."""
        return _run_in(self.heading_message, number)


@cache
def _run_in(message: str, number: int) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", message)
    regex = "".join(
        re.escape(part.replace("%%", "%"))
        if i % 2 == 0
        else re.escape(str(number))
        if part == "number"
        else f"(?P<{part}>.+?)"
        for i, part in enumerate(parts)
    )
    return re.compile(rf"\A{regex}(?P<rest>.*)\Z", re.DOTALL)


_GROUPS = {"number": "[0-9]+"}
"""What a placeholder may match where it is not any text."""


def _pattern(message: str) -> re.Pattern[str]:
    """``%(place)s, le %(date)s`` -> a pattern with a group for each placeholder."""
    parts = re.split(r"%\((\w+)\)s", message)
    regex = "".join(
        re.escape(part.replace("%%", "%"))
        if i % 2 == 0
        else f"(?P<{part}>{_GROUPS.get(part, '.+?')})"
        for i, part in enumerate(parts)
    )
    return re.compile(rf"\A{regex}\Z", re.DOTALL)


@cache
def wording(language: str) -> Wording:
    from ..templating import house_wording

    house = house_wording(language)
    message = house.translations.gettext
    return Wording(
        language,
        _pattern(message("%(place)s, %(date)s")),
        _pattern(message("%(label)s: %(value)s")),
        _pattern(message("%(annex)s %(number)s")),
        message("(signed)"),
        house.labels(Labels()),
        message("%(annex)s %(number)s"),
    )


def read_date(text: str, language: str) -> date | None:
    """The date the house writes as ``text`` in ``language`` ("1er juillet 2021"), or ``None``:
    its numbers and month names (Babel's) tried, and each candidate written back to compare."""
    from babel.dates import get_month_names

    from ..dates import long_date

    numbers = [int(n) for n in re.findall(r"[0-9]+", text)]
    lowered = text.lower()
    names = get_month_names("wide", "format", locale=language)
    months = [m for m, name in names.items() if str(name).lower() in lowered]
    months += [n for n in numbers if 1 <= n <= 12]
    for year in (n for n in numbers if n >= 1000):
        for month in months:
            for day in (n for n in numbers if 1 <= n <= 31):
                try:
                    candidate = date(year, month, day)
                except ValueError:
                    continue
                if long_date(candidate, language) == text:
                    return candidate
    return None


def unescape(raw: str) -> str:
    """Markdown written by ``escape_markdown`` -> the spec's text."""
    return _ESCAPED.sub(r"\1", raw)


def bold(raw: str) -> tuple[str, bool]:
    if len(raw) > 4 and raw.startswith("**") and raw.endswith("**"):
        return raw[2:-2], True
    return raw, False


def line_end(line: str) -> tuple[str, bool]:
    """A line without its hard break (two trailing spaces), and whether it had one."""
    return (line[:-2], True) if line.endswith("  ") else (line, False)
