"""The program as started (``python -m circulaire``, the ``circulaire`` script): ``render``
of one letter without click when its arguments are plain, the click commands for anything
else, and the same output, messages and exit codes either way."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from circulaire.cli import cli
from conftest import LETTERS, ROOT

SPEC = LETTERS / "CL-21" / "27.yaml"


def started(*args: str | Path, cwd: Path = ROOT) -> tuple[int, str, str]:
    """The program started as a user starts it, in a process of its own."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "circulaire", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        check=False,
    )
    return result.returncode, result.stdout, result.stderr


def clicked(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, [str(a) for a in args], prog_name="circulaire", catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("into_a_folder", [False, True], ids=["on standard output", "into -o"])
def test_a_markdown_render_does_not_load_click(into_a_folder: bool, tmp_path: Path) -> None:
    output = ", '-o', " + repr(str(tmp_path)) if into_a_folder else ""
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['circulaire', 'render', {str(SPEC)!r}, '-f', 'md'{output}]\n"
        "runpy.run_module('circulaire', run_name='__main__')\n"
        "assert 'click' not in sys.modules, 'click was loaded'\n"
        "assert 'markdown_it' not in sys.modules, 'markdown-it-py was loaded'\n"
        "assert 'babel.messages' not in sys.modules, 'the catalog reader was loaded'\n"
    )
    for _ in range(2):  # the second finds the catalogs compiled
        result = subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            check=False,
        )
    assert result.returncode == 0, result.stderr
    if into_a_folder:  # said as the click command says it
        written = tmp_path / "CL-21" / "27.md"
        assert result.stderr == f"wrote {written}\n"
        assert written.read_text(encoding="utf-8").startswith("Genève, le 8 juillet 2021\n")
    else:
        assert result.stdout.startswith("Genève, le 8 juillet 2021\n")


@pytest.mark.parametrize(
    "args",
    [
        ("render", SPEC),
        ("render", SPEC, "-f", "txt"),
        ("render", SPEC, "-ftxt"),
        ("render", "--format=md", SPEC),
        ("render", SPEC, "-f", "md", "--draft"),
        ("render", SPEC, "-f", "md", "--reference-docx", ROOT / "templates" / "reference.docx"),
        ("render", SPEC, "--templates", ROOT / "templates"),
        ("render", SPEC, "-f", "rtf"),  # the rest: click says what is wrong
        ("render", SPEC, "-f=md"),
        ("render", SPEC, "-f", "md", "-f", "txt"),
        ("render", SPEC, "--templates", SPEC),
        ("render", SPEC, "--templates", ROOT / "no-such-folder"),
        ("render", SPEC, "--reference-docx", ROOT / "templates"),
        ("render", LETTERS),
        ("render", SPEC, SPEC),
        ("render", SPEC, "-o"),
        ("render", SPEC, "-o", "letter.rtf"),
        ("render", SPEC, "-f", "pdf", "-o", "letter.md"),
        ("render", SPEC, "--draft=yes"),
        ("render", SPEC, "--formats", "md"),
        ("render",),
        ("render", LETTERS / "CL-21" / "no-such-letter.yaml"),
    ],
    ids=lambda args: " ".join(str(a).replace(str(ROOT), "") for a in args),
)
def test_started_as_the_click_commands_say(args: tuple[str | Path, ...]) -> None:
    code, out, err = started(*args)
    assert (code, out, err) == clicked(*args)


def test_help_is_click_s() -> None:
    code, out, err = started("render", SPEC, "--help")
    assert code == 0 and out.startswith("Usage: circulaire render [OPTIONS] SPEC\n") and not err


def test_an_invalid_spec_is_said_as_by_the_commands(tmp_path: Path) -> None:
    spec = tmp_path / "letters" / "CL-21" / "27.yaml"
    spec.parent.mkdir(parents=True)
    spec.write_text(SPEC.read_text(encoding="utf-8").replace("place: ", "plac: "), "utf-8")
    code, out, err = started("render", spec, "-f", "md")
    assert code == 1 and out == ""
    assert (code, out, err) == clicked("render", spec, "-f", "md")


def test_a_render_into_a_folder_says_what_it_wrote(tmp_path: Path) -> None:
    code, out, err = started("render", SPEC, "-f", "txt", "-o", "out/", cwd=tmp_path)
    assert (code, out, err) == (0, "", f"wrote {Path('out/CL-21/27.txt')}\n")
    shutil.rmtree(tmp_path / "out")
    assert clicked("render", SPEC, "-f", "txt", "-o", tmp_path / "out") == (
        0,
        "",
        f"wrote {tmp_path / 'out' / 'CL-21' / '27.txt'}\n",
    )
    assert (tmp_path / "out" / "CL-21" / "27.txt").read_bytes() == (
        clicked("render", SPEC, "-f", "txt")[1].encode()
    )
