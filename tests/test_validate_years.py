"""The date's year against the reference's two digits (E112): they stand for the latest year
that ends in them, up to next year. The messages name that year, so each case is worked out
from today's date rather than written in a fixture."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from circulaire.report import check

NEXT_YEAR = date.today().year + 1


def problems(tmp_path: Path, reference: str, day: str) -> list[str]:
    path = tmp_path / "letter.yaml"
    path.write_text(
        f"reference: {reference}\n"
        "place: Genève\n"
        f"date: {day}\n"
        "subject: Objet\n"
        "salutation: Madame, Monsieur,\n"
        "body: Texte.\n"
        "signatories:\n"
        "  - name: Houlin Zhao\n",
        encoding="utf-8",
    )
    return [
        f"{p.line}:{p.column}: {p.field}: {p.message} [{p.code}]" for p in check([path]).problems
    ]


def why(digits: str) -> str:
    return (
        f": its {digits} stands for the latest year ending in {digits} up to next year, {NEXT_YEAR}"
    )


def test_two_digits_stand_for_the_latest_year_up_to_next_year() -> None:
    from circulaire.model import Reference

    today = date(2026, 11, 23)
    years = {
        yy: Reference("CL", yy, "01").year_in(today) for yy in ("19", "21", "26", "27", "28", "99")
    }
    assert years == {"19": 2019, "21": 2021, "26": 2026, "27": 2027, "28": 1928, "99": 1999}


@pytest.mark.parametrize("day", ["0021-01-01", "1921-01-01", "2121-01-01"])
def test_a_year_with_the_right_digits_in_another_century_is_refused(
    tmp_path: Path, day: str
) -> None:
    assert problems(tmp_path, "CL-21/01", day) == [
        f"3:7: date: the year {day[:4]} disagrees with the reference CL-21/01 "
        f"(expected a date in 2021{why('21')}) [E112]"
    ]


def test_a_letter_may_be_dated_next_year_but_not_later(tmp_path: Path) -> None:
    digits = f"{NEXT_YEAR % 100:02d}"
    assert problems(tmp_path, f"CL-{digits}/01", f"{NEXT_YEAR}-01-05") == []
    later = f"{(NEXT_YEAR + 1) % 100:02d}"
    assert problems(tmp_path, f"CL-{later}/01", f"{NEXT_YEAR + 1}-01-05") == [
        f"3:7: date: the year {NEXT_YEAR + 1} disagrees with the reference CL-{later}/01 "
        f"(expected a date in {NEXT_YEAR + 1 - 100}{why(later)}) [E112]"
    ]


def test_other_digits_in_the_same_century_name_the_expected_year(tmp_path: Path) -> None:
    assert problems(tmp_path, "CL-21/01", "2020-12-31") == [
        "3:7: date: the year 2020 disagrees with the reference CL-21/01 "
        "(expected a date in 2021) [E112]"
    ]
