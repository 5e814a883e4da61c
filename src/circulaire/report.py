"""Checking many specs: every problem of every file, then one verdict.

Exit codes, as documented in the README: 0 every spec valid, 1 at least one error, 2 usage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .discover import specs
from .errors import Problem, SpecError
from .model import Letter


@dataclass
class Report:
    """What a check of many specs found."""

    checked: int = 0
    unread: int = 0
    """Folders that could not be listed, specs whose names are not UTF-8: not checked."""
    letters: dict[Path, Letter] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    empty: int = 0
    """Folders named that hold no spec."""

    @property
    def invalid(self) -> int:
        """Specs checked that have an error (a folder not read, or empty, is no spec)."""
        return len({p.file for p in self.errors}) - self.unread - self.empty

    @property
    def return_code(self) -> int:
        """0 when no spec has an error, else 1."""
        return 1 if self.errors else 0

    def summary(self) -> str:
        noun = "spec" if self.checked == 1 else "specs"
        if not self.problems:
            return f"{self.checked} {noun} checked, all valid"
        errors, warnings = len(self.errors), len(self.problems) - len(self.errors)
        parts = [f"{self.checked} {noun} checked"]
        if self.checked:
            parts.append(f"{self.invalid} invalid")
        if self.unread:
            parts.append(f"{self.unread} not read")
        if self.empty:
            folders = "folder" if self.empty == 1 else "folders"
            parts.append(f"{self.empty} {folders} without a spec")
        parts.append(f"{errors} error{'s' * (errors != 1)}")
        if warnings:
            parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
        return ", ".join(parts)


def check(paths: Iterable[Path], *, lint: bool = True, strict: bool = False) -> Report:
    """Load and validate every spec under ``paths``; with ``lint``, add the warnings of each
    letter and, across the letters found under a folder, of the archive (``crosscheck.py``).
    ``strict`` makes every warning an error."""
    from .crosscheck import Filed, crosscheck
    from .lint import lint as lint_letter
    from .source import read
    from .translation import language_of, review
    from .translation import load as load_version
    from .validate import validate

    report = Report()
    paths = list(paths)
    folders = [p for p in paths if p.is_dir()]
    archive: list[Filed] = []
    unread: list[Problem] = []
    found = list(specs(paths, unread))
    report.problems.extend(unread)
    not_listed = {problem.file for problem in unread}  # reported as such, not as empty
    report.unread = len(not_listed)
    for path in found:
        report.checked += 1
        if language_of(path):  # a translation: read with its original, and against it
            try:
                version = load_version(path)
            except SpecError as exc:
                report.problems.extend(exc.problems)
                continue
            report.letters[path] = version.letter
            if lint:
                report.problems.extend(lint_letter(version.source, version.letter))
                report.problems.extend(review(version))
            continue
        try:
            source = read(path)
            letter = validate(source)
        except SpecError as exc:
            report.problems.extend(exc.problems)
            continue
        report.letters[path] = letter
        if lint:
            report.problems.extend(lint_letter(source, letter))
        if any(path.is_relative_to(folder) for folder in folders):
            archive.append(Filed.of(source, letter))
    for folder in folders:
        if str(folder) in not_listed:
            continue
        if not any(path.is_relative_to(folder) for path in found):
            message = "no letter spec (.yaml, .yml) in this folder"
            report.problems.append(Problem(str(folder), message=message, code="E010"))
            report.empty += 1
    report.problems.extend(crosscheck(archive, lint=lint))
    if strict:
        report.problems = [replace(p, severity="error") for p in report.problems]
    report.problems.sort(key=lambda p: (p.file, p.line, p.column, p.code))
    return report
