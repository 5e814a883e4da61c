"""Finding spec files under the paths a user gives."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import Problem

SPEC_SUFFIXES = (".yaml", ".yml")


def specs(paths: Iterable[Path], unread: list[Problem]) -> Iterator[Path]:
    """Every spec file named or under a named folder, each once, folders in sorted order.

    A named file is yielded even when it does not exist, and so is a link named like a spec
    whose target is gone: loading reports them. A folder that cannot be listed goes into
    ``unread``, as a problem naming it (the letters in it are not found, and must not be
    taken for letters that are gone), and so does a spec whose name is not UTF-8.
    """
    seen: set[str] = set()
    for path in paths:
        if not path.is_dir():
            key = os.path.realpath(path)
            if key not in seen and _named_in_utf8(path, unread):
                seen.add(key)
                yield path
            continue
        # A walk with os.scandir, not Path.rglob: an archive of 10,000 letters is found in
        # milliseconds, which a no-op build needs. Symlinked folders are not followed.
        real = os.path.realpath(path)
        for parts, linked in sorted(_walk(str(path), (), unread)):
            relative = os.path.join(*parts)
            key = os.path.realpath(os.path.join(path, relative)) if linked else ""
            key = key or os.path.join(real, relative)
            if key in seen:
                continue
            seen.add(key)
            spec = path.joinpath(*parts)
            if relative.isascii() or _named_in_utf8(spec, unread):
                yield spec


def _named_in_utf8(path: Path, unread: list[Problem]) -> bool:
    """Whether a spec's path can be written in a message, a manifest or a register; if not
    (a name in another encoding), the spec goes into ``unread``, named with escapes."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        shown = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        message = "the file's name is not UTF-8: rename it"
        unread.append(Problem(shown, message=message, code="E001"))
        return False
    return True


def _walk(
    folder: str, parts: tuple[str, ...], unread: list[Problem]
) -> Iterator[tuple[tuple[str, ...], bool]]:
    """(path parts, is a symlink) of every visible spec file under ``folder``."""
    try:
        entries = list(os.scandir(folder))
    except OSError as exc:
        message = f"cannot read this folder: {exc.strerror}"
        unread.append(Problem(folder, message=message, code="E001"))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path, (*parts, entry.name), unread)
        elif entry.name.endswith(SPEC_SUFFIXES) and (entry.is_file() or _broken(entry)):
            yield (*parts, entry.name), entry.is_symlink()


def _broken(entry: os.DirEntry[str]) -> bool:
    """A link whose target is gone (not a pipe or a device, which a walk leaves alone)."""
    return entry.is_symlink() and not os.path.exists(entry.path)
