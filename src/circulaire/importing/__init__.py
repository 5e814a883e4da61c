"""``circulaire import``: a published letter's Markdown -> its spec, checked by rendering it.

recognize (``recognize.py``) -> write the YAML (``writer.py``) -> read it back, validate and
lint it (warnings the published text triggers are silenced, "as published") -> render it to
Markdown and compare with what was read, byte for byte (leading and trailing blank lines
aside). A spec that does not give its letter back is never written: the first line that
differs is reported instead.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CirculaireError, SpecError
from ..model import Letter, Reference
from .blocks import NotALetter
from .recognize import recognize
from .writer import spec_yaml

__all__ = ["Difference", "Imported", "NotALetter", "import_docx", "import_file", "import_markdown"]

SUFFIXES = (".md", ".markdown", ".txt", ".docx")
"""Files a folder import reads: Markdown (extracted text is often ``.txt``), and Word documents."""
AS_PUBLISHED = "as published"
"""The comment beside ``ignore:``: the letter's slips are the published letter's."""


@dataclass(frozen=True)
class Difference:
    """The first line where the spec's rendering departs from the letter read."""

    line: int
    """1-based line of the file read."""
    expected: str | None
    """The line as read; ``None`` past its end."""
    got: str | None
    """The line as the spec renders it; ``None`` past its end."""
    part: str | None = None
    """The part of the letter the spec could not express there (``the header``)."""

    def __str__(self) -> str:
        def shown(text: str | None) -> str:
            return "(nothing)" if text is None else repr(text)

        where = f"line {self.line}" + (f" ({self.part})" if self.part else "")
        return f"{where}: expected {shown(self.expected)}, got {shown(self.got)}"


PARTS = {
    "dateline": "the department, place and date",
    "header": "the reference and contact lines",
    "recipients": "the recipients",
    "subject": "the subject",
    "body": "the salutation, body and closing",
    "signatures": "the signatures",
    "annexes": "the annex count",
    "annex": "an annex",
}
"""The blocks of ``letter.j2``, in the words of a message."""


@dataclass(frozen=True)
class Imported:
    """What one letter gave: its spec, and how its rendering compares with the letter."""

    name: str
    reference: Reference
    spec: str
    """The spec's YAML."""
    difference: Difference | None = None

    @property
    def exact(self) -> bool:
        return self.difference is None


def import_markdown(raw: bytes, name: str) -> Imported:
    """The spec of the letter whose Markdown is ``raw`` (``name`` names it in messages); a
    :class:`CirculaireError` naming it when it is no letter circulaire can read."""
    return _imported(_text(raw, name), name)


def import_docx(raw: bytes, name: str) -> Imported:
    """The spec of the letter in the Word document ``raw``: its Markdown as ``docx.py`` reads
    it, through the same recognizer, and compared with the spec's rendering the same way."""
    from .docx import markdown_of

    return _imported(markdown_of(raw, name), name)


def _imported(text: str, name: str) -> Imported:
    data = recognize(text, name)
    reference = Reference.parse(data["reference"])
    assert reference is not None  # the recognizer found it by the same pattern
    letter, spec, codes = _checked(data, name, reference)
    if codes:
        data["ignore"] = codes
        letter, spec, _ = _checked(data, name, reference, {"ignore": AS_PUBLISHED})
    difference = compare(text, _rendered(letter))
    if difference is not None:
        difference = dataclasses.replace(difference, part=_part(letter, text, difference))
    return Imported(name, reference, spec, difference)


def import_file(path: Path, reader: str | None = None) -> Imported:
    """:func:`import_docx` of a ``.docx`` file (or with ``reader="docx"``), else
    :func:`import_markdown`; refused unless it is a regular file."""
    from ..source import read_bytes

    try:
        raw = read_bytes(path)
    except SpecError as exc:  # its message says "spec"; this is a letter
        message = exc.problems[0].message.replace("a spec file", "a letter")
        raise CirculaireError(f"{path}: {message}") from None
    if reader == "docx" or (reader is None and path.suffix.lower() == ".docx"):
        return import_docx(raw, str(path))
    return import_markdown(raw, str(path))


def _text(raw: bytes, name: str) -> str:
    if b"\0" in raw:
        raise NotALetter(f"{name}: a binary file, not the Markdown of a letter")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotALetter(
            f"{name}: byte {exc.start} is not UTF-8 (expected the Markdown of a letter)"
        ) from None
    if not text.strip():
        raise NotALetter(f"{name}: the file is empty (expected the Markdown of a letter)")
    return text


def _checked(
    data: dict[str, Any], name: str, reference: Reference, comments: dict[str, str] | None = None
) -> tuple[Letter, str, list[str]]:
    """The spec read back as circulaire reads a spec: the letter, its YAML, and the lint codes
    its text triggers."""
    from ..lint import lint
    from ..source import parse
    from ..validate import validate

    spec = spec_yaml(data, comments)
    path = Path("letters", reference.folder, f"{reference.number}.yaml")
    try:
        source = parse(spec.encode("utf-8"), path)
        letter = validate(source)
    except SpecError as exc:
        first = exc.problems[0]
        raise CirculaireError(
            f"{name}: what was read is no valid spec ({first.field or 'spec'}: {first.message})"
        ) from None
    codes = sorted({p.code for p in lint(source, letter)})
    return letter, spec, codes


def _rendered(letter: Letter) -> str:
    from ..render import render

    return render(letter, "md").decode("utf-8")


def _part(letter: Letter, text: str, difference: Difference) -> str | None:
    """The part of the letter where its rendering departs from ``text``: that line of the
    rendering in the blocks of the template."""
    from ..render.markdown import FILTERS
    from ..templating import render_blocks

    blocks = render_blocks("letter.md.j2", letter, FILTERS, hard_break="  \n", run_in="")
    owners = [name for name, block in blocks for _ in range(block.count("\n"))]
    at = difference.line - 1 - _lines(text)[0] + _lines("".join(b for _, b in blocks))[0]
    return PARTS.get(owners[min(at, len(owners) - 1)]) if owners else None


def _lines(text: str) -> tuple[int, list[str]]:
    """The lines of ``text`` between its leading and trailing blank lines, and how many
    leading ones there were."""
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    end = len(lines)
    while end > start and not lines[end - 1].strip():
        end -= 1
    return start, lines[start:end]


def compare(expected: str, got: str) -> Difference | None:
    """The first line where ``got`` departs from ``expected``, blank lines at their ends aside."""
    skipped, want = _lines(expected)
    _, have = _lines(got)
    for i in range(max(len(want), len(have))):
        a = want[i] if i < len(want) else None
        b = have[i] if i < len(have) else None
        if a != b:
            return Difference(skipped + i + 1, a, b)
    return None


# -- a folder ---------------------------------------------------------------------------------


@dataclass
class Batch:
    """A folder's import: each letter's outcome, and the summary line."""

    exact: list[Imported] = field(default_factory=list)
    different: list[Imported] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    """Messages, one per file that gave no spec."""

    def summary(self) -> str:
        return (
            f"{len(self.exact)} imported exactly, {len(self.different)} with differences, "
            f"{len(self.failed)} failed"
        )

    @property
    def return_code(self) -> int:
        return 1 if self.different or self.failed else 0


def letters_in(folder: Path, every_file: bool = False) -> Iterator[Path]:
    """The files of ``folder`` (and below) read as letters, in order: ``.md``, ``.markdown``
    and ``.txt`` ones, or every file but hidden ones."""
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and (every_file or name.endswith(SUFFIXES)):
                yield Path(root, name)


def spec_path(reference: Reference, letters: Path) -> Path:
    """``CL-21/27`` in ``letters/`` -> ``letters/CL-21/27.yaml``."""
    return letters / reference.folder / f"{reference.number}.yaml"


def write_spec(path: Path, spec: str, force: bool, reference: Reference) -> None:
    """Write a spec; an existing one is replaced only when ``force`` says so. In an archive's
    series folder, only at the path its reference names, where ``validate`` looks for it."""
    from ..model import SERIES_PATTERN
    from ..output import write_atomic, write_new

    expected = Path(reference.folder, f"{reference.number}{path.suffix}")
    if SERIES_PATTERN.match(path.parent.name) and Path(path.parent.name, path.name) != expected:
        raise CirculaireError(
            f"{path}: {reference} belongs at {expected} in the archive, not {path.parent.name}/"
            f"{path.name}"
        )
    data = spec.encode("utf-8")
    if force:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
    else:
        write_new(path, data)


def import_folder(
    files: Sequence[Path],
    letters: Path | None,
    force: bool,
    check: bool,
    progress: Callable[[int, int], None] | None = None,
    reader: str | None = None,
) -> tuple[Batch, list[tuple[Path, Imported]]]:
    """Import each file; write each exact one at its reference's path under ``letters``
    (unless ``check``). One file that fails does not stop the others; ``progress`` is told
    (files done, files in all) after each."""
    batch = Batch()
    written: list[tuple[Path, Imported]] = []
    for done, path in enumerate(files, 1):
        if progress is not None:
            progress(done - 1, len(files))
        try:
            imported = import_file(path, reader)
            if not imported.exact:
                batch.different.append(imported)
                continue
            if letters is not None and not check:
                target = spec_path(imported.reference, letters)
                write_spec(target, imported.spec, force, imported.reference)
                written.append((target, imported))
            batch.exact.append(imported)
        except CirculaireError as exc:
            batch.failed.append(str(exc))
    if progress is not None:
        progress(len(files), len(files))
    return batch, written
