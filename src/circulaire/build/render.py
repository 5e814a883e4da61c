"""Rendering one task, in a worker: load, validate, render every format, write every file.

A letter's files are written all or none, each named first in the build's journal."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import CirculaireError, OutputError, Problem, SpecError, UnprintableText
from ..output import OutputFolder
from .clock import sha256
from .manifest import Entry
from .plan import Task


@dataclass
class Result:
    """What a worker made of a task: the letter's entry, or the problems that stopped it."""

    key: str
    entry: Entry | None = None
    problems: list[Problem] = field(default_factory=list)
    lost: bool = False
    """Not rendered for a reason outside its spec (a worker died, the system would not let the
    spec be read): the letter's old files and entry stand."""


def facts(letter: Any) -> Entry:
    """What the register shows of a letter."""
    return {
        "reference": letter.reference,
        "date": letter.date.isoformat(),
        "subject": letter.subject,
        "signatories": [signatory.name for signatory in letter.signatories],
        "language": letter.language,
    }


def render_task(
    task: Task,
    folder: OutputFolder,
    templates: Path | None,
    reference_docx: Path | None,
    journal: int | None = None,
    draft: bool = False,
) -> Result:
    """Load, validate and render one letter, then write its files: all of them or none.
    Their names go first into the build's ``journal`` (an open file), should it be killed.
    A letter that holds placeholders fails, unless the build takes ``draft`` letters."""
    from ..drafts import placeholders, refuse
    from ..render import RenderOptions, renderer
    from ..source import UnreadableSpec, parse, read_bytes, unprintable
    from ..validate import validate

    spec = Path(task.spec)
    made_with: dict[str, Any] = {}
    """What a translation is made with besides its spec: its original."""
    try:
        data = read_bytes(spec)  # read once: the hash recorded is of the text rendered
        if task.language is None:
            source = parse(data, spec)
            letter = validate(source)
        else:
            source, letter, made_with = _version(spec, data)
        found = placeholders(source, letter)
        if found and not draft:
            raise refuse(found, "built")
        if found:
            made_with["draft"] = True  # built again by a build that takes no drafts
        reference = letter.parsed_reference
        options = RenderOptions(templates, reference_docx, draft=bool(found))
        rendered = {fmt: renderer(fmt)(letter, options) for fmt in task.formats}
        paths = {fmt: folder.path(reference, fmt, task.language) for fmt in task.formats}
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
            folder.write(reference, fmt, content, task.language)
            outputs[fmt] = {
                "file": files[fmt],
                "sha256": sha256(content),
                "size": len(content),
            }
    except (OutputError, OSError) as exc:  # OSError: the journal
        for fmt in outputs:  # none of them, then: no manifest will record them
            with contextlib.suppress(OSError):
                paths[fmt].unlink()
        return Result(task.key, problems=[Problem(task.spec, message=str(exc), code="E900")])
    entry = {
        **facts(letter),
        "spec": {"sha256": sha256(data), "size": len(data)},
        **made_with,
        "outputs": outputs,
    }
    return Result(task.key, entry)


def _version(spec: Path, data: bytes) -> tuple[Any, Any, dict[str, Any]]:
    """A translation made into its letter, and the record of its original (read once, like
    the spec): the original changed, every version of the letter is rendered again."""
    from ..source import parse, read_bytes
    from ..translation import language_of, made, original_of

    origin = original_of(spec)
    try:
        raw = read_bytes(origin)
    except SpecError as exc:
        raw = b""
        version = made(parse(data, spec), exc)
    else:
        version = made(parse(data, spec), *_original(origin, raw))
    record = {"sha256": sha256(raw), "size": len(raw)}
    return version.source, version.letter, {"original": record, "translation": language_of(spec)}


@lru_cache(maxsize=8)
def _original(origin: Path, raw: bytes) -> tuple[Any, Any]:
    """An original parsed and validated once for all its versions in a worker (a chunk holds
    a letter's versions side by side): the same bytes give the same letter."""
    from ..source import parse
    from ..validate import validate

    try:
        source = parse(raw, origin)
    except SpecError as exc:
        return exc, None
    try:
        return source, validate(source)
    except SpecError:
        return source, None  # made() says so, for each version


def render_chunk(
    tasks: list[Task],
    output: Path,
    templates: Path | None,
    reference_docx: Path | None,
    journal: Path | None = None,
    draft: bool = False,
) -> list[Result]:
    """Render a chunk of tasks, in a worker or in the build's own process."""
    try:
        fd = None if journal is None else os.open(journal, os.O_WRONLY | os.O_APPEND)
    except OSError:
        fd = None  # no journal: a killed build's files are then found by their letters only
    # For a chunk: a folder replaced meanwhile is checked, and opened, anew.
    try:
        with OutputFolder(output) as folder:
            return [
                render_task(task, folder, templates, reference_docx, fd, draft) for task in tasks
            ]
    finally:
        if fd is not None:
            os.close(fd)
