"""One build at a time in an output folder: a lock on the folder itself, held while it builds.

A build of the whole archive holds the folder alone; shards of one archive may build into one
folder side by side (each its own letters, manifest and journal), each holding its journal
alone. The system releases a lock when its process ends, however it ends: a build killed
leaves no lock behind, and a journal that no build holds is a killed build's."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from types import TracebackType

from ..errors import CirculaireError
from ..output import cannot_write
from .settings import Settings

if sys.platform != "win32":
    import fcntl


class OutputLock:
    """The output folder, held for a build: alone for a whole build, shared among shards."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.fd: int | None = None

    def __enter__(self) -> OutputLock:
        output = self.settings.output
        try:
            output.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(output, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError as exc:
            raise cannot_write(output, exc) from None
        mode = "shared" if self.settings.shard else "alone"
        if not hold(self.fd, mode):
            os.close(self.fd)
            self.fd = None
            raise busy(output, output)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.fd is not None:
            os.close(self.fd)  # and the lock with it
            self.fd = None


def hold(fd: int, mode: str = "alone") -> bool:
    """Lock ``fd`` (``alone`` or ``shared``) without waiting; False when another holds it."""
    if sys.platform == "win32":  # no flock there: builds are trusted to run one at a time
        return True
    flags = fcntl.LOCK_EX if mode == "alone" else fcntl.LOCK_SH
    try:
        fcntl.flock(fd, flags | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # a file system without locks: as where there is no fcntl
        return True
    return True


def busy(output: Path, held: Path) -> CirculaireError:
    """The error of a build that finds ``held`` (the folder, a journal) held by another."""
    holder = _holder(held)
    process = f" (process {holder})" if holder else ""
    return CirculaireError(
        f"{output}: another build is writing into this folder{process}:"
        " run one build at a time into an output folder"
    )


def _holder(path: Path) -> int | None:
    """The process that holds a lock on ``path``, where the system tells (``/proc/locks``)."""
    with contextlib.suppress(OSError, ValueError):
        st = os.stat(path)
        device = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
        for line in Path("/proc/locks").read_text(encoding="ascii").splitlines():
            fields = line.split()
            if len(fields) > 5 and fields[1] == "FLOCK" and fields[5] == device:
                pid = int(fields[4])
                if pid != os.getpid():
                    return pid
    return None
