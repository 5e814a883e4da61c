"""The packaged catalogs, as CI checks them: each parses, has no fuzzy or untranslated message,
carries every msgid the templates use (extracted with Babel, as ``pybabel extract`` would) and
no other, says where its wording comes from, and formats as the templates call it."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from jinja2.ext import babel_extract

from circulaire import wording
from circulaire.model import Labels
from circulaire.templating import packaged_templates

SIX = ["ar", "en", "es", "fr", "ru", "zh"]
"""The organization's six languages, each with a catalog."""
TEMPLATES = packaged_templates()
CATALOGS = sorted(TEMPLATES.glob(f"{wording.LOCALE_FOLDER}/*/LC_MESSAGES/{wording.DOMAIN}.po"))


def language_of(path: Path) -> str:
    return path.relative_to(TEMPLATES / wording.LOCALE_FOLDER).parts[0]


def used_msgids() -> set[str]:
    """Every msgid the packaged templates and ``wording.py`` use, found by Babel's extractors
    (Jinja's for the templates, Python's for the labels' ``N_()``)."""
    found: set[str] = set()
    options = {"trim_blocks": "true", "lstrip_blocks": "true", "silent": "false"}
    for template in sorted(TEMPLATES.glob("*.j2")):
        with template.open("rb") as source:
            for _, _, message, _ in babel_extract(source, DEFAULT_KEYWORDS, [], options):
                found.add(message if isinstance(message, str) else message[0])
    module = Path(wording.__file__)
    with module.open("rb") as source:
        for _, message, _, _ in extract("python", source, DEFAULT_KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.fixture(params=CATALOGS, ids=language_of)
def catalog(request: pytest.FixtureRequest) -> object:
    path: Path = request.param
    return wording.read_catalog(path)


def test_one_catalog_for_each_of_the_six_languages() -> None:
    assert [language_of(path) for path in CATALOGS] == SIX


def test_the_extractors_find_the_templates_messages() -> None:
    found = used_msgids()
    assert {"%(place)s, %(date)s", "%(label)s: %(value)s", "(signed)", "Ref", "Annexes"} <= found
    assert "" not in found


def test_every_label_has_its_msgid() -> None:
    assert list(wording.LABELS) == [f.name for f in dataclasses.fields(Labels)]


def test_every_message_is_translated_and_none_is_fuzzy(catalog: object) -> None:
    for message in catalog:  # type: ignore[attr-defined]
        if message.id:
            assert message.string, message.id
            assert not message.fuzzy, message.id


def test_every_catalog_carries_exactly_the_messages_the_templates_use(catalog: object) -> None:
    msgids = {m.id for m in catalog if m.id}  # type: ignore[attr-defined]
    assert msgids == used_msgids()
    assert not catalog.obsolete  # type: ignore[attr-defined]


def test_every_message_says_where_its_wording_comes_from(catalog: object) -> None:
    for message in catalog:  # type: ignore[attr-defined]
        if message.id:
            sources = [c for c in message.auto_comments if c.startswith("source: ")]
            assert sources, f"{message.id}: no '#. source: ...' comment"


def test_every_message_formats_as_the_templates_call_it(catalog: object) -> None:
    assert list(wording.check(catalog)) == []
    for message in catalog:  # type: ignore[attr-defined]
        if message.id and "%(" in message.id:
            assert message.python_format, message.id


@pytest.mark.parametrize("path", CATALOGS, ids=language_of)
def test_a_catalogs_language_is_its_folders(path: Path) -> None:
    catalog = wording.read_catalog(path)
    assert str(catalog.locale) == language_of(path)


@pytest.mark.parametrize(
    "language, expected",
    [
        ("fr", "Genève, le 1er juillet 2021"),
        ("en", "Geneva, 1 July 2021"),
        ("es", "Ginebra, 1 de julio de 2021"),
        ("ru", "Женева, 1 июля 2021 года"),
        ("ar", "جنيف، 1 يوليو 2021"),
        ("zh", "2021年7月1日，日内瓦"),
    ],
)
def test_the_place_and_date_in_each_language(language: str, expected: str) -> None:
    from circulaire.dates import long_date

    places = {"fr": "Genève", "en": "Geneva", "es": "Ginebra", "ru": "Женева"}
    places |= {"ar": "جنيف", "zh": "日内瓦"}
    house = wording.wording(language, (TEMPLATES,))
    day = long_date(date(2021, 7, 1), language)
    assert house.gettext("%(place)s, %(date)s", place=places[language], date=day) == expected
