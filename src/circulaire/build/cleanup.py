"""Removing what a build no longer makes, and what a killed build left behind.

Files are removed only where an entry's reference puts them; a file whose bytes are no longer
the ones recorded (another letter's now) stays. The journal (``.circulaire-building``) names
every file before it is written: found by the next build, it tells that a build was killed."""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import CirculaireError, OutputError
from ..model import Reference
from ..output import cannot_write, output_path, write_atomic
from .clock import unchanged
from .lock import busy, hold
from .manifest import Entry, Stored, claimed, opened, read_manifests, reference_of
from .plan import Plan
from .settings import HTML_INDEX, INDEX, Settings, letter_of

TEMPORARY = re.compile(r"\A\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp\Z")
"""A file ``output.write_atomic`` had not yet renamed into place when its build was killed."""

Removed = tuple[str, str, list[str]]
"""(key, why, files removed)."""


@dataclass
class Journal:
    """The journal of this build, held open (and locked) while it runs."""

    path: Path
    interrupted: bool
    """Whether a killed build left it: what it wrote is then sorted out at the end."""
    fd: int | None = None

    def close(self) -> None:
        """Let go of the journal (and its lock), however the build ends."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def begin(plan: Plan) -> Journal:
    """Open the build's journal, or the one a killed build left, whose half-written files are
    then removed (the build adds to that journal). A journal another build holds is a live
    build's (a shard of the same archive, run twice at once): an error, and nothing touched."""
    settings = plan.settings
    building = settings.building
    try:
        mode: int | None = os.lstat(building).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise cannot_write(building, exc) from None
    if mode is not None and not stat.S_ISREG(mode):
        message = "not a file: circulaire keeps its journal there; remove it"
        raise CirculaireError(f"{building}: {message}")
    found = mode is not None
    journal = Journal(building, interrupted=found)
    if not found and not (plan.tasks or plan.gone or plan.dropped):
        return journal
    if not found:
        write_atomic(building, b"")  # the journal: a build killed again adds to its own
    try:
        journal.fd = os.open(building, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise cannot_write(building, exc) from None
    if not hold(journal.fd):
        os.close(journal.fd)
        raise busy(settings.output, building)
    if found:
        _remove_temporaries(settings.output, plan)
    return journal


def end(settings: Settings, journal: Journal, keep: bool) -> list[Removed]:
    """Remove what a killed build wrote that no letter claims, then the journal, unless the
    next build needs it (``keep``) to sort out what this one wrote."""
    removed = _remove_leftovers(settings) if journal.interrupted else []
    if not keep and (journal.interrupted or journal.fd is not None):
        settings.building.unlink(missing_ok=True)
    return removed


def remove_outputs(
    output: Path,
    value: Stored,
    formats: Iterable[str] | None = None,
    keep: Container[str] = (),
    recorded_only: bool = False,
) -> list[str]:
    """Delete an entry's files (every format, or ``formats``) where its reference puts them,
    and nowhere else, but for those in ``keep`` (``CL-21/27.md``) and, with ``recorded_only``,
    those whose bytes are no longer the ones the entry recorded; then its folder if empty.
    A file the system refuses to delete stays."""
    removed: list[str] = []
    try:
        entry = opened(value)
    except ValueError:
        return removed  # a damaged manifest line: nothing is known of its files
    if formats is None:
        outputs = entry.get("outputs")
        formats = list(outputs) if isinstance(outputs, dict) else []
    reference = Reference.parse(str(entry.get("reference", "")))
    if reference is None:
        return removed
    translation = entry.get("translation")
    for fmt in sorted(formats):
        try:
            path = output_path(reference, fmt, output, translation)
        except OutputError:
            continue
        relative = path.relative_to(output).as_posix()
        if relative in keep or (recorded_only and not _still_recorded(path, entry, fmt)):
            continue
        try:
            path.unlink()
            removed.append(relative)
        except OSError:
            pass
    with contextlib.suppress(OSError):
        (output / reference.folder).rmdir()
    return removed


def _still_recorded(path: Path, entry: Entry, fmt: str) -> bool:
    """Whether ``path`` holds the bytes an entry recorded for its ``fmt`` file."""
    outputs = entry.get("outputs")
    record = outputs.get(fmt) if isinstance(outputs, dict) else None
    if not isinstance(record, dict):
        return False
    return unchanged(str(path), record.get("size"), record.get("sha256"), stamp=0)[0]


def retire(
    output: Path, superseded: list[tuple[str, str, Stored]], entries: Mapping[str, Stored]
) -> list[Removed]:
    """Remove the files of superseded entries, and forget those entries: only files that
    still hold what the entry recorded (another letter, of this build or of another shard,
    may have written its own there since) and that no letter of the build claims."""
    if not superseded:
        return []
    kept = claimed(entries)
    removed = []
    for key, why, old in superseded:
        files = remove_outputs(output, old, keep=kept, recorded_only=True)
        if files:
            removed.append((key, why, files))
    superseded.clear()
    return removed


def _remove_leftovers(settings: Settings) -> list[Removed]:
    """After a killed build: delete the files its journal names (every letter's file was
    named there before it was written) that no manifest records. They are the files of a
    letter whose spec was deleted, or refiled, before this build: no later build would know
    of them."""
    from ..render import FORMATS

    try:
        journal = settings.building.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    output = settings.output
    recorded, _, _ = read_manifests(output)
    known = claimed({key: text for key, (text, _) in recorded.items()})
    found: dict[str, list[str]] = {}
    for relative in sorted(set(journal.splitlines()) - known):
        letter, _, fmt = relative.rpartition(".")
        reference, translation = Reference.parse(letter), None
        if reference is None:  # CL-21/27.en: a translation's file
            head, _, translation = letter.rpartition(".")
            reference = Reference.parse(head)
        if reference is None or fmt not in FORMATS:
            continue  # not a letter's file: a journal is never trusted further
        try:
            output_path(reference, fmt, output, translation).unlink()
        except (OutputError, OSError):
            continue
        found.setdefault(letter, []).append(relative)
    for letter in found:
        with contextlib.suppress(OSError):
            (output / letter).parent.rmdir()  # when they were its last files
    why = "written by a build that was killed, and no letter's now"
    return [(letter, why, files) for letter, files in sorted(found.items())]


def _remove_temporaries(output: Path, plan: Plan) -> None:
    """Delete what a killed build left half-written, in this build's folders and for its
    letters only (another shard may be writing beside it)."""
    folders: dict[str, set[str]] = {}
    for key in plan.letters:
        name = letter_of(key)
        folder, _, number = name.rpartition("/")
        folders.setdefault(folder, set()).add(number)
    for key, value in plan.previous.items():
        reference = Reference.parse(reference_of(key, value))
        if reference is not None:
            folders.setdefault(reference.folder, set()).add(reference.number)
    ours = {plan.settings.manifest.name, plan.settings.building.name}
    if plan.settings.shard is None:
        ours |= {INDEX, HTML_INDEX}
    folders.setdefault("", set())  # the manifest, the register
    for folder, numbers in folders.items():
        try:
            with os.scandir(output / folder) as names:
                for item in names:
                    match = TEMPORARY.match(item.name)
                    if match is None:
                        continue
                    name = match["name"]
                    if name.rsplit(".", 1)[0] in numbers or (not folder and name in ours):
                        Path(item.path).unlink(missing_ok=True)
        except (FileNotFoundError, NotADirectoryError):
            continue
