"""Finding spec files under the paths a user gives."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

SPEC_SUFFIXES = (".yaml", ".yml")


def specs(paths: Iterable[Path]) -> Iterator[Path]:
    """Every spec file named or under a named folder, each once, folders in sorted order.

    A named file is yielded even when it does not exist, so that loading reports it.
    """
    seen: set[Path] = set()
    for path in paths:
        found = (
            sorted(
                p
                for p in path.rglob("*")
                if p.suffix in SPEC_SUFFIXES
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if path.is_dir()
            else [path]
        )
        for spec in found:
            key = spec.resolve()
            if key not in seen:
                seen.add(key)
                yield spec
