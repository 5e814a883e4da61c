"""The one place that writes outputs, both ways it has: a file written without a name and then
linked into place (Linux), and a file written under a temporary name and renamed."""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from circulaire import output
from circulaire.errors import OutputError
from circulaire.output import write_atomic

UNNAMED_WORKS = output._UNNAMED


@pytest.fixture(params=["unnamed", "named"])
def way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "unnamed" and not UNNAMED_WORKS:
        pytest.skip(f"files without a name are a Linux feature (this is {sys.platform})")
    monkeypatch.setattr(output, "_UNNAMED", request.param == "unnamed")
    yield request.param


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_new_file_has_its_bytes_and_nothing_else_is_left(tmp_path: Path, way: str) -> None:
    target = tmp_path / "CL-21" / "27.md"  # its folder is made
    write_atomic(target, b"lettre\n")
    assert target.read_bytes() == b"lettre\n"
    assert _names(target.parent) == ["27.md"]
    taken = "unnamed" if output._UNNAMED else "named"
    assert taken == way  # the way asked for is the way taken


def test_an_existing_file_is_replaced_whole(tmp_path: Path, way: str) -> None:
    target = tmp_path / "27.md"
    target.write_bytes(b"ancienne version, plus longue\n")
    write_atomic(target, iter([b"nouvelle ", b"version\n"]))
    assert target.read_bytes() == b"nouvelle version\n"
    assert _names(tmp_path) == ["27.md"]


def test_a_link_in_the_way_is_replaced_not_followed(tmp_path: Path, way: str) -> None:
    elsewhere = tmp_path / "ailleurs.md"
    elsewhere.write_bytes(b"pas une lettre\n")
    target = tmp_path / "27.md"
    target.symlink_to(elsewhere)
    write_atomic(target, b"lettre\n")
    assert not target.is_symlink() and target.read_bytes() == b"lettre\n"
    assert elsewhere.read_bytes() == b"pas une lettre\n"


def test_files_are_readable_by_all_whatever_the_umask(tmp_path: Path, way: str) -> None:
    old = os.umask(0o077)
    try:
        write_atomic(tmp_path / "27.md", b"lettre\n", durable=False)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "27.md").stat().st_mode) == 0o644


def test_a_folder_in_the_way_is_a_clear_error(tmp_path: Path, way: str) -> None:
    (tmp_path / "27.md").mkdir()
    with pytest.raises(OutputError, match=r"27\.md: cannot write"):
        write_atomic(tmp_path / "27.md", b"lettre\n")
    assert _names(tmp_path) == ["27.md"]


def test_a_failing_piece_leaves_the_old_file_and_no_other(tmp_path: Path, way: str) -> None:
    target = tmp_path / "27.md"
    target.write_bytes(b"ancienne\n")

    def pieces() -> Iterator[bytes]:
        yield b"nouv"
        raise RuntimeError("the manifest could not be made")

    with pytest.raises(RuntimeError):
        write_atomic(target, pieces())
    assert target.read_bytes() == b"ancienne\n"
    assert _names(tmp_path) == ["27.md"]


def test_where_links_are_refused_files_are_written_the_named_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A security policy may allow files without a name but forbid linking them."""
    if not UNNAMED_WORKS:
        pytest.skip(f"files without a name are a Linux feature (this is {sys.platform})")
    monkeypatch.setattr(output, "_UNNAMED", True)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(output.os, "link", refuse)
    write_atomic(tmp_path / "27.md", b"lettre\n")
    assert (tmp_path / "27.md").read_bytes() == b"lettre\n"
    assert _names(tmp_path) == ["27.md"]
    assert output._UNNAMED is False  # the rest of the run goes the named way at once


def test_a_temporary_name_already_taken_is_passed_over(
    tmp_path: Path, way: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name left by a long-gone process of the same id is not reused, and stays as it was."""
    target = tmp_path / "27.md"
    target.write_bytes(b"ancienne\n")  # so that the unnamed way needs a temporary name too
    taken = tmp_path / ".27.md.taken.tmp"
    taken.write_bytes(b"autre\n")
    names = iter([str(taken), str(tmp_path / ".27.md.free.tmp")])
    monkeypatch.setattr(output, "_temporary_name", lambda path: next(names))
    write_atomic(target, b"lettre\n")
    assert target.read_bytes() == b"lettre\n"
    assert taken.read_bytes() == b"autre\n"
    assert _names(tmp_path) == [".27.md.taken.tmp", "27.md"]
