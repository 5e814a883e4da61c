"""`circulaire validate --format human|json|github`: the same problems, for a person, a program
and GitHub Actions; the same exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from circulaire.cli import cli
from conftest import LETTERS


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def spoiled(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    """CL-21/27 at its proper path, with ``changes`` made to its text."""
    target = tmp_path / "letters" / "CL-21" / "27.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    text = (LETTERS / "CL-21/27.yaml").read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    target.write_text(text, encoding="utf-8")
    return target


BAD = (
    ("date: 2021-07-08", "date: 2021-02-30"),
    ("  email: guestrelations.telecom@itu.int", "  email: forum.telecom@"),
)


def test_human_shows_the_line_and_a_caret_under_the_column(tmp_path: Path) -> None:
    spec = spoiled(tmp_path, *BAD)
    code, out, err = run("validate", spec)
    assert code == 1
    assert out == (
        f"{spec}:4:7: date: '2021-02-30' is not a date that exists "
        "(day is out of range for month)\n"
        "    date: 2021-02-30\n"
        "          ^\n"
        f"{spec}:8:10: contact.email: 'forum.telecom@' is not an e-mail address\n"
        "      email: forum.telecom@\n"
        "             ^\n"
    )
    assert err == "1 spec checked, 1 invalid, 2 errors\n"


def test_human_is_the_default_and_names_warnings_by_code(tmp_path: Path) -> None:
    spec = spoiled(tmp_path, ("ignore: [W101]", "ignore: []"))
    code, out, _ = run("validate", spec)
    assert code == 0
    assert out.splitlines()[0] == (
        f"{spec}:26:10: closing: 'Veillez agréer' is misspelled (expected 'Veuillez agréer') [W101]"
    )
    assert run("validate", "--format", "human", spec)[1] == out


def test_json_lists_every_problem_with_code_and_severity(tmp_path: Path) -> None:
    spec = spoiled(tmp_path, *BAD, ("ignore: [W101]", "ignore: []"))
    code, out, err = run("validate", "--format", "json", spec)
    assert code == 1
    assert json.loads(out) == [
        {
            "file": str(spec),
            "line": 4,
            "column": 7,
            "field": "date",
            "code": "E104",
            "severity": "error",
            "message": "'2021-02-30' is not a date that exists (day is out of range for month)",
        },
        {
            "file": str(spec),
            "line": 8,
            "column": 10,
            "field": "contact.email",
            "code": "E110",
            "severity": "error",
            "message": "'forum.telecom@' is not an e-mail address",
        },
    ]
    # An invalid letter is not linted: its warnings would come from half a letter.
    assert err == "1 spec checked, 1 invalid, 2 errors\n"


def test_json_of_a_valid_archive_is_an_empty_list() -> None:
    code, out, _ = run("validate", "--format", "json", LETTERS)
    assert (code, json.loads(out)) == (0, [])


def test_github_annotates_the_lines_at_fault(tmp_path: Path) -> None:
    spec = spoiled(tmp_path, *BAD)
    code, out, _ = run("validate", "--format", "github", spec)
    assert code == 1
    assert out.splitlines() == [
        f"::error file={spec},line=4,col=7,title=E104 date::date: '2021-02-30' is not a date "
        "that exists (day is out of range for month)",
        f"::error file={spec},line=8,col=10,title=E110 contact.email::contact.email: "
        "'forum.telecom@' is not an e-mail address",
    ]


def test_github_escapes_and_warnings(tmp_path: Path) -> None:
    spec = spoiled(tmp_path, ("ignore: [W101]", "ignore: []"))
    weird = spec.with_name("27,%:x.yaml")
    shutil.copy(spec, weird)
    code, out, _ = run("validate", "--format", "github", weird)
    assert code == 1
    name = str(weird).replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
    assert out == (
        f"::error file={name},line=1,col=12,title=E113 reference::reference: CL-21/27 "
        "disagrees with the file's path CL-21/27,%25:x.yaml (expected CL-21/27.yaml)\n"
    )
    code, out, _ = run("validate", "--format", "github", spec)
    assert (code, out.splitlines()[0][:60]) == (
        0,
        f"::warning file={spec},line=26,col=10,title=W101 closing::closing: "[:60],
    )


def test_github_problem_without_a_line(tmp_path: Path) -> None:
    code, out, _ = run("validate", "--format", "github", tmp_path / "missing.yaml")
    assert code == 1
    assert out == f"::error file={tmp_path / 'missing.yaml'},title=E001::no such file\n"


def test_an_unknown_format_is_a_usage_error() -> None:
    code, _, err = run("validate", "--format", "xml", LETTERS)
    assert code == 2
    assert "'xml' is not one of 'human', 'json', 'github'" in err


def test_a_long_line_is_cut_around_the_column(tmp_path: Path) -> None:
    spec = spoiled(tmp_path, ("d'ici au 31 juillet", "d'ici au 1er mai"))
    code, out, _ = run("validate", spec)
    lines = out.splitlines()
    assert code == 0
    assert lines[0].startswith(f"{spec}:23:520: body: the deadline")
    source, caret = lines[1], lines[2]
    assert source.startswith("    …") and source.endswith("…")
    assert len(source) < 200
    assert source[caret.index("^") :].startswith("d'ici au 1er mai 2021")


def test_the_caret_stays_under_the_column_with_a_bom_and_crlf(tmp_path: Path) -> None:
    spec = tmp_path / "bom-crlf.yaml"
    shutil.copy(Path(__file__).parent / "invalid" / "bom-crlf-bad-date.yaml", spec)
    code, out, _ = run("validate", spec)
    assert code == 1
    assert out == (
        f"{spec}:3:7: date: '2021-02-29' is not a date that exists "
        "(day is out of range for month)\n"
        "    date: 2021-02-29\n"
        "          ^\n"
    )


def test_the_caret_counts_wide_characters_twice(tmp_path: Path) -> None:
    spec = spoiled(tmp_path, ("recipients:\n", "recipients: [日内瓦, 0123]\nrecipient:\n"))
    code, out, _ = run("validate", spec)
    assert code == 1
    assert out.splitlines()[:3] == [
        f"{spec}:9:19: recipients[1]: '0123' is read by YAML as a number (83), not as text "
        '(quote it: "0123")',
        "    recipients: [日内瓦, 0123]",
        "    " + " " * len("recipients: [") + " " * 6 + " " * len(", ") + "^",
    ]
