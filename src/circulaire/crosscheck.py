"""Checks across the letters of an archive, which no single spec can make alone.

A reference used twice is an error (E120): two letters would claim one number. Two letters with
the same subject and date (W121) and a gap in a year's numbering (W122) are warnings: both
happen on purpose (a corrigendum, a withdrawn number) but are worth a look. Gaps are counted
between the numbers a year already has, not from 1, so that an archive holding only some of a
year's letters is not flooded with warnings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from .errors import Problem
from .model import Letter
from .source import Source


@dataclass(frozen=True)
class Filed:
    """What the archive checks need of a letter: not its source, which a big archive would
    keep in memory for nothing."""

    path: Path
    letter: Letter
    reference_at: tuple[int, int]
    subject_at: tuple[int, int]

    @classmethod
    def of(cls, source: Source, letter: Letter) -> Filed:
        reference, subject = source.position(("reference",)), source.position(("subject",))
        return cls(
            source.path,
            letter,
            (reference.line, reference.column),
            (subject.line, subject.column),
        )

    def problem(self, field: str, message: str, code: str, severity: str) -> Problem:
        line, column = self.reference_at if field == "reference" else self.subject_at
        return Problem(str(self.path), line, column, field, message, code, severity)


def crosscheck(letters: list[Filed], *, lint: bool = True) -> list[Problem]:
    """Problems across ``letters`` (each valid on its own), in their files' order: the errors
    always, the warnings with ``lint``, less those a letter ignores (an error cannot be)."""
    problems: list[tuple[Filed, Problem]] = []
    by_number: dict[tuple[str, str, int], Filed] = {}
    by_subject: dict[tuple[str, object], Filed] = {}
    numbers: dict[tuple[str, str], list[tuple[int, Filed]]] = defaultdict(list)
    for filed in sorted(letters, key=lambda f: f.path):
        letter = filed.letter
        reference = letter.parsed_reference
        first = by_number.setdefault(reference.identity, filed)
        if first is not filed:
            message = (
                f"{reference} is already the reference of {first.path} ({first.letter.reference})"
            )
            problems.append((filed, filed.problem("reference", message, "E120", "error")))
        else:
            numbers[reference.series, reference.year].append((int(reference.number), filed))
        subject = (" ".join(letter.subject.split()).casefold(), letter.date)
        twin = by_subject.setdefault(subject, filed)
        if twin is not filed:
            message = f"same subject and date as {twin.letter.reference} ({twin.path})"
            problems.append((filed, filed.problem("subject", message, "W121", "warning")))
    for (series, year), found in numbers.items():
        found.sort(key=lambda pair: pair[0])
        for (low, before), (high, filed) in pairwise(found):
            if high - low < 2:
                continue
            missing = (
                f"number {low + 1} is missing"
                if high - low == 2
                else f"numbers {low + 1} to {high - 1} are missing"
            )
            message = (
                f"{filed.letter.reference} follows {before.letter.reference}: "
                f"{missing} in {series}-{year}"
            )
            problems.append((filed, filed.problem("reference", message, "W122", "warning")))
    return [
        p
        for filed, p in problems
        if p.severity == "error" or (lint and p.code not in filed.letter.ignore)
    ]
