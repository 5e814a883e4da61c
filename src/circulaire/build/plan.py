"""Planning a build: the archive against the output folder's manifests, rendering nothing.

What is current is kept; what changed, or was never built, becomes a task; what is no longer
in the archive, or no longer asked for, is marked for removal."""

from __future__ import annotations

import os
import re
import time
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..discover import listed
from ..errors import CirculaireError, Problem
from ..output import cannot_write
from ..translation import NAME as TRANSLATION_NAME
from ..translation import language_of, original_of
from .clock import filesystem_time, unchanged
from .manifest import (
    Stored,
    build_inputs,
    current_entry,
    expected_stem,
    opened,
    read_manifests,
    without_spec,
)
from .settings import Settings, letter_of
from .stamp import Vouched, plain, vouching


@dataclass(frozen=True, slots=True)
class Task:
    """One letter to render: its key in the manifest, its spec, the formats to (re)build."""

    key: str
    spec: str
    formats: tuple[str, ...]
    letter: str = ""
    """The letter it renders, ``CL-21/27``: the spec's path in the archive, without suffix."""
    language: str | None = None
    """The language of the version it renders; None for a letter's original, whose spec says."""

    @classmethod
    def of(cls, key: str, spec: str, formats: tuple[str, ...]) -> Task:
        language = language_of(key)
        letter = letter_of(key)
        if language is not None:  # CL-21/27.en.yaml: the English version of CL-21/27
            letter = letter.removesuffix(f".{language}")
        return cls(key, spec, formats, letter, language)


@dataclass
class Plan:
    """The state of the output folder against the archive, found without rendering anything."""

    settings: Settings
    inputs: dict[str, Any]
    letters: dict[str, str]
    """Every spec of the build (of its shard) by key (``CL-21/27.yaml``), its path as the
    build names it (``letters/CL-21/27.yaml``)."""
    kept: dict[str, Stored]
    """Entries whose outputs are current; for a partly current letter, the current outputs."""
    tasks: list[Task]
    gone: dict[str, Stored]
    """Entries of letters that are no longer in the archive."""
    dropped: dict[str, list[str]]
    """Outputs of formats no longer asked for, by key."""
    previous: dict[str, Stored]
    checked: bool
    """Whether some file had to be hashed to be believed: the manifest is then rewritten, so
    that the next build trusts ``stat`` again."""
    manifests: list[Path]
    begun: int
    """When planning began, by the output folder's clock: files changed later are suspect."""
    register: tuple[Any, int] | None = None
    """The record of ``index.md`` in the manifest, with the manifest's mtime."""
    edited: set[str] = field(default_factory=set)
    """Letters whose spec is not the one their entry records: a checkpoint, dated to the
    build's start, must not vouch for that record while they wait to be rendered."""
    problems: list[Problem] = field(default_factory=list)
    """Folders of the archive that could not be listed, specs whose names are not UTF-8."""
    unread: set[str] = field(default_factory=set)
    """Letters last built from those folders: kept as they were."""
    started: float = field(default_factory=time.perf_counter)
    sizes: array[int] = field(default_factory=lambda: array("q"))
    """The size of each spec of ``letters`` as the listing found it, in their order (-1 for a
    link): what the stamp records (:mod:`.stamp`)."""

    def standing(self, key: str) -> Stored:
        """The old entry of a letter not rendered (yet), which stands for its files; without
        the record of its spec when that changed, so that the entry cannot vouch for it."""
        old = self.previous[key]
        return without_spec(old) if key in self.edited else old


def plan(settings: Settings) -> Plan:
    """Compare the archive with the output folder's manifests, reading only what changed.

    An archive with no spec at all is an error (a mistyped folder, an archive not checked
    out): building it would remove every letter's files."""
    source = settings.source
    if not source.is_dir():
        raise CirculaireError(f"{source}: not a folder of letter specs")
    try:
        settings.output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(settings.output, exc) from None
    # A folder where no file can be made (a read-only file system) keeps this machine's time.
    # Specs are looked at after it: one edited meanwhile is newer than the build's start.
    begun = filesystem_time(settings.output) or time.time_ns()
    inputs = build_inputs(settings)
    previous_stamped, manifests, register = read_manifests(settings.output)
    shard = settings.shard
    previous: dict[str, Stored] = {
        key: text
        for key, (text, _) in previous_stamped.items()
        if shard is None or shard.holds(key)
    }
    result = Plan(settings, inputs, {}, {}, [], {}, {}, previous, False, manifests, begun)
    result.register = register
    unread: list[Problem] = []
    result.problems = unread
    letters = result.letters
    shown = str(source)
    base = "" if shown == "." else shown + os.sep
    output = f"{settings.output}{os.sep}"
    filed = 0
    pattern = current_entry(settings.formats, inputs)
    stamp = _stamp(settings)
    translations: list[tuple[str, str, os.stat_result | None, tuple[str, int]]] = []
    for key, status in listed(source, unread):
        filed += 1
        if shard is not None and not shard.holds(key):
            continue
        spec = base + key
        letters[key] = spec
        result.sizes.append(-1 if status is None else status.st_size)
        found = previous_stamped.get(key)
        if found is None:
            result.tasks.append(Task.of(key, spec, settings.formats))
        elif stamp is not None and stamp.holds(key, status):
            if language_of(key) is None:
                result.kept[key] = found[0]  # as a no-op rebuild trusts it
            else:  # once every original is known
                translations.append((key, spec, status, found))
        else:
            _compare(result, key, spec, status, found, output, pattern)
    for key, spec, status, found in translations:
        original = _original_key(key, letters)
        if stamp is not None and original is not None and _held(stamp, original, base):
            result.kept[key] = found[0]
        else:
            _compare(result, key, spec, status, found, output, pattern)
    if unread and unread[0].file == shown:
        raise CirculaireError(str(unread[0]))
    if not filed and not unread:
        message = "no letter spec (.yaml, .yml) in this folder: nothing built, nothing removed"
        raise CirculaireError(f"{source}: {message}")
    # Letters in a folder that cannot be listed are not gone: they keep their entries as they
    # are, and their files, until the folder can be read again.
    hidden = _under(unread, source)
    for key, text in previous.items():
        if key not in letters and key.startswith(hidden):
            letters[key] = str(source / key)
            result.kept[key] = without_spec(text)  # no one looked at its spec: not vouched for
            result.unread.add(key)
    result.gone = {key: text for key, text in previous.items() if key not in letters}
    return result


def _stamp(settings: Settings) -> Vouched | None:
    """What the stamp of the last build still vouches for, for a build that a no-op rebuild
    could have been (see :mod:`.stamp`)."""
    if settings.force or not plain(settings):
        return None
    return vouching(str(settings.source), str(settings.output), settings.formats)


def _original_key(key: str, letters: dict[str, str]) -> str | None:
    """The key of a translation's original among the letters listed, found as
    :func:`~circulaire.translation.original_of` finds its file."""
    folder, _, name = key.rpartition("/")
    match = TRANSLATION_NAME.match(name)
    if match is None:
        return None
    prefix = f"{folder}/" if folder else ""
    for suffix in dict.fromkeys((match["suffix"], ".yaml", ".yml")):
        if f"{prefix}{match['stem']}{suffix}" in letters:
            return f"{prefix}{match['stem']}{suffix}"
    return None


def _held(stamp: Vouched, key: str, base: str) -> bool:
    try:
        return stamp.holds(key, os.lstat(base + key))
    except OSError:
        return False


def _compare(
    result: Plan,
    key: str,
    spec: str,
    listed: os.stat_result | None,
    found: tuple[str, int],
    output: str,
    pattern: re.Pattern[str] | None = None,
) -> None:
    """A letter the manifests know: kept, or a task for what changed (every format, or the
    outputs missing). ``pattern``: an entry as this build would write it
    (:func:`.manifest.current_entry`), read without opening it."""
    settings, inputs = result.settings, result.inputs
    formats = settings.formats
    text, stamp = found
    if (
        pattern is not None
        and not settings.force
        and _current(result, pattern, key, spec, listed, found, output)
    ):
        return
    try:
        entry = opened(text)
    except ValueError:
        entry = {}
    outputs = entry.get("outputs")
    if isinstance(outputs, dict):
        dropped = sorted(fmt for fmt in outputs if fmt not in formats)
        if dropped:
            result.dropped[key] = dropped
    if settings.force or (entry.get("draft") and not settings.draft):
        result.tasks.append(Task.of(key, spec, formats))
        return
    spec_record = entry.get("spec")
    if not isinstance(outputs, dict) or not isinstance(spec_record, dict):
        result.tasks.append(Task.of(key, spec, formats))
        return
    size, digest = spec_record.get("size"), spec_record.get("sha256")
    same, hashed = unchanged(spec, size, digest, stamp, listed)
    result.checked |= hashed
    if same and language_of(key) is not None:  # and its original, that it is made with
        original = entry.get("original")
        same, hashed = (False, False)
        if isinstance(original, dict):
            same, hashed = unchanged(
                str(original_of(Path(spec))), original.get("size"), original.get("sha256"), stamp
            )
        result.checked |= hashed
    if not same:
        result.edited.add(key)
    if not same or any(entry.get(name) != value for name, value in inputs.items()):
        result.tasks.append(Task.of(key, spec, formats))
        return
    current: dict[str, Any] = {}
    stem = expected_stem(entry)
    for fmt in formats:
        record = outputs.get(fmt)
        expected = f"{stem}.{fmt}"
        if not isinstance(record, dict) or stem is None or record.get("file") != expected:
            continue
        same, hashed = unchanged(output + expected, record.get("size"), record.get("sha256"), stamp)
        result.checked |= hashed
        if same:
            current[fmt] = record
    missing = tuple(fmt for fmt in formats if fmt not in current)
    whole = not missing and key not in result.dropped
    result.kept[key] = text if whole else {**entry, "outputs": current}
    if missing:
        result.tasks.append(Task.of(key, spec, missing))


def _current(
    result: Plan,
    pattern: re.Pattern[str],
    key: str,
    spec: str,
    listed: os.stat_result | None,
    found: tuple[str, int],
    output: str,
) -> bool:
    """Whether the letter's entry is one this build would write, its spec and every output
    the ones it records: then it is kept, and True. False leaves the letter to be opened."""
    text, stamp = found
    match = pattern.fullmatch(text)
    if match is None or language_of(key) is not None:
        return False
    same, hashed = unchanged(spec, int(match["spec_size"]), match["spec_sha256"], stamp, listed)
    result.checked |= hashed
    if not same:
        return False
    reference = match["reference"]
    for fmt in result.settings.formats:
        if match[f"{fmt}_file"] != reference:
            return False
        size, digest = int(match[f"{fmt}_size"]), match[f"{fmt}_sha256"]
        same, hashed = unchanged(f"{output}{reference}.{fmt}", size, digest, stamp)
        result.checked |= hashed
        if not same:
            return False
    result.kept[key] = text
    return True


def _under(unread: list[Problem], source: Path) -> tuple[str, ...]:
    """The keys' beginnings (``CL-21/``) of the folders that could not be listed."""
    return tuple(
        os.path.relpath(problem.file, source).replace(os.sep, "/") + "/"
        for problem in unread
        if os.path.isdir(problem.file)
    )
