"""Specs, and what stands where specs go, made to do harm: a link out of the archive, a link
that loops, folders nested past reason, a value with a line break at its end, Markdown that
hides a control character or a script. Each case was found by an adversarial run (issue #20);
none may print a traceback, print a line of a file that is not a spec, or reach an output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from test_cli import archive_copy, run, spoil

# -- 7. a line break at the end of a value ------------------------------------------------------


def _patterns() -> list[tuple[str, re.Pattern[str], str]]:
    from circulaire.build.cleanup import TEMPORARY
    from circulaire.build.settings import MANIFEST_NAME
    from circulaire.model import REFERENCE_PATTERN, SERIES_PATTERN
    from circulaire.new import _NUMBER
    from circulaire.validate import _ISO_DATE, EMAIL_PATTERN

    return [
        ("reference", REFERENCE_PATTERN, "CL-21/27"),
        ("series", SERIES_PATTERN, "CL-21"),
        ("e-mail", EMAIL_PATTERN, "forum.telecom@itu.int"),
        ("date", _ISO_DATE, "2021-07-08"),
        ("number", _NUMBER, "038"),
        ("manifest", MANIFEST_NAME, ".circulaire-manifest.2-of-4.json"),
        ("temporary", TEMPORARY, ".27.md.a1b2c3d4.tmp"),
    ]


@pytest.mark.parametrize("name, pattern, value", _patterns(), ids=lambda v: str(v)[:12])
def test_no_whole_value_pattern_passes_a_line_break_at_its_end(
    name: str, pattern: re.Pattern[str], value: str
) -> None:
    assert pattern.match(value), name
    for spoilt in (f"{value}\n", f"{value}\r\n", f"\n{value}", f"{value}\nx"):
        assert not pattern.match(spoilt), (name, spoilt)


def test_no_pattern_is_anchored_with_a_caret_alone() -> None:
    """A pattern that must match a whole value says so with ``\\A…\\Z`` (or is used with
    ``fullmatch``): ``^…$`` lets a final line break through. A caret is for MULTILINE."""
    import ast

    careted = []
    for path in (Path(__file__).resolve().parents[1] / "src/circulaire").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or ast.unparse(node.func) != "re.compile":
                continue
            pattern = node.args[0] if node.args else None
            if not isinstance(pattern, ast.Constant) or not str(pattern.value).startswith("^"):
                continue
            if "MULTILINE" not in ast.unparse(node):
                careted.append(f"{path.name}: {pattern.value}")
    assert careted == []


@pytest.mark.parametrize(
    "field, old, new, expected",
    [
        (
            "reference",
            "reference: CL-21/27",
            'reference: "CL-21/27\\n"',
            "1:12: reference: 'CL-21/27\\n' is not a reference (expected <series>-<yy>/<number>, "
            "such as CL-21/27)",
        ),
        (
            "reference",
            "reference: CL-21/27",
            "reference: |\n  CL-21/27",
            "1:12: reference: 'CL-21/27\\n' is not a reference (expected <series>-<yy>/<number>, "
            "such as CL-21/27)",
        ),
        (
            "email",
            "email: guestrelations.telecom@itu.int",
            'email: "guestrelations.telecom@itu.int\\n"',
            "8:10: contact.email: 'guestrelations.telecom@itu.int\\n' is not an e-mail address",
        ),
        (
            "date",
            "date: 2021-07-08",
            'date: "2021-07-08\\n"',
            "4:7: date: '2021-07-08\\n' is not a date (expected YYYY-MM-DD, such as 2021-07-08)",
        ),
        (
            "language",
            "place: Genève",
            'place: Genève\nlanguage: "fr\\n"',
            "4:11: language: unknown language 'fr\\n' (expected a locale such as fr or fr_CH)",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 12 else None,
)
def test_a_line_break_at_the_end_of_a_value_is_refused(
    tmp_path: Path, field: str, old: str, new: str, expected: str
) -> None:
    spec = archive_copy(tmp_path)
    spoil(spec, old, new)
    code, out, _ = run("validate", spec, "--no-lint")
    assert code == 1
    assert out.splitlines()[0] == f"{spec}:{expected}"


def test_new_refuses_a_series_with_a_line_break(tmp_path: Path) -> None:
    code, _, err = run("new", "CL-26\n", "--letters", tmp_path, "--date", "2026-01-05")
    assert code == 1
    assert err == "'CL-26\\n' is not a series and year (expected <SERIES>-<yy>, such as CL-26)\n"
    assert list(tmp_path.iterdir()) == []


def test_new_counts_no_file_named_with_a_line_break(tmp_path: Path) -> None:
    (tmp_path / "CL-21").mkdir()
    (tmp_path / "CL-21/07\n.yaml").write_text("reference: CL-21/07\n", encoding="utf-8")
    code, out, _ = run("new", "CL-21", "--letters", tmp_path, "--date", "2021-01-05")
    assert (code, out) == (0, f"{tmp_path / 'CL-21/01.yaml'}\n")
