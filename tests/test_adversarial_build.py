"""A build facing hostile or broken surroundings: a crafted manifest, a second build into the
same folder, a journal that is a folder, a full disk. Each case was found by an adversarial
run (issue #20); none may print a traceback, touch a file outside ``-o``, or lose a letter."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from circulaire.build import MANIFEST, Settings, build
from circulaire.cli import cli
from test_build import FAST, cli_build, make_archive, run_build, tree


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return make_archive(tmp_path / "letters", 9)


def _manifest(dist: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((dist / MANIFEST).read_bytes())
    return data


def _letters(manifest: dict[str, object]) -> dict[str, dict[str, object]]:
    letters = manifest["letters"]
    assert isinstance(letters, dict)
    return letters


# -- 1. a crafted manifest ------------------------------------------------------------------------


def test_a_manifest_output_named_outside_the_folder_deletes_nothing(
    archive: Path, tmp_path: Path
) -> None:
    """The issue's case: an entry whose format key climbs out of ``-o``."""
    dist = tmp_path / "dist"
    run_build(archive, dist, formats=("md",))
    victim = tmp_path / "victim.txt"
    victim.write_text("x\n", encoding="utf-8")
    (dist / "CL-21/99.").mkdir(parents=True)  # so that the crafted name resolves
    manifest = _manifest(dist)
    letters = _letters(manifest)
    forged = dict(letters["CL-21/002.yaml"], reference="CL-21/99")
    forged["outputs"] = {"/../../../victim.txt": {}}
    letters["CL-21/99.yaml"] = forged
    (dist / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    code, err = cli_build(archive, "-o", dist, "-f", "md")
    assert victim.read_text(encoding="utf-8") == "x\n"
    assert "victim" not in err
    assert code == 0


@pytest.mark.parametrize(
    "outputs",
    [
        {"md/../../../../victim": {}},
        {"md": {"file": "../../victim.txt", "sha256": "", "size": 2}},
        {"..": {}},
        {"": {}},
        ["md"],
        {"md": "CL-21/002.md"},
    ],
    ids=["climbing", "file-outside", "dots", "empty", "a-list", "a-string"],
)
def test_a_manifest_entry_of_another_shape_is_rebuilt_and_removes_only_its_files(
    archive: Path, tmp_path: Path, outputs: object
) -> None:
    """An entry the build would not have written is believed in nothing: its letter is
    rendered again, and no file is removed but a letter's own."""
    dist = tmp_path / "dist"
    run_build(archive, dist)
    good = tree(dist)
    victim = tmp_path / "victim.txt"
    victim.write_text("x\n", encoding="utf-8")
    manifest = _manifest(dist)
    _letters(manifest)["CL-21/002.yaml"]["outputs"] = outputs
    (dist / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    outcome = run_build(archive, dist)
    assert outcome.return_code == 0 and outcome.built == ["CL-21/002.yaml"]
    assert victim.read_text(encoding="utf-8") == "x\n"
    assert {k: v for k, v in tree(dist).items() if k != MANIFEST} == {
        k: v for k, v in good.items() if k != MANIFEST
    }


@pytest.mark.parametrize(
    "field, value",
    [
        ("signatories", 5),
        ("signatories", [{"name": "x"}]),
        ("subject", ["a"]),
        ("date", None),
        ("spec", "x"),
        ("spec", {"sha256": 1, "size": "2"}),
        ("unknown", "x"),
    ],
)
def test_a_manifest_entry_with_a_field_of_another_type_is_rebuilt(
    archive: Path, tmp_path: Path, field: str, value: object
) -> None:
    dist = tmp_path / "dist"
    run_build(archive, dist)
    fresh = tree(dist)
    manifest = _manifest(dist)
    _letters(manifest)["CL-21/002.yaml"][field] = value
    (dist / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    outcome = run_build(archive, dist)
    assert outcome.return_code == 0 and outcome.built == ["CL-21/002.yaml"]
    assert tree(dist) == fresh


def test_a_gone_entry_with_a_crafted_key_removes_only_letters_files(
    archive: Path, tmp_path: Path
) -> None:
    """A key that is no path in the archive (absolute, climbing) is an entry like any gone
    one: only its letter's files go, never a path the key names."""
    dist = tmp_path / "dist"
    run_build(archive, dist)
    victim = tmp_path / "victim.yaml"
    victim.write_text("x\n", encoding="utf-8")
    manifest = _manifest(dist)
    letters = _letters(manifest)
    for key in (str(victim), "../victim.yaml", "CL-21/../../victim.yaml"):
        letters[key] = {"reference": "../victim"}
    (dist / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    outcome = run_build(archive, dist)
    assert outcome.return_code == 0
    assert victim.read_text(encoding="utf-8") == "x\n"


@pytest.mark.parametrize(
    "text",
    ["[1, 2]", "null", '"x"', "5", "[" * 100_000, '{"letters": [1]}', '{"letters": {"a": 1'],
    ids=["list", "null", "string", "number", "deep", "letters-list", "cut"],
)
def test_a_manifest_that_is_no_manifest_only_costs_a_rebuild(
    archive: Path, tmp_path: Path, text: str
) -> None:
    dist = tmp_path / "dist"
    run_build(archive, dist)
    fresh = tree(dist)
    (dist / MANIFEST).write_text(text, encoding="utf-8")
    code, err = cli_build(archive, "-o", dist, "-f", "md,txt")
    assert code == 0, err
    assert "Traceback" not in err
    assert tree(dist) == fresh


# -- 3. two builds into one folder ----------------------------------------------------------------


@pytest.mark.parametrize("shard", [None, "1/1"], ids=["whole", "the-same-shard"])
def test_a_second_build_into_a_folder_being_built_fails_and_touches_nothing(
    archive: Path, tmp_path: Path, shard: str | None
) -> None:
    """While a build holds the output folder (or, for a shard, its journal), another one
    says so and exits 1; the first one's files, journal and manifest are left to it."""
    dist = tmp_path / "dist"
    probe = (
        "import sys, time; from pathlib import Path;"
        "from circulaire.build import Settings, Shard, build;"
        "wait = lambda done, total: done == 1 and (print('holding', flush=True), time.sleep(3));"
        "shard = Shard.parse(sys.argv[3]) if sys.argv[3] else None;"
        "build(Settings(Path(sys.argv[1]), Path(sys.argv[2]), ('md', 'txt'), shard=shard), 1, wait)"
    )
    command = [sys.executable, "-c", probe, str(archive), str(dist), shard or ""]
    sharded = ("--shard", shard) if shard else ()
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as first:
        assert first.stdout is not None and first.stdout.readline() == "holding\n"
        before = tree(dist)
        code, err = cli_build(archive, "-o", dist, "-f", "md,txt", *sharded)
        assert code == 1
        assert err == (
            f"{dist}: another build is writing into this folder (process {first.pid}):"
            " run one build at a time into an output folder\n"
        )
        assert tree(dist) == before
        assert first.wait(timeout=60) == 0
    assert cli_build(archive, "-o", dist, "-f", "md,txt", *sharded)[0] == 0


def test_shards_build_side_by_side_but_not_beside_a_whole_build(
    archive: Path, tmp_path: Path
) -> None:
    """Shards of one archive may write into one folder at once (each its own letters); a
    build of the whole archive may not run beside them."""
    from circulaire.build.lock import OutputLock
    from circulaire.build.settings import Shard
    from circulaire.errors import CirculaireError

    dist = tmp_path / "dist"
    dist.mkdir()
    first = Settings(archive, dist, FAST, shard=Shard(1, 2))
    second = Settings(archive, dist, FAST, shard=Shard(2, 2))
    busy = pytest.raises(CirculaireError, match="another build is writing")
    with OutputLock(first), OutputLock(second), busy:
        OutputLock(Settings(archive, dist, FAST)).__enter__()
    busy = pytest.raises(CirculaireError, match="another build is writing")
    with OutputLock(Settings(archive, dist, FAST)), busy:
        OutputLock(first).__enter__()


# -- 6. what the system refuses -------------------------------------------------------------------


def test_a_journal_that_is_a_folder_is_an_error_that_says_so(archive: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run_build(archive, dist)
    (dist / ".circulaire-building").mkdir()
    spec = archive / "CL-21/002.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("Lettre", "Lettre n°"))
    code, err = cli_build(archive, "-o", dist, "-f", "md,txt")
    assert code == 1
    assert err == (
        f"{dist / '.circulaire-building'}: not a file: circulaire keeps its journal there;"
        " remove it\n"
    )


def test_a_build_into_a_read_only_folder_that_is_up_to_date_succeeds(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A no-op build writes nothing: a folder on a read-only file system is fine (the output
    folder's clock, which needs a file made there, is then not known)."""
    from circulaire.build import clock

    dist = tmp_path / "dist"
    run_build(archive, dist)
    spec = archive / "CL-21/002.yaml"

    def read_only(folder: Path) -> int:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(clock, "filesystem_now", read_only)
    code, err = cli_build(archive, "-o", dist, "-f", "md,txt")
    assert code == 0, err
    assert err.startswith("built 0 letters (0 files), 9 unchanged, 0 removed, 0 failed")
    spec.write_text(spec.read_text(encoding="utf-8").replace("Lettre", "Lettre n°"))
    code, err = cli_build(archive, "-o", dist, "-f", "md,txt")
    assert code == 0, err
    assert err.startswith("built 1 letter (2 files), 8 unchanged")


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("mount"), reason="needs root to mount")
def test_a_read_only_mount(archive: Path, tmp_path: Path) -> None:
    """The same on a real read-only file system: a no-op succeeds, a letter to render fails
    with the system's words, and nothing is a traceback."""
    dist = tmp_path / "dist"
    dist.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(dist)], check=False).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        run_build(archive, dist)
        subprocess.run(["mount", "-o", "remount,ro", str(dist)], check=True)
        code, err = cli_build(archive, "-o", dist, "-f", "md,txt")
        assert code == 0, err
        spec = archive / "CL-21/002.yaml"
        spec.write_text(spec.read_text(encoding="utf-8").replace("Lettre", "Lettre n°"))
        code, err = cli_build(archive, "-o", dist, "-f", "md,txt")
        assert code == 1
        assert "Read-only file system" in err and "Traceback" not in err
    finally:
        subprocess.run(["umount", "-l", str(dist)], check=False)


# -- 9. a full disk -------------------------------------------------------------------------------


def test_a_full_disk_reports_every_letter_that_failed_and_saves_what_was_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up halfway through: every letter not written is reported (with its
    file), the summary is printed, and the manifest records the letters that were written,
    so that the next build, with room again, renders only the others."""
    from circulaire import output

    archive = make_archive(tmp_path / "letters", 20)
    dist = tmp_path / "dist"
    written = [0]
    write = output._write_all

    def filling(fd: int, data: bytes | bytearray) -> None:
        """A disk on which, after the first letters, only small files fit (a PDF no more)."""
        if written[0] >= 20 and len(data) > 30_000:
            raise OSError(errno.ENOSPC, "No space left on device")
        written[0] += 1
        write(fd, data)

    monkeypatch.setattr(output, "_write_all", filling)
    result = CliRunner().invoke(cli, ["build", str(archive), "-o", str(dist), "-j", "1"])
    err = result.stderr
    failed = [line for line in err.splitlines() if "No space left on device" in line]
    assert result.exit_code == 1
    assert 0 < len(failed) < 20
    assert err.splitlines()[-1].startswith("built ")
    assert f"{len(failed)} failed" in err.splitlines()[-1]
    monkeypatch.undo()
    again = run_build(archive, dist, formats=("md", "txt", "docx", "pdf"))
    assert again.return_code == 0
    assert 0 < len(again.built) < 20  # only what the full disk stopped
    assert tree(dist) == tree_of_fresh_build(archive, tmp_path)


def tree_of_fresh_build(archive: Path, tmp_path: Path) -> dict[str, bytes]:
    fresh = tmp_path / "fresh"
    build(Settings(archive, fresh, ("md", "txt", "docx", "pdf")), 1)
    return tree(fresh)


def test_a_manifest_that_cannot_be_saved_is_reported_and_the_journal_kept(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from circulaire.build import manifest
    from circulaire.errors import OutputError

    dist = tmp_path / "dist"

    def full(*args: object, **kwargs: object) -> None:
        raise OutputError(f"{dist / MANIFEST}: cannot write: No space left on device")

    monkeypatch.setattr(manifest, "write_atomic", full)
    code, err = cli_build(archive, "-o", dist, "-f", "md,txt")
    assert code == 1
    assert f"{dist / MANIFEST}: cannot write: No space left on device" in err
    assert err.splitlines()[-1].startswith("built 9 letters (18 files)")
    assert (dist / ".circulaire-building").exists()  # the next build knows what was written
    monkeypatch.undo()
    time.sleep(0.01)
    assert len(run_build(archive, dist).built) == 9


# -- 11. a folder of the output swapped for a link, mid-build -----------------------------------


def test_a_folder_swapped_for_a_link_mid_build_sends_nothing_outside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files go into the folder opened (from the output folder, following no link), not to
    where its path leads once someone with write access to ``dist/`` has swapped it."""
    from circulaire.build import render as module

    archive = make_archive(tmp_path / "letters", 240)  # chunks of many letters each
    dist, outside = tmp_path / "dist", tmp_path / "outside"
    outside.mkdir()
    real = module.render_task
    swapped: list[Path] = []

    def swapping(task: object, folder: object, *args: object) -> object:
        result = real(task, folder, *args)  # type: ignore[arg-type]
        first = Path(task.key).parent.name  # type: ignore[attr-defined]
        if not swapped:
            (dist / first).rename(dist / f"{first}.old")
            (dist / first).symlink_to(outside)
            swapped.append(dist / first)
        return result

    monkeypatch.setattr(module, "render_task", swapping)
    outcome = run_build(archive, dist)
    assert swapped and list(outside.iterdir()) == []
    assert outcome.failed > 0
    assert {p.message.split(": ", 1)[1] for p in outcome.problems} <= {
        f"refusing to write outside {dist}",
        "refusing to write through a link",
    }
