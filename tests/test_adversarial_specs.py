"""Specs, and what stands where specs go, made to do harm: a link out of the archive, a link
that loops, folders nested past reason, a value with a line break at its end, Markdown that
hides a control character or a script. Each case was found by an adversarial run (issue #20);
none may print a traceback, print a line of a file that is not a spec, or reach an output."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circulaire.report import check
from test_build import make_archive, tree
from test_cli import archive_copy, run, spoil

# -- 2. a link out of the archive -------------------------------------------------------------

SECRET = "ghp_canary_0123456789"
"""What a file outside the archive holds: no output of circulaire may show it."""


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the archive, in YAML, whose lines would be quoted if it were read."""
    path = tmp_path / "secrets.yaml"
    path.write_text(f"GITHUB_TOKEN: {SECRET}\nreference: {SECRET}\n", encoding="utf-8")
    return path


HINT = "(a link may lead only to a spec inside the archive)"


def _everything(*outputs: str) -> str:
    joined = "".join(outputs)
    assert "Traceback" not in joined
    return joined


def test_a_link_out_of_the_archive_is_refused_and_never_quoted(
    tmp_path: Path, secret: Path
) -> None:
    spec = archive_copy(tmp_path)
    link = spec.parent / "01.yaml"
    link.symlink_to(secret)
    letters = tmp_path / "letters"
    for fmt in ("human", "json", "github"):
        code, out, err = run("validate", letters, "--format", fmt)
        assert code == 1
        assert SECRET not in _everything(out, err)
    code, out, err = run("validate", letters)
    assert out == (
        f"{link}: is a symbolic link out of {letters}: not read "
        "(a link may lead only to a spec inside the archive)\n"
    )
    assert err == "1 spec checked, 0 invalid, 1 not read, 1 error\n"


@pytest.mark.parametrize("target", ["/etc/passwd", "/proc/self/environ", "/dev/zero"])
def test_a_link_to_a_file_of_the_system_is_refused(tmp_path: Path, target: str) -> None:
    if not Path(target).exists():
        pytest.skip(f"no {target} on this system")
    spec = archive_copy(tmp_path)
    link = spec.parent / "01.yaml"
    link.symlink_to(target)
    for command in (("validate", tmp_path / "letters"), ("validate", link), ("render", link)):
        code, out, err = run(*command)
        assert code == 1
        assert f"{link}: is a symbolic link out of {tmp_path / 'letters'}: not read" in out + err
        assert "root:" not in _everything(out, err)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="no /proc on this system")
def test_the_issue_s_case_leaks_no_environment(tmp_path: Path) -> None:
    """``ln -s /proc/self/environ letters/CL-21/01.yaml`` printed every variable, in CI a
    token too. In a process of its own: /proc/self is the process that reads it."""
    spec = archive_copy(tmp_path)
    (spec.parent / "01.yaml").symlink_to("/proc/self/environ")
    environment = {"PATH": os.environ["PATH"], "GITHUB_TOKEN": SECRET}
    commands = [
        ["validate", "letters/"],
        ["validate", "letters/CL-21/01.yaml"],
        ["validate", "letters/", "--format", "github"],
        ["render", "letters/CL-21/01.yaml"],
        ["build", "letters", "-o", "dist", "-f", "md,txt", "-j", "1"],
    ]
    for command in commands:
        result = subprocess.run(
            [sys.executable, "-m", "circulaire", *command],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=environment,
            timeout=120,
            check=False,
        )
        assert result.returncode == 1, result.stderr
        assert SECRET not in _everything(result.stdout, result.stderr)
    assert all(SECRET.encode() not in data for data in tree(tmp_path / "dist").values())


def test_a_link_inside_the_archive_to_another_spec_is_read(tmp_path: Path) -> None:
    spec = archive_copy(tmp_path)
    drafts = tmp_path / "letters/.drafts"  # hidden: not a letter of its own
    drafts.mkdir()
    spec.rename(drafts / "27.yaml")
    spec.symlink_to("../.drafts/27.yaml")
    assert run("validate", tmp_path / "letters")[0] == 0
    assert run("validate", spec)[0] == 0
    assert run("render", spec, "-f", "txt")[0] == 0


def test_a_link_inside_the_archive_to_a_file_that_is_no_spec_is_refused(tmp_path: Path) -> None:
    """``validate .`` at the top of a checkout: ``.git/config`` is inside the folder checked,
    and holds the token actions/checkout saves there."""
    spec = archive_copy(tmp_path)
    config = tmp_path / ".git/config"
    config.parent.mkdir()
    config.write_text(f'[http]\n\textraheader = "AUTHORIZATION: basic {SECRET}"\n')
    link = spec.parent / "01.yaml"
    link.symlink_to("../../.git/config")
    code, out, err = run("validate", tmp_path)
    assert code == 1
    assert out == (
        f"{link}: is a symbolic link to a file not named .yaml or .yml: not read "
        "(a link may lead only to a spec inside the archive)\n"
    )
    assert SECRET not in _everything(out, err)


def test_a_spec_named_alone_is_read_only_inside_its_archive(tmp_path: Path, secret: Path) -> None:
    """Named one by one, as pre-commit names them: a spec in a series folder belongs to the
    folder above it (letters/ for letters/CL-21/27.yaml), a draft elsewhere to its own."""
    spec = archive_copy(tmp_path)
    inside = spec.parent.parent / "CL-20/038.yaml"
    inside.parent.mkdir()
    inside.symlink_to("../CL-21/27.yaml")
    outside = spec.parent / "01.yaml"
    outside.symlink_to(secret)
    draft = tmp_path / "drafts/27.yaml"
    draft.parent.mkdir()
    draft.symlink_to(spec)
    letters = tmp_path / "letters"
    code, out, _ = run("validate", inside)  # the link is read: its reference disagrees
    assert (code, out.splitlines()[0]) == (
        1,
        f"{inside}:1:12: reference: CL-21/27 disagrees with the file's path CL-20/038.yaml "
        "(expected CL-21/27.yaml)",
    )
    for command in ("validate", "render"):
        code, out, err = run(command, outside)
        assert code == 1
        assert f"{outside}: is a symbolic link out of {letters}: not read" in out + err
        assert SECRET not in _everything(out, err)
        code, out, err = run(command, draft)
        assert code == 1
        assert f"{draft}: is a symbolic link out of {draft.parent}: not read" in out + err


@pytest.mark.parametrize("name", ["/etc/passwd", "/proc/self/environ", "secrets.txt"])
def test_a_file_named_alone_that_is_no_yaml_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("secrets.txt").write_text(f"reference: {SECRET}\n", encoding="utf-8")
    if not Path(name).exists():
        pytest.skip(f"no {name} on this system")
    for command in ("validate", "render"):
        code, out, err = run(command, name)
        assert code == 1
        expected = f"{name}: not named .yaml or .yml, so not read as a spec\n"
        assert (out if command == "validate" else err) == expected
        assert "root:" not in _everything(out, err) and SECRET not in out + err


def test_a_translation_uses_no_original_out_of_the_archive(tmp_path: Path) -> None:
    """``27.en.yaml`` takes its facts (contacts, names) from ``27.yaml``: linked out of the
    archive to a valid letter, the original's words would be printed in every version."""
    from conftest import LETTERS

    spec = archive_copy(tmp_path)
    translation = spec.with_name("27.en.yaml")
    translation.write_bytes((LETTERS / "CL-21/27.en.yaml").read_bytes())
    elsewhere = tmp_path / "elsewhere/27.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(spec.read_text(encoding="utf-8").replace("Theo Tunga", SECRET))
    spec.unlink()
    spec.symlink_to(elsewhere)
    letters = tmp_path / "letters"
    message = (
        f"{translation}: the original of this translation, {spec}, is not read: it is no "
        "spec of its archive (validate it first)"
    )
    code, out, err = run("validate", letters)
    assert code == 1
    assert out.splitlines() == [
        message,
        f"{spec}: is a symbolic link out of {letters}: not read {HINT}",
    ]
    assert SECRET not in _everything(out, err)
    code, out, err = run("render", translation)
    assert (code, out, err) == (1, "", message + "\n")
    code, out, err = run("build", letters, "-o", tmp_path / "dist", "-f", "md,txt")
    assert code == 1
    assert message in _everything(out, err)
    assert all(SECRET.encode() not in data for data in tree(tmp_path / "dist").values())


def test_a_build_reads_no_link_out_of_the_archive(tmp_path: Path, secret: Path) -> None:
    archive = make_archive(tmp_path / "letters", 3)
    link = archive / "CL-19/099.yaml"
    link.symlink_to(secret)
    result = run("build", archive, "-o", tmp_path / "dist", "-f", "md,txt")
    assert result[0] == 1
    err = _everything(*result[1:])
    assert f"{link}: is a symbolic link out of {archive}: not read" in err
    assert "built 3 letters" in err and "1 not read" in err
    assert all(SECRET.encode() not in data for data in tree(tmp_path / "dist").values())


# -- 6. a link that loops, folders nested past reason --------------------------------------------


def test_a_link_that_loops_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    spec = archive_copy(tmp_path)
    loop = spec.parent / "self.yaml"
    loop.symlink_to("self.yaml")
    message = f"{loop}: is a symbolic link that loops back on itself: not read\n"
    assert run("validate", tmp_path / "letters")[:2] == (1, message)
    assert run("validate", loop)[:2] == (1, message)
    assert run("render", loop)[::2] == (1, message)
    code, _, err = run("build", tmp_path / "letters", "-o", tmp_path / "dist", "-f", "md")
    assert code == 1
    assert message in _everything(err)
    assert (tmp_path / "dist/CL-21/27.md").is_file()


@pytest.fixture
def deep(tmp_path: Path) -> Iterator[Path]:
    """letters/deep/a/a/…/a, 1,200 folders deep, a spec at the bottom; removed from the
    bottom up (the recursion of shutil.rmtree would not reach it)."""
    root = tmp_path / "letters/deep"
    root.mkdir(parents=True)
    folder = root
    for _ in range(1200):
        folder = folder / "a"
        folder.mkdir()
    (folder / "01.yaml").write_text("reference: CL-21/01\n", encoding="utf-8")
    yield root
    (folder / "01.yaml").unlink()
    while folder != root:
        folder.rmdir()
        folder = folder.parent


def test_folders_nested_past_reason_are_a_problem_not_a_traceback(
    tmp_path: Path, deep: Path
) -> None:
    archive_copy(tmp_path)
    too_deep = deep.joinpath(*["a"] * 32)
    message = (
        f"{too_deep}: folders nested more than 32 deep: not read "
        "(an archive holds <series>-<yy>/<number>.yaml)\n"
    )
    code, out, err = run("validate", tmp_path / "letters")
    assert (code, out) == (1, message)
    assert err == "1 spec checked, 0 invalid, 1 not read, 1 error\n"
    code, _, err = run("build", tmp_path / "letters", "-o", tmp_path / "dist", "-f", "md")
    assert code == 1
    assert message in _everything(err)
    assert (tmp_path / "dist/CL-21/27.md").is_file()


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


@pytest.mark.parametrize(
    "pattern, value",
    [pytest.param(pattern, value, id=name) for name, pattern, value in _patterns()],
)
def test_no_whole_value_pattern_passes_a_line_break_at_its_end(
    pattern: re.Pattern[str], value: str
) -> None:
    assert pattern.match(value)
    for spoilt in (f"{value}\n", f"{value}\r\n", f"\n{value}", f"{value}\nx"):
        assert not pattern.match(spoilt), spoilt


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
    ids=["reference-quoted", "reference-block", "email", "date", "language"],
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


# -- 8. character references ---------------------------------------------------------------------

LETTER = """\
reference: CL-21/30
place: Genève
date: 2021-05-10
subject: Objet
salutation: Madame, Monsieur,
signatories:
  - name: Houlin Zhao
body: |
"""


def spec_with_body(tmp_path: Path, body: str) -> Path:
    """A spec of ``LETTER`` with ``body`` as its body, in ``tmp_path``."""
    spec = tmp_path / "letter.yaml"
    indented = "".join(f"  {line}\n" if line else "\n" for line in body.split("\n"))
    spec.write_text(LETTER + indented, encoding="utf-8")
    return spec


@pytest.mark.parametrize(
    "written, character",
    [
        ("&#x1F;", "the control character U+001F,"),
        ("&#8;", "the control character U+0008,"),
        ("&#xFFFE;", "U+FFFE, a Unicode noncharacter,"),
        ("&#x7F;", "the control character U+007F,"),
        ("&#x85;", "the control character U+0085,"),
        ("&#133;", "the control character U+0085,"),
        ("&#xfeff;", "U+FEFF, a byte order mark,"),
        ("&#X10FFFF;", "U+10FFFF, a Unicode noncharacter,"),
    ],
)
@pytest.mark.parametrize("fmt", ["md", "txt", "docx", "pdf"])
def test_a_character_reference_to_a_character_no_output_carries_is_refused(
    tmp_path: Path, written: str, character: str, fmt: str
) -> None:
    spec = spec_with_body(tmp_path, f"Un texte, puis **{written}** là.")
    expected = (
        f"{spec}:9:20: body: contains {character} which a letter cannot hold "
        f"(written '{written}')\n"
    )
    code, out, _ = run("validate", spec)
    assert (code, out.splitlines()[0]) == (1, expected.rstrip("\n"))
    code, out, err = run("render", spec, "-f", fmt, "-o", tmp_path / f"letter.{fmt}")
    assert (code, out, err) == (1, "", expected)
    assert not (tmp_path / f"letter.{fmt}").exists()


@pytest.mark.parametrize(
    "body",
    [
        "Un code `&#8;` reste écrit tel quel.",
        "Un texte, puis du code indenté:\n\n    &#8; reste écrit tel quel",
        "Une esperluette &amp; et &#233;, é, &#0; et &#xD800; (U+FFFD pour CommonMark).",
        "Un échappement \\&#8; reste du texte.",
    ],
)
def test_a_character_reference_that_makes_a_printable_character_is_kept(
    tmp_path: Path, body: str
) -> None:
    assert run("validate", spec_with_body(tmp_path, body))[0] == 0


def test_a_character_reference_is_refused_wherever_markdown_decodes_it(tmp_path: Path) -> None:
    body = '[le lien](/a "un titre &#7;") et [un autre](/b&#x1B;c).'
    spec = spec_with_body(tmp_path, body)
    code, out, _ = run("validate", spec)
    assert code == 1
    assert out.splitlines()[::3] == [
        f"{spec}:9:26: body: contains the control character U+0007, which a letter cannot "
        "hold (written '&#7;')",
        f"{spec}:9:49: body: contains the control character U+001B, which a letter cannot "
        "hold (written '&#x1B;')",
    ]


# -- 10. raw HTML and links that are no address --------------------------------------------------


@pytest.mark.parametrize(
    "body, column, shown",
    [
        ("Un texte <b>gras</b>.", 12, "'<b>'"),
        ("Une note <!-- cachée --> ici.", 12, "'<!-- cachée -->'"),
        ("<script>alert(1)</script>", 3, "'<script>alert(1)</script>'"),
        ("<div>\nUne ligne\n</div>", 3, "'<div>'"),
        ("- un point <img src=x onerror=alert(1)>", 14, "'<img src=x onerror=alert(1)>'"),
    ],
)
def test_raw_html_is_refused(tmp_path: Path, body: str, column: int, shown: str) -> None:
    spec = spec_with_body(tmp_path, body)
    code, out, _ = run("validate", spec)
    assert code == 1
    assert out.splitlines()[0] == (
        f"{spec}:9:{column}: body: raw HTML {shown} is not allowed in a letter (the Markdown "
        "would publish it, the DOCX and the PDF drop it: write \\< to show a '<')"
    )
    code, out, _ = run("render", spec, "-f", "md")
    assert (code, out) == (1, "")


@pytest.mark.parametrize(
    "body, column, what, target",
    [
        ("Voir [ceci](javascript:alert(1)).", 8, "link 'ceci'", "javascript:alert(1)"),
        ("Voir [ceci](JavaScript:alert(1)).", 8, "link 'ceci'", "JavaScript:alert(1)"),
        ("Voir [ceci](java&#x09;script:x).", 8, "link 'ceci'", "java\\tscript:x"),
        ("Voir [ceci]( <vbscript:x> ).", 8, "link 'ceci'", "vbscript:x"),
        ("Voir <javascript:alert(1)>.", 8, "link 'javascript:alert(1)'", "javascript:alert(1)"),
        ("Voir [ceci][r].\n\n[r]: data:text/html,x", 8, "link 'ceci'", "data:text/html,x"),
        ("Voir [ceci](file:///etc/passwd).", 8, "link 'ceci'", "file:///etc/passwd"),
        ("Voir [ceci](ftp://ftp.itu.int/).", 8, "link 'ceci'", "ftp://ftp.itu.int/"),
    ],
)
def test_a_link_that_is_no_web_or_mail_address_is_refused(
    tmp_path: Path, body: str, column: int, what: str, target: str
) -> None:
    spec = spec_with_body(tmp_path, body)
    code, out, _ = run("validate", spec)
    assert code == 1
    assert out.splitlines()[0] == (
        f"{spec}:9:{column}: body: the {what} leads to '{target}', which a letter may not "
        "link to (expected an http:, https: or mailto: address, or one on the same site "
        "such as #annexe)"
    )
    assert run("render", spec, "-f", "md")[:2] == (1, "")


def test_the_links_and_text_letters_write_are_kept(tmp_path: Path) -> None:
    body = (
        "Voir [ici](#), [la page](https://www.itu.int/fr), [là](http://itu.int),\n"
        "[écrire](mailto:a@itu.int), <a@itu.int>, <https://digital-world.itu.int/>,\n"
        "[plus loin](annexe.html#deux), [en haut](/fr/a), [avant](../b) et [q](?x=1).\n"
        "Un signe a < b, <3 et `<b>` restent du texte, comme \\<b> et [x](<a b>)."
    )
    spec = spec_with_body(tmp_path, body)
    code, out, _ = run("validate", spec, "--no-lint")
    assert (code, out) == (0, "")


def test_the_archive_and_the_published_letters_stay_valid() -> None:
    from conftest import ARCHIVE, LETTERS

    report = check([LETTERS])
    assert report.return_code == 0, report.problems
    assert sorted(report.letters) == ARCHIVE


def test_an_annex_is_markdown_too(tmp_path: Path) -> None:
    spec = spec_with_body(tmp_path, "Texte.")
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text + "annexes:\n  - title: Programme\n    content: 'x <b>y</b>'\n")
    code, out, _ = run("validate", spec)
    assert code == 1
    assert out.splitlines()[0].startswith(
        f"{spec}:12:17: annexes[0].content: raw HTML '<b>' is not allowed in a letter"
    )


PIECES = [
    *"\n !&*<>[]()`:#\\",
    "a",
    "é",
    "- ",
    "    ",
    "](",
    "]: ",
    "[r]",
    "<b>",
    "<!-- c -->",
    "<div>\n",
    "javascript:x",
    "JavaScript:",
    "java&#x09;script:",
    "data:x",
    "https://a.b",
    "mailto:a@b.c",
    "<a@b.c>",
    "#",
    "&#7;",
    "&#233;",
    "&amp;",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_the_tree_flags_every_text_the_closer_look_refuses(text: str) -> None:
    """Validation parses again only a text whose tree is flagged (or that holds ``&#``): the
    flag must miss nothing the full reading of the text finds."""
    from circulaire.markup import _unsafe, unsafe
    from circulaire.source import REFUSED_CHARACTER

    assert unsafe(text, REFUSED_CHARACTER) == _unsafe(text, REFUSED_CHARACTER)


@pytest.mark.parametrize(
    "written, code",
    [("<script>alert(1)</script>", "E108"), ("[x](javascript:alert(1))", "E109"), ("&#8;", "E105")],
)
def test_a_translation_s_markdown_is_read_as_a_letter_s(
    tmp_path: Path, written: str, code: str
) -> None:
    """``27.en.yaml`` holds its own body: its Markdown is published as the original's is."""
    from circulaire.report import check as check_specs
    from conftest import LETTERS

    spec = archive_copy(tmp_path)
    translation = spec.with_name("27.en.yaml")
    text = (LETTERS / "CL-21/27.en.yaml").read_text(encoding="utf-8")
    translation.write_text(text.replace("body: |\n  ", f"body: |\n  {written} ", 1))
    problems = check_specs([translation]).errors
    assert [(p.line, p.column, p.field, p.code) for p in problems] == [(11, 3, "body", code)]
    assert run("render", translation, "-f", "md")[:2] == (1, "")
