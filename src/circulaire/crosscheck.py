"""Checks across the letters of an archive, which no single spec can make alone.

A reference used twice is an error (E120): two letters would claim one number. Two letters with
the same subject and date (W121) and a gap in a year's numbering (W122) are warnings: both
happen on purpose (a corrigendum, a withdrawn number) but are worth a look. Gaps are counted
between the numbers a year already has, not from 1, so that an archive holding only some of a
year's letters is not flooded with warnings.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise
from pathlib import Path

from .errors import Problem
from .model import Letter, Reference
from .source import Source


def crosscheck(letters: dict[Path, tuple[Source, Letter]]) -> list[Problem]:
    """Problems across ``letters`` (each valid on its own), in their files' order."""
    problems: list[Problem] = []
    by_number: dict[tuple[str, str, int], Path] = {}
    by_subject: dict[tuple[str, object], Path] = {}
    numbers: dict[tuple[str, str], list[tuple[int, Path]]] = defaultdict(list)
    for path in sorted(letters):
        source, letter = letters[path]
        reference = letter.parsed_reference
        key = (reference.series, reference.year, int(reference.number))
        first = by_number.setdefault(key, path)
        if first != path:
            other = letters[first][1].reference
            problems.append(
                source.problem(
                    ("reference",),
                    f"{reference} is already the reference of {first} ({other})",
                    "E120",
                )
            )
        else:
            numbers[reference.series, reference.year].append((int(reference.number), path))
        subject = (" ".join(letter.subject.split()).casefold(), letter.date)
        twin = by_subject.setdefault(subject, path)
        if twin != path:
            other = letters[twin][1].reference
            problems.append(
                source.problem(
                    ("subject",),
                    f"same subject and date as {other} ({twin})",
                    "W121",
                    severity="warning",
                )
            )
    for (series, year), found in numbers.items():
        found.sort()
        for (low, _), (high, path) in pairwise(found):
            if high - low < 2:
                continue
            source, letter = letters[path]
            missing = (
                f"number {low + 1} is missing"
                if high - low == 2
                else f"numbers {low + 1} to {high - 1} are missing"
            )
            previous = Reference(series, year, str(low))
            problems.append(
                source.problem(
                    ("reference",),
                    f"{letter.reference} follows {previous}: {missing} in {series}-{year}",
                    "W122",
                    severity="warning",
                )
            )
    return [p for p in problems if p.code not in _ignored(letters, p.file)]


def _ignored(letters: dict[Path, tuple[Source, Letter]], file: str) -> tuple[str, ...]:
    for source, letter in letters.values():
        if str(source.path) == file:
            return letter.ignore
    return ()
