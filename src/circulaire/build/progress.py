"""The progress bar of a build (or of a folder's import) on a terminal: done/total, rate and
time left."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

Progress = Callable[[int, int], None]
"""Called with (letters done, letters to render) as a build goes."""


class ProgressBar:
    """A bar on a terminal, nothing elsewhere; it appears with the first letter to render,
    when the build knows how many there are."""

    def __init__(self, quiet: bool, label: str = "building") -> None:
        self.label = label
        self.shown = not quiet and sys.stderr.isatty()
        self.bar: Any = None
        self.done = 0
        self.started = time.monotonic()

    def __enter__(self) -> Progress | None:
        return self.update if self.shown else None

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            if not total:
                return
            self._start(total)
        rate = done / max(time.monotonic() - self.started, 1e-6)
        self.bar.update(done - self.done, rate_shown(rate))
        self.done = done

    def _start(self, total: int) -> None:
        import click

        self.bar = click.progressbar(
            length=total,
            label=self.label,
            show_pos=True,
            show_eta=True,
            file=sys.stderr,
            item_show_func=lambda rate: rate,
        )
        self.bar.__enter__()
        self.started = time.monotonic()

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def rate_shown(rate: float) -> str:
    """``1 letter/s``, ``2,314 letters/s``; below one a second, ``0.4 letters/s``."""
    whole = round(rate)
    if whole < 1:
        return f"{rate:.1f} letters/s"
    return f"{whole:,} letter{'s' * (whole != 1)}/s"
