"""Where outputs go, and the one place that writes them: atomically, inside the folder given."""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from .errors import OutputError
from .model import TRANSLATION_LANGUAGE, Reference
from .render import FORMATS

T = TypeVar("T")


def output_path(reference: Reference, fmt: str, root: Path, translation: str | None = None) -> Path:
    """``CL-21/27`` in ``out/`` as ``md`` -> ``out/CL-21/27.md`` (``out/CL-21/27.en.md`` for
    its English ``translation``); shared by render and build."""
    return OutputFolder(root).path(reference, fmt, translation)


class OutputFolder:
    """The folder a render or a build writes into: every path it gives lies inside it.

    A reference names a folder and a file without separators (``CL-21`` and ``27.md``), so only
    the folder can lead elsewhere (a symbolic link): each is checked once, however many files
    go into it, and opened once, from the root, without following a link; files are written
    into the folder so opened, so that a folder swapped for a link meanwhile leads nowhere. A
    symbolic link in place of a file is replaced, never followed (see :func:`write_atomic`)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._checked: dict[str, Path] = {}
        self._opened: dict[str, int] = {}

    def path(self, reference: Reference, fmt: str, translation: str | None = None) -> Path:
        if fmt not in FORMATS:  # a format names no folder: a manifest may say otherwise
            raise OutputError(f"{reference}: '{fmt}' is no format circulaire writes")
        folder = self._checked.get(reference.folder)
        if folder is None:
            folder = self.root / reference.folder
            inside(folder, self.root)
            self._checked[reference.folder] = folder
        if translation is not None:
            if not TRANSLATION_LANGUAGE.fullmatch(translation):  # a language names no folder either
                raise OutputError(f"{reference}: '{translation}' is no language of a translation")
            return folder / f"{reference.number}.{translation}.{fmt}"
        return folder / f"{reference.number}.{fmt}"

    def write(
        self, reference: Reference, fmt: str, data: bytes, translation: str | None = None
    ) -> Path:
        """Write a letter's file (without an fsync: a build syncs once), and return its path."""
        path = self.path(reference, fmt, translation)
        write_atomic(path, data, durable=False, folder=self._folder(reference.folder, path))
        return path

    def _folder(self, name: str, path: Path) -> int | None:
        """A descriptor of the folder ``name`` of the root, made if missing; ``None`` where
        the system opens nothing relative to a folder (files then go by their paths)."""
        if not _AT:
            return None
        fd = self._opened.get(name)
        if fd is not None:
            return fd
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
        try:
            root = self._opened.get("")
            if root is None:
                root = self._opened[""] = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
            try:
                fd = os.open(name, flags, dir_fd=root)
            except FileNotFoundError:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, 0o777, dir_fd=root)
                fd = os.open(name, flags, dir_fd=root)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR) and os.path.islink(path.parent):
                # made a link since it was checked
                raise OutputError(f"{path.parent}: refusing to write through a link") from None
            raise cannot_write(path, exc) from None
        self._opened[name] = fd
        return fd

    def close(self) -> None:
        for fd in self._opened.values():
            os.close(fd)
        self._opened.clear()

    def __enter__(self) -> OutputFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_AT = {os.open, os.mkdir, os.link, os.rename, os.unlink} <= os.supports_dir_fd  # replace: as rename
"""Whether files can be made relative to a folder's descriptor (``openat``), as on Linux."""


def inside(path: Path, root: Path) -> None:
    """Refuse any path that would land outside ``root`` (``..``, absolute parts, symlinks)."""
    real_root = root.resolve()
    real = path.resolve()
    if real != real_root and real_root not in real.parents:
        raise OutputError(f"{path}: refusing to write outside {root}")


def suffix_format(output: str) -> str | None:
    """The format a file name asks for by its suffix (``letter.pdf`` -> ``pdf``); ``None`` for
    a folder target or a suffix that names no format."""
    target = Path(output)
    if is_folder_target(target, output):
        return None
    fmt = target.suffix.lstrip(".").lower()
    return fmt if fmt in FORMATS else None


def is_folder_target(target: Path, raw: str) -> bool:
    """``-o out/`` or an existing folder or a name without suffix is a folder; else a file."""
    return raw.endswith(("/", os.sep)) or target.is_dir() or not target.suffix


def write_atomic(
    path: Path, data: bytes | Iterable[bytes], *, durable: bool = True, folder: int | None = None
) -> None:
    """Write to a temporary file beside ``path`` and rename it into place: never half a file.

    On Linux the temporary file has no name at all (``O_TMPFILE``) until it is whole: a new file
    then gets its name in one step, and a killed build leaves nothing behind.

    ``data`` may come in pieces (a build's manifest, line by line, without a copy of it whole).
    ``durable=False`` skips the fsync, for a caller that syncs once after many files (a build
    syncs before its manifest vouches for them). ``folder``, a descriptor of the folder that
    holds ``path`` (see :class:`OutputFolder`), is where the file goes, whatever ``path`` leads
    to by then. What the system refuses (a file where a folder should be, no permission, a full
    disk) is an :class:`OutputError` naming the path."""
    try:
        _write_atomic(_Target(path, folder), data, durable)
    except OSError as exc:
        raise cannot_write(path, exc) from None


@dataclass(frozen=True)
class _Target:
    """Where a file goes: ``path``, or its name in the folder open as ``folder``."""

    path: Path
    folder: int | None = None

    @property
    def name(self) -> str:
        return self.path.name if self.folder is not None else str(self.path)

    def beside(self, name: str) -> str:
        """Another file of the same folder, as :meth:`name` gives it."""
        return name if self.folder is not None else f"{self.path.parent}{os.sep}{name}"

    def make_folder(self) -> None:
        """Make the folder of a path (a folder open as a descriptor is there)."""
        if self.folder is not None:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory")
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def remove(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name, dir_fd=self.folder)


def cannot_write(path: Path, exc: OSError) -> OutputError:
    """``out/CL-21/27.md: cannot write: Not a directory``."""
    return OutputError(f"{path}: cannot write: {exc.strerror or exc}")


_TEMPORARY_NUMBERS = itertools.count()
_process = os.getpid()


def _forked() -> None:
    global _process
    _process = os.getpid()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forked)


def _temporary_name(target: _Target) -> str:
    """``.27.md.<8 characters>.tmp`` beside the target: new for this process."""
    token = f"{(_process << 20 | next(_TEMPORARY_NUMBERS)) & 0xFFFFFFFF:08x}"
    return target.beside(f".{target.path.name}.{token}.tmp")


def _claim_temporary(target: _Target, claim: Callable[[str], T]) -> tuple[T, str]:
    """``claim`` (create, link) a temporary name beside the target, the next one while a name
    is taken (left by a process of the same id, long gone); its result and the name."""
    while True:
        tmp = _temporary_name(target)
        try:
            return claim(tmp), tmp
        except FileExistsError:
            continue


def _temporary(target: _Target) -> tuple[int, str]:
    """Create a new file beside the target, ``.27.md.<8 characters>.tmp``, and open it; make
    the folder when it is missing (once per folder: the common case costs no extra call)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)

    def create(tmp: str) -> int:
        try:
            return os.open(tmp, flags, 0o644, dir_fd=target.folder)
        except FileNotFoundError:
            target.make_folder()
            return os.open(tmp, flags, 0o644, dir_fd=target.folder)

    fd, tmp = _claim_temporary(target, create)
    if hasattr(os, "fchmod"):
        os.fchmod(fd, 0o644)  # readable by all whatever the umask, as before
    return fd, tmp


_BUFFER = 1 << 20
"""Pieces are gathered up to this many bytes a write: a manifest of 10,000 lines is a few
writes, not 10,000."""


_UNNAMED = sys.platform == "linux" and hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")
"""Whether files are first written without a name (and named through ``/proc``); cleared for
the process by a file system that cannot hold one."""
_NO_UNNAMED = {errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL}
_NO_LINK = {errno.EPERM, errno.EACCES, errno.ENOENT, errno.EXDEV, errno.EOPNOTSUPP, errno.EINVAL}


def _write_atomic(target: _Target, data: bytes | Iterable[bytes], durable: bool) -> None:
    """Letters (bytes) go the unnamed way where it works; pieces (a manifest), which cannot
    be read twice should that way be refused halfway, the named way."""
    global _UNNAMED
    if _UNNAMED and isinstance(data, bytes):
        if _write_unnamed(target, data, durable):
            return
        _UNNAMED = False
    _write_named(target, data, durable)


def _write_unnamed(target: _Target, data: bytes, durable: bool) -> bool:
    """Write the target through a file without a name, linked into place when whole; ``False``
    when the system refuses such a file, or to give it a name (a security policy may forbid
    links), with nothing left behind."""
    flags = os.O_TMPFILE | os.O_WRONLY
    where = "." if target.folder is not None else target.path.parent
    try:
        try:
            fd = os.open(where, flags, 0o644, dir_fd=target.folder)
        except FileNotFoundError:
            target.make_folder()
            fd = os.open(where, flags, 0o644, dir_fd=target.folder)
    except OSError as exc:
        if exc.errno in _NO_UNNAMED:
            return False
        raise
    try:
        os.fchmod(fd, 0o644)  # readable by all whatever the umask, as before
        _write_pieces(fd, data)
        if durable:
            os.fsync(fd)
        # linkat() names the open file; os.link calls it, and follows /proc's link to the file,
        # only when given a directory descriptor (ignored beside an absolute path).
        whole = f"/proc/self/fd/{fd}"
        try:
            _link(whole, fd, target.name, target)
        except FileExistsError:  # a file (or a link) is there: replaced in one rename
            _replace_by_link(whole, fd, target)
        except OSError as exc:
            if exc.errno in _NO_LINK:  # linking refused: the named way, from the start
                return False
            raise
    finally:
        os.close(fd)
    return True


def _link(whole: str, fd: int, name: str, target: _Target) -> None:
    os.link(whole, name, src_dir_fd=fd, dst_dir_fd=target.folder, follow_symlinks=True)


def _replace_by_link(whole: str, fd: int, target: _Target) -> None:
    """Give the unnamed file ``fd`` a temporary name beside the target, then rename it there."""
    _, tmp = _claim_temporary(target, lambda name: _link(whole, fd, name, target))
    try:
        os.replace(tmp, target.name, src_dir_fd=target.folder, dst_dir_fd=target.folder)
    except BaseException:
        target.remove(tmp)
        raise


def _write_named(target: _Target, data: bytes | Iterable[bytes], durable: bool) -> None:
    fd, tmp = _temporary(target)
    try:
        try:
            _write_pieces(fd, data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target.name, src_dir_fd=target.folder, dst_dir_fd=target.folder)
    except BaseException:
        target.remove(tmp)
        raise


def _write_pieces(fd: int, data: bytes | Iterable[bytes]) -> None:
    if isinstance(data, bytes):
        _write_all(fd, data)
        return
    buffer = bytearray()
    for piece in data:
        buffer += piece
        if len(buffer) >= _BUFFER:
            _write_all(fd, buffer)
            buffer.clear()
    _write_all(fd, buffer)


def _write_all(fd: int, data: bytes | bytearray) -> None:
    view = memoryview(data).cast("B")
    while view:  # a write may take less than it is given
        view = view[os.write(fd, view) :]


def write_new(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``; an existing file is never replaced (:class:`OutputError`),
    and a failed write leaves no file behind."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("xb")
    except FileExistsError:
        raise OutputError(f"{path}: already exists (circulaire never overwrites it)") from None
    except OSError as exc:
        raise cannot_write(path, exc) from None
    try:
        with handle:
            handle.write(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
