"""Finding spec files under the paths a user gives, and refusing what is no spec of the archive.

A spec is read only inside its archive: the folder given, or for a file named alone (as
pre-commit names them) the folder above its series folder (``letters/`` for
``letters/CL-21/27.yaml``), else its own folder. A symbolic link may lead only to a YAML file
inside the archive, and a file named alone must be named ``.yaml`` or ``.yml``: a link to
``/proc/self/environ`` or ``.git/config`` is refused before it is opened, so that no message
can quote a line of it.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import Problem
from .model import SERIES_PATTERN

SPEC_SUFFIXES = (".yaml", ".yml")
MAX_FOLDER_DEPTH = 32
"""Folders nested deeper than this under an archive are not listed: an archive holds
``<series>-<yy>/<number>.yaml``, and a walk must end (1,200 levels exhausted its recursion)."""

_LINK_HINT = "(a link may lead only to a spec inside the archive)"
_NOT_YAML = f"not named .yaml or .yml: not read {_LINK_HINT}"


def specs(paths: Iterable[Path], unread: list[Problem]) -> Iterator[Path]:
    """Every spec file named or under a named folder, each once, folders in sorted order.

    A named file is yielded even when it does not exist, and so is a link named like a spec
    whose target is gone: loading reports them. A folder that cannot be listed goes into
    ``unread``, as a problem naming it (the letters in it are not found, and must not be
    taken for letters that are gone), and so does a spec whose name is not UTF-8, a link out
    of the archive or that loops, and a file named alone that is no spec (:func:`refused`).
    """
    seen: set[str] = set()
    for path in paths:
        if not path.is_dir():
            key = os.path.realpath(path)
            if key not in seen and _named_in_utf8(path, unread):
                seen.add(key)
                problem = refused(path)
                if problem is None:
                    yield path
                else:
                    unread.append(problem)
            continue
        # A walk with os.scandir, not Path.rglob: an archive of 10,000 letters is found in
        # milliseconds, which a no-op build needs. Symlinked folders are not followed.
        real = os.path.realpath(path)
        for parts, linked, _ in sorted(_walk(str(path), (), unread, (real, str(path))), key=_parts):
            relative = os.path.join(*parts)
            key = os.path.realpath(os.path.join(path, relative)) if linked else ""
            key = key or os.path.join(real, relative)
            if key in seen:
                continue
            seen.add(key)
            spec = path.joinpath(*parts)
            if relative.isascii() or _named_in_utf8(spec, unread):
                yield spec


def listed(folder: Path, unread: list[Problem]) -> Iterator[tuple[str, os.stat_result | None]]:
    """:func:`specs` of one archive folder, each by its key (its path in the archive, written
    with ``/``: ``CL-21/27.yaml``), with its status as the listing gave it (``None`` for a
    symbolic link): a build asks the system about each spec once, and makes no ``Path``."""
    seen: set[str] = set()
    given = str(folder)
    real = os.path.realpath(given)
    inside = real.rstrip(os.sep) + os.sep
    found = list(_walk(given, (), unread, (real, given)))
    found.sort(key=_parts)
    for parts, linked, entry in found:
        relative = os.sep.join(parts)  # as os.path.join() writes it, at a tenth of the cost
        key = os.path.realpath(os.path.join(given, relative)) if linked else ""
        key = key or inside + relative
        if key in seen:
            continue
        seen.add(key)
        if relative.isascii() or _named_in_utf8(folder.joinpath(*parts), unread):
            status = None if linked else entry.stat(follow_symlinks=False)
            yield "/".join(parts), status


def _parts(found: tuple[tuple[str, ...], bool, os.DirEntry[str]]) -> tuple[str, ...]:
    return found[0]


def refused(path: Path) -> Problem | None:
    """Why a spec named alone is not read (it leads out of its archive, its link loops, it is
    not named as a spec), or ``None``: then reading it says what else may be wrong (no such
    file, a pipe or a device, no permission)."""
    try:
        link = stat.S_ISLNK(os.lstat(path).st_mode)
        target = os.path.realpath(path, strict=True)
        regular = stat.S_ISREG(os.stat(target).st_mode)
    except OSError as exc:
        return _loop(str(path)) if exc.errno == errno.ELOOP else None
    archive = path.parent
    if SERIES_PATTERN.match(archive.name):
        archive = archive.parent
    if not _inside(target, os.path.realpath(archive)):
        how = "is a symbolic link out of" if link else "lies, through a symbolic link, out of"
        return _refusal(str(path), f"{how} {archive}: not read {_LINK_HINT}")
    if not regular:
        return None
    if not path.name.endswith(SPEC_SUFFIXES):
        return _refusal(str(path), "not named .yaml or .yml, so not read as a spec")
    if not target.endswith(SPEC_SUFFIXES):
        return _refusal(str(path), f"is a symbolic link to a file {_NOT_YAML}")
    return None


def _refusal(path: str, message: str) -> Problem:
    return Problem(path, message=message, code="E001")


def _loop(path: str) -> Problem:
    return _refusal(path, "is a symbolic link that loops back on itself: not read")


def _inside(target: str, archive: str) -> bool:
    return os.path.commonpath([archive, target]) == archive


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
    folder: str,
    parts: tuple[str, ...],
    unread: list[Problem],
    archive: tuple[str, str],
) -> Iterator[tuple[tuple[str, ...], bool, os.DirEntry[str]]]:
    """(path parts, is a symlink, its entry in the listing) of every visible spec file under
    ``folder``, in the archive ``(real path, path as given)``; links that may not be followed
    go into ``unread``."""
    if len(parts) > MAX_FOLDER_DEPTH:
        message = (
            f"folders nested more than {MAX_FOLDER_DEPTH} deep: not read "
            "(an archive holds <series>-<yy>/<number>.yaml)"
        )
        unread.append(_refusal(folder, message))
        return
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
            yield from _walk(entry.path, (*parts, entry.name), unread, archive)
        elif not entry.name.endswith(SPEC_SUFFIXES):
            continue
        elif not entry.is_symlink():
            if entry.is_file(follow_symlinks=False):  # not a pipe or a device
                yield (*parts, entry.name), False, entry
        elif _followed(entry.path, archive, unread):
            yield (*parts, entry.name), True, entry


def _followed(link: str, archive: tuple[str, str], unread: list[Problem]) -> bool:
    """Whether a link found in the archive is a spec: one that leads to a YAML file inside
    it, or whose target is gone (loading says so). A link out of the archive, to a file not
    named as a spec, or that loops goes into ``unread``; one to a pipe, a device or a folder
    inside it is left alone, as the walk leaves those."""
    try:
        target = os.path.realpath(link, strict=True)
        regular = stat.S_ISREG(os.stat(target).st_mode)
    except FileNotFoundError:
        return True
    except OSError as exc:
        problem = _loop(link) if exc.errno == errno.ELOOP else None
        unread.append(problem or _refusal(link, f"cannot follow this link: {exc.strerror}"))
        return False
    real, shown = archive
    if not _inside(target, real):
        unread.append(_refusal(link, f"is a symbolic link out of {shown}: not read {_LINK_HINT}"))
    elif not target.endswith(SPEC_SUFFIXES):
        unread.append(_refusal(link, f"is a symbolic link to a file {_NOT_YAML}"))
    else:
        return regular
    return False
