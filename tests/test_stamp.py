"""A rebuild with nothing to do, told by the stamp before click or the build is loaded: what it
says, what it looks at, and everything that sends it to the full build, which then does what
it always did."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from circulaire.build import Settings, build
from circulaire.build.clock import past_last_write
from circulaire.build.settings import BUILDING, STAMP
from conftest import LETTERS
from test_build import FAST, make_archive, tree

ROOT = Path(__file__).resolve().parents[1]
PROBE = (
    "import runpy, sys\n"
    "sys.argv = ['circulaire', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('circulaire', run_name='__main__')\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "else:\n"
    "    code = 0\n"
    "heavy = ('click', 'circulaire.build.plan', 'yaml', 'jinja2')\n"
    "loaded = [m for m in heavy if m in sys.modules]\n"
    "print(','.join(loaded))\n"
    "sys.exit(code)\n"
)
"""``circulaire`` as its script starts it, printing what it loaded of the heavy modules."""


def circulaire(*args: str | Path, cwd: Path | None = None) -> tuple[int, str, str]:
    """(exit code, what it loaded, what it said on standard error)."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        cwd=cwd,
        check=False,
    )
    return result.returncode, result.stdout.strip(), result.stderr


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """An archive, older than the build of it into ``dist`` (which then leaves its stamp)."""
    archive = make_archive(tmp_path / "letters", 9)
    past_last_write(tmp_path)  # specs saved in the tick a build begins leave no stamp
    dist = tmp_path / "dist"
    code, _, err = circulaire("build", archive, "-o", dist, "-f", "md,txt", "-j", "1")
    assert code == 0, err
    assert (dist / STAMP).is_file()
    return archive, dist


def no_op(archive: Path, dist: Path, *more: str) -> tuple[int, str, str]:
    return circulaire("build", archive, "-o", dist, "-f", "md,txt", *more)


def test_a_rebuild_with_nothing_to_do_loads_nothing_and_says_so(built: tuple[Path, Path]) -> None:
    archive, dist = built
    before = tree(dist)
    code, loaded, err = no_op(archive, dist)
    assert code == 0 and loaded == ""
    assert re.fullmatch(
        r"built 0 letters \(0 files\), 9 unchanged, 0 removed, 0 failed in \d+\.\d s\n", err
    )
    assert no_op(archive, dist, "-q")[1:] == ("", "")
    assert no_op(archive, dist, "-v", "-j", "2")[1:] == ("", err.replace("0.1 s", "0.0 s"))
    full = circulaire("build", archive, "-o", dist, "-f", "txt,md", "--force", "-q")
    assert full[:2] == (0, "click,circulaire.build.plan")  # the letters render in workers
    assert tree(dist) == before  # what the full build makes of it: the same files


def test_the_same_archive_gives_the_same_stamp(built: tuple[Path, Path], tmp_path: Path) -> None:
    archive, dist = built
    again = tmp_path / "again"
    assert circulaire("build", archive, "-o", again, "-f", "md,txt")[0] == 0
    assert (again / STAMP).read_bytes() == (dist / STAMP).read_bytes()


def _touch(archive: Path, dist: Path) -> None:
    spec = archive / "CL-20/001.yaml"
    spec.write_bytes(spec.read_bytes())  # the same bytes, saved again


def _edit_same_size(archive: Path, dist: Path) -> None:
    spec = archive / "CL-20/001.yaml"
    spec.write_bytes(spec.read_bytes().replace(b"Lettre 1:", b"LETTRE 1:"))


def _add(archive: Path, dist: Path) -> None:
    (archive / "CL-21/099.yaml").write_bytes(
        (archive / "CL-21/001.yaml").read_bytes().replace(b"CL-21/001", b"CL-21/099")
    )


def _remove(archive: Path, dist: Path) -> None:
    (archive / "CL-21/001.yaml").unlink()


def _delete_output(archive: Path, dist: Path) -> None:
    (dist / "CL-19/002.md").unlink()


def _replace_output(archive: Path, dist: Path) -> None:
    spoiled = dist / "CL-19/002.tmp"
    spoiled.write_text("spoiled", encoding="utf-8")
    spoiled.replace(dist / "CL-19/002.md")  # as an editor saves


def _delete_register(archive: Path, dist: Path) -> None:
    (dist / "index.md").unlink()


def _journal(archive: Path, dist: Path) -> None:
    (dist / BUILDING).write_bytes(b"")  # as a killed build leaves it


def _link(archive: Path, dist: Path) -> None:
    (archive / "CL-21/001.yaml").rename(archive / "elsewhere.yaml")
    (archive / "CL-21/001.yaml").symlink_to(archive / "elsewhere.yaml")


CHANGES = {
    "a spec saved again": _touch,
    "a spec edited, its size kept": _edit_same_size,
    "a spec added": _add,
    "a spec removed": _remove,
    "an output deleted": _delete_output,
    "an output replaced": _replace_output,
    "the register deleted": _delete_register,
    "a killed build's journal": _journal,
    "a spec turned into a link": _link,
}


@pytest.mark.parametrize("change", CHANGES)
def test_anything_changed_is_left_to_the_full_build(
    built: tuple[Path, Path], tmp_path: Path, change: str
) -> None:
    archive, dist = built
    CHANGES[change](archive, dist)
    code, loaded, err = no_op(archive, dist)
    assert "circulaire.build.plan" in loaded, err
    assert code == 0, err
    fresh = tmp_path / "fresh"
    build(Settings(archive, fresh, FAST), 1)
    assert tree(dist) == tree(fresh)  # what a build into a new folder makes


@pytest.mark.parametrize(
    "more",
    [("--force",), ("-f", "md"), ("--draft",), ("-o", "elsewhere"), ("-j", "0"), ("-q", "-v")],
)
def test_other_options_are_the_full_builds(built: tuple[Path, Path], more: tuple[str, ...]) -> None:
    archive, dist = built
    args: list[str | Path] = ["build", archive, "-o", dist, "-f", "md,txt"]
    if more[0] in ("-f", "-o"):
        args = args[:4] if more[0] == "-f" else [*args[:2], *args[4:]]
    _, loaded, _ = circulaire(*args, *more, cwd=dist.parent)  # -o elsewhere: beside dist
    assert "click" in loaded


def test_an_output_edited_in_place_is_put_right_by_force(built: tuple[Path, Path]) -> None:
    """It changes no folder: the rebuilds trust it, with work to do or not; ``--force``
    renders every letter again."""
    archive, dist = built
    good = (dist / "CL-19/002.md").read_bytes()
    (dist / "CL-19/002.md").write_bytes(good.replace(b"Lettre", b"LETTRE"))
    assert no_op(archive, dist)[1] == ""
    _edit_same_size(archive, dist)
    code, _, err = no_op(archive, dist)
    assert code == 0 and err.startswith("built 1 letter (2 files), 8 unchanged")
    assert (dist / "CL-19/002.md").read_bytes() != good
    assert no_op(archive, dist, "--force")[0] == 0
    assert (dist / "CL-19/002.md").read_bytes() == good


def test_a_build_removes_the_stamp_before_it_writes(built: tuple[Path, Path]) -> None:
    archive, dist = built
    _edit_same_size(archive, dist)

    def interrupt(done: int, total: int) -> None:
        assert not (dist / STAMP).exists()
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build(Settings(archive, dist, FAST), 1, interrupt)
    assert not (dist / STAMP).exists()
    assert no_op(archive, dist)[0] == 0
    assert (dist / STAMP).exists()


def test_a_stamped_build_renders_an_originals_translations_with_it(tmp_path: Path) -> None:
    archive = tmp_path / "letters"
    shutil.copytree(LETTERS, archive)
    past_last_write(tmp_path)
    dist = tmp_path / "dist"
    build(Settings(archive, dist, FAST), 1)
    assert (dist / STAMP).is_file()
    original = archive / "CL-21/27.yaml"
    original.write_text(original.read_text(encoding="utf-8").replace("ITU", "UIT", 1))
    outcome = build(Settings(archive, dist, FAST), 1)
    versions = sorted(p.relative_to(archive).as_posix() for p in archive.glob("CL-21/27.*"))
    assert outcome.built == versions and len(versions) == 6
    english = archive / "CL-21/27.en.yaml"
    english.write_bytes(english.read_bytes())  # saved again, the same bytes
    assert build(Settings(archive, dist, FAST), 1).built == []  # hashed, found the same
    english.write_text(english.read_text(encoding="utf-8").replace("ITU", "the ITU", 1))
    assert build(Settings(archive, dist, FAST), 1).built == ["CL-21/27.en.yaml"]
    fresh = tmp_path / "fresh"
    build(Settings(archive, fresh, FAST), 1)
    assert tree(dist) == tree(fresh)


def test_the_stamp_lists_specs_as_the_archive_does() -> None:
    """Its own copies of the listing's rules, which it cannot import without loading the
    model: the same names, as deep."""
    from circulaire import discover
    from circulaire.build import stamp

    assert stamp.SPEC_SUFFIXES == discover.SPEC_SUFFIXES
    assert stamp.DEPTH == discover.MAX_FOLDER_DEPTH
