"""A hostile reference document (issue #20, items 4 and 5): a device, a pipe, a zip bomb, a
DTD in a part. Each is refused with one message naming the file (and the part), exit 1, before
python-docx or lxml sees it; a build that makes no DOCX does not open the reference at all."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from circulaire.cli import cli
from circulaire.errors import RenderError
from circulaire.render.docx.reference import load_reference
from circulaire.templating import packaged_templates
from conftest import LETTERS
from test_build import make_archive, run_build

REFERENCE = packaged_templates() / "reference.docx"
SPEC = LETTERS / "CL-21/27.yaml"


def run(*args: str | Path) -> tuple[int, str]:
    """The CLI in this process: its exit code and what it printed on standard error."""
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def run_apart(*args: str | Path) -> tuple[int, str]:
    """The CLI in a process of its own, limited in time and memory: what used to read a
    device or wait for a pipe's writer fails the test instead of hanging it."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    result = subprocess.run(
        [sys.executable, "-m", "circulaire", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=limit,
        check=False,
    )
    return result.returncode, result.stderr


def render_docx(reference: str | Path, out: Path) -> tuple[int, str]:
    return run_apart("render", SPEC, "-f", "docx", "--reference-docx", reference, "-o", out)


@pytest.fixture
def pipe(tmp_path: Path) -> Path:
    """A FIFO no one writes to: opening it for reading would wait for ever."""
    path = tmp_path / "house.docx"
    os.mkfifo(path)
    return path


# -- 4. only a regular file is read ----------------------------------------------------------------


def test_a_device_is_refused_unread(tmp_path: Path) -> None:
    code, err = render_docx("/dev/zero", tmp_path / "out.docx")
    assert (code, err) == (1, "/dev/zero: the reference document is a device, not a file\n")
    assert not (tmp_path / "out.docx").exists()


def test_a_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path, pipe: Path) -> None:
    code, err = render_docx(pipe, tmp_path / "out.docx")
    assert (code, err) == (1, f"{pipe}: the reference document is a pipe, not a file\n")


def test_a_folder_is_refused(tmp_path: Path) -> None:
    """The CLI makes it a usage error (``dir_okay=False``); the library says it too."""
    with pytest.raises(RenderError) as raised:
        load_reference(tmp_path)
    assert str(raised.value) == f"{tmp_path}: the reference document is a folder, not a file"


def test_a_link_to_a_reference_document_is_followed(tmp_path: Path) -> None:
    """The rule: a symbolic link is read as the file it points to, if that is a regular file."""
    link = tmp_path / "house.docx"
    link.symlink_to(REFERENCE)
    code, err = run("render", SPEC, "-f", "docx", "--reference-docx", link, "-o", tmp_path / "a")
    assert (code, err) == (0, f"wrote {tmp_path / 'a' / 'CL-21' / '27.docx'}\n")
    (tmp_path / "zero.docx").symlink_to("/dev/zero")
    code, err = render_docx(tmp_path / "zero.docx", tmp_path / "out.docx")
    assert (code, err) == (
        1,
        f"{tmp_path / 'zero.docx'}: the reference document is a device, not a file\n",
    )


@pytest.mark.parametrize("command", ["render", "build"])
@pytest.mark.parametrize("kind", ["device", "pipe", "missing"])
def test_without_docx_the_reference_is_never_opened(
    tmp_path: Path, pipe: Path, command: str, kind: str
) -> None:
    """``-f md`` takes nothing from a reference document: not even a hash for the manifest."""
    reference = {"device": Path("/dev/zero"), "pipe": pipe, "missing": tmp_path / "nope.docx"}[kind]
    if command == "render":
        code, err = run_apart(
            "render", SPEC, "-f", "md", "--reference-docx", reference, "-o", tmp_path
        )
        assert (code, err) == (0, f"wrote {tmp_path / 'CL-21' / '27.md'}\n")
    else:
        dist = tmp_path / "dist"
        code, err = run_apart(
            "build", LETTERS, "-o", dist, "-f", "md,txt", "--reference-docx", reference, "-q"
        )
        assert (code, err) == (0, "")
        assert (dist / "CL-21" / "27.md").is_file()


def test_a_build_refuses_a_device_once_not_for_each_letter(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    code, err = run_apart(
        "build", LETTERS, "-o", dist, "-f", "md,docx", "--reference-docx", "/dev/zero"
    )
    assert (code, err) == (1, "/dev/zero: the reference document is a device, not a file\n")


def test_a_changed_reference_rebuilds_nothing_a_build_without_docx_makes(tmp_path: Path) -> None:
    """The manifest holds the reference document's hash only for a build that makes DOCX:
    dropping DOCX rebuilds no other format, nor does a new reference document."""
    archive = make_archive(tmp_path / "letters", 3)
    house, dist = tmp_path / "house.docx", tmp_path / "dist"
    shutil.copy(REFERENCE, house)
    assert len(run_build(archive, dist, formats=("md", "docx"), reference_docx=house).built) == 3
    assert run_build(archive, dist, formats=("md",), reference_docx=house).built == []
    with zipfile.ZipFile(house, "a") as package:
        package.writestr("customXml/note.txt", "a new reference document")
    assert run_build(archive, dist, formats=("md",), reference_docx=house).built == []
    outcome = run_build(archive, dist, formats=("md", "docx"), reference_docx=house)
    assert len(outcome.built) == 3 and outcome.files == 6
