"""The archive regenerates the published letters byte for byte (Markdown) and the checked
plain-text renderings (text), and its translations as they were read and checked by eye."""

from __future__ import annotations

from pathlib import Path

import pytest

from circulaire.render import render
from circulaire.validate import load_letter
from conftest import GOLDEN, LETTERS

LETTERS_WITH_GOLDEN = ["CL-20/038", "CL-21/27", "CL-19/73"]
TRANSLATIONS_WITH_GOLDEN = [
    "CL-21/27.en",
    "CL-21/27.es",
    "CL-21/27.ru",
    "CL-21/27.ar",
    "CL-21/27.zh",
]
"""Translations by reference and language: ``CL-21/27.es`` is ``letters/CL-21/27.es.yaml``,
its golden files ``CL-21-27.es.md`` and ``.txt``."""


def expected(reference: str, fmt: str) -> str:
    """A golden file. Published seeds begin with four blank lines (the letterhead) and may lack
    a final newline: both are stripped, and the rendering ends with exactly one newline."""
    text = (GOLDEN / f"{reference.replace('/', '-')}.{fmt}").read_text(encoding="utf-8")
    return text.strip("\n") + "\n"


@pytest.mark.parametrize("fmt", ["md", "txt"])
@pytest.mark.parametrize("reference", LETTERS_WITH_GOLDEN)
def test_letter_matches_golden(reference: str, fmt: str) -> None:
    letter = load_letter(LETTERS / f"{reference}.yaml")
    assert render(letter, fmt).decode("utf-8") == expected(reference, fmt)


@pytest.mark.parametrize("fmt", ["md", "txt"])
@pytest.mark.parametrize("version", TRANSLATIONS_WITH_GOLDEN)
def test_translation_matches_golden(version: str, fmt: str) -> None:
    letter = load_letter(LETTERS / f"{version}.yaml")
    assert render(letter, fmt).decode("utf-8") == expected(version, fmt)


def test_every_golden_is_checked() -> None:
    checked = {
        f"{reference.replace('/', '-')}.{fmt}"
        for reference in LETTERS_WITH_GOLDEN + TRANSLATIONS_WITH_GOLDEN
        for fmt in ("md", "txt")
    }
    assert {golden.name for golden in GOLDEN.iterdir()} == checked


def test_every_golden_has_a_spec() -> None:
    for golden in GOLDEN.glob("*.md"):
        series, number = golden.stem.rsplit("-", 1)
        assert (LETTERS / series / f"{number}.yaml").is_file(), golden


def test_text_has_no_markdown_left() -> None:
    text = render(load_letter(LETTERS / "CL-21/27.yaml"), "txt").decode()
    assert "**" not in text
    assert "](" not in text
    assert "<https://digital-world.itu.int/>" not in text
    assert "https://digital-world.itu.int/" in text
    assert "• Aux États Membres de l'UIT" in text


def test_rendering_twice_is_identical(spec: Path) -> None:
    letter = load_letter(spec)
    assert render(letter, "md") == render(load_letter(spec), "md")


def test_a_letter_loads_from_the_text_of_its_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(LETTERS.parent)
    letter = load_letter("letters/CL-21/27.yaml")
    assert letter == load_letter(LETTERS / "CL-21/27.yaml")
    assert render(letter, "md").decode() == expected("CL-21/27", "md")
