"""The command line as a user meets it: outputs, messages and exit codes (0 ok, 1 bad input,
2 usage)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from circulaire.cli import cli
from conftest import GOLDEN, LETTERS, ROOT, refuse_to_list, refuse_to_read


def golden(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8").strip("\n") + "\n"


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def archive_copy(tmp_path: Path, reference: str = "CL-21/27") -> Path:
    """A copy of an archive letter at its proper path, to be spoiled by a test."""
    target = tmp_path / "letters" / f"{reference}.yaml"
    target.parent.mkdir(parents=True)
    shutil.copy(LETTERS / f"{reference}.yaml", target)
    return target


def spoil(spec: Path, old: str, new: str) -> None:
    text = spec.read_text(encoding="utf-8")
    assert old in text, old
    spec.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- render ----------------------------------------------------------------------------------


def test_render_prints_markdown_by_default() -> None:
    code, out, err = run("render", LETTERS / "CL-21/27.yaml")
    assert (code, err) == (0, "")
    assert out == golden("CL-21-27.md")


def test_render_into_a_folder_names_the_file_after_the_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("render", LETTERS / "CL-20/038.yaml", "-f", "txt", "-o", "out/")
    assert code == 0
    written = Path("out/CL-20/038.txt")
    assert err == f"wrote {written}\n"
    assert written.read_text(encoding="utf-8") == golden("CL-20-038.txt")


def test_render_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "letter.md"
    code, out, _ = run("render", LETTERS / "CL-19/73.yaml", "-o", target)
    assert (code, out) == (0, "")
    assert target.read_text(encoding="utf-8") == golden("CL-19-73.md")


def test_render_takes_the_format_from_the_file_suffix(tmp_path: Path) -> None:
    target = tmp_path / "letter.txt"
    assert run("render", LETTERS / "CL-21/27.yaml", "-o", target)[0] == 0
    assert target.read_text(encoding="utf-8") == golden("CL-21-27.txt")


def test_render_a_missing_file() -> None:
    code, out, err = run("render", "nowhere/CL-21/99.yaml")
    assert (code, out) == (1, "")
    assert err == "nowhere/CL-21/99.yaml: no such file\n"


def test_render_an_invalid_spec_writes_nothing(tmp_path: Path) -> None:
    spec = archive_copy(tmp_path)
    spoil(spec, "email: guestrelations.telecom@itu.int", "email: guestrelations.telecom@")
    spoil(spec, "salutation: Madame, Monsieur,", "salutaion: Madame, Monsieur,")
    code, out, err = run("render", spec, "-o", tmp_path / "out/")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"{spec}:1:1: salutation: required field is missing",
        f"{spec}:8:10: contact.email: 'guestrelations.telecom@' is not an e-mail address",
        f"{spec}:15:1: salutaion: unknown field (did you mean 'salutation'?)",
    ]
    assert not (tmp_path / "out").exists()


def test_render_usage_errors_exit_2() -> None:
    assert run("render", LETTERS / "CL-21/27.yaml", "-f", "rtf")[0] == 2
    assert run("render")[0] == 2
    assert run("frobnicate")[0] == 2


def test_other_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("build", LETTERS, "-o", tmp_path / "dist", "-q", "-v")[0] == 2
    assert run("new", "CL-26", "--letters", tmp_path / "no-such-archive")[0] == 2
    assert list(tmp_path.iterdir()) == []


def test_spec_text_is_never_a_template(tmp_path: Path) -> None:
    spec = archive_copy(tmp_path)
    spoil(spec, "salutation: Madame, Monsieur,", 'salutation: "{{ 7 * 7 }} {% if 1 %}x{% endif %}"')
    code, out, _ = run("render", spec, "-f", "txt")
    assert code == 0
    assert "{{ 7 * 7 }} {% if 1 %}x{% endif %}" in out
    assert "49" not in out


# -- templates -------------------------------------------------------------------------------


def test_a_user_template_overrides_a_block(tmp_path: Path) -> None:
    (tmp_path / "letter.md.j2").write_text(
        '{% extends "letter.j2" %}\n'
        "{% block subject %}\nSUBJECT: {{ letter.subject | inline }}\n\n{% endblock %}\n",
        encoding="utf-8",
    )
    code, out, _ = run("render", LETTERS / "CL-21/27.yaml", "--templates", tmp_path)
    assert code == 0
    assert "SUBJECT: Invitation à participer à ITU Digital World 2021" in out
    assert "Objet:" not in out
    # the other blocks still come from the packaged template
    assert out.startswith("Genève, le 8 juillet 2021\n")


def test_an_undefined_variable_names_the_template_and_line(tmp_path: Path) -> None:
    (tmp_path / "letter.md.j2").write_text(
        '{% extends "letter.j2" %}\n{% block subject %}\n{{ letter.subjet }}\n{% endblock %}\n',
        encoding="utf-8",
    )
    target = tmp_path / "out" / "letter.md"
    code, _, err = run("render", LETTERS / "CL-21/27.yaml", "--templates", tmp_path, "-o", target)
    assert code == 1
    assert err == (
        f"{tmp_path / 'letter.md.j2'}:3: template error: a letter has no field 'subjet' (did "
        "you mean 'subject'?); its fields: reference, date, place, subject, salutation, body, "
        "signatories, recipients, contact, reference_label, department, closing, annexes, "
        "organization, language, style, ignore, parsed_reference, author\n"
    )
    assert not target.exists()


def test_a_typo_in_a_signatory_field_names_the_signatory_fields(tmp_path: Path) -> None:
    (tmp_path / "letter.md.j2").write_text(
        '{% extends "letter.j2" %}\n{% block subject %}\n'
        "{{ letter.signatories[0].nam }}\n{% endblock %}\n",
        encoding="utf-8",
    )
    code, _, err = run("render", LETTERS / "CL-21/27.yaml", "--templates", tmp_path)
    assert code == 1
    assert err.startswith(
        f"{tmp_path / 'letter.md.j2'}:3: template error: a signatory has no field 'nam' (did "
        "you mean 'name'?); its fields: name, "
    )


def test_a_template_syntax_error(tmp_path: Path) -> None:
    (tmp_path / "letter.md.j2").write_text("{% extends 'letter.j2' %}\n{% block %}\n")
    code, _, err = run("render", LETTERS / "CL-21/27.yaml", "--templates", tmp_path)
    assert code == 1
    assert "letter.md.j2:2: template error:" in err


# -- validate --------------------------------------------------------------------------------


def test_validate_the_archive() -> None:
    code, out, err = run("validate", LETTERS)
    assert (code, out) == (0, "")
    assert err.startswith(f"{len(list(LETTERS.rglob('*.yaml')))} specs checked, all valid")


def test_validate_reports_every_invalid_spec(tmp_path: Path) -> None:
    bad = archive_copy(tmp_path)
    spoil(bad, "date: 2021-07-08", "date: 2021-02-30")
    good = archive_copy(tmp_path, "CL-20/038")
    code, out, err = run("validate", tmp_path / "letters")
    assert code == 1
    assert f"{bad}:4:7: date: '2021-02-30' is not a date that exists" in out
    assert str(good) not in out
    assert "2 specs checked, 1 invalid, 1 error" in err


def test_validate_an_empty_folder_says_it_has_no_spec(tmp_path: Path) -> None:
    code, out, err = run("validate", tmp_path)
    assert (code, out) == (1, f"{tmp_path}: no letter spec (.yaml, .yml) in this folder\n")
    assert err == "0 specs checked, 1 folder without a spec, 1 error\n"


def test_an_empty_folder_beside_an_invalid_spec_is_counted_apart(tmp_path: Path) -> None:
    bad = archive_copy(tmp_path)
    spoil(bad, "date: 2021-07-08", "date: 2021-02-30")
    (tmp_path / "empty").mkdir()
    err = run("validate", tmp_path / "letters", tmp_path / "empty")[2]
    assert err == "1 spec checked, 1 invalid, 1 folder without a spec, 2 errors\n"


def test_validate_needs_a_path() -> None:
    assert run("validate")[0] == 2


# -- as installed ----------------------------------------------------------------------------


def test_python_dash_m() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "circulaire", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("circulaire, version ")


@pytest.mark.slow
def test_the_wheel_carries_the_templates(tmp_path: Path) -> None:
    """An installed circulaire renders outside the checkout: the templates are in the wheel."""
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "wheel"), str(ROOT)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "wheel").glob("circulaire-*.whl")
    site = tmp_path / "site"
    shutil.unpack_archive(wheel, site, format="zip")
    assert (site / "circulaire" / "templates" / "letter.j2").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def installed(*args: str) -> subprocess.CompletedProcess[str]:
        env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
        return subprocess.run(
            [sys.executable, *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=elsewhere,
            env=env,
        )

    found = installed("-c", "import circulaire.templating as t; print(t.packaged_templates())")
    assert found.stdout.strip() == str(site / "circulaire" / "templates"), found.stderr
    rendered = installed("-m", "circulaire", "render", str(LETTERS / "CL-21/27.yaml"))
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stdout == golden("CL-21-27.md")
    docx = installed("-m", "circulaire", "render", str(LETTERS / "CL-21/27.yaml"), "-o", "x.docx")
    assert docx.returncode == 0, docx.stderr
    assert (elsewhere / "x.docx").read_bytes()[:2] == b"PK"
    english = installed("-m", "circulaire", "render", str(ROOT / "tests/languages/en.yaml"))
    assert english.returncode == 0, english.stderr  # the catalogs are in the wheel too
    assert english.stdout == (ROOT / "tests/languages/en.md").read_text(encoding="utf-8")


def test_an_override_of_letter_j2_extends_the_house_one(tmp_path: Path) -> None:
    """``letter.j2`` cannot extend itself; it extends the house's as ``house/letter.j2``, and
    every format takes the change."""
    (tmp_path / "letter.j2").write_text(
        '{% extends "house/letter.j2" %}\n{% block subject %}\n'
        "SUBJECT: {{ letter.subject | inline }}\n\n{% endblock %}\n",
        encoding="utf-8",
    )
    spec = LETTERS / "CL-21/27.yaml"
    for fmt in ("md", "txt"):
        code, out, _ = run("render", spec, "-f", fmt, "--templates", tmp_path)
        assert code == 0
        assert "\nSUBJECT: Invitation" in out
        assert "Objet:" not in out
    assert (
        run("render", spec, "-f", "docx", "--templates", tmp_path, "-o", tmp_path / "a.docx")[0]
        == 0
    )


def test_letter_j2_extending_itself_says_how_to_extend_the_house_one(tmp_path: Path) -> None:
    (tmp_path / "letter.j2").write_text('{% extends "letter.j2" %}\n', encoding="utf-8")
    code, _, err = run("render", LETTERS / "CL-21/27.yaml", "--templates", tmp_path)
    assert (code, err) == (
        1,
        f"{tmp_path / 'letter.j2'}:1: template error: extends or includes itself, without end "
        '(a template extends the house\'s of its name as "house/letter.j2")\n',
    )


# -- what the system refuses, and what the user mistypes --------------------------------------


def test_writing_where_a_file_stands_is_a_clean_error(tmp_path: Path) -> None:
    blocker = tmp_path / "letter.pdf"
    blocker.write_bytes(b"")
    code, _, err = run("render", LETTERS / "CL-21/27.yaml", "-o", f"{blocker}/")
    assert code == 1
    assert err == f"{blocker}/CL-21/27.md: cannot write: Not a directory\n"
    code, _, err = run("build", LETTERS, "-o", blocker / "dist", "-f", "md")
    assert code == 1
    assert f"{blocker / 'dist'}: cannot write: Not a directory" in err


def test_a_folder_where_the_letter_goes_is_a_clean_error(tmp_path: Path) -> None:
    (tmp_path / "CL-21" / "27.md").mkdir(parents=True)
    code, _, err = run("render", LETTERS / "CL-21/27.yaml", "-o", f"{tmp_path}/")
    assert code == 1
    assert err == f"{tmp_path}/CL-21/27.md: cannot write: Is a directory\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "x.md", "-f", "pdf"], "-o 'x.md' is a .md file, but -f asks for pdf"),
        (["-o", "x.odt"], "cannot tell the format of 'x.odt': give -f md, txt, docx, pdf or html"),
    ],
)
def test_a_file_name_that_disagrees_with_the_format(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("render", LETTERS / "CL-21/27.yaml", *args)
    assert code == 2
    assert err.endswith(f"Error: {message}\n")
    assert list(tmp_path.iterdir()) == []


def test_validating_a_folder_without_specs_fails(tmp_path: Path) -> None:
    code, out, _ = run("validate", tmp_path)
    assert code == 1
    assert out.startswith(f"{tmp_path}: no letter spec (.yaml, .yml) in this folder")


def test_a_yml_spec_at_its_path_is_valid(tmp_path: Path) -> None:
    spec = tmp_path / "CL-21" / "27.yml"
    spec.parent.mkdir()
    shutil.copy(LETTERS / "CL-21/27.yaml", spec)
    assert run("validate", spec)[0] == 0
    moved = spec.rename(spec.with_name("28.yml"))
    code, out, _ = run("validate", moved)
    assert code == 1
    assert "CL-21/27 disagrees with the file's path CL-21/28.yml (expected CL-21/27.yml)" in out


def test_an_undefined_variable_in_a_docx_template_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "letter.docx.j2").write_text(
        '{% extends "letter.j2" %}\n{% block subject %}\n{{ nope }}\n{% endblock %}\n',
        encoding="utf-8",
    )
    target = tmp_path / "letter.docx"
    code, _, err = run("render", LETTERS / "CL-21/27.yaml", "--templates", tmp_path, "-o", target)
    assert code == 1
    assert err == f"{tmp_path / 'letter.docx.j2'}:3: template error: 'nope' is undefined\n"
    assert not target.exists()


# -- what the archive holds besides specs ------------------------------------------------------


def test_a_folder_that_cannot_be_listed_is_an_error_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = archive_copy(tmp_path)
    (tmp_path / "letters/XX-21").mkdir()
    refuse_to_list(tmp_path / "letters/XX-21", monkeypatch)
    code, out, _ = run("validate", tmp_path / "letters")
    assert code == 1
    assert out.splitlines()[0] == (
        f"{tmp_path / 'letters/XX-21'}: cannot read this folder: Permission denied"
    )
    assert f"{spec}:" not in out  # the readable letter is checked, and valid
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "letters")])
    assert result.stderr == "1 spec checked, 0 invalid, 1 not read, 1 error\n"


def test_a_link_to_a_spec_that_is_gone_is_reported(tmp_path: Path) -> None:
    archive_copy(tmp_path)
    (tmp_path / "letters/CL-21/28.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    code, out, _ = run("validate", tmp_path / "letters")
    assert code == 1
    assert f"{tmp_path / 'letters/CL-21/28.yaml'}: no such file" in out


def test_a_file_that_cannot_be_read_is_bad_input_not_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exit 1 with the reader's message, as for any bad input (the system's refusal is
    played here: root, who runs CI, reads anything)."""
    spec = archive_copy(tmp_path)
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)  # click's own check
    refuse_to_read(spec, monkeypatch)
    for command in ("render", "validate"):
        code, out, err = run(command, spec)
        assert code == 1, err
        assert f"{spec}: cannot read: Permission denied" in out + err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_a_device_named_as_a_spec_is_refused_without_reading_it_all() -> None:
    """In a process of its own, with a bound on its memory: reading to the end never ends."""
    import resource

    def bounded() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    result = subprocess.run(
        [sys.executable, "-m", "circulaire", "validate", "/dev/zero"],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=bounded,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout == "/dev/zero: is not a file but a pipe or a device\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_pipe_named_as_a_spec_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "27.yaml"
    os.mkfifo(pipe)
    result = subprocess.run(
        [sys.executable, "-m", "circulaire", "validate", str(pipe)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == f"{pipe}: is not a file but a pipe or a device\n"


def test_a_missing_reference_document_is_bad_input(tmp_path: Path) -> None:
    """Exit 1 with what is wrong, in `render` and `build` alike (not a usage error, nor a
    traceback)."""
    missing = tmp_path / "nope.docx"
    expected = f"{missing}: cannot read the reference document: No such file or directory\n"
    spec = LETTERS / "CL-21/27.yaml"
    out = tmp_path / "out.docx"
    code, _, err = run("render", spec, "-f", "docx", "--reference-docx", missing, "-o", out)
    assert (code, err) == (1, expected)
    code, _, err = run("build", LETTERS, "-o", tmp_path / "dist", "--reference-docx", missing)
    assert (code, err) == (1, expected)


@pytest.mark.parametrize("fmt", ["pdf", "md"])
def test_a_reference_document_for_no_docx_is_said_to_be_ignored(tmp_path: Path, fmt: str) -> None:
    reference = ROOT / "templates/reference.docx"
    out = tmp_path / f"27.{fmt}"
    spec = LETTERS / "CL-21/27.yaml"
    code, _, err = run("render", spec, "-f", fmt, "--reference-docx", reference, "-o", out)
    assert (code, err) == (
        0,
        f"warning: --reference-docx is used for DOCX only: ignored for -f {fmt}\nwrote {out}\n",
    )


def test_a_build_without_docx_says_its_reference_document_is_ignored(tmp_path: Path) -> None:
    reference = ROOT / "templates/reference.docx"
    dist = tmp_path / "dist"
    args = ("build", LETTERS, "-o", dist, "-f", "md,txt", "-q", "--reference-docx", reference)
    assert run(*args)[::2] == (
        0,
        "warning: --reference-docx is used for DOCX only: ignored for -f md,txt\n",
    )
    assert run("build", LETTERS, "-o", dist, "-f", "docx", "-q", "--reference-docx", reference)[
        ::2
    ] == (0, "")
