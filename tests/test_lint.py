"""Lint warnings (W1xx) on valid letters, archive checks across letters, `--strict` and
`ignore:`. Each warning is asserted with the line and column where its words stand."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from circulaire.cli import cli
from circulaire.lint import CODES
from circulaire.report import check
from conftest import LETTERS

HEAD = """\
reference: CL-21/30
place: Genève
date: 2021-05-10
subject: Un objet
salutation: Madame, Monsieur,
signatories:
  - name: Houlin Zhao
"""


def spec(tmp_path: Path, text: str, name: str = "CL-21/30") -> Path:
    path = tmp_path / "letters" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def found(path: Path) -> list[str]:
    """``line:column: field: message [code]`` of every problem of the file."""
    report = check([path])
    return [
        f"{p.line}:{p.column}: {p.field}: {p.message} [{p.code}]"
        for p in report.problems
        if p.file == str(path)
    ]


def test_the_archive_has_no_warning_left_once_it_ignores_its_published_slips() -> None:
    assert check([LETTERS]).problems == []
    assert check([LETTERS], strict=True).return_code == 0


@pytest.mark.parametrize(
    ("reference", "code", "where"),
    [("CL-20/038", "W101", "25:3: closing"), ("CL-21/27", "W101", "26:10: closing")],
)
def test_the_archive_really_has_veillez_agreer(reference: str, code: str, where: str) -> None:
    text = (LETTERS / f"{reference}.yaml").read_text(encoding="utf-8")
    assert f"ignore: [{code}]" in text
    report = check([LETTERS / f"{reference}.yaml"])
    assert report.problems == []
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        copy = spec(Path(tmp), text.replace(f"ignore: [{code}]", "ignore: []"), reference)
        assert found(copy) == [
            f"{where}: 'Veillez agréer' is misspelled (expected 'Veuillez agréer') [W101]"
        ]


def test_misspelled_formula_in_a_folded_block_points_at_its_line(tmp_path: Path) -> None:
    path = spec(
        tmp_path,
        HEAD + "body: Texte.\nclosing: >-\n  Je vous remercie et\n  je vous pris d'agréer mes "
        "salutations.\n",
    )
    assert found(path) == [
        "11:3: closing: 'je vous pris d'agréer' is misspelled "
        "(expected 'Je vous prie d'agréer') [W101]"
    ]


def test_a_misspelled_formula_however_it_is_spaced_and_whatever_its_apostrophe(
    tmp_path: Path,
) -> None:
    path = spec(
        tmp_path,
        HEAD + "body: |\n  Texte. Veillez\n  agréer nos vœux.\nclosing: Je vous pris  d’agréer.\n",
    )
    assert found(path) == [
        "9:10: body: 'Veillez agréer' is misspelled (expected 'Veuillez agréer') [W101]",
        "11:10: closing: 'Je vous pris d’agréer' is misspelled "
        "(expected 'Je vous prie d'agréer') [W101]",
    ]


def test_weekday_against_the_calendar(tmp_path: Path) -> None:
    body = (
        "body: |\n"
        "  Première ligne.\n"
        "\n"
        "  La réunion aura lieu le lundi 17 mai 2021 et le\n"
        "  mardi 17 mai 2021, puis le Jeudi 1er juillet 2021.\n"
    )
    path = spec(tmp_path, HEAD + body)
    assert found(path) == [
        "12:3: body: 'mardi 17 mai 2021': 17 mai 2021 falls on a lundi "
        "(expected 'lundi 17 mai 2021') [W102]"
    ]


def test_the_suggested_weekday_keeps_the_day_as_written(tmp_path: Path) -> None:
    body = (
        "body: >\n"
        "  Le lundi 1er mars 2022, le dimanche 1ER février 2022,\n"
        "  le vendredi 1 mars 2022 et le mercredi 01 mars 2022.\n"
    )
    path = spec(tmp_path, HEAD + body)
    assert found(path) == [
        "9:6: body: 'lundi 1er mars 2022': 1er mars 2022 falls on a mardi "
        "(expected 'mardi 1er mars 2022') [W102]",
        "9:30: body: 'dimanche 1ER février 2022': 1ER février 2022 falls on a mardi "
        "(expected 'mardi 1ER février 2022') [W102]",
        "10:6: body: 'vendredi 1 mars 2022': 1 mars 2022 falls on a mardi "
        "(expected 'mardi 1 mars 2022') [W102]",
        "10:33: body: 'mercredi 01 mars 2022': 01 mars 2022 falls on a mardi "
        "(expected 'mardi 01 mars 2022') [W102]",
    ]


def test_deadline_before_the_letter(tmp_path: Path) -> None:
    body = (
        "body: >\n"
        "  Répondez d'ici au 14 février 2021, ou au plus tard\n"
        "  le 9 mai 2021; avant le 10 mai 2021 convient; jusqu'au 30 juin 2021 aussi.\n"
    )
    path = spec(tmp_path, HEAD + body)
    assert found(path) == [
        "9:12: body: the deadline 'd'ici au 14 février 2021' is before the letter's date "
        "(2021-05-10) [W103]",
        "9:41: body: the deadline 'au plus tard le 9 mai 2021' is before the letter's date "
        "(2021-05-10) [W103]",
    ]


def test_a_date_that_does_not_exist_in_the_text(tmp_path: Path) -> None:
    path = spec(tmp_path, HEAD + "body: La séance du 30 février 2021.\n")
    assert found(path) == ["8:20: body: '30 février 2021' is not a date that exists [W107]"]


def test_a_date_in_other_digits_is_not_read_as_a_date(tmp_path: Path) -> None:
    path = spec(tmp_path, HEAD + "body: La séance du ٣٠ février ٢٠٢١ et du 30 février 2021.\n")
    assert found(path) == ["8:42: body: '30 février 2021' is not a date that exists [W107]"]


def test_links_with_no_target_and_bad_mailto(tmp_path: Path) -> None:
    body = (
        "body: |\n"
        "  Voir la [Résolution 200](#), le [site]() et [le site](https://itu.int).\n"
        "\n"
        "  Écrire à [nous](mailto:forum.telecom@) ou [là](mailto:a@itu.int).\n"
        "  Ou [aux deux](mailto:a@itu.int,b@itu.int), pas [à ceux-là](mailto:a@itu.int,b@).\n"
        "annexes:\n"
        "  - title: Annexe\n"
        "    content: Encore [un lien](#).\n"
    )
    path = spec(tmp_path, HEAD + body)
    assert found(path) == [
        "9:11: body: the link 'Résolution 200' has the target '#' (expected a URL) [W104]",
        "9:35: body: the link 'site' has an empty target (expected a URL) [W104]",
        "11:12: body: the link 'nous' goes to 'forum.telecom@', which is not an e-mail "
        "address [W105]",
        "12:50: body: the link 'à ceux-là' goes to 'a@itu.int,b@', which is not an e-mail "
        "address [W105]",
        "15:21: annexes[0].content: the link 'un lien' has the target '#' (expected a URL) [W104]",
    ]


def test_a_link_whose_words_are_formatted_is_placed_at_its_bracket(tmp_path: Path) -> None:
    body = (
        "body: |\n"
        "  Premier paragraphe.\n"
        "\n"
        "  Voir [**la résolution**](#), [*le site*]() et [`code`](#).\n"
        "  [un _logo_ lien](mailto:x@) puis [**x**](#) et [**x**](#).\n"
    )
    path = spec(tmp_path, HEAD + body)
    assert found(path) == [
        "11:8: body: the link 'la résolution' has the target '#' (expected a URL) [W104]",
        "11:32: body: the link 'le site' has an empty target (expected a URL) [W104]",
        "11:49: body: the link 'code' has the target '#' (expected a URL) [W104]",
        "12:3: body: the link 'un logo lien' goes to 'x@', which is not an e-mail address [W105]",
        "12:36: body: the link 'x' has the target '#' (expected a URL) [W104]",
        "12:50: body: the link 'x' has the target '#' (expected a URL) [W104]",
    ]


def test_warnings_in_a_double_quoted_text_stand_after_its_escapes(tmp_path: Path) -> None:
    body = 'body: "Voir le \\"site\\" \\u00e0 [ici](#).\\n\\nVeillez agr\\u00e9er."\n'
    path = spec(tmp_path, HEAD + body)
    assert found(path) == [
        "8:32: body: the link 'ici' has the target '#' (expected a URL) [W104]",
        "8:45: body: 'Veillez agréer' is misspelled (expected 'Veuillez agréer') [W101]",
    ]


def test_warnings_in_a_single_quoted_text_stand_after_its_doubled_quotes(tmp_path: Path) -> None:
    text = (
        "body: 'L''objet [x](#)'\n"
        "closing: 'Je vous prie d''agréer l''expression; Veillez agréer.'\n"
    )
    path = spec(tmp_path, HEAD + text)
    assert found(path) == [
        "8:17: body: the link 'x' has the target '#' (expected a URL) [W104]",
        "9:49: closing: 'Veillez agréer' is misspelled (expected 'Veuillez agréer') [W101]",
    ]


def test_links_are_markdown_only_in_markdown_fields(tmp_path: Path) -> None:
    path = spec(tmp_path, HEAD.replace("Un objet", "'[Voir](#)'") + "body: Texte.\n")
    assert found(path) == []


def test_ignore_silences_one_code_and_an_unknown_code_is_a_warning(tmp_path: Path) -> None:
    body = "body: Voir [ici](#), le mardi 17 mai 2021.\nignore: [W104, W999]\n"
    path = spec(tmp_path, HEAD + body)
    assert found(path) == [
        "8:25: body: 'mardi 17 mai 2021': 17 mai 2021 falls on a lundi "
        "(expected 'lundi 17 mai 2021') [W102]",
        f"9:16: ignore[1]: 'W999' is not a lint code (expected one of {', '.join(CODES)}) [W100]",
    ]


def test_strict_makes_warnings_errors(tmp_path: Path) -> None:
    path = spec(tmp_path, HEAD + "body: Voir [ici](#).\n")
    runner = CliRunner()
    relaxed = runner.invoke(cli, ["validate", str(path)])
    strict = runner.invoke(cli, ["validate", "--strict", str(path)])
    bare = runner.invoke(cli, ["validate", "--no-lint", str(path)])
    assert relaxed.exit_code == 0
    assert relaxed.stderr == "1 spec checked, 0 invalid, 0 errors, 1 warning\n"
    assert strict.exit_code == 1
    assert strict.stdout == relaxed.stdout
    assert strict.stderr == "1 spec checked, 1 invalid, 1 error\n"
    assert (bare.exit_code, bare.stdout) == (0, "")


# -- across the archive ------------------------------------------------------------------------


def letter(reference: str, subject: str = "Un objet", day: str = "2021-05-10") -> str:
    return (
        HEAD.replace("CL-21/30", reference).replace("Un objet", subject).replace("2021-05-10", day)
        + "body: Texte.\n"
    )


def test_a_reference_used_twice(tmp_path: Path) -> None:
    first = spec(tmp_path, letter("CL-21/038", "Premier"), "CL-21/038")
    second = spec(tmp_path, letter("CL-21/38", "Second"), "CL-21/38")
    report = check([tmp_path / "letters"])
    assert [str(p) for p in report.problems] == [
        f"{second}:1:12: reference: CL-21/38 is already the reference of {first} (CL-21/038)"
    ]
    assert report.return_code == 1
    # Named one by one (as pre-commit does), the files are not an archive.
    assert check([first, second]).problems == []


def test_a_reference_used_twice_is_an_error_without_lint_and_cannot_be_ignored(
    tmp_path: Path,
) -> None:
    """It is an error, as `build` finds it: neither `--no-lint` nor `ignore:` hides it."""
    first = spec(tmp_path, letter("CL-21/038", "Premier") + "ignore: [E120]\n", "CL-21/038")
    second = spec(tmp_path, letter("CL-21/38", "Second") + "ignore: [E120]\n", "CL-21/38")
    expected = f"{second}:1:12: reference: CL-21/38 is already the reference of {first} (CL-21/038)"
    for lint in (True, False):
        report = check([tmp_path / "letters"], lint=lint)
        assert expected in [str(p) for p in report.problems]
        assert report.return_code == 1


def test_same_subject_and_date_is_a_warning(tmp_path: Path) -> None:
    spec(tmp_path, letter("CL-21/30", "Un  objet"), "CL-21/30")
    twin = spec(tmp_path, letter("CL-21/31", "un objet"), "CL-21/31")
    spec(tmp_path, letter("CL-21/32", "un objet", "2021-05-11"), "CL-21/32")
    report = check([tmp_path / "letters"])
    assert [(str(p), p.code, p.severity) for p in report.problems] == [
        (
            f"{twin}:4:10: subject: same subject and date as CL-21/30 "
            f"({tmp_path / 'letters/CL-21/30.yaml'})",
            "W121",
            "warning",
        )
    ]
    assert report.return_code == 0


def test_gaps_in_a_years_numbering(tmp_path: Path) -> None:
    for number in ("01", "02", "04", "08", "09"):
        spec(tmp_path, letter(f"CL-21/{number}", f"Objet {number}"), f"CL-21/{number}")
    spec(tmp_path, letter("CL-20/05", "Objet", "2020-01-01"), "CL-20/05")
    report = check([tmp_path / "letters"])
    root = tmp_path / "letters"
    assert [str(p) for p in report.problems] == [
        f"{root}/CL-21/04.yaml:1:12: reference: CL-21/04 follows CL-21/02: number 3 is missing "
        "in CL-21",
        f"{root}/CL-21/08.yaml:1:12: reference: CL-21/08 follows CL-21/04: numbers 5 to 7 are "
        "missing in CL-21",
    ]
    assert {p.code for p in report.problems} == {"W122"}
    assert check([root], strict=True).return_code == 1


def test_an_empty_list_item_is_placed_at_its_marker(tmp_path: Path) -> None:
    body = (
        "body: |\n"
        "  Les Membres sont invités:\n"
        "\n"
        "  - à participer;\n"
        "  -\n"
        "  * \n"
        "  1. à contribuer.\n"
        "  2.\n"
        "annexes:\n"
        "  - title: Annexe\n"
        "    content: |\n"
        "      - un point\n"
        "      -\n"
    )
    path = spec(tmp_path, HEAD + body)
    message = "an empty list item prints a lone bullet (remove the marker, or write the item)"
    assert found(path) == [
        f"12:3: body: {message} [W108]",
        f"13:3: body: {message} [W108]",
        f"15:3: body: {message} [W108]",
        f"20:7: annexes[0].content: {message} [W108]",
    ]


def test_a_dash_under_a_line_of_an_item_is_no_empty_item(tmp_path: Path) -> None:
    """``-`` under a line of text underlines it (a heading): no bullet is printed."""
    path = spec(tmp_path, HEAD + "body: |\n  - un point\n    -\n  - deux points\n")
    assert found(path) == []


def test_the_archive_prints_its_empty_item_as_published() -> None:
    text = (LETTERS / "CL-19/73.yaml").read_text(encoding="utf-8")
    assert "ignore: [W104, W108]  # " in text
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        copy = spec(Path(tmp), text.replace("ignore: [W104, W108]", "ignore: [W104]"), "CL-19/73")
        assert [p for p in found(copy) if p.endswith("[W108]")] == [
            "50:7: annexes[0].content: an empty list item prints a lone bullet (remove the "
            "marker, or write the item) [W108]"
        ]
