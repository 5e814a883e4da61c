"""The register: every letter of the archive, by date, with a link to each file built.

A letter's row is taken from its manifest entry; a writer turns the rows into one format
(``index.md`` today)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from .manifest import Entry, Stored, opened


class Row(NamedTuple):
    """A letter in the register; rows sort by date, then reference."""

    date: str
    reference: str
    subject: str
    signatories: tuple[str, ...]
    files: tuple[tuple[str, str], ...]
    """(format, file in the output folder) of each format built, in the build's order."""
    translation: str | None = None
    """The language of a translation's row, before it joins its original's."""
    versions: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    """The letter's translations: (language, files), by language."""


def row(entry: Entry, formats: Iterable[str]) -> Row:
    """A letter's row, from its entry in the manifest."""
    outputs = entry.get("outputs", {})
    return Row(
        date=str(entry.get("date")),
        reference=str(entry.get("reference")),
        subject=str(entry.get("subject")),
        signatories=tuple(str(name) for name in entry.get("signatories", [])),
        files=tuple((fmt, str(outputs[fmt]["file"])) for fmt in formats if fmt in outputs),
        translation=entry.get("translation"),
    )


def rows(
    entries: dict[str, Stored], formats: Iterable[str], made: dict[str, Row] | None = None
) -> list[Row]:
    """Every letter's row, in the register's order, its translations' files in it. ``made``
    holds the rows of letters built in this run, made as they came; other entries are opened
    one at a time: the register of 10,000 letters is a few megabytes."""
    order = list(formats)
    made = made or {}
    every = [
        made[key] if key in made else row(opened(value), order) for key, value in entries.items()
    ]
    versions: dict[str, list[tuple[str, tuple[tuple[str, str], ...]]]] = {}
    for version in every:
        if version.translation is not None:
            versions.setdefault(version.reference, []).append((version.translation, version.files))
    table = [
        letter._replace(versions=tuple(sorted(versions.pop(letter.reference, ()))))
        for letter in every
        if letter.translation is None
    ]
    # A translation whose original has no row (it failed) still has its files listed.
    table += [letter for letter in every if letter.reference in versions and letter.translation]
    return sorted(table)


# -- Markdown --------------------------------------------------------------------------------


_PLAIN_CELL = re.compile(r"(?![0-9]+[.)](?: |$))[^\W_](?:[^\W_]|[ /,'’:;().!?%\"«»°-])*")
"""Text that is no Markdown anywhere in a line (words, digits and punctuation that no rule of
CommonMark reads there, after a first letter or digit that starts no list): a reference, an
ISO date, most names and subjects; it goes into a cell as it is."""


def markdown(table: list[Row]) -> bytes:
    """``index.md``: a title, the count, and a table of every row."""
    lines = [
        "# Register of circular letters",
        "",
        f"{len(table)} letter{'s' * (len(table) != 1)}, by date.",
        "",
        "| Reference | Date | Subject | Signatories | Files |",
        "| --- | --- | --- | --- | --- |",
        *(_markdown_row(letter) for letter in table),
    ]
    return ("\n".join(lines) + "\n").encode()


def _markdown_row(letter: Row) -> str:
    links = _links(letter.files)
    if letter.translation is not None:
        links = f"{letter.translation}: {links}"
    for language, files in letter.versions:
        links += f"; {language}: {_links(files)}"
    return (
        f"| {_cell(letter.reference)} | {_cell(letter.date)} | {_cell(letter.subject)} "
        f"| {_cell(', '.join(letter.signatories))} | {links} |"
    )


def _links(files: tuple[tuple[str, str], ...]) -> str:
    return " · ".join(f"[{fmt}]({file})" for fmt, file in files)


def _cell(text: str) -> str:
    """Spec text in a Markdown table cell: one line, no pipe or markup of its own."""
    from ..markup import escape_markdown

    line = " ".join(text.split())
    if _PLAIN_CELL.fullmatch(line):
        return line
    return escape_markdown(line).replace("|", "\\|")
