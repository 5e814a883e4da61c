from __future__ import annotations

from datetime import date

import pytest

from circulaire.dates import dated, long_date, place_and_date

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


@pytest.mark.parametrize("language", ["fr", "fr_CH"])
@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_in_french(language: str, month: int) -> None:
    assert long_date(date(2021, month, 15), language) == f"15 {MONTHS[month - 1]} 2021"


@pytest.mark.parametrize("language", ["fr", "fr_CH"])
@pytest.mark.parametrize("month", range(1, 13))
def test_first_of_the_month_is_1er(language: str, month: int) -> None:
    assert dated(date(2021, month, 1), language) == f"le 1er {MONTHS[month - 1]} 2021"


def test_only_the_first_takes_the_ordinal() -> None:
    assert dated(date(2021, 7, 11)) == "le 11 juillet 2021"
    assert dated(date(2021, 7, 21)) == "le 21 juillet 2021"


def test_place_and_date() -> None:
    assert place_and_date("Genève", date(2020, 8, 31)) == "Genève, le 31 août 2020"


def test_other_languages_have_no_french_ordinal() -> None:
    assert dated(date(2021, 7, 1), "en") == "July 1, 2021"


def test_unknown_language() -> None:
    with pytest.raises(ValueError, match="unknown language 'xx_YY'"):
        long_date(date(2021, 7, 1), "xx_YY")
