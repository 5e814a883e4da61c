"""The manifest: what each letter's outputs were built from, and the files built.

The output folder holds a manifest (``.circulaire-manifest.json``) recording, per letter, the
hashes of what its outputs were built from (spec, template set, reference document, version)
and of the outputs themselves. It holds no time and no absolute path, so two builds of one
archive are byte-identical. Every shard's manifest is read, and merged, by the next build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

from .. import __version__
from ..model import REFERENCE_PATTERN, TRANSLATION_LANGUAGE, Reference
from ..output import write_atomic
from ..render import FORMATS
from .clock import file_sha256
from .settings import MANIFEST, MANIFEST_NAME, Settings

MANIFEST_VERSION = 1

Entry = dict[str, Any]
"""One letter in the manifest: what it says (for the register), what it was built from, and
the files built."""
Stored = Entry | str
"""An entry, or its JSON text as the manifest holds it: a build of 10,000 letters keeps the
text (a few hundred bytes) and opens an entry only when it needs one."""


# -- what every output is built from ---------------------------------------------------------


def template_set(templates: Path | None) -> str:
    """One hash over every file of the effective template set: a user's folder, then the
    packaged one (templates, reference document, fonts), by relative path and content."""
    from ..templating import packaged_templates

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
            digest.update(file_sha256(path).encode() + b"\0")
    return digest.hexdigest()


def code() -> str:
    """One hash over circulaire's own modules: a renderer changed in a checkout (where the
    version stays the same) rebuilds what it renders."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(f"{path.relative_to(package).as_posix()}\0".encode())
        digest.update(file_sha256(path).encode() + b"\0")
    return digest.hexdigest()


def build_inputs(settings: Settings) -> dict[str, Any]:
    """What every output is built from besides its spec; a change rebuilds every letter. The
    reference document only when a DOCX is built: no other format reads it, so a build of
    Markdown neither opens it nor rebuilds anything when it changes."""
    inputs: dict[str, Any] = {"templates": template_set(settings.templates)}
    if "docx" in settings.formats:
        from ..render.docx.unpack import reference_sha256

        docx = settings.reference_docx
        inputs["reference_docx"] = reference_sha256(docx) if docx is not None else None
    return {**inputs, "version": __version__, "code": code()}


# -- writing and reading ---------------------------------------------------------------------


def manifest_bytes(
    settings: Settings, letters: Mapping[str, Stored], register: Entry | None = None
) -> bytes:
    """The manifest: sorted keys, no time, no absolute path, so the same archive gives the same
    bytes. One letter a line, so that a diff of two manifests reads letter by letter."""
    return b"".join(manifest_lines(settings, letters, register))


def manifest_lines(
    settings: Settings, letters: Mapping[str, Stored], register: Entry | None = None
) -> Iterator[bytes]:
    """:func:`manifest_bytes` a line at a time: a build writes its manifest without holding
    a copy of it whole."""
    shard = str(settings.shard) if settings.shard else None
    formats = to_json(list(settings.formats))
    yield f'{{"formats": {formats}, "index": {to_json(register)}, "letters": {{'.encode()
    separator = b"\n"
    for key in sorted(letters):
        yield separator + f"{to_json(key)}: {_text(letters[key])}".encode()
        separator = b",\n"
    yield f'\n}}, "manifest": {MANIFEST_VERSION}, "shard": {to_json(shard)}}}\n'.encode()


FSYNC_AT_MOST = 256
"""Up to this many files written since the last save are synced one by one; more, and one
``os.sync()`` costs less than their fsyncs (it flushes the whole machine, though)."""


def save_manifest(
    settings: Settings,
    entries: Mapping[str, Stored],
    register: Entry | None,
    stamp: int | None = None,
    written: Collection[str] | None = None,
) -> None:
    """Write the manifest atomically. A checkpoint is dated to the build's start, so that files
    written after it are hashed, not trusted, by the next build. Outputs are written without
    an fsync each; they are made durable here (``written``: their names in the output folder,
    ``None`` when unknown) before the manifest vouches for them."""
    make_durable(settings.output, written)
    write_atomic(settings.manifest, manifest_lines(settings, entries, register))
    if stamp is not None:
        os.utime(settings.manifest, ns=(stamp, stamp))


def make_durable(output: Path, written: Collection[str] | None) -> None:
    """Flush the files written since the last save, and the folders that name them, to the
    disk: each by its fsync when they are few, else the whole machine by one sync."""
    if written is not None and len(written) <= FSYNC_AT_MOST:
        folders = {os.path.dirname(name) for name in written}
        for name in [*written, *sorted(folders)]:
            try:
                descriptor = os.open(os.path.join(output, name), os.O_RDONLY | os.O_NOFOLLOW)
            except OSError:
                continue  # removed since (a letter that failed after): nothing to flush
            try:
                os.fsync(descriptor)
            except OSError:
                pass
            finally:
                os.close(descriptor)
    elif hasattr(os, "sync"):
        os.sync()


def to_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def _text(value: Stored) -> str:
    return value if isinstance(value, str) else to_json(value)


def opened(value: Stored) -> Entry:
    """An entry, opened from its JSON text if need be. A ValueError when it is not one this
    build could have written: a manifest is input like any spec (merged from another
    machine's shards, edited by hand), and an entry is believed in nothing, nor its files
    removed, unless each of its fields is what a build records. (A no-op build opens every
    entry: the checks are written out, for speed.)"""
    try:
        entry = json.loads(value) if isinstance(value, str) else value
    except RecursionError:
        raise ValueError("nested too deep") from None
    if type(entry) is not dict or not entry.keys() <= _FIELDS:
        raise ValueError("not an entry")
    get = entry.get
    signatories = get("signatories", [])
    spec, outputs = get("spec"), get("outputs")
    original, translation = get("original"), get("translation")
    if not (
        type(get("reference", "")) is str
        and type(get("date", "")) is str
        and type(get("subject", "")) is str
        and (get("language") is None or _locale(get("language")))
        and type(get("templates")) in _TEXT_OR_NONE
        and type(get("reference_docx")) in _TEXT_OR_NONE
        and type(get("version")) in _TEXT_OR_NONE
        and type(get("code")) in _TEXT_OR_NONE
        and type(signatories) is list
        and all(type(name) is str for name in signatories)
        and (spec is None or (_record(spec) and "file" not in spec))
        and (original is None or (_record(original) and "file" not in original))
        and (
            translation is None
            or (type(translation) is str and TRANSLATION_LANGUAGE.fullmatch(translation))
        )
        and (outputs is None or _outputs(outputs))
        and get("draft", True) is True
    ):
        raise ValueError("not an entry")
    return entry


def checked(value: Stored) -> Entry:
    """An entry the build holds: opened (and checked) when the plan read it, or made by the
    build itself. Read again (for the register) without checking it a second time."""
    return json.loads(value) if isinstance(value, str) else value


def current_entry(formats: Collection[str], inputs: dict[str, Any]) -> re.Pattern[str]:
    """The JSON text of an entry exactly as this build writes it for an original letter
    built from ``inputs`` in ``formats``, not a draft: one pattern, matched where
    :func:`opened` would parse and check every field (a no-op build of 10,000 letters reads
    them three times faster). A text it matches is an entry :func:`opened` accepts; the
    groups give the reference, the spec's record (``spec_sha256``, ``spec_size``) and each
    format's (``md_file``, ``md_sha256``, ``md_size``). Any other entry is opened."""

    def field(name: str) -> str:
        return re.escape(f'"{name}": {to_json(inputs[name])}')

    def record(name: str, file: str = "") -> str:
        digest = f'"sha256": "(?P<{name}_sha256>[0-9a-f]{{64}})"'
        return f'{{{file}{digest}, "size": (?P<{name}_size>{_INT})}}'

    outputs = ", ".join(
        f'"{fmt}": ' + record(fmt, f'"file": "(?P<{fmt}_file>{_REFERENCE})\\.{fmt}", ')
        for fmt in sorted(formats)
    )
    docx = f", {field('reference_docx')}" if "reference_docx" in inputs else ""
    return re.compile(
        f'{{{field("code")}, "date": {_STRING}, "language": "{_LOCALE.pattern[2:-2]}", '
        f'"outputs": {{{outputs}}}, "reference": "(?P<reference>{_REFERENCE})"{docx}, '
        f'"signatories": \\[(?:{_STRING}(?:, {_STRING})*)?\\], "spec": {record("spec")}, '
        f'"subject": {_STRING}, {field("templates")}, {field("version")}}}'
    )


_STRING = r'"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"'
"""A JSON string, as JSON reads it (every escape it allows, no control character)."""
_INT = "(?:0|[1-9][0-9]*)"
_REFERENCE = "[A-Z]{2,5}-[0-9]{2}/[0-9]{1,4}"


def _locale(value: Any) -> bool:
    """A letter's language as its spec gives it (``fr``, ``fr_CH``), for the register."""
    return type(value) is str and _LOCALE.fullmatch(value) is not None


def _record(value: Any) -> bool:
    """``{"sha256": ..., "size": ...}`` (and the file's name, for an output)."""
    return (
        type(value) is dict
        and value.keys() <= _RECORD
        and type(value.get("sha256")) is str
        and type(value.get("size")) is int
    )


def _outputs(value: Any) -> bool:
    """Each format's record, by a format circulaire writes, naming the file ``CL-21/27.md``."""
    if type(value) is not dict:
        return False
    for fmt, record in value.items():
        if fmt not in _FORMATS or not _record(record):
            return False
        file = record.get("file")
        if type(file) is not str or not file.endswith(_SUFFIXES[fmt]):
            return False
    return True


_TEXT_OR_NONE = (str, type(None))
_LOCALE = re.compile(r"\A[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{1,8}){0,3}\Z")
_FIELDS = frozenset(
    {"reference", "date", "subject", "signatories", "spec", "outputs", "original", "translation"}
    | {"language"}
    | {"templates", "reference_docx", "version", "code", "draft"}
)
"""The fields of an entry; an entry with another is no entry."""
_RECORD = frozenset({"sha256", "size", "file"})
_FORMATS = frozenset(FORMATS)
_SUFFIXES = {fmt: f".{fmt}" for fmt in FORMATS}


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
            letters[_key(key)] = value
        if lines[-1] != "" or head.get("letters") != {} or tail.get("letters") != {}:
            raise ValueError("not one letter a line")
        return {**head, **tail}, letters
    except (ValueError, IndexError, TypeError, AttributeError, RecursionError):
        try:
            document = json.loads(text)
        except RecursionError:
            raise ValueError("nested too deep") from None
        whole = document.get("letters") if isinstance(document, dict) else None
        if not isinstance(whole, dict):
            raise ValueError("no letters") from None
        return document, {key: to_json(entry) for key, entry in whole.items()}


def _key(text: str) -> Any:
    """A letter's key from its JSON text: a plain one (``"CL-21/27.yaml"``) as it stands."""
    inner = text[1:-1]
    plain = inner.isprintable() and '"' not in inner and "\\" not in inner
    return inner if plain and len(text) > 1 and text[0] == text[-1] == '"' else json.loads(text)


def read_manifests(
    output: Path,
) -> tuple[dict[str, tuple[str, int]], list[Path], tuple[Any, int] | None]:
    """Every manifest in the output folder (the unsharded one and any shard's), merged: for a
    letter in several, the entry of the newest. Each entry comes with its manifest's mtime;
    then the manifests found, and the record of ``index.md`` in the unsharded one."""
    found: list[tuple[int, Path]] = []
    try:
        with os.scandir(output) as names:
            for item in names:
                if MANIFEST_NAME.match(item.name) and item.is_file():
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
            if _sound_key(key):
                merged[key] = (text, stamp)
    return merged, [path for _, path in sorted(found)], register


def _sound_key(key: Any) -> bool:
    """A key is a spec's path in the archive, ``CL-21/27.yaml``: relative, never climbing.
    Another is no letter of this archive; it is forgotten, and nothing is removed for it."""
    if not isinstance(key, str) or not key.endswith((".yaml", ".yml")):
        return False
    parts = key.split("/")
    return not any(part in ("", ".", "..") for part in parts)


# -- what an entry says ----------------------------------------------------------------------


def expected_stem(entry: Entry) -> str | None:
    """Where an entry's reference puts its files, ``CL-21/27`` (``CL-21/27.en`` for its English
    version; a hand-edited manifest is not trusted to say)."""
    reference = Reference.parse(str(entry.get("reference", "")))
    if reference is None:
        return None
    language = entry.get("translation")
    version = f".{language}" if language else ""
    return f"{reference.folder}/{reference.number}{version}"


def reference_of(key: str, value: Stored) -> str:
    """An entry's reference. A spec filed in its series folder (``CL-21/27.yaml``) has the
    reference of its path, or it would not have validated; any other entry is opened."""
    stem, suffix = key[:-5], key[-5:]
    if suffix == ".yaml" and REFERENCE_PATTERN.match(stem):
        return stem
    try:
        return str(opened(value).get("reference"))
    except ValueError:
        return ""  # a damaged manifest line


def without_spec(value: Stored) -> Stored:
    """An entry without the record of its spec, which the next build then renders."""
    try:
        entry = opened(value)
    except ValueError:
        return value  # a damaged line is rendered anyway
    return {name: part for name, part in entry.items() if name != "spec"}


def claimed(entries: Mapping[str, Stored]) -> set[str]:
    """Every file the entries record, as ``CL-21/27.md``."""
    files: set[str] = set()
    for value in entries.values():
        try:
            outputs = opened(value).get("outputs")
        except ValueError:
            continue
        if isinstance(outputs, dict):
            files.update(str(r.get("file")) for r in outputs.values() if isinstance(r, dict))
    return files
