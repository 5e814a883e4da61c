"""Whether a file is still the one recorded, and the output folder's clock that tells it.

A no-op rebuild trusts ``stat``: a file unchanged in size and not changed since the manifest
was written (its ctime, which no tool can set back, is older than the manifest's mtime) is not
read; anything else is hashed before it is believed."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path
from typing import Any


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def unchanged(
    path: str, size: Any, sha256: Any, stamp: int, listed: os.stat_result | None = None
) -> tuple[bool, bool]:
    """(is the file the one recorded, did it have to be hashed to tell). ``listed``: the
    status of a regular file (not a link) as a listing of its folder just gave it."""
    try:
        if listed is None:
            st, changed = status(path)
        else:
            st, changed = listed, max(listed.st_mtime_ns, listed.st_ctime_ns)
    except OSError:
        return False, False
    if st.st_size != size:
        return False, False
    if changed < stamp:
        return True, False
    try:
        return file_sha256(Path(path)) == sha256, True
    except OSError:
        return False, True


def status(path: str | Path) -> tuple[os.stat_result, int]:
    """A file's status, and when it last changed (its mtime or its ctime, which no tool can
    set back). A link changes with its target and with itself: pointed at another file, it is
    read again."""
    st = os.lstat(path)
    changed = max(st.st_mtime_ns, st.st_ctime_ns)
    if stat.S_ISLNK(st.st_mode):
        st = os.stat(path)
        changed = max(changed, st.st_mtime_ns, st.st_ctime_ns)
    return st, changed


def filesystem_now(folder: Path) -> int:
    """The time as the output folder's file system tells it (it may not be this machine's)."""
    import tempfile

    with tempfile.NamedTemporaryFile(dir=folder, prefix=".circulaire-clock.") as probe:
        return os.fstat(probe.fileno()).st_mtime_ns


def filesystem_time(folder: Path) -> int | None:
    """:func:`filesystem_now`, or ``None`` where no file can be made to tell it."""
    try:
        return filesystem_now(folder)
    except OSError:
        return None


def past_last_write(folder: Path, patience: float = 2.0) -> None:
    """Wait for the output folder's clock to tick past the files just written. A file system
    stamps files with a coarse clock (a few milliseconds): a manifest written in the same tick
    as the last letters would not vouch for them, and the next build would hash them. A spec
    edited during the wait is newer than the tick, so it is still found changed. A clock that
    does not move (or a probe the folder refuses) only costs the next build that hashing."""
    deadline = time.monotonic() + patience
    pause = 0.001
    try:
        written = filesystem_now(folder)
        while filesystem_now(folder) <= written and time.monotonic() < deadline:
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
    except OSError:
        pass
