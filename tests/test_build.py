"""`circulaire build`: a whole archive, incrementally, in parallel, reproducibly, and safely."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from circulaire.build import MANIFEST, Outcome, Settings, Shard, build
from circulaire.build.clock import past_last_write
from circulaire.build.plan import plan
from circulaire.build.settings import STAMP
from circulaire.build.workers import start_workers_early
from circulaire.cli import cli
from conftest import LETTERS, ORIGINALS, on_a_terminal, refuse_to_list, refuse_to_read

BASES = ORIGINALS
FAST = ("md", "txt")


def letter_text(i: int) -> tuple[str, str]:
    """The i-th synthetic letter: a real spec with its own reference, date and subject."""
    base = BASES[i % len(BASES)].read_text(encoding="utf-8")
    year = 19 + i % 3
    number = f"{i // 3 + 1:03d}"
    text = re.sub(r"(?m)^reference: .*$", f"reference: CL-{year}/{number}", base, count=1)
    text = re.sub(r"(?m)^date: .*$", f"date: 20{year}-{i % 12 + 1:02d}-{i % 28 + 1:02d}", text)
    text = re.sub(r"(?m)^subject: >-\n  ", f"subject: >-\n  Lettre {i}: ", text, count=1)
    return f"CL-{year}/{number}.yaml", text


def make_archive(root: Path, count: int) -> Path:
    for i in range(count):
        relative, text = letter_text(i)
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes; not the stamp, which a
    build leaves or not by the clock (a spec saved in the tick the build began: none)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != STAMP
    }


def fresh_tree(archive: Path, tmp_path: Path) -> dict[str, bytes]:
    """What a build of ``archive`` into a new folder holds: what an incremental build must
    come to."""
    fresh = tmp_path / "fresh"
    run_build(archive, fresh)
    return tree(fresh)


def run_build(source: Path, output: Path, *, jobs: int = 1, **options: object) -> Outcome:
    formats = options.pop("formats", FAST)
    assert isinstance(formats, tuple)
    return build(Settings(source, output, formats, **options), jobs)  # type: ignore[arg-type]


def cli_build(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", *map(str, args)], catch_exceptions=False)
    return result.exit_code, result.stderr


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return make_archive(tmp_path / "letters", 9)


def test_builds_every_letter_at_the_path_of_its_reference(archive: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    outcome = run_build(archive, dist)
    assert outcome.return_code == 0
    assert len(outcome.built) == 9 and outcome.files == 18
    built = tree(dist)
    for spec in archive.rglob("*.yaml"):
        stem = spec.relative_to(archive).with_suffix("").as_posix()
        assert f"{stem}.md" in built and f"{stem}.txt" in built
    assert set(built) == {f"{s}.{f}" for s in _stems(archive) for f in FAST} | {
        MANIFEST,
        "index.md",
    }
    from circulaire.render import render
    from circulaire.validate import load_letter

    spec = archive / "CL-20/001.yaml"
    assert built["CL-20/001.md"] == render(load_letter(spec), "md")


def _stems(archive: Path) -> set[str]:
    return {p.relative_to(archive).with_suffix("").as_posix() for p in archive.rglob("*.yaml")}


def test_a_second_build_renders_nothing_and_writes_nothing(archive: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run_build(archive, dist)
    good = tree(dist)
    outputs = {p: p.stat().st_mtime_ns for p in dist.rglob("*") if p.name not in (MANIFEST, STAMP)}
    outcome = run_build(archive, dist)
    assert outcome.built == [] and outcome.unchanged == 9 and outcome.files == 0
    after = {p: p.stat().st_mtime_ns for p in dist.rglob("*") if p.name not in (MANIFEST, STAMP)}
    assert after == outputs
    assert tree(dist) == good
    # Files written in the manifest's own clock tick are hashed once; after that, only stat.
    before = {p: p.stat().st_mtime_ns for p in dist.rglob("*")}
    assert not plan(Settings(archive, dist, FAST)).checked
    assert run_build(archive, dist).built == []
    assert {p: p.stat().st_mtime_ns for p in dist.rglob("*")} == before


def test_a_changed_spec_rebuilds_that_letter_only(archive: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run_build(archive, dist)
    spec = archive / "CL-21/002.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("Lettre 5:", "Lettre cinq:"))
    outcome = run_build(archive, dist)
    assert outcome.built == ["CL-21/002.yaml"] and outcome.unchanged == 8
    assert "Lettre cinq:" in (dist / "CL-21/002.md").read_text(encoding="utf-8")
    assert "Lettre cinq:" in (dist / "index.md").read_text(encoding="utf-8")


def test_a_touched_but_unchanged_spec_is_hashed_not_rebuilt(archive: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run_build(archive, dist)
    os.utime(archive / "CL-19/001.yaml")
    assert run_build(archive, dist).built == []
    assert run_build(archive, dist).built == []


def test_a_changed_template_rebuilds_every_letter(archive: Path, tmp_path: Path) -> None:
    dist, templates = tmp_path / "dist", tmp_path / "templates"
    templates.mkdir()
    run_build(archive, dist, templates=templates)
    assert run_build(archive, dist, templates=templates).built == []
    (templates / "letter.md.j2").write_text(
        '{% extends "letter.j2" %}\n{% block subject %}SUBJECT{% endblock %}\n', encoding="utf-8"
    )
    outcome = run_build(archive, dist, templates=templates)
    assert len(outcome.built) == 9
    manifest = json.loads((dist / MANIFEST).read_bytes())
    assert len({entry["templates"] for entry in manifest["letters"].values()}) == 1


def test_a_deleted_letter_loses_its_outputs_and_says_so(archive: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run_build(archive, dist)
    (archive / "CL-20/003.yaml").unlink()
    outcome = run_build(archive, dist)
    assert outcome.removed == [
        ("CL-20/003.yaml", "its spec is gone", ["CL-20/003.md", "CL-20/003.txt"])
    ]
    assert not (dist / "CL-20/003.md").exists()
    assert "CL-20/003" not in (dist / "index.md").read_text(encoding="utf-8")
    code, err = cli_build(archive, "-o", dist, "-f", "md,txt")
    assert code == 0 and "removed CL" not in err


def test_the_cli_reports_removed_letters(archive: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run_build(archive, dist)
    (archive / "CL-20/003.yaml").unlink()
    code, err = cli_build(archive, "-o", dist, "-f", "md,txt", "-j", "1")
    assert code == 0
    assert "removed CL-20/003.yaml (its spec is gone): CL-20/003.md, CL-20/003.txt" in err
    assert re.search(r"built 0 letters \(0 files\), 8 unchanged, 1 removed, 0 failed in", err)


def test_an_output_deleted_or_replaced_by_hand_is_rebuilt(archive: Path, tmp_path: Path) -> None:
    """Found by its folder, which a file deleted, added or renamed changes (see stamp.py)."""
    dist = tmp_path / "dist"
    run_build(archive, dist)
    good = tree(dist)
    (dist / "CL-19/002.md").unlink()
    spoiled = dist / "CL-21/spoiled"
    spoiled.write_text("spoiled", encoding="utf-8")
    spoiled.replace(dist / "CL-21/001.txt")  # as an editor saves
    outcome = run_build(archive, dist)
    assert outcome.built == ["CL-19/002.yaml", "CL-21/001.yaml"]
    assert outcome.files == 2
    assert tree(dist) == good


@pytest.mark.parametrize("stamped", [True, False], ids=["stamped", "no stamp"])
def test_an_output_edited_in_place_is_rebuilt_by_force_or_without_a_stamp(
    archive: Path, tmp_path: Path, stamped: bool
) -> None:
    """An edit in place changes no folder: a build trusts a letter's files while the stamp
    vouches for its spec and their folder; without a stamp, it checks every file."""
    dist = tmp_path / "dist"
    past_last_write(archive)  # specs older than the build: its stamp vouches for them
    run_build(archive, dist)
    good = tree(dist)
    if not stamped:
        (dist / STAMP).unlink()
    edited = dist / "CL-20/002.md"  # same size, so only its hash tells
    edited.write_bytes(edited.read_bytes().replace(b"Lettre", b"LETTRE"))
    outcome = run_build(archive, dist)
    assert outcome.built == ([] if stamped else ["CL-20/002.yaml"])
    outcome = run_build(archive, dist, force=True)
    assert len(outcome.built) == 9
    assert tree(dist) == good


def test_force_rebuilds_everything(archive: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    first = run_build(archive, dist)
    good = tree(dist)
    outcome = run_build(archive, dist, force=True)
    assert outcome.built == first.built and outcome.files == 18
    assert tree(dist) == good


def test_formats_no_longer_asked_for_are_removed(archive: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run_build(archive, dist)
    outcome = run_build(archive, dist, formats=("md",))
    assert outcome.built == [] and len(outcome.dropped) == 9
    assert not list(dist.rglob("*.txt"))
    assert "[txt]" not in (dist / "index.md").read_text(encoding="utf-8")
    outcome = run_build(archive, dist, formats=("md", "txt"))
    assert len(outcome.built) == 9 and outcome.files == 9  # only the text files


def test_jobs_do_not_change_a_byte(archive: Path, tmp_path: Path) -> None:
    make_archive(archive, 60)
    one, two = tmp_path / "one", tmp_path / "two"
    run_build(archive, one, jobs=1)
    outcome = run_build(archive, two, jobs=2)
    assert len(outcome.built) == 60
    assert tree(one) == tree(two)


def test_two_builds_anywhere_are_byte_identical(archive: Path, tmp_path: Path) -> None:
    elsewhere = shutil.copytree(archive, tmp_path / "other" / "archive")
    first, second = tmp_path / "first", tmp_path / "deep" / "second"
    run_build(archive, first)
    run_build(elsewhere, second)
    assert tree(first) == tree(second)
    assert str(tmp_path).encode() not in b"".join(tree(first).values())


def test_shards_build_the_whole_archive_once(archive: Path, tmp_path: Path) -> None:
    make_archive(archive, 40)
    whole = tmp_path / "whole"
    run_build(archive, whole)
    shared = tmp_path / "shared"
    parts = [run_build(archive, shared, shard=Shard(k, 3)) for k in (1, 2, 3)]
    built = [key for part in parts for key in part.built]
    assert sorted(built) == sorted(set(built)) and len(built) == 40
    assert all(part.built for part in parts)
    assert not (shared / "index.md").exists()
    assert sorted(p.name for p in shared.glob(".circulaire-manifest*")) == [
        f".circulaire-manifest.{k}-of-3.json" for k in (1, 2, 3)
    ]
    assert all(run_build(archive, shared, shard=Shard(k, 3)).built == [] for k in (1, 2, 3))
    merged = run_build(archive, shared)  # the shards' outputs gathered: nothing to render
    assert merged.built == [] and merged.unchanged == 40
    assert tree(shared) == tree(whole)


def test_the_gathering_build_finds_one_reference_in_two_shards(
    archive: Path, tmp_path: Path
) -> None:
    """Shards split the archive by path, so two specs of one reference can fall into two
    shards, each building it unaware of the other: the unsharded build that gathers them
    fails both letters, as an unsharded build would have."""
    (archive / "copies").mkdir()
    shutil.copy(archive / "CL-20/002.yaml", archive / "copies/second.yaml")

    def shard(key: str, count: int) -> int:
        return next(k for k in range(1, count + 1) if Shard(k, count).holds(key))

    count = next(
        n for n in itertools.count(2) if shard("CL-20/002", n) != shard("copies/second", n)
    )
    shared = tmp_path / "shared"
    for k in range(1, count + 1):
        assert run_build(archive, shared, shard=Shard(k, count)).return_code == 0
    gathered = run_build(archive, shared)
    assert gathered.failed == 2 and gathered.return_code == 1
    assert all("CL-20/002 is also the reference of" in p.message for p in gathered.problems)
    assert not (shared / "CL-20/002.md").exists()
    assert "CL-20/002" not in (shared / "index.md").read_text(encoding="utf-8")


def test_shard_option_is_checked() -> None:
    assert Shard.parse("2/4") == Shard(2, 4)
    for bad in ("0/3", "4/3", "1", "a/b", "1/0", "١/٢"):
        with pytest.raises(ValueError):
            Shard.parse(bad)
    code, err = cli_build(LETTERS, "--shard", "5/4")
    assert code == 2 and "K must be between 1 and N" in err


def test_a_bad_spec_fails_alone(archive: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    spec = archive / "CL-21/003.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("date: 2021-", "date: 2020-"))
    code, err = cli_build(archive, "-o", dist, "-f", "md,txt", "-j", "2")
    assert code == 1
    assert re.search(rf"{re.escape(str(spec))}:\d+:\d+: date: the year 2020 disagrees", err)
    assert "built 8 letters (16 files), 0 unchanged, 0 removed, 1 failed" in err
    assert not (dist / "CL-21/003.md").exists()
    assert len(list(dist.rglob("*.md"))) == 8 + 1  # and index.md
    code, err = cli_build(archive, "-o", dist, "-f", "md,txt")
    assert code == 1 and "the year 2020 disagrees" in err  # reported until it is fixed


def test_a_letter_that_turns_bad_loses_its_outputs(archive: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run_build(archive, dist)
    spec = archive / "CL-19/003.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("salutation:", "salutaton:"))
    outcome = run_build(archive, dist)
    assert outcome.failed == 1 and outcome.return_code == 1
    assert {p.field for p in outcome.problems} == {"salutaton", "salutation"}
    assert outcome.removed == [
        ("CL-19/003.yaml", "its spec failed", ["CL-19/003.md", "CL-19/003.txt"])
    ]


def _drafts(archive: Path, **moves: str) -> Path:
    """Move specs out of their series folder into ``drafts/`` (``a="CL-19/002"`` gives
    ``drafts/a.yaml``), where a spec names its own reference."""
    drafts = archive / "drafts"
    drafts.mkdir()
    for name, letter in moves.items():
        (archive / f"{letter}.yaml").rename(drafts / f"{name}.yaml")
    return drafts


def _refile(spec: Path, reference: str) -> None:
    text = spec.read_text(encoding="utf-8")
    spec.write_text(re.sub(r"(?m)^reference: .*$", f"reference: {reference}", text, count=1))


def test_a_letter_given_a_new_reference_leaves_nothing_at_the_old_one(
    archive: Path, tmp_path: Path
) -> None:
    dist, drafts = tmp_path / "dist", _drafts(archive, motion="CL-19/002")
    run_build(archive, dist)
    assert (dist / "CL-19/002.md").exists()
    _refile(drafts / "motion.yaml", "CL-19/050")
    outcome = run_build(archive, dist)
    assert outcome.built == ["drafts/motion.yaml"]
    assert outcome.removed == [
        ("drafts/motion.yaml", "its reference changed", ["CL-19/002.md", "CL-19/002.txt"])
    ]
    assert not (dist / "CL-19/002.md").exists() and (dist / "CL-19/050.md").exists()
    assert "CL-19/002" not in (dist / "index.md").read_text(encoding="utf-8")


def test_letters_that_swap_references_keep_each_other_s_files(
    archive: Path, tmp_path: Path
) -> None:
    dist, drafts = tmp_path / "dist", _drafts(archive, a="CL-19/002", b="CL-19/003")
    run_build(archive, dist)
    _refile(drafts / "a.yaml", "CL-19/003")
    _refile(drafts / "b.yaml", "CL-19/002")
    for jobs in (1, 2):
        outcome = run_build(archive, dist, jobs=jobs, force=True)
        assert outcome.return_code == 0 and outcome.removed == []
        assert "Lettre 6:" in (dist / "CL-19/002.md").read_text(encoding="utf-8")
        assert "Lettre 3:" in (dist / "CL-19/003.md").read_text(encoding="utf-8")


def test_a_failed_letter_leaves_its_old_reference_to_the_letter_that_took_it(
    archive: Path, tmp_path: Path
) -> None:
    dist, drafts = tmp_path / "dist", _drafts(archive, a="CL-19/002")
    run_build(archive, dist)
    text = (drafts / "a.yaml").read_text(encoding="utf-8")
    (drafts / "a.yaml").write_text(text.replace("salutation:", "salutaton:"), encoding="utf-8")
    (drafts / "b.yaml").write_text(text.replace("Lettre 3:", "Lettre B:"), encoding="utf-8")
    outcome = run_build(archive, dist)
    assert outcome.failed == 1 and outcome.removed == []
    assert "Lettre B:" in (dist / "CL-19/002.md").read_text(encoding="utf-8")


def _killed_build(archive: Path, dist: Path, after: int) -> None:
    """A build (one process, md and txt) killed with SIGKILL once ``after`` letters are
    done, before it saves its manifest."""
    probe = (
        "import os, signal, sys; from pathlib import Path;"
        "from circulaire.build import Settings, build;"
        "stop = lambda done, total: done == int(sys.argv[3]) and os.kill(os.getpid(), 9);"
        "build(Settings(Path(sys.argv[1]), Path(sys.argv[2]), ('md', 'txt')), 1, stop)"
    )
    command = [sys.executable, "-c", probe, str(archive), str(dist), str(after)]
    assert subprocess.run(command, check=False).returncode == -signal.SIGKILL


def test_files_of_a_killed_build_that_no_letter_claims_are_removed(
    archive: Path, tmp_path: Path
) -> None:
    """A build killed before its manifest recorded a letter, whose spec is then deleted: the
    next build has no record of the files but the killed build's journal."""
    dist = tmp_path / "dist"
    run_build(archive, dist)
    before = dist / "CL-20/900.md"  # a user's file, there before the killed build began
    before.write_text("mine\n", encoding="utf-8")
    spec = archive / "CL-21/900.yaml"
    spec.write_text(letter_text(2)[1].replace("CL-21/001", "CL-21/900"), encoding="utf-8")
    _killed_build(archive, dist, after=1)
    assert (dist / "CL-21/900.md").exists() and (dist / ".circulaire-building").exists()
    after = dist / "CL-18/001.pdf"  # and one put there after it
    after.parent.mkdir()
    after.write_bytes(b"%PDF scan")
    spec.unlink()
    outcome = run_build(archive, dist)
    why = "written by a build that was killed, and no letter's now"
    assert outcome.removed == [("CL-21/900", why, ["CL-21/900.md", "CL-21/900.txt"])]
    assert not (dist / ".circulaire-building").exists()
    mine = {"CL-20/900.md": b"mine\n", "CL-18/001.pdf": b"%PDF scan"}
    assert tree(dist) == {**fresh_tree(archive, tmp_path), **mine}


def test_a_build_killed_after_refiling_a_letter_leaves_no_file_behind(
    archive: Path, tmp_path: Path
) -> None:
    dist, drafts = tmp_path / "dist", _drafts(archive, a="CL-19/002")
    run_build(archive, dist)
    _refile(drafts / "a.yaml", "CL-19/050")
    spec = archive / "CL-20/001.yaml"  # a second letter to render, after which the kill comes
    spec.write_text(spec.read_text(encoding="utf-8").replace("Lettre 1:", "Lettre un:"))
    _killed_build(archive, dist, after=2)
    (drafts / "a.yaml").unlink()
    outcome = run_build(archive, dist)
    assert [why for _, why, _ in outcome.removed] == [
        "its spec is gone",
        "written by a build that was killed, and no letter's now",
    ]
    assert tree(dist) == fresh_tree(archive, tmp_path)


def test_a_checkpoint_keeps_the_old_entries_of_letters_still_to_render(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (or a kill after a checkpoint) mid-build: every file the output folder holds is
    still in the manifest, so a spec deleted afterwards loses its files."""
    from circulaire import build as module

    dist = tmp_path / "dist"
    run_build(archive, dist)
    for spec in archive.rglob("*.yaml"):
        spec.write_text(spec.read_text(encoding="utf-8").replace("Lettre", "Lettre n°"))

    def interrupt(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        module.build(Settings(archive, dist, FAST), 1, interrupt)
    kept, *deleted = sorted(archive.rglob("*.yaml"))
    for spec in deleted:
        spec.unlink()
    outcome = run_build(archive, dist)
    assert len(outcome.removed) == 8
    left = sorted(str(p.relative_to(dist)) for p in dist.rglob("*") if p.is_file())
    left = [name for name in left if name != STAMP]
    stem = kept.relative_to(archive).with_suffix("")
    assert left == sorted([MANIFEST, "index.md", *(f"{stem}.{fmt}" for fmt in FAST)])


def test_a_letter_refiled_then_interrupted_is_rendered_by_the_next_build(
    archive: Path, tmp_path: Path
) -> None:
    """Its spec keeps its size: only the old entry, which a checkpoint must not vouch for,
    tells the next build that it changed."""
    dist, drafts = tmp_path / "dist", _drafts(archive, motion="CL-19/002")
    run_build(archive, dist)
    _refile(drafts / "motion.yaml", "CL-19/050")

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build(Settings(archive, dist, FAST), 1, interrupt)
    outcome = run_build(archive, dist)
    assert outcome.built == ["drafts/motion.yaml"]
    assert tree(dist) == fresh_tree(archive, tmp_path)


def test_two_specs_of_one_reference_both_fail(archive: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (archive / "copies").mkdir()  # outside a series folder, a spec's name is free
    shutil.copy(archive / "CL-20/002.yaml", archive / "copies/second.yaml")
    outcome = run_build(archive, dist)
    assert outcome.failed == 2
    assert all("CL-20/002 is also the reference of" in p.message for p in outcome.problems)
    assert not (dist / "CL-20/002.md").exists()
    files = [p for p in dist.rglob("*") if p.is_file() and p.name != "index.md"]
    assert outcome.files == len([p for p in files if not p.name.startswith(".")])


def test_one_number_written_two_ways_is_one_reference(archive: Path, tmp_path: Path) -> None:
    text = (archive / "CL-20/002.yaml").read_text(encoding="utf-8")
    assert "reference: CL-20/002\n" in text
    (archive / "CL-20/2.yaml").write_text(
        text.replace("reference: CL-20/002\n", "reference: CL-20/2\n"), encoding="utf-8"
    )
    outcome = run_build(archive, tmp_path / "dist")
    assert outcome.failed == 2
    assert sorted(str(p) for p in outcome.problems) == [  # where each spec writes it
        f"{archive / 'CL-20/002.yaml'}:1:12: reference: CL-20/002 is also the reference of"
        f" {archive / 'CL-20/2.yaml'}",
        f"{archive / 'CL-20/2.yaml'}:1:12: reference: CL-20/2 is also the reference of"
        f" {archive / 'CL-20/002.yaml'}",
    ]


def test_the_register_lists_every_letter_by_date(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run_build(LETTERS, dist, formats=("md", "txt"))
    register = (dist / "index.md").read_text(encoding="utf-8")
    rows = [line for line in register.splitlines() if line.startswith("| CL-")]
    assert [row.split(" | ")[0] for row in rows] == ["| CL-19/73", "| CL-20/038", "| CL-21/27"]
    assert rows[2] == (
        "| CL-21/27 | 2021-07-08 | Invitation à participer à ITU Digital World 2021, qui aura "
        "lieu en ligne | Houlin Zhao, Nguyen Manh Hung | [md](CL-21/27.md) · [txt](CL-21/27.txt)"
        "; ar: [md](CL-21/27.ar.md) · [txt](CL-21/27.ar.txt)"  # its translations, in its row
        "; en: [md](CL-21/27.en.md) · [txt](CL-21/27.en.txt)"
        "; es: [md](CL-21/27.es.md) · [txt](CL-21/27.es.txt)"
        "; ru: [md](CL-21/27.ru.md) · [txt](CL-21/27.ru.txt)"
        "; zh: [md](CL-21/27.zh.md) · [txt](CL-21/27.zh.txt) |"
    )
    assert "3 letters, by date." in register


def test_the_register_escapes_what_would_break_its_table(archive: Path, tmp_path: Path) -> None:
    spec = archive / "CL-19/001.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("Lettre 0:", "A | B *C* [x](y)"), encoding="utf-8")
    run_build(archive, tmp_path / "dist")
    register = (tmp_path / "dist/index.md").read_text(encoding="utf-8")
    row = next(line for line in register.splitlines() if "CL-19/001" in line)
    assert "A \\| B \\*C\\*" in row and row.count(" | ") == 4


def test_nothing_is_written_outside_the_output_folder(archive: Path, tmp_path: Path) -> None:
    dist, outside = tmp_path / "dist", tmp_path / "outside"
    outside.mkdir()
    dist.mkdir()
    (dist / "CL-20").symlink_to(outside)
    outcome = run_build(archive, dist)
    assert outcome.failed == 3
    assert all("refusing to write outside" in p.message for p in outcome.problems)
    assert list(outside.iterdir()) == []


def test_a_link_where_a_file_goes_is_replaced_not_followed(archive: Path, tmp_path: Path) -> None:
    dist, elsewhere = tmp_path / "dist", tmp_path / "elsewhere.md"
    elsewhere.write_text("not a letter\n", encoding="utf-8")
    (dist / "CL-20").mkdir(parents=True)
    (dist / "CL-20" / "001.md").symlink_to(elsewhere)
    old = os.umask(0o077)  # a strict umask must not hide the letters from their readers
    try:
        assert run_build(archive, dist).return_code == 0
    finally:
        os.umask(old)
    built = dist / "CL-20" / "001.md"
    assert not built.is_symlink() and "CL-20/001" in built.read_text(encoding="utf-8")
    assert elsewhere.read_text(encoding="utf-8") == "not a letter\n"
    assert built.stat().st_mode & 0o777 == 0o644


def test_waiting_for_the_clock_gives_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file system whose clock stands still delays a build by a moment, never for ever."""
    from circulaire.build import clock

    monkeypatch.setattr(clock, "filesystem_now", lambda folder: 42)
    started = time.monotonic()
    clock.past_last_write(tmp_path, patience=0.2)
    assert time.monotonic() - started < 2


def test_a_hand_edited_manifest_cannot_delete_other_files(archive: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run_build(archive, dist)
    victim = tmp_path / "victim.md"
    victim.write_text("keep me", encoding="utf-8")
    manifest = json.loads((dist / MANIFEST).read_bytes())
    manifest["letters"]["gone.yaml"] = {
        "reference": "../victim",
        "outputs": {"md": {"file": "../victim.md", "sha256": "", "size": 7}},
    }
    (dist / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    run_build(archive, dist)
    assert victim.read_text(encoding="utf-8") == "keep me"


@pytest.fixture
def semaphores_left_by_killed_builds() -> Iterator[None]:
    """A build killed with its process group takes Python's resource tracker with it, which
    would have removed the worker pool's named semaphores (``/dev/shm/sem.mp-*``): the test
    removes those it leaves."""
    shm = Path("/dev/shm")
    before = set(shm.glob("sem.mp-*"))
    yield
    in_use = _mapped_in_shm()  # by another build, or a test suite running meanwhile
    for leaked in set(shm.glob("sem.mp-*")) - before:
        with contextlib.suppress(OSError):
            if leaked.stat().st_ino not in in_use:
                leaked.unlink()


def _mapped_in_shm() -> set[int]:
    """The inodes of the files in /dev/shm that some process maps: a semaphore is mapped by
    every process that opened it (under the name it was made with: the inode tells). Those
    of processes this one may not inspect are not known."""
    inodes: set[int] = set()
    for maps in Path("/proc").glob("[0-9]*/maps"):
        try:
            lines = maps.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue  # gone meanwhile, or another user's
        for line in lines:
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and fields[5].startswith("/dev/shm/"):
                inodes.add(int(fields[4]))
    return inodes


@pytest.mark.usefixtures("semaphores_left_by_killed_builds")
def test_a_build_killed_at_any_moment_recovers(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "letters", 600)
    reference, dist = tmp_path / "reference", tmp_path / "dist"
    run_build(archive, reference, jobs=2)
    command = [sys.executable, "-m", "circulaire", "build", str(archive), "-o", str(dist)]
    command += ["-f", "md,txt", "-j", "2"]
    written = []
    for delay in (0.05, 0.4, 0.8):  # before, during and near the end of the rendering
        process = subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)  # the build and its workers, without warning
        process.wait()
        files = tree(dist)
        written.append(len(files))
        for path, data in files.items():
            name = path.rsplit("/", 1)[-1]
            if name.startswith(".") and (name.endswith(".tmp") or name.startswith(".circ")):
                continue  # a temporary, or the manifest: what the next build starts from
            assert data == (reference / path).read_bytes(), f"{path} is not whole"
    assert written[-1] > 0  # the kills did land mid-build
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    assert finished.returncode == 0, finished.stderr
    assert tree(dist) == tree(reference)
    again = subprocess.run(command, capture_output=True, text=True, check=False)
    assert "built 0 letters" in again.stderr


def test_quiet_and_verbose(archive: Path, tmp_path: Path) -> None:
    code, err = cli_build(archive, "-o", tmp_path / "a", "-f", "md", "-q")
    assert code == 0 and err == ""
    code, err = cli_build(archive, "-o", tmp_path / "b", "-f", "md", "-v")
    lines = err.splitlines()
    assert lines[:9] == [f"built {stem}.yaml" for stem in sorted(_stems(archive))]
    assert lines[9].startswith("built 9 letters (9 files), 0 unchanged, 0 removed, 0 failed in")
    code, err = cli_build(archive, "-o", tmp_path / "c", "-f", "md")
    assert code == 0 and len(err.splitlines()) == 1  # no terminal: the summary line alone


def test_a_no_op_does_not_import_the_renderers(archive: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run_build(archive, dist)
    probe = (
        "import sys; from pathlib import Path;"
        "from circulaire.build import Settings, build;"
        f"o = build(Settings(Path({str(archive)!r}), Path({str(dist)!r}), ('md', 'txt')));"
        "assert o.built == [], o;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('jinja2', 'docx', 'typst', 'babel', 'yaml', 'markdown_it', 'pyromark')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_only_a_first_or_forced_build_starts_its_workers_while_planning(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Starting the fork server costs a no-op build a process that imports every renderer:
    only a build that will render every letter starts it before it knows."""
    forkserver = pytest.importorskip("multiprocessing.forkserver")
    started: list[str] = []
    monkeypatch.setattr(forkserver, "ensure_running", lambda: started.append("started"))
    dist = tmp_path / "dist"
    first = Settings(archive, dist, FAST)
    start_workers_early(first, jobs=2)
    assert started == ["started"]
    start_workers_early(first, jobs=1)  # rendered in this process
    assert started == ["started"]
    run_build(archive, dist)
    start_workers_early(first, jobs=2)  # a manifest: maybe nothing to render
    assert started == ["started"]
    start_workers_early(Settings(archive, dist, FAST, force=True), jobs=2)
    assert started == ["started", "started"]


def test_plan_reads_only_what_changed(archive: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run_build(archive, dist)
    work = plan(Settings(archive, dist, FAST))
    assert work.tasks == [] and not work.checked


def _available_formats() -> tuple[str, ...]:
    """Every format whose renderer is in this tree (DOCX and PDF arrive with their issues)."""
    from importlib.util import find_spec

    from circulaire.render import _MODULES, FORMATS

    return tuple(f for f in FORMATS if find_spec(f"circulaire.render.{_MODULES[f]}") is not None)


def test_every_format_builds_reproducibly_and_incrementally(tmp_path: Path) -> None:
    formats = _available_formats()
    assert {"md", "txt", "docx"} <= set(formats)
    archive = make_archive(tmp_path / "letters", 6)
    one, two = tmp_path / "one", tmp_path / "two"
    first = run_build(archive, one, formats=formats, jobs=1)
    assert first.return_code == 0, first.problems
    assert first.files == 6 * len(formats)
    run_build(archive, two, formats=formats, jobs=2)
    assert tree(one) == tree(two)
    register = (one / "index.md").read_text(encoding="utf-8")
    assert " · ".join(f"[{f}](CL-19/001.{f})" for f in formats) in register
    assert run_build(archive, one, formats=formats).built == []
    (one / "CL-20/001.docx").unlink()
    again = run_build(archive, one, formats=formats)
    assert again.built == ["CL-20/001.yaml"] and again.files == 1
    assert tree(one) == tree(two)


def test_workers_end_with_a_killed_build(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "letters", 600)
    command = [sys.executable, "-m", "circulaire", "build", str(archive), "-o", str(tmp_path)]
    process = subprocess.Popen([*command, "-f", "md,txt", "-j", "2"], start_new_session=True)
    time.sleep(0.6)
    process.kill()  # the build only: its workers notice and stop
    process.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail("the workers outlived the build")


def test_a_terminal_gets_a_progress_bar(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "letters", 30)
    code, text = on_a_terminal("build", str(archive), "-o", str(tmp_path), "-f", "md", "-j", "1")
    assert code == 0
    assert re.search(r"building .*30/30 .*letters/s", text), text
    assert "built 30 letters (30 files)" in text


@pytest.mark.parametrize(
    ("rate", "shown"),
    [
        (1.2, "1 letter/s"),
        (0.96, "1 letter/s"),
        (0.4, "0.4 letters/s"),
        (2.0, "2 letters/s"),
        (2314.4, "2,314 letters/s"),
    ],
)
def test_the_progress_bar_says_one_letter_and_letters(rate: float, shown: str) -> None:
    from circulaire.build.progress import rate_shown

    assert rate_shown(rate) == shown


def test_workers_see_relative_paths_from_where_the_build_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for place in ("first", "second"):  # the workers' fork server starts in the first
        (tmp_path / place).mkdir()
        monkeypatch.chdir(tmp_path / place)
        make_archive(Path("letters"), 20)
        spec = Path("letters/CL-20/002.yaml")
        spec.write_text(spec.read_text(encoding="utf-8").replace("salutation:", "salutaton:"))
        outcome = run_build(Path("letters"), Path("dist"), jobs=2)
        assert len(outcome.built) == 19, outcome.problems
        assert {p.file for p in outcome.problems} == {"letters/CL-20/002.yaml"}
        assert (tmp_path / place / "dist/CL-21/001.md").is_file()


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aZé9 /,'’-_*`<&#;[]():\\.+=|>)!~\t\n1?%\"«»°", max_size=12))
@example("1. Introduction")
@example("12) suite")
@example("٣. trois")
@example("Réf. CL-21/27 (Genève), 2021: «Objet» 100 % ?")
@example("- tiret")
@example("a | b")
def test_a_register_cell_shows_its_text_as_written(text: str) -> None:
    """Text left as it is in a cell (a reference, a date) is text that needed no escaping."""
    from circulaire.build.register import _cell
    from circulaire.markup import escape_markdown

    line = " ".join(text.split())
    assert _cell(text) == escape_markdown(line).replace("|", "\\|")


def test_a_file_written_in_pieces_is_their_bytes_in_order(tmp_path: Path) -> None:
    """The manifest is written line by line; pieces are gathered into large writes."""
    from circulaire import output

    pieces = [f"{i:07d}\n".encode() * (i % 50) for i in range(4000)]
    target = tmp_path / "pieces.txt"
    original = output._BUFFER
    output._BUFFER = 1000  # so that the test crosses many buffer boundaries
    try:
        output.write_atomic(target, iter(pieces))
    finally:
        output._BUFFER = original
    assert target.read_bytes() == b"".join(pieces)
    assert [p.name for p in tmp_path.iterdir()] == ["pieces.txt"]


def test_chunks_hold_one_folder_each_and_folders_take_turns() -> None:
    from circulaire.build.plan import Task
    from circulaire.build.workers import chunked

    tasks = [
        Task(f"CL-{year}/{n:04d}.yaml", "", ("md",)) for year in (19, 20, 21) for n in range(50)
    ]
    tasks += [Task(f"CL-22/{n:04d}.yaml", "", ("md",)) for n in range(7)]
    chunks = chunked(tasks, jobs=2)
    assert sorted(t.key for chunk in chunks for t in chunk) == sorted(t.key for t in tasks)
    folders = [{t.key.split("/")[0] for t in chunk} for chunk in chunks]
    assert all(len(folder) == 1 for folder in folders)
    firsts = [folder.pop() for folder in folders]
    assert firsts[:4] == ["CL-19", "CL-20", "CL-21", "CL-22"]  # a worker each, folder by folder
    assert all(a != b for a, b in itertools.pairwise(firsts))  # never two in a row
    sizes = [len(chunk) for chunk in chunks]
    assert max(sizes[-4:]) < max(sizes)  # the last ones small, so that workers end together


def test_reading_ahead_skips_what_is_missing_and_ends_with_the_build(tmp_path: Path) -> None:
    import threading

    from circulaire.build.workers import reading_ahead

    spec = tmp_path / "27.yaml"
    spec.write_text("reference: CL-21/27\n", encoding="utf-8")
    with reading_ahead([str(tmp_path / "missing.yaml"), str(spec), str(tmp_path)]):
        pass
    assert "read-ahead" not in {thread.name for thread in threading.enumerate()}


# -- an archive that cannot be read as it should ---------------------------------------------


def test_an_empty_archive_is_an_error_and_removes_nothing(archive: Path, tmp_path: Path) -> None:
    """A mistyped folder, or an archive not checked out, must not empty the output folder."""
    dist = tmp_path / "dist"
    run_build(archive, dist)
    before = tree(dist)
    empty = tmp_path / "empty"
    empty.mkdir()
    code, err = cli_build(empty, "-o", dist)
    assert code == 1
    assert err == (
        f"{empty}: no letter spec (.yaml, .yml) in this folder: nothing built, nothing removed\n"
    )
    assert tree(dist) == before


def test_the_letters_of_a_folder_that_cannot_be_listed_keep_their_files(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They are not gone: the build says it could not read the folder, exits 1, and keeps
    their files and entries (manifest and register) until it can read it again."""
    dist = tmp_path / "dist"
    run_build(archive, dist)
    before = tree(dist)
    refuse_to_list(archive / "CL-20", monkeypatch)
    (archive / "CL-19/002.yaml").unlink()
    outcome = run_build(archive, dist)
    assert outcome.return_code == 1
    assert [str(p) for p in outcome.problems] == [
        f"{archive / 'CL-20'}: cannot read this folder: Permission denied"
    ]
    assert [key for key, _, _ in outcome.removed] == ["CL-19/002.yaml"]
    assert {name for name in before if name not in tree(dist)} == {"CL-19/002.md", "CL-19/002.txt"}
    monkeypatch.undo()  # read again: their specs, which no one could look at, are rendered
    again = run_build(archive, dist)
    assert again.built == ["CL-20/001.yaml", "CL-20/002.yaml", "CL-20/003.yaml"]
    assert (again.removed, again.return_code) == ([], 0)
    assert tree(dist) == fresh_tree(archive, tmp_path)


def test_workers_that_cannot_start_are_an_error_that_says_so(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python's helper processes may be refused (no process left, an interpreter the user
    cannot run): the build says so, where it would otherwise stop without a word."""
    from circulaire.build import workers as module

    def refused(*args: object, **kwargs: object) -> object:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(module, "ProcessPoolExecutor", refused)
    code, err = cli_build(archive, "-o", tmp_path / "dist", "-f", "md", "-j", "2")
    assert code == 1
    assert err == "cannot start worker processes ([Errno 32] Broken pipe): try --jobs 1\n"


# -- a worker that dies, a write that fails, a spec that changes at the last moment -----------


def _workers() -> list[int]:
    """The build's workers: the children of its fork server, a child of this process."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            parents[int(entry.name)] = int(fields[1])
    servers = {pid for pid, parent in parents.items() if parent == os.getpid()}
    return sorted(pid for pid, parent in parents.items() if parent in servers)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_a_worker_that_dies_costs_no_letter(tmp_path: Path) -> None:
    """Killed (as the system kills a process for memory): its letters are rendered again in
    new workers, and every other letter is built as if nothing had happened."""
    archive = make_archive(tmp_path / "letters", 40)
    dist = tmp_path / "dist"
    killed = []

    def kill_a_worker(done: int, total: int) -> None:
        if done == 1 and not killed:
            killed.append(_workers()[0])
            os.kill(killed[0], signal.SIGKILL)

    outcome = build(Settings(archive, dist, FAST), 2, kill_a_worker)
    assert killed
    assert (outcome.failed, len(outcome.built), outcome.problems) == (0, 40, [])
    assert tree(dist) == fresh_tree(archive, tmp_path)


def test_letters_lost_with_their_workers_keep_their_files(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers that die again and again: the letters left are reported, and keep their files
    and entries as they were (the next build renders them), rather than losing them as a
    letter that failed does."""
    from circulaire.build import workers as module

    dist = tmp_path / "dist"
    run_build(archive, dist)
    before = tree(dist)
    for spec in archive.rglob("*.yaml"):
        spec.write_text(spec.read_text(encoding="utf-8").replace("Lettre", "Lettre n°"))

    def dying(jobs: int, context: object, chunks: list, arguments: tuple) -> Iterator[object]:
        return chunks
        yield  # a generator that renders nothing

    monkeypatch.setattr(module, "in_pool", dying)
    outcome = build(Settings(archive, dist, FAST), 2)
    assert (outcome.failed, outcome.built, outcome.removed) == (9, [], [])
    assert {p.message for p in outcome.problems} == {
        "a worker process died while rendering this letter: its files are kept as they were"
    }
    assert {k: v for k, v in tree(dist).items() if not k.startswith(".")} == {
        k: v for k, v in before.items() if not k.startswith(".")
    }
    monkeypatch.undo()
    again = run_build(archive, dist)
    assert (len(again.built), again.failed) == (9, 0)
    assert tree(dist) == fresh_tree(archive, tmp_path)


def test_a_letter_whose_files_cannot_all_be_written_leaves_none(
    archive: Path, tmp_path: Path
) -> None:
    """Its Markdown written, its text refused: the Markdown goes too, since no manifest will
    record it (it would stay for good once the spec is deleted)."""
    dist = tmp_path / "dist"
    (dist / "CL-19/001.txt").mkdir(parents=True)  # where the text should go
    outcome = run_build(archive, dist)
    assert outcome.failed == 1
    assert not (dist / "CL-19/001.md").exists()
    (dist / "CL-19/001.txt").rmdir()
    (archive / "CL-19/001.yaml").unlink()
    run_build(archive, dist)
    assert tree(dist) == fresh_tree(archive, tmp_path)


def test_a_spec_whose_name_is_not_utf8_is_reported_and_the_others_built(
    archive: Path, tmp_path: Path
) -> None:
    name = b"caf\xe9.yaml".decode("utf-8", "surrogateescape")
    (archive / "drafts").mkdir()
    (archive / "drafts" / name).write_text(letter_text(40)[1], encoding="utf-8")
    outcome = run_build(archive, tmp_path / "dist")
    assert [str(p) for p in outcome.problems] == [
        f"{archive}/drafts/caf\\xe9.yaml: the file's name is not UTF-8: rename it"
    ]
    assert (len(outcome.built), outcome.return_code) == (9, 1)
    assert (tmp_path / "dist" / MANIFEST).exists()


def test_a_spec_saved_while_the_manifest_is_written_is_rendered_by_the_next_build(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saved (same size) after the build looked for changed specs, before its manifest was
    written (a sync may take seconds): the manifest must not vouch for it."""
    from circulaire.build import manifest as module

    dist = tmp_path / "dist"
    run_build(archive, dist)
    spec = archive / "CL-19/001.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("Lettre 0", "Lettre A"))
    durable = module.make_durable

    def saving_meanwhile(output: Path, written: object) -> None:
        spec.write_text(spec.read_text(encoding="utf-8").replace("Lettre A", "Lettre B"))
        durable(output, written)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "make_durable", saving_meanwhile)
    assert run_build(archive, dist).built == ["CL-19/001.yaml"]
    monkeypatch.undo()
    assert run_build(archive, dist).built == ["CL-19/001.yaml"]
    assert "Lettre B" in (dist / "CL-19/001.md").read_text(encoding="utf-8")


def test_a_link_pointed_at_another_spec_of_the_same_size_is_rendered(
    archive: Path, tmp_path: Path
) -> None:
    drafts = archive / ".drafts"  # inside the archive, where a link may lead; hidden: no letters
    drafts.mkdir()
    first = drafts / "first.yaml"
    first.write_text((archive / "CL-19/001.yaml").read_text(encoding="utf-8"))
    second = drafts / "second.yaml"
    second.write_text(first.read_text(encoding="utf-8").replace("Lettre 0", "Lettre Z"))
    (archive / "CL-19/001.yaml").unlink()
    (archive / "CL-19/001.yaml").symlink_to(first)
    dist = tmp_path / "dist"
    run_build(archive, dist)
    (archive / "CL-19/001.yaml").unlink()
    (archive / "CL-19/001.yaml").symlink_to(second)
    assert run_build(archive, dist).built == ["CL-19/001.yaml"]
    assert "Lettre Z" in (dist / "CL-19/001.md").read_text(encoding="utf-8")


def test_the_order_of_the_formats_asked_for_makes_no_difference(
    archive: Path, tmp_path: Path
) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    assert cli_build(archive, "-o", one, "-f", "md,txt", "-q")[0] == 0
    assert cli_build(archive, "-o", one, "-f", "txt,md", "-q")[0] == 0
    assert cli_build(archive, "-o", two, "-f", "txt,md", "-q")[0] == 0
    assert tree(one) == tree(two)


def test_a_spec_the_system_will_not_let_be_read_keeps_its_letter_s_files(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its permissions, or a folder that can be listed but not entered: the letter may be
    fine, so its files and entry stand, and the next build that can read it renders it."""
    dist = tmp_path / "dist"
    run_build(archive, dist)
    before = tree(dist)
    spec = archive / "CL-20/002.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("Lettre", "Lettre n°"))
    refuse_to_read(spec, monkeypatch)
    outcome = run_build(archive, dist)
    assert [str(p) for p in outcome.problems] == [f"{spec}: cannot read: Permission denied"]
    assert (outcome.failed, outcome.removed) == (1, [])
    assert tree(dist)["CL-20/002.md"] == before["CL-20/002.md"]
    monkeypatch.undo()
    assert run_build(archive, dist).built == ["CL-20/002.yaml"]
    assert tree(dist) == fresh_tree(archive, tmp_path)


def test_a_build_syncs_the_files_it_wrote_not_the_whole_machine(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A few letters built: their files are flushed one by one (os.sync would flush every
    disk of the machine, seconds on a busy one), before the manifest vouches for them."""
    from circulaire.build import manifest as module

    dist = tmp_path / "dist"
    run_build(archive, dist)
    spec = archive / "CL-19/001.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("Lettre 0", "Lettre A"))
    synced: list[str] = []
    fsync = os.fsync

    def recording(descriptor: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        fsync(descriptor)

    def refused() -> None:
        raise AssertionError("os.sync() called")

    monkeypatch.setattr(module.os, "sync", refused)
    monkeypatch.setattr(module.os, "fsync", recording)
    assert run_build(archive, dist).built == ["CL-19/001.yaml"]
    assert {str(dist / "CL-19/001.md"), str(dist / "CL-19")} <= set(synced)


_ENTRY = {
    "code": "c" * 64,
    "date": "2021-07-08",
    "language": "fr",
    "outputs": {fmt: {"file": f"CL-21/27.{fmt}", "sha256": "a" * 64, "size": 5034} for fmt in FAST},
    "reference": "CL-21/27",
    "signatories": ["Houlin ZHAO"],
    "spec": {"sha256": "b" * 64, "size": 5442},
    "subject": "Journée mondiale",
    "templates": "d" * 64,
    "version": "0.1.0",
}
_INPUTS = {name: _ENTRY[name] for name in ("templates", "version", "code")}


@settings(max_examples=300, deadline=None)
@given(
    subject=st.text(),
    signatories=st.lists(st.text(), max_size=3),
    size=st.integers(min_value=-3, max_value=10**12),
    spot=st.integers(min_value=0, max_value=2000),
    put=st.sampled_from(['"', "\\", "\x00", "\n", "{", "}", ",", " ", "0", "a", "é", "]"]),
)
@example(subject="x", signatories=[], size=1, spot=10**6, put="")
def test_an_entry_read_without_opening_it_is_one_opened_would_accept(
    subject: str, signatories: list[str], size: int, spot: int, put: str
) -> None:
    """The pattern of an entry as the build writes it matches only texts that the manifest's
    checks accept, and gives the values they read; the build's own texts all match."""
    from circulaire.build.manifest import current_entry, opened, to_json

    pattern = current_entry(FAST, _INPUTS)
    entry = {**_ENTRY, "subject": subject, "signatories": signatories}
    entry["spec"] = {"sha256": "b" * 64, "size": size}
    text = to_json(entry)
    assert (pattern.fullmatch(text) is not None) == (size >= 0)
    spoiled = text[:spot] + put + text[spot + 1 :]  # one character changed, or one added
    match = pattern.fullmatch(spoiled)
    if match is None:
        return
    read = opened(spoiled)  # raises if the checks refuse what the pattern took
    assert read["spec"] == {"sha256": match["spec_sha256"], "size": int(match["spec_size"])}
    assert read["reference"] == match["reference"]
    for fmt in FAST:
        record = read["outputs"][fmt]
        assert record["file"] == f"{match[f'{fmt}_file']}.{fmt}"
        assert (record["sha256"], record["size"]) == (
            match[f"{fmt}_sha256"],
            int(match[f"{fmt}_size"]),
        )
    assert {name: read[name] for name in _INPUTS} == _INPUTS


def _subject(archive: Path) -> None:
    spec = archive / "CL-20/002.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("Lettre ", "Nouvelle lettre "))


def _date(archive: Path) -> None:  # its row moves
    spec = archive / "CL-20/002.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(re.sub(r"(?m)^date: .*$", "date: 2020-12-31", text), encoding="utf-8")


def _removed(archive: Path) -> None:
    (archive / "CL-21/003.yaml").unlink()


def _added(archive: Path) -> None:
    text = (archive / "CL-21/001.yaml").read_text(encoding="utf-8")
    (archive / "CL-21/050.yaml").write_text(text.replace("CL-21/001", "CL-21/050"))


def _refiled(archive: Path) -> None:  # a spec outside a series folder takes another reference
    (archive / "drafts").mkdir()
    text = (archive / "CL-19/002.yaml").read_text(encoding="utf-8")
    (archive / "CL-19/002.yaml").unlink()
    (archive / "drafts/motion.yaml").write_text(text.replace("CL-19/002", "CL-19/060"))


@pytest.mark.parametrize("change", [_subject, _date, _removed, _added, _refiled])
def test_the_register_is_made_again_row_by_row_as_if_whole(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Callable[[Path], None]
) -> None:
    from circulaire.build import register

    dist = tmp_path / "dist"
    run_build(archive, dist)
    change(archive)
    opened: list[int] = []
    rows = register.rows

    def counted(entries: Any, formats: Any) -> list[register.Row]:
        opened.append(len(entries))
        return rows(entries, formats)

    monkeypatch.setattr(register, "rows", counted)
    run_build(archive, dist)
    assert opened and max(opened) <= 2  # the rows of the letters touched, not of all
    monkeypatch.undo()
    assert tree(dist) == fresh_tree(archive, tmp_path)
