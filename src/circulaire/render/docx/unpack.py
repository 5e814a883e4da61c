"""The reference document as untrusted input: a regular file, read once, before python-docx
or lxml sees a byte of it.

A reference document comes from a user, and in CI from a pull request: a device or a pipe
would be read for ever or waited on, so only a regular file (or a link to one) is opened."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from ...errors import RenderError


def read_file(path: Path) -> bytes:
    """The bytes of the reference document, if it is a regular file. Its kind is asked of the
    path first (opening a device may do something), then again of the file opened, in case it
    was swapped in between; a pipe is opened without waiting for a writer."""
    try:
        refuse_kind(path, os.stat(path).st_mode)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
        with open(descriptor, "rb") as file:
            refuse_kind(path, os.fstat(descriptor).st_mode)
            return file.read()
    except OSError as exc:
        raise unreadable(path, exc) from None


def reference_sha256(path: Path) -> str:
    """The hash of a reference document for a build's manifest, read as :func:`read_file`
    reads it: a build refuses a reference once, before any letter."""
    return hashlib.sha256(read_file(path)).hexdigest()


def refuse_kind(path: Path, mode: int) -> None:
    """A RenderError unless ``mode`` is a regular file's."""
    if stat.S_ISREG(mode):
        return
    kinds = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a pipe"), (stat.S_ISSOCK, "a socket")]
    kind = next((name for test, name in kinds if test(mode)), "a device")
    raise RenderError(f"{path}: the reference document is {kind}, not a file")


def unreadable(path: Path, exc: OSError) -> RenderError:
    return RenderError(f"{path}: cannot read the reference document: {exc.strerror}")
