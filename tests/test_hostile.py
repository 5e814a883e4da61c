"""Hostile and tricky specs: each case under tests/invalid/ is a ``.yaml`` and its ``.expected``
problems, exactly (``file:line:column: field: message [code]``, one a line; an empty
``.expected`` means the spec is a valid letter). Run like black's test cases."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from circulaire import source
from circulaire.cli import cli
from circulaire.errors import SpecError
from circulaire.report import check
from circulaire.source import MAX_BYTES, REFUSED_CHARACTER, parse

CASES = Path(__file__).resolve().parent / "invalid"
SPECS = sorted(p.relative_to(CASES) for p in CASES.rglob("*.yaml"))

BASE = (CASES / "bom.yaml").read_bytes()[3:].decode("utf-8")
"""A valid letter, the base of the generated cases."""


def problems(path: Path) -> list[str]:
    return [f"{p} [{p.code}]" for p in check([path]).problems]


def test_the_corpus_is_large_enough() -> None:
    assert len(SPECS) >= 40
    assert all((CASES / p).with_suffix(".expected").exists() for p in SPECS)


@pytest.mark.parametrize("case", SPECS, ids=lambda p: p.with_suffix("").as_posix())
def test_case(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES)
    expected = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    started = time.perf_counter()
    report = check([case])
    assert time.perf_counter() - started < 5
    assert [f"{p} [{p.code}]" for p in report.problems] == expected
    assert (case in report.letters) == (report.return_code == 0)


class _LibyamlRefusesNesting(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):
    """libyaml as PyYAML 6.0.4 builds it, on any PyYAML: a thousand levels are refused."""

    def __init__(self, stream: str) -> None:
        if stream.count("[") >= 1000:
            mark = yaml.Mark("<unicode string>", 0, 0, 1002, stream, 1002)
            raise yaml.scanner.ScannerError(
                "while increasing flow level", None, "exceeded maximum nesting depth", mark
            )
        super().__init__(stream)


DEEP = [case for case in SPECS if case.name.startswith("deep-nesting")]


@pytest.mark.parametrize("parser", ["libyaml", "libyaml refusing", "no libyaml"])
@pytest.mark.parametrize("case", DEEP, ids=lambda p: p.stem)
def test_deep_nesting_is_placed_whatever_the_parser(
    case: Path, parser: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nesting is reported where it goes too deep, by libyaml, by libyaml refusing the
    document itself (as PyYAML 6.0.4 does past a thousand levels), and by the pure parser
    (PyYAML built without libyaml)."""
    if parser == "libyaml" and source._CLoader is None:
        pytest.skip("this PyYAML is built without libyaml")
    if parser == "libyaml refusing":
        monkeypatch.setattr(source, "_CLoader", _LibyamlRefusesNesting)
    elif parser == "no libyaml":
        monkeypatch.setattr(source, "_CLoader", None)
    monkeypatch.chdir(CASES)
    expected = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert problems(case) == expected


def test_the_whole_corpus_through_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES)
    for fmt in ("human", "github"):
        result = CliRunner().invoke(cli, ["validate", "--format", fmt, "."])
        assert result.exit_code == 1
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output


def test_a_python_tag_is_never_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    canary = tmp_path / "canary"
    spec = tmp_path / "tag.yaml"
    spec.write_text(
        BASE.replace(
            "subject: Objet", f'subject: !!python/object/apply:os.system ["touch {canary}"]'
        ),
        encoding="utf-8",
    )
    assert problems(spec)[0].endswith("is not allowed in a spec [E008]")
    assert not canary.exists()


def test_a_file_past_the_size_limit(tmp_path: Path) -> None:
    spec = tmp_path / "huge.yaml"
    spec.write_text(BASE + "body: " + "x" * MAX_BYTES + "\n", encoding="utf-8")
    assert problems(spec) == [
        f"{spec}: file is {spec.stat().st_size} bytes, more than a spec may hold ({MAX_BYTES}) "
        "[E002]"
    ]


def test_nesting_as_deep_as_the_size_limit_allows(tmp_path: Path) -> None:
    """Half a million brackets: a clean error, not a crash of the YAML parser (run in its own
    process, where a crash shows as a signal instead of taking the test run down)."""
    spec = tmp_path / "deep.yaml"
    depth = (MAX_BYTES - 100) // 2
    spec.write_text("reference: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "circulaire", "validate", str(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith(f"{spec}:1:76: reference[0][0]")
    assert ": nested more than 64 levels deep" in result.stdout


def test_a_huge_scalar_under_the_limit_is_checked_quickly(tmp_path: Path) -> None:
    spec = tmp_path / "long.yaml"
    words = "le lundi 17 mai 2021, avant le 30 avril 2021 [lien](#) Veillez agréer " * 12_000
    spec.write_text(BASE.replace("body: Texte.", f"body: {words}"), encoding="utf-8")
    started = time.perf_counter()
    found = problems(spec)
    assert time.perf_counter() - started < 10
    assert {line.rsplit(" ", 1)[1] for line in found} == {"[W101]", "[W103]", "[W104]"}
    assert len(found) == 3 * 12_000


def test_a_missing_file_and_a_folder_named_as_a_spec(tmp_path: Path) -> None:
    assert problems(tmp_path / "nowhere.yaml") == [
        f"{tmp_path / 'nowhere.yaml'}: no such file [E001]"
    ]
    result = CliRunner().invoke(cli, ["render", str(tmp_path)])
    assert result.exit_code == 2


def test_many_aliases_of_one_small_value_are_fine(tmp_path: Path) -> None:
    spec = tmp_path / "aliases.yaml"
    recipients = "".join("  - *r\n" for _ in range(500))
    text = BASE.replace("place: Genève", "place: &r Genève") + "recipients:\n" + recipients
    spec.write_text(text, encoding="utf-8")
    assert problems(spec) == []


def test_the_characters_refused_are_exactly_those_no_output_can_carry() -> None:
    """Every code point against the rule, written out: the class itself is written the other
    way round (what is allowed), so that the engine checks it quickly."""

    def refused(code: int) -> bool:
        controls = (code < 0x20 and chr(code) not in "\t\n\r") or 0x7F <= code <= 0x9F
        noncharacter = 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE
        return controls or 0xD800 <= code <= 0xDFFF or code == 0xFEFF or noncharacter

    wrong = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if bool(REFUSED_CHARACTER.match(chr(code))) != refused(code)
    ]
    assert wrong == []


def test_no_character_refused_is_one_python_prints() -> None:
    """Validation takes a text that ``str.isprintable`` passes, but for its line breaks, as
    holding no refused character, without the pattern."""
    printable = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if REFUSED_CHARACTER.match(chr(code)) and chr(code).isprintable()
    ]
    assert printable == []


@pytest.mark.parametrize("escape", ["\\x01", "\\x85", "\\ufeff", "\\ufdd0", "\\U0010FFFF"])
def test_a_refused_character_after_many_lines_of_a_body_is_found(
    tmp_path: Path, escape: str
) -> None:
    """A body of many lines is not printable (its line breaks): the pattern looks at it."""
    spec = tmp_path / "body.yaml"
    body = "Un paragraphe de la lettre.\\n" * 40 + f"Fin {escape}."
    spec.write_text(BASE.replace("body: Texte.", f'body: "{body}"'), encoding="utf-8")
    found = problems(spec)
    assert len(found) == 1
    assert ":6:" in found[0] and "body: contains" in found[0] and found[0].endswith("[E105]")


@pytest.mark.parametrize(
    ("text", "empty"),
    [
        ("", True),
        (" \t\n\u3000\n", True),
        ("# a comment\r  # another, after a carriage return\x0b\n", True),
        ("\u2028 # after a line separator\x85#\n", True),
        ("# a comment\rplace: Genève\n", False),  # a line of its own for YAML too
        ("  # indented\n\xa0place: Genève\n", False),
        ("place: Genève # and a comment\n", False),
    ],
)
def test_a_file_is_empty_when_every_line_is_blank_or_a_comment(text: str, empty: bool) -> None:
    try:
        parse(text.encode("utf-8"), Path("letter.yaml"))
        codes = []
    except SpecError as exc:  # a file not empty may still be wrong YAML
        codes = [problem.code for problem in exc.problems]
    assert (codes == ["E004"]) is empty
