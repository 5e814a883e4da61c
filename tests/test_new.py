"""`circulaire new SERIES-YY`: the next free reference, a draft that validates, placeholders that
lint flags until replaced, and never an overwritten file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from circulaire.cli import cli
from circulaire.lint import PLACEHOLDER
from circulaire.report import check
from conftest import LETTERS


def new(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["new", *map(str, args)], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_a_new_series_starts_at_01_with_todays_date(tmp_path: Path) -> None:
    from datetime import date

    today = date.today()
    series = f"CL-{today.year % 100:02d}"
    code, out, _ = new(series, "--letters", tmp_path)
    path = tmp_path / series / "01.yaml"
    assert (code, out) == (0, f"{path}\n")
    report = check([path])
    assert report.return_code == 0
    assert report.letters[path].date == today
    assert {p.code for p in report.problems} == {"W106"}
    assert len(report.problems) == path.read_text(encoding="utf-8").count(PLACEHOLDER) - 1
    assert check([path], strict=True).return_code == 1


def test_the_next_number_keeps_the_width_of_the_series(tmp_path: Path) -> None:
    shutil.copytree(LETTERS, tmp_path / "letters")
    letters = tmp_path / "letters"
    assert new("CL-20", "--letters", letters, "--date", "2020-09-01")[1] == (
        f"{letters / 'CL-20/039.yaml'}\n"
    )
    assert new("CL-21", "--letters", letters, "--date", "2021-09-01")[1] == (
        f"{letters / 'CL-21/28.yaml'}\n"
    )
    (letters / "CL-21/notes.yaml").write_text("not a letter\n")
    assert new("CL-21", "--letters", letters, "--date", "2021-09-02")[1] == (
        f"{letters / 'CL-21/29.yaml'}\n"
    )
    report = check([letters / "CL-21/28.yaml", letters / "CL-20/039.yaml"])
    assert report.return_code == 0


def test_a_date_outside_the_series_year_is_refused(tmp_path: Path) -> None:
    code, _, err = new("CL-19", "--letters", tmp_path, "--date", "2020-01-02")
    assert code == 1
    assert err == "CL-19 letters are dated 2019, and 2020-01-02 is not (give --date YYYY-MM-DD)\n"
    assert not (tmp_path / "CL-19").exists()


def test_a_date_in_the_series_digits_but_another_century_is_refused(tmp_path: Path) -> None:
    code, _, err = new("CL-21", "--letters", tmp_path, "--date", "0021-05-01")
    assert code == 1
    assert err == "CL-21 letters are dated 2021, and 0021-05-01 is not (give --date YYYY-MM-DD)\n"
    assert not any(tmp_path.iterdir())


def test_a_date_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = new("CL-21", "--letters", tmp_path, "--date", "2021-02-30")
    assert code == 2
    assert err.endswith("'2021-02-30' is not a date that exists (YYYY-MM-DD)\n")
    assert not any(tmp_path.iterdir())


def test_not_a_series(tmp_path: Path) -> None:
    code, _, err = new("CL-2026", "--letters", tmp_path)
    assert code == 1
    assert "'CL-2026' is not a series and year (expected <SERIES>-<yy>, such as CL-26)" in err


def test_a_series_in_other_digits_is_not_a_series(tmp_path: Path) -> None:
    code, _, err = new("CL-٢١", "--letters", tmp_path, "--date", "2021-05-01")
    assert code == 1
    assert "'CL-٢١' is not a series and year (expected <SERIES>-<yy>, such as CL-26)" in err
    assert not any(tmp_path.iterdir())


def test_a_file_named_in_other_digits_is_no_number_of_the_series(tmp_path: Path) -> None:
    (tmp_path / "CL-21").mkdir()
    (tmp_path / "CL-21" / "٠٧.yaml").write_text("not a letter\n", encoding="utf-8")
    code, out, _ = new("CL-21", "--letters", tmp_path, "--date", "2021-05-01")
    assert (code, out) == (0, f"{tmp_path / 'CL-21' / '01.yaml'}\n")


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    from circulaire.errors import OutputError
    from circulaire.output import write_new

    target = tmp_path / "CL-21" / "01.yaml"
    write_new(target, b"first")
    try:
        write_new(target, b"second")
    except OutputError as exc:
        assert str(exc) == f"{target}: already exists (circulaire never overwrites it)"
    else:
        raise AssertionError("overwrote")
    assert target.read_bytes() == b"first"


def test_a_first_letter_starts_the_archive_in_letters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ``--letters``, a folder with no ``letters/`` is a new archive: created."""
    monkeypatch.chdir(tmp_path)
    code, out, err = new("CL-26", "--date", "2026-01-05")
    assert (code, out, err) == (0, "letters/CL-26/01.yaml\n", "created letters/, a new archive\n")
    assert (tmp_path / "letters/CL-26/01.yaml").is_file()
    assert new("CL-26", "--date", "2026-01-05")[1:] == ("letters/CL-26/02.yaml\n", "")


def test_a_letters_folder_named_must_exist(tmp_path: Path) -> None:
    """``--letters`` mistyped starts no new archive."""
    code, _, err = new("CL-26", "--letters", tmp_path / "lettres", "--date", "2026-01-05")
    assert code == 2
    assert "does not exist" in err
    assert not (tmp_path / "lettres").exists()
