"""Building a whole archive: find the specs, render what changed in parallel, keep the register.

The output folder holds a manifest (``.circulaire-manifest.json``) recording, per letter, the
hashes of what its outputs were built from (spec, template set, reference document, version)
and of the outputs themselves. It holds no time and no absolute path, so two builds of one
archive are byte-identical. A no-op rebuild trusts ``stat``: a file unchanged in size and not
changed since the manifest was written (its ctime, which no tool can set back, is older than
the manifest's mtime) is not read; anything else is hashed before it is believed.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import stat
import sys
import time
import zlib
from collections.abc import Callable, Container, Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .discover import specs
from .errors import (
    CirculaireError,
    OutputError,
    Problem,
    RenderError,
    SpecError,
    UnprintableText,
)
from .model import REFERENCE_PATTERN, Reference
from .output import OutputFolder, cannot_write, output_path, write_atomic

MANIFEST = ".circulaire-manifest.json"
"""The manifest of an unsharded build; a shard writes ``.circulaire-manifest.K-of-N.json``."""
INDEX = "index.md"
BUILDING = ".circulaire-building"
"""Present while a build writes, and its journal: the name of every file, written down before
the file. Found by the next build, it tells that a build was killed, and what it wrote."""
MANIFEST_VERSION = 1
CHECKPOINT_SECONDS = 2.0
"""The shortest pause between two saves of the manifest in a long build: a killed build loses
a few seconds of work."""

_MANIFEST_NAME = re.compile(r"^\.circulaire-manifest(?:\.([0-9]+)-of-([0-9]+))?\.json$")
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")
"""A file ``output.write_atomic`` had not yet renamed into place when its build was killed."""
_CHUNK_MAX = 64

Entry = dict[str, Any]
"""One letter in the manifest: what it says (for the register), what it was built from, and
the files built."""
Stored = Entry | str
"""An entry, or its JSON text as the manifest holds it: a build of 10,000 letters keeps the
text (a few hundred bytes) and opens an entry only when it needs one."""
Progress = Callable[[int, int], None]
"""Called with (letters done, letters to render) as a build goes."""


@dataclass(frozen=True)
class Shard:
    """Shard K of N: the letters whose key (``CL-21/27``) hashes to K-1 modulo N.

    CRC-32 of the spec's path in the archive is stable across machines and runs, and a letter
    keeps its shard when others are added or removed."""

    number: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = re.fullmatch(r"\s*([0-9]+)\s*/\s*([0-9]+)\s*", text)
        if not match:
            raise ValueError(f"'{text}' is not K/N (such as 1/4)")
        number, count = int(match[1]), int(match[2])
        if count < 1 or not 1 <= number <= count:
            raise ValueError(f"'{text}': K must be between 1 and N")
        return cls(number, count)

    def holds(self, key: str) -> bool:
        return zlib.crc32(_shard_key(key).encode("utf-8")) % self.count == self.number - 1

    @property
    def suffix(self) -> str:
        return f".{self.number}-of-{self.count}"

    @property
    def manifest(self) -> str:
        return f".circulaire-manifest{self.suffix}.json"

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"


@dataclass(frozen=True)
class Settings:
    """What a build is asked to do."""

    source: Path
    """The archive folder (``letters/``)."""
    output: Path
    """The output folder (``dist/``); nothing is written outside it."""
    formats: tuple[str, ...]
    templates: Path | None = None
    reference_docx: Path | None = None
    shard: Shard | None = None
    force: bool = False

    @property
    def manifest(self) -> Path:
        return self.output / (self.shard.manifest if self.shard else MANIFEST)

    @property
    def building(self) -> Path:
        return self.output / (BUILDING + (self.shard.suffix if self.shard else ""))


@dataclass(frozen=True)
class Task:
    """One letter to render: its key in the manifest, its spec, the formats to (re)build."""

    key: str
    spec: str
    formats: tuple[str, ...]


@dataclass
class Result:
    """What a worker made of a task: the letter's entry, or the problems that stopped it."""

    key: str
    entry: Entry | None = None
    problems: list[Problem] = field(default_factory=list)
    lost: bool = False
    """Not rendered for a reason outside its spec (a worker died, the system would not let the
    spec be read): the letter's old files and entry stand."""


@dataclass
class Plan:
    """The state of the output folder against the archive, found without rendering anything."""

    settings: Settings
    inputs: dict[str, Any]
    letters: dict[str, Path]
    """Every spec of the build (of its shard) by key, its path in the archive: CL-21/27.yaml."""
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


@dataclass
class Outcome:
    """What a build did, for the summary line and the exit code."""

    built: list[str] = field(default_factory=list)
    """Keys of the letters rendered."""
    files: int = 0
    unchanged: int = 0
    removed: list[tuple[str, str, list[str]]] = field(default_factory=list)
    """(key, why, files removed)."""
    dropped: list[str] = field(default_factory=list)
    """Files of formats no longer asked for, removed."""
    problems: list[Problem] = field(default_factory=list)
    failed: int = 0
    unread: int = 0
    """Folders that could not be listed, specs whose names are not UTF-8."""
    seconds: float = 0.0

    @property
    def return_code(self) -> int:
        """0 when every letter built, 1 when one failed or a folder could not be read."""
        return 1 if self.failed or self.unread else 0

    def summary(self) -> str:
        built, files = len(self.built), self.files
        unread = f", {self.unread} not read" if self.unread else ""
        return (
            f"built {built} letter{'s' * (built != 1)} ({files} file{'s' * (files != 1)}),"
            f" {self.unchanged} unchanged, {len(self.removed)} removed, {self.failed} failed"
            f"{unread} in {self.seconds:.1f} s"
        )


# -- hashing and the manifest -------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def template_set(templates: Path | None) -> str:
    """One hash over every file of the effective template set: a user's folder, then the
    packaged one (templates, reference document, fonts), by relative path and content."""
    from .templating import packaged_templates

    digest = hashlib.sha256()
    folders = [("user", templates)] if templates is not None else []
    folders.append(("packaged", packaged_templates()))
    for label, folder in folders:
        assert folder is not None
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = path.relative_to(folder).as_posix()
            if any(part.startswith(".") or part == "__pycache__" for part in relative.split("/")):
                continue
            digest.update(f"{label}/{relative}\0".encode())
            digest.update(_file_sha256(path).encode() + b"\0")
    return digest.hexdigest()


def code() -> str:
    """One hash over circulaire's own modules: a renderer changed in a checkout (where the
    version stays the same) rebuilds what it renders."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(f"{path.relative_to(package).as_posix()}\0".encode())
        digest.update(_file_sha256(path).encode() + b"\0")
    return digest.hexdigest()


def build_inputs(settings: Settings) -> dict[str, Any]:
    """What every output is built from besides its spec; a change rebuilds every letter."""
    docx = settings.reference_docx
    try:
        reference_docx = _file_sha256(docx) if docx is not None else None
    except OSError as exc:  # as render says it
        raise RenderError(f"{docx}: cannot read the reference document: {exc.strerror}") from None
    return {
        "templates": template_set(settings.templates),
        "reference_docx": reference_docx,
        "version": __version__,
        "code": code(),
    }


def manifest_bytes(
    settings: Settings, letters: dict[str, Stored], register: Entry | None = None
) -> bytes:
    """The manifest: sorted keys, no time, no absolute path, so the same archive gives the same
    bytes. One letter a line, so that a diff of two manifests reads letter by letter."""
    return b"".join(manifest_lines(settings, letters, register))


def manifest_lines(
    settings: Settings, letters: dict[str, Stored], register: Entry | None = None
) -> Iterator[bytes]:
    """:func:`manifest_bytes` a line at a time: a build writes its manifest without holding
    a copy of it whole."""
    shard = str(settings.shard) if settings.shard else None
    formats = _json(list(settings.formats))
    yield f'{{"formats": {formats}, "index": {_json(register)}, "letters": {{'.encode()
    separator = b"\n"
    for key in sorted(letters):
        yield separator + f"{_json(key)}: {_text(letters[key])}".encode()
        separator = b",\n"
    yield f'\n}}, "manifest": {MANIFEST_VERSION}, "shard": {_json(shard)}}}\n'.encode()


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def _text(value: Stored) -> str:
    return value if isinstance(value, str) else _json(value)


def _open(value: Stored) -> Entry:
    entry = json.loads(value) if isinstance(value, str) else value
    return entry if isinstance(entry, dict) else {}


def _manifest_letters(data: bytes) -> tuple[dict[str, Any], dict[str, str]]:
    """A manifest's head (all but its letters) and its letters as JSON texts, read line by
    line as :func:`manifest_bytes` writes them, so that 10,000 entries are not all opened at
    once; any other layout of valid JSON is read whole."""
    text = data.decode("utf-8")
    lines = text.split("\n")
    letters: dict[str, str] = {}
    try:
        head = json.loads(lines[0] + "}}")
        tail = json.loads('{"letters": {' + lines[-2])
        for line in lines[1:-2]:
            key, _, value = line.rstrip(",").partition(": ")
            letters[json.loads(key)] = value
        if lines[-1] != "" or head.get("letters") != {} or tail.get("letters") != {}:
            raise ValueError("not one letter a line")
        return {**head, **tail}, letters
    except (ValueError, IndexError, TypeError):
        document = json.loads(text)
        whole = document.get("letters")
        if not isinstance(whole, dict):
            raise ValueError("no letters") from None
        return document, {key: _json(entry) for key, entry in whole.items()}


def _read_manifests(
    output: Path,
) -> tuple[dict[str, tuple[str, int]], list[Path], tuple[Any, int] | None]:
    """Every manifest in the output folder (the unsharded one and any shard's), merged: for a
    letter in several, the entry of the newest. Each entry comes with its manifest's mtime;
    then the manifests found, and the record of ``index.md`` in the unsharded one."""
    found: list[tuple[int, Path]] = []
    try:
        with os.scandir(output) as names:
            for item in names:
                if _MANIFEST_NAME.match(item.name) and item.is_file():
                    found.append((item.stat().st_mtime_ns, Path(item.path)))
    except FileNotFoundError:
        return {}, [], None
    merged: dict[str, tuple[str, int]] = {}
    register: tuple[Any, int] | None = None
    for stamp, path in sorted(found):
        try:
            head, letters = _manifest_letters(path.read_bytes())
            if head.get("manifest") != MANIFEST_VERSION:
                continue
        except (OSError, ValueError, UnicodeDecodeError):
            continue  # an unreadable manifest only costs a rebuild
        if path.name == MANIFEST and isinstance(head.get("index"), dict):
            register = (head["index"], stamp)
        for key, text in letters.items():
            merged[key] = (text, stamp)
    return merged, [path for _, path in sorted(found)], register


# -- planning: what is current, what must be rendered --------------------------------------------


def _shard_key(key: str) -> str:
    """``CL-21/27.yaml`` -> ``CL-21/27``: the letter, whatever its spec's suffix."""
    return key.rsplit(".", 1)[0]


def _unchanged(path: str, size: Any, sha256: Any, stamp: int) -> tuple[bool, bool]:
    """(is the file the one recorded, did it have to be hashed to tell)."""
    try:
        st, changed = _status(path)
    except OSError:
        return False, False
    if st.st_size != size:
        return False, False
    if changed < stamp:
        return True, False
    try:
        return _file_sha256(Path(path)) == sha256, True
    except OSError:
        return False, True


def _status(path: str | Path) -> tuple[os.stat_result, int]:
    """A file's status, and when it last changed (its mtime or its ctime, which no tool can
    set back). A link changes with its target and with itself: pointed at another file, it is
    read again."""
    st = os.lstat(path)
    changed = max(st.st_mtime_ns, st.st_ctime_ns)
    if stat.S_ISLNK(st.st_mode):
        st = os.stat(path)
        changed = max(changed, st.st_mtime_ns, st.st_ctime_ns)
    return st, changed


def _expected_stem(entry: Entry) -> str | None:
    """Where an entry's reference puts its files, ``CL-21/27`` (a hand-edited manifest is not
    trusted to say)."""
    reference = Reference.parse(str(entry.get("reference", "")))
    return None if reference is None else f"{reference.folder}/{reference.number}"


def _keys(source: Path, unread: list[Problem]) -> dict[str, Path]:
    """Every spec under ``source`` by its key, its path in the archive (``CL-21/27.yaml``);
    folders that cannot be listed go into ``unread``. An archive with no spec at all is an
    error (a mistyped folder, an archive not checked out): building it would remove every
    letter's files."""
    if not source.is_dir():
        raise CirculaireError(f"{source}: not a folder of letter specs")
    prefix = str(source)
    skip = 0 if prefix == "." else len(prefix) + 1
    keys = {str(path)[skip:].replace(os.sep, "/"): path for path in specs([source], unread)}
    if unread and unread[0].file == prefix:
        raise CirculaireError(str(unread[0]))
    if not keys and not unread:
        message = "no letter spec (.yaml, .yml) in this folder: nothing built, nothing removed"
        raise CirculaireError(f"{source}: {message}")
    return keys


def _under(unread: list[Problem], source: Path) -> tuple[str, ...]:
    """The keys' beginnings (``CL-21/``) of the folders that could not be listed."""
    return tuple(
        os.path.relpath(problem.file, source).replace(os.sep, "/") + "/"
        for problem in unread
        if os.path.isdir(problem.file)
    )


def plan(settings: Settings) -> Plan:
    """Compare the archive with the output folder's manifests, reading only what changed."""
    unread: list[Problem] = []
    filed = _keys(settings.source, unread)
    try:
        settings.output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(settings.output, exc) from None
    begun = _filesystem_now(settings.output)
    inputs = build_inputs(settings)
    previous_stamped, manifests, register = _read_manifests(settings.output)
    shard = settings.shard
    letters = {key: path for key, path in filed.items() if shard is None or shard.holds(key)}
    output = str(settings.output)
    previous: dict[str, Stored] = {
        key: text
        for key, (text, _) in previous_stamped.items()
        if shard is None or shard.holds(key)
    }
    result = Plan(settings, inputs, letters, {}, [], {}, {}, previous, False, manifests, begun)
    result.register = register
    result.problems = unread
    # Letters in a folder that cannot be listed are not gone: they keep their entries as they
    # are, and their files, until the folder can be read again.
    hidden = _under(unread, settings.source)
    for key, text in previous.items():
        if key not in letters and key.startswith(hidden):
            letters[key] = settings.source / key
            result.kept[key] = _without_spec(text)  # no one looked at its spec: not vouched for
            result.unread.add(key)
    result.gone = {key: text for key, text in previous.items() if key not in letters}
    for key, spec in letters.items():
        if key in result.unread:
            continue
        found = previous_stamped.get(key)
        formats = settings.formats
        if found is None:
            result.tasks.append(Task(key, str(spec), formats))
            continue
        try:
            entry, stamp = _open(found[0]), found[1]
        except ValueError:
            entry, stamp = {}, found[1]
        outputs = entry.get("outputs")
        if isinstance(outputs, dict):
            dropped = sorted(fmt for fmt in outputs if fmt not in formats)
            if dropped:
                result.dropped[key] = dropped
        if settings.force:
            result.tasks.append(Task(key, str(spec), formats))
            continue
        spec_record = entry.get("spec")
        if not isinstance(outputs, dict) or not isinstance(spec_record, dict):
            result.tasks.append(Task(key, str(spec), formats))
            continue
        same, hashed = _unchanged(
            str(spec), spec_record.get("size"), spec_record.get("sha256"), stamp
        )
        result.checked |= hashed
        if not same:
            result.edited.add(key)
        if not same or any(entry.get(name) != value for name, value in inputs.items()):
            result.tasks.append(Task(key, str(spec), formats))
            continue
        current: dict[str, Any] = {}
        stem = _expected_stem(entry)
        for fmt in formats:
            record = outputs.get(fmt)
            expected = f"{stem}.{fmt}"
            if not isinstance(record, dict) or stem is None or record.get("file") != expected:
                continue
            same, hashed = _unchanged(
                f"{output}/{expected}", record.get("size"), record.get("sha256"), stamp
            )
            result.checked |= hashed
            if same:
                current[fmt] = record
        missing = tuple(fmt for fmt in formats if fmt not in current)
        whole = not missing and key not in result.dropped
        result.kept[key] = found[0] if whole else {**entry, "outputs": current}
        if missing:
            result.tasks.append(Task(key, str(spec), missing))
    return result


# -- rendering, in worker processes ---------------------------------------------------------------


def _facts(letter: Any) -> Entry:
    """What the register shows of a letter."""
    return {
        "reference": letter.reference,
        "date": letter.date.isoformat(),
        "subject": letter.subject,
        "signatories": [signatory.name for signatory in letter.signatories],
    }


def render_task(
    task: Task,
    folder: OutputFolder,
    templates: Path | None,
    reference_docx: Path | None,
    journal: int | None = None,
) -> Result:
    """Load, validate and render one letter, then write its files: all of them or none.
    Their names go first into the build's ``journal`` (an open file), should it be killed."""
    from .render import RenderOptions, renderer
    from .source import UnreadableSpec, parse, read_bytes, unprintable
    from .validate import validate

    spec = Path(task.spec)
    try:
        data = read_bytes(spec)  # read once: the hash recorded is of the text rendered
        letter = validate(parse(data, spec))
        reference = letter.parsed_reference
        options = RenderOptions(templates, reference_docx)
        rendered = {fmt: renderer(fmt)(letter, options) for fmt in task.formats}
        paths = {fmt: folder.path(reference, fmt) for fmt in task.formats}
    except UnreadableSpec as exc:  # the letter may be fine: its files stand
        return Result(task.key, problems=list(exc.problems), lost=True)
    except UnprintableText as exc:
        return Result(task.key, problems=[unprintable(spec, exc)])
    except SpecError as exc:
        return Result(task.key, problems=list(exc.problems))
    except (CirculaireError, OSError) as exc:
        return Result(task.key, problems=[Problem(task.spec, message=str(exc), code="E900")])
    except Exception as exc:  # a renderer's bug must not stop the other letters of the archive
        message = f"internal error, please report it: {type(exc).__name__}: {exc}"
        return Result(task.key, problems=[Problem(task.spec, message=message, code="E999")])
    outputs: dict[str, Any] = {}
    files = {fmt: f"{reference.folder}/{path.name}" for fmt, path in paths.items()}
    try:
        if journal is not None:
            os.write(journal, "".join(f"{file}\n" for file in files.values()).encode())
        for fmt, content in rendered.items():
            write_atomic(paths[fmt], content, durable=False)
            outputs[fmt] = {
                "file": files[fmt],
                "sha256": _sha256(content),
                "size": len(content),
            }
    except (OutputError, OSError) as exc:  # OSError: the journal
        for fmt in outputs:  # none of them, then: no manifest will record them
            with contextlib.suppress(OSError):
                paths[fmt].unlink()
        return Result(task.key, problems=[Problem(task.spec, message=str(exc), code="E900")])
    entry = {
        **_facts(letter),
        "spec": {"sha256": _sha256(data), "size": len(data)},
        "outputs": outputs,
    }
    return Result(task.key, entry)


def _render_chunk(
    tasks: list[Task],
    output: Path,
    templates: Path | None,
    reference_docx: Path | None,
    journal: Path | None = None,
) -> list[Result]:
    folder = OutputFolder(output)  # for a chunk: a folder replaced meanwhile is checked anew
    try:
        fd = None if journal is None else os.open(journal, os.O_WRONLY | os.O_APPEND)
    except OSError:
        fd = None  # no journal: a killed build's files are then found by their letters only
    try:
        return [render_task(task, folder, templates, reference_docx, fd) for task in tasks]
    finally:
        if fd is not None:
            os.close(fd)


def _chunks(tasks: list[Task], jobs: int) -> list[list[Task]]:
    """Enough chunks to keep every worker busy to the end, few enough to amortize the pool.

    Each chunk holds letters of one folder, and the folders take turns: workers that write
    into one folder at once queue for its lock (every file created or renamed takes it), so
    two workers are kept in two folders while the archive has two. The last chunks are
    smaller, so that the workers finish together."""
    size = max(1, min(_CHUNK_MAX, len(tasks) // (jobs * 8)))
    by_folder: dict[str, list[Task]] = {}
    for task in tasks:
        by_folder.setdefault(task.key.rpartition("/")[0], []).append(task)
    queues = [_pieces(letters, size) for letters in by_folder.values()]
    for queue in queues:
        queue[-jobs:] = [p for chunk in queue[-jobs:] for p in _pieces(chunk, max(1, size // 4))]
    return [chunk for turn in itertools.zip_longest(*queues) for chunk in turn if chunk]


def _pieces(tasks: list[Task], size: int) -> list[list[Task]]:
    return [tasks[start : start + size] for start in range(0, len(tasks), size)]


# -- the build -----------------------------------------------------------------------------------


def build(settings: Settings, jobs: int | None = None, progress: Progress | None = None) -> Outcome:
    """Bring the output folder up to date with the archive; see :func:`plan` and :func:`run`."""
    return run(plan(settings), jobs, progress)


def run(plan: Plan, jobs: int | None = None, progress: Progress | None = None) -> Outcome:
    """Remove what is gone, render what changed (in ``jobs`` processes), then save the manifest
    and the register. Every file lands by an atomic rename; the manifest is saved every few
    seconds, so a killed build resumes where it stopped."""
    settings = plan.settings
    output = settings.output
    outcome = Outcome(problems=list(plan.problems), unread=len(plan.problems))
    begun = plan.begun
    building = settings.building
    interrupted = building.exists()
    if interrupted:
        _remove_temporaries(output, plan)
    elif plan.tasks or plan.gone or plan.dropped:
        write_atomic(building, b"")  # the journal: a build killed again adds to its own
    pending = _task_keys(plan)
    """Letters not rendered yet: their old entries still stand for their files."""
    entries: dict[str, Stored] = {
        key: entry for key, entry in plan.kept.items() if key not in pending
    }
    outcome.unchanged = len(entries)
    changed = plan.checked or plan.previous.keys() != plan.letters.keys()
    changed |= [path.name for path in plan.manifests] != [settings.manifest.name]
    for key, text in sorted(plan.gone.items()):
        outcome.removed.append((key, "its spec is gone", _remove_outputs(output, text)))
    for key, formats in sorted(plan.dropped.items()):
        outcome.dropped.extend(_remove_outputs(output, plan.previous[key], formats))
        changed = True

    last_checkpoint = time.monotonic()
    pause = CHECKPOINT_SECONDS  # grows with the manifest, so that saving it stays under 5 %
    done = 0
    written: dict[str, int] = {}
    """Files written for each letter built, so that a letter failed afterwards is not counted."""
    rows: dict[str, Row] = {}
    """The register's lines of the letters built, made while the workers render."""
    lost = False
    """Whether a letter went unrendered for a reason outside its spec; what a dying worker
    wrote is then left in the journal for the next build to sort out."""
    superseded: list[tuple[str, str, Stored]] = []
    """Entries whose files may now be no letter's: of a letter that failed, or that its new
    reference files elsewhere. Removed at each save of the manifest (see :func:`_retire`)."""

    def checkpoint() -> None:
        """Save what is done, and the old entries of letters still to render, which stand for
        their files until then: a build killed next knows of every file."""
        _retire(output, superseded, entries, outcome)
        standing = {key: _standing(plan, key) for key in pending if key in plan.previous}
        _save_manifest(settings, {**standing, **entries}, None, stamp=begun)

    total = len(plan.tasks)
    if progress is not None:
        progress(0, total)
    try:
        for result in _results(plan, jobs):
            done += 1
            if progress is not None:
                progress(done, total)
            changed = True
            pending.discard(result.key)
            old = plan.previous.get(result.key)
            if result.entry is None:
                outcome.failed += 1
                outcome.problems.extend(result.problems)
                lost |= result.lost
                if old is not None and result.lost:
                    entries[result.key] = _standing(plan, result.key)
                elif old is not None:
                    superseded.append((result.key, "its spec failed", old))
                continue
            if old is not None and _reference(result.key, old) != result.entry["reference"]:
                superseded.append((result.key, "its reference changed", old))
            kept = _open(plan.kept.get(result.key, {})).get("outputs", {})
            entry = {**result.entry, **plan.inputs}
            entry["outputs"] = {**kept, **result.entry["outputs"]}
            entries[result.key] = _json(entry)
            rows[result.key] = register_row(entry, settings.formats)
            outcome.built.append(result.key)
            written[result.key] = len(result.entry["outputs"])
            outcome.files += written[result.key]
            if time.monotonic() - last_checkpoint > pause:
                saving = time.monotonic()
                checkpoint()
                last_checkpoint = time.monotonic()
                pause = max(CHECKPOINT_SECONDS, 20 * (last_checkpoint - saving))
    except KeyboardInterrupt:  # keep what is done: the next build starts from there
        checkpoint()
        raise

    for key, clash in _clashes(entries, plan.letters):
        changed = True
        clashing = entries.pop(key)
        if key in outcome.built:
            outcome.built.remove(key)
            outcome.files -= written[key]
        else:
            outcome.unchanged -= 1
        outcome.failed += 1
        outcome.problems.append(_reference_problem(plan.letters[key], clash))
        _remove_outputs(output, clashing)
    _retire(output, superseded, entries, outcome)

    manifest = settings.manifest
    register = None if settings.shard else output / INDEX
    if outcome.built:
        _past_last_write(output)  # before looking for specs changed meanwhile: see there
    # The manifest vouches for what was there before the specs are looked at, not when it is
    # written (a sync may take seconds): a spec saved meanwhile is newer, so it is read again.
    vouched = _filesystem_time(output)
    for key in _changed_while_building(plan, entries):
        # Its spec changed after it was read: the entry keeps its files, not its spec, so
        # that the next build renders it.
        entries[key] = _without_spec(entries[key])
        changed = True
    if changed or settings.force:
        record = None
        if register is not None:
            data = index(entries, settings.formats, rows)
            _write_if_changed(register, data)
            record = {"sha256": _sha256(data), "size": len(data)}
        _save_manifest(settings, entries, record, stamp=vouched)
        for other in plan.manifests:
            if other.name != manifest.name and settings.shard is None:
                other.unlink(missing_ok=True)
    elif register is not None:
        known = plan.register
        same = (
            known is not None
            and _unchanged(str(register), known[0].get("size"), known[0].get("sha256"), known[1])[0]
        )
        if not same:
            _write_if_changed(register, index(entries, settings.formats))
    if interrupted:
        outcome.removed.extend(_remove_leftovers(settings))
    if not lost:
        building.unlink(missing_ok=True)
    outcome.problems.sort()
    outcome.built.sort()
    outcome.seconds = time.perf_counter() - plan.started
    return outcome


def _standing(plan: Plan, key: str) -> Stored:
    """The old entry of a letter not rendered (yet), which stands for its files; without the
    record of its spec when that changed, so that the entry cannot vouch for it."""
    old = plan.previous[key]
    return _without_spec(old) if key in plan.edited else old


def _without_spec(value: Stored) -> Stored:
    """An entry without the record of its spec, which the next build then renders."""
    try:
        entry = _open(value)
    except ValueError:
        return value  # a damaged line is rendered anyway
    return {name: part for name, part in entry.items() if name != "spec"}


def _task_keys(plan: Plan) -> set[str]:
    return {task.key for task in plan.tasks}


def _results(plan: Plan, jobs: int | None) -> Iterator[Result]:
    """Render the plan's tasks, in this process or in a pool; results come as chunks finish."""
    settings = plan.settings
    tasks = plan.tasks
    if not tasks:
        return
    jobs = max(1, jobs or os.cpu_count() or 1)
    chunks = _chunks(tasks, jobs)
    arguments = (settings.output, settings.templates, settings.reference_docx, settings.building)
    if jobs == 1 or len(chunks) == 1:
        thresholds = _collect_less()
        try:
            for chunk in chunks:
                yield from _render_chunk(chunk, *arguments)
        finally:
            _collect_as_before(thresholds)
        return
    context = _worker_context(settings.formats)
    with _reading_ahead(task.spec for chunk in chunks for task in chunk):
        unfinished = yield from _in_pool(min(jobs, len(chunks)), context, chunks, arguments)
        if unfinished:  # once more, in new workers: the system may have killed one for memory
            unfinished = yield from _in_pool(
                min(jobs, len(unfinished)), context, unfinished, arguments
            )
    message = "a worker process died while rendering this letter: its files are kept as they were"
    for chunk in unfinished:
        for task in chunk:
            yield Result(task.key, problems=[Problem(task.spec, message=message)], lost=True)


def _worker_context(formats: Iterable[str]) -> Any:
    """Where workers come from: a fork server, a fresh process, so that no thread of the build
    (Typst's, after a PDF rendered here) is forked half-held, and that imports the renderers
    once for every worker."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_modules(formats))
    return context


def start_workers_early(settings: Settings, jobs: int | None = None) -> None:
    """A build with no manifest yet (a first build) or ``--force`` renders every letter: start
    the fork server its workers come from before planning, so that it imports the renderers
    on another core while the build lists the archive. Any other build starts it only if it
    has letters to render."""
    if max(1, jobs or os.cpu_count() or 1) == 1:
        return
    try:
        if not settings.force and settings.manifest.exists():
            return
    except OSError:
        return
    if _worker_context(settings.formats).get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    with contextlib.suppress(OSError):  # the pool reports it, when it starts
        forkserver.ensure_running()


def _in_pool(
    jobs: int, context: Any, chunks: list[list[Task]], arguments: tuple[Any, ...]
) -> Generator[Result, None, list[list[Task]]]:
    """The results of ``chunks`` as they finish, in a pool of ``jobs`` workers; then the chunks
    left unfinished when a worker died (killed, out of memory), which stops the whole pool."""
    pool, pending = _start_pool(jobs, context, chunks, arguments)
    unfinished: list[list[Task]] = []
    try:
        while pending and not unfinished:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                chunk = pending.pop(future)
                try:
                    results = future.result()
                except BrokenProcessPool:
                    unfinished.append(chunk)
                    continue
                yield from results
        for future, chunk in pending.items():  # done before the pool broke, or lost with it
            if future.done() and not future.cancelled() and future.exception() is None:
                yield from future.result()
            else:
                unfinished.append(chunk)
        return unfinished
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_pool(
    jobs: int, context: Any, chunks: list[list[Task]], arguments: tuple[Any, ...]
) -> tuple[ProcessPoolExecutor, dict[Future[list[Result]], list[Task]]]:
    """A pool of ``jobs`` workers, with every chunk submitted (the first submit starts them).
    A system that will not start them (no process left, a helper process of Python's that
    cannot run) is an error saying so, not a build that stops without a word."""
    pool = None
    try:
        pool = ProcessPoolExecutor(
            jobs, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
        )
        return pool, {pool.submit(_render_chunk, chunk, *arguments): chunk for chunk in chunks}
    except OSError as exc:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        raise CirculaireError(f"cannot start worker processes ({exc}): try --jobs 1") from None


@contextlib.contextmanager
def _reading_ahead(paths: Iterable[str]) -> Iterator[None]:
    """Ask the system, from a thread, to start reading the specs in the order the workers will
    take them, while the workers start: an archive not read for a while lies on disk, not in
    memory, and each worker would otherwise wait for its letters one at a time. The thread
    stops with the block."""
    import threading

    stop = threading.Event()

    def advise() -> None:
        for path in paths:
            if stop.is_set():
                return
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue  # its worker reports it
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
            except OSError:
                pass
            finally:
                os.close(fd)

    if not hasattr(os, "posix_fadvise"):
        yield
        return
    thread = threading.Thread(target=advise, name="read-ahead", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _start_worker(build: int) -> None:
    """Workers leave Ctrl-C to the build, and end when it ends, however it ends: a build
    killed with SIGKILL leaves no worker behind to finish a letter unasked."""
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _collect_less()
    parent = os.getppid()  # the build, or the fork server that ends with it

    def watch() -> None:
        while os.getppid() == parent and _alive(build):
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="watch-build", daemon=True).start()


def _collect_less() -> tuple[int, int, int]:
    """Run Python's cycle collector less often while letters render; return its thresholds.

    Rendering allocates many short-lived objects (tokens, nodes, template contexts), and by
    default a collection runs every 700 of them, walking everything the renderers imported: a
    tenth of a letter's time. What is imported is frozen (never walked again) and collections
    come thirty times less often; cycles are still collected."""
    import gc

    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)
    return thresholds


def _collect_as_before(thresholds: tuple[int, int, int]) -> None:
    import gc

    gc.set_threshold(*thresholds)
    gc.unfreeze()


def _alive(pid: int) -> bool:
    if os.name != "posix":  # os.kill would end the process there: the parent's id must do
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_LIBRARIES = {"docx": ["docx"], "pdf": ["typst"]}
"""What a format's renderer imports only when it first renders (besides every format's)."""


def _modules(formats: Iterable[str]) -> list[str]:
    """What a worker imports to render ``formats``: the fork server imports them once, and
    every worker starts with them (a worker's first letter otherwise waits for them)."""
    from .render import _MODULES

    modules = ["circulaire.validate", "jinja2", "pyromark", "markdown_it", "babel.dates"]
    for fmt in formats:
        modules += [f"circulaire.render.{_MODULES[fmt]}", *_LIBRARIES.get(fmt, [])]
    return modules


def _clashes(entries: dict[str, Stored], letters: dict[str, Path]) -> Iterator[tuple[str, str]]:
    """Letters whose references are the same (``CL-20/38`` and ``CL-20/038`` too): both would
    write the same files, or file one letter twice."""
    by_reference: dict[object, list[tuple[str, str]]] = {}
    for key in sorted(entries):
        reference = _reference(key, entries[key])
        parsed = Reference.parse(reference)
        same = parsed.identity if parsed else reference
        by_reference.setdefault(same, []).append((key, reference))
    for _, clashing in sorted(by_reference.items(), key=lambda item: str(item[0])):
        if len(clashing) > 1:
            for key, reference in clashing:
                others = ", ".join(str(letters[k]) for k, _ in clashing if k != key)
                yield key, f"{reference} is also the reference of {others}"


def _reference_problem(spec: Path, message: str) -> Problem:
    """A problem with a letter's reference, at the line and column where the spec writes it
    (read again: two letters of one reference are rare)."""
    from .source import read

    try:
        position = read(spec).position(("reference",))
    except SpecError:
        return Problem(str(spec), message=message, code="E901", field="reference")
    return Problem(str(spec), position.line, position.column, "reference", message, "E901")


def _reference(key: str, value: Stored) -> str:
    """An entry's reference. A spec filed in its series folder (``CL-21/27.yaml``) has the
    reference of its path, or it would not have validated; any other entry is opened."""
    stem, suffix = key[:-5], key[-5:]
    if suffix == ".yaml" and REFERENCE_PATTERN.match(stem):
        return stem
    try:
        return str(_open(value).get("reference"))
    except ValueError:
        return ""  # a damaged manifest line


def _remove_outputs(
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
        entry = _open(value)
    except ValueError:
        return removed  # a damaged manifest line: nothing is known of its files
    if formats is None:
        outputs = entry.get("outputs")
        formats = list(outputs) if isinstance(outputs, dict) else []
    reference = Reference.parse(str(entry.get("reference", "")))
    if reference is None:
        return removed
    for fmt in sorted(formats):
        try:
            path = output_path(reference, fmt, output)
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
    return _unchanged(str(path), record.get("size"), record.get("sha256"), stamp=0)[0]


def _claimed(entries: dict[str, Stored]) -> set[str]:
    """Every file the entries record, as ``CL-21/27.md``."""
    files: set[str] = set()
    for value in entries.values():
        try:
            outputs = _open(value).get("outputs")
        except ValueError:
            continue
        if isinstance(outputs, dict):
            files.update(str(r.get("file")) for r in outputs.values() if isinstance(r, dict))
    return files


def _retire(
    output: Path,
    superseded: list[tuple[str, str, Stored]],
    entries: dict[str, Stored],
    outcome: Outcome,
) -> None:
    """Remove the files of superseded entries, and forget those entries: only files that
    still hold what the entry recorded (another letter, of this build or of another shard,
    may have written its own there since) and that no letter of the build claims."""
    if not superseded:
        return
    claimed = _claimed(entries)
    for key, why, old in superseded:
        files = _remove_outputs(output, old, keep=claimed, recorded_only=True)
        if files:
            outcome.removed.append((key, why, files))
    superseded.clear()


def _remove_leftovers(settings: Settings) -> list[tuple[str, str, list[str]]]:
    """After a killed build: delete the files its journal names (every letter's file was
    named there before it was written) that no manifest records. They are the files of a
    letter whose spec was deleted, or refiled, before this build: no later build would know
    of them."""
    from .render import FORMATS

    try:
        journal = settings.building.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    output = settings.output
    recorded, _, _ = _read_manifests(output)
    claimed = _claimed({key: text for key, (text, _) in recorded.items()})
    found: dict[str, list[str]] = {}
    for relative in sorted(set(journal.splitlines()) - claimed):
        letter, _, fmt = relative.rpartition(".")
        reference = Reference.parse(letter)
        if reference is None or fmt not in FORMATS:
            continue  # not a letter's file: a journal is never trusted further
        try:
            output_path(reference, fmt, output).unlink()
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
        name = _shard_key(key)
        folder, _, number = name.rpartition("/")
        folders.setdefault(folder, set()).add(number)
    for key, value in plan.previous.items():
        reference = Reference.parse(_reference(key, value))
        if reference is not None:
            folders.setdefault(reference.folder, set()).add(reference.number)
    ours = {plan.settings.manifest.name, plan.settings.building.name}
    if plan.settings.shard is None:
        ours.add(INDEX)
    folders.setdefault("", set())  # the manifest, the register
    for folder, numbers in folders.items():
        try:
            with os.scandir(output / folder) as names:
                for item in names:
                    match = _TEMPORARY.match(item.name)
                    if match is None:
                        continue
                    name = match["name"]
                    if name.rsplit(".", 1)[0] in numbers or (not folder and name in ours):
                        Path(item.path).unlink(missing_ok=True)
        except (FileNotFoundError, NotADirectoryError):
            continue


def _save_manifest(
    settings: Settings, entries: dict[str, Stored], register: Entry | None, stamp: int | None = None
) -> None:
    """Write the manifest atomically. A checkpoint is dated to the build's start, so that files
    written after it are hashed, not trusted, by the next build. Outputs are written without
    an fsync each; one sync here makes them durable before the manifest vouches for them."""
    if hasattr(os, "sync"):
        os.sync()
    write_atomic(settings.manifest, manifest_lines(settings, entries, register))
    if stamp is not None:
        os.utime(settings.manifest, ns=(stamp, stamp))


def _filesystem_now(folder: Path) -> int:
    """The time as the output folder's file system tells it (it may not be this machine's)."""
    import tempfile

    with tempfile.NamedTemporaryFile(dir=folder, prefix=".circulaire-clock.") as probe:
        return os.fstat(probe.fileno()).st_mtime_ns


def _filesystem_time(folder: Path) -> int | None:
    """:func:`_filesystem_now`, or ``None`` where no file can be made to tell it."""
    try:
        return _filesystem_now(folder)
    except OSError:
        return None


def _past_last_write(folder: Path, patience: float = 2.0) -> None:
    """Wait for the output folder's clock to tick past the files just written. A file system
    stamps files with a coarse clock (a few milliseconds): a manifest written in the same tick
    as the last letters would not vouch for them, and the next build would hash them. A spec
    edited during the wait is newer than the tick, so it is still found changed. A clock that
    does not move (or a probe the folder refuses) only costs the next build that hashing."""
    deadline = time.monotonic() + patience
    pause = 0.001
    try:
        written = _filesystem_now(folder)
        while _filesystem_now(folder) <= written and time.monotonic() < deadline:
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
    except OSError:
        pass


def _changed_while_building(plan: Plan, entries: dict[str, Stored]) -> list[str]:
    """Letters whose spec was changed after planning began, and now differs from what was
    built: the manifest, dated after them, must not vouch for them. (An entry without the
    record of its spec vouches for none.)"""
    changed = []
    for key, path in plan.letters.items():
        if key not in entries or key in plan.unread:
            continue
        try:
            if _status(path)[1] < plan.begun:
                continue
            recorded = _open(entries[key]).get("spec")
            if not isinstance(recorded, dict) or _file_sha256(path) == recorded.get("sha256"):
                continue
        except (OSError, ValueError):
            pass
        changed.append(key)
    return changed


def _write_if_changed(path: Path, data: bytes) -> None:
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    write_atomic(path, data)


# -- the register ---------------------------------------------------------------------------------


_PLAIN_CELL = re.compile(r"(?![0-9]+[.)](?: |$))[^\W_](?:[^\W_]|[ /,'’:;().!?%\"«»°-])*")
"""Text that is no Markdown anywhere in a line (words, digits and punctuation that no rule of
CommonMark reads there, after a first letter or digit that starts no list): a reference, an
ISO date, most names and subjects; it goes into a cell as it is."""


def _cell(text: str) -> str:
    """Spec text in a Markdown table cell: one line, no pipe or markup of its own."""
    from .markup import escape_markdown

    line = " ".join(text.split())
    if _PLAIN_CELL.fullmatch(line):
        return line
    return escape_markdown(line).replace("|", "\\|")


Row = tuple[str, str, str]
"""A letter in the register: its date and reference (the order), then its line of the table."""


def register_row(entry: Entry, formats: Iterable[str]) -> Row:
    """A letter's line in ``index.md``: reference, date, subject, signatories, links."""
    outputs = entry.get("outputs", {})
    links = " · ".join(f"[{fmt}]({outputs[fmt]['file']})" for fmt in formats if fmt in outputs)
    signatories = ", ".join(str(name) for name in entry.get("signatories", []))
    reference, date = str(entry.get("reference")), str(entry.get("date"))
    row = (
        f"| {_cell(reference)} | {_cell(date)} "
        f"| {_cell(str(entry.get('subject')))} | {_cell(signatories)} | {links} |"
    )
    return date, reference, row


def index(
    entries: dict[str, Stored], formats: Iterable[str], rows: dict[str, Row] | None = None
) -> bytes:
    """``index.md``: every letter by date, then reference, with links to each format built.
    ``rows`` holds the lines of letters built in this run, made as they came; other entries
    are opened one at a time: the register of 10,000 letters is a few megabytes."""
    order = list(formats)
    made = rows or {}
    table = sorted(
        made[key] if key in made else register_row(_open(value), order)
        for key, value in entries.items()
    )
    lines = [
        "# Register of circular letters",
        "",
        f"{len(table)} letter{'s' * (len(table) != 1)}, by date.",
        "",
        "| Reference | Date | Subject | Signatories | Files |",
        "| --- | --- | --- | --- | --- |",
        *(row for _, _, row in table),
    ]
    return ("\n".join(lines) + "\n").encode()


# -- progress on a terminal ------------------------------------------------------------------------


class ProgressBar:
    """A bar with done/total, rate and time left on a terminal; nothing elsewhere."""

    def __init__(self, total: int, quiet: bool) -> None:
        import click

        self.bar: Any = None
        if total and not quiet and sys.stderr.isatty():
            self.bar = click.progressbar(
                length=total,
                label="building",
                show_pos=True,
                show_eta=True,
                file=sys.stderr,
                item_show_func=lambda rate: rate,
            )
        self.done = 0
        self.started = time.monotonic()

    def __enter__(self) -> Progress | None:
        if self.bar is None:
            return None
        self.bar.__enter__()
        return self.update

    def update(self, done: int, total: int) -> None:
        rate = done / max(time.monotonic() - self.started, 1e-6)
        self.bar.update(done - self.done, f"{rate:.0f} letters/s")
        self.done = done

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
