"""The plain text for e-mail: lines wrapped at 72 columns, addresses whole, items hanging,
``style.text_lines: keep`` for the spec's own lines."""

from __future__ import annotations

from pathlib import Path

from circulaire.render import render
from circulaire.render.text import WIDTH, columns, markdown_to_text, wrap
from circulaire.validate import load_letter
from conftest import ORIGINALS

URL = "https://www.itu.int/fr/mediacentre/Pages/un-tres-long-chemin-vers-une-page-qui-ne-finit.aspx"


def test_every_archive_letter_fits_in_72_columns() -> None:
    for spec in ORIGINALS:
        text = render(load_letter(spec), "txt").decode()
        long = [line for line in text.split("\n") if columns(line) > WIDTH]
        assert long == [], spec


def test_a_paragraph_is_reflowed_and_an_address_kept_whole() -> None:
    text = markdown_to_text(
        "Un premier mot\net la suite " * 4 + f"voir [la page]({URL}) ou <{URL}> enfin."
    )
    lines = text.split("\n")
    assert all(columns(line) <= WIDTH for line in lines if URL not in line)
    assert f"<{URL}>" in lines  # alone on its line, never cut
    assert " ".join(text.split()) == " ".join(
        ("Un premier mot et la suite " * 4 + f"voir la page <{URL}> ou {URL} enfin.").split()
    )


def test_a_hard_break_stays_a_line_end() -> None:
    assert markdown_to_text("Ligne un  \nligne deux") == "Ligne un\nligne deux"


def test_list_items_hang_under_their_first_word() -> None:
    words = " ".join(["mot"] * 40)
    text = markdown_to_text(f"- {words}\n  - {words}\n1. {words}")
    lines = text.split("\n")
    assert lines[0].startswith("• mot") and lines[1].startswith("  mot")
    nested = [line for line in lines if line.startswith("  • ")]
    assert nested and all(columns(line) <= WIDTH for line in lines)
    assert any(line.startswith("    mot") for line in lines)  # the nested item's hang
    assert lines[-1].startswith("   mot") and any(line.startswith("1. mot") for line in lines)


def test_chinese_breaks_between_characters_never_before_a_closing_mark() -> None:
    text = wrap("国际电信联盟，" * 20, WIDTH)
    lines = text.split("\n")
    assert all(columns(line) <= WIDTH for line in lines)
    assert len(lines) > 1 and not any(line.startswith("，") for line in lines)
    assert "".join(lines) == "国际电信联盟，" * 20


def test_kept_lines_are_the_spec_s(tmp_path: Path) -> None:
    from conftest import LETTERS

    spec = tmp_path / "73.yaml"
    original = (LETTERS / "CL-19" / "73.yaml").read_text(encoding="utf-8")
    assert "\nstyle:\n" in original
    kept = original.replace("\nstyle:\n", "\nstyle:\n  text_lines: keep\n")
    spec.write_text(kept, encoding="utf-8")
    text = render(load_letter(spec), "txt").decode()
    assert max(columns(line) for line in text.split("\n")) > 300  # a paragraph, one line
    wrapped = render(load_letter(LETTERS / "CL-19" / "73.yaml"), "txt").decode()
    assert text.split() == wrapped.split()  # the same words
