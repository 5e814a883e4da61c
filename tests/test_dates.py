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
    assert dated(date(2021, 7, 1), "en") == "1 July 2021"
    assert long_date(date(2021, 7, 1), "es") == "1 de julio de 2021"


# -- the house's date in each of its six languages (the archive's letters) ---------------------


@pytest.mark.parametrize(
    "day, language, expected",
    [
        (date(2020, 8, 31), "fr", "31 août 2020"),
        (date(2005, 3, 16), "en", "16 March 2005"),
        (date(2011, 6, 24), "es", "24 de junio de 2011"),
        (date(2011, 3, 24), "ru", "24 марта 2011 года"),
        (date(2016, 12, 6), "ar", "6 ديسمبر 2016"),
        (date(2021, 7, 8), "zh", "2021年7月8日"),
    ],
)
def test_the_house_date_in_each_language(day: date, language: str, expected: str) -> None:
    assert long_date(day, language) == expected


@pytest.mark.parametrize("language", ["en", "en_US", "en_GB", "en_AU", "en_CA"])
def test_english_puts_the_day_first_whatever_the_region(language: str) -> None:
    assert long_date(date(2005, 3, 16), language) == "16 March 2005"


@pytest.mark.parametrize("language", ["ru", "ru_RU"])
def test_russian_writes_goda_not_g(language: str) -> None:
    text = long_date(date(2011, 3, 24), language)
    assert text == "24 марта 2011 года"
    assert "г." not in text and "\u202f" not in text


@pytest.mark.parametrize("language", ["ar", "ar_EG", "ar_SA"])
@pytest.mark.parametrize("month", range(1, 13))
def test_arabic_dates_are_in_western_digits(language: str, month: int) -> None:
    text = long_date(date(2016, month, 26), language)
    assert text.startswith("26 ") and text.endswith(" 2016")
    assert all(c.isascii() for c in text if c.isdigit())


def test_arabic_indic_digits_from_a_locale_become_western(monkeypatch: pytest.MonkeyPatch) -> None:
    import babel.dates

    monkeypatch.setattr(babel.dates, "format_date", lambda *args, **kwargs: "٦ ديسمبر ٢٠١٦")
    long_date.cache_clear()
    try:
        assert long_date(date(2016, 12, 6), "ar") == "6 ديسمبر 2016"
    finally:
        long_date.cache_clear()


@pytest.mark.parametrize("language", ["zh", "zh_Hans_CN"])
def test_chinese_dates_have_no_spaces(language: str) -> None:
    assert long_date(date(2021, 7, 8), language) == "2021年7月8日"
    assert long_date(date(2021, 12, 25), language) == "2021年12月25日"


def test_spanish_and_russian_months_are_in_the_genitive() -> None:
    assert long_date(date(2011, 1, 24), "es") == "24 de enero de 2011"
    assert long_date(date(2011, 1, 24), "ru") == "24 января 2011 года"


def test_unknown_language() -> None:
    with pytest.raises(ValueError, match="unknown language 'xx_YY'"):
        long_date(date(2021, 7, 1), "xx_YY")
