"""Building a whole archive: find the specs, render what changed in parallel, keep the register.

A build, from top to bottom: :mod:`.plan` finds what changed, :mod:`.workers` render it (each
letter as :mod:`.render` says), :mod:`.record` keeps each letter's entry in the manifest
(:mod:`.manifest`) as results come, :mod:`.cleanup` removes what no letter makes any more,
and the register (:mod:`.register`) is written last. Every file lands by an atomic rename;
the manifest is saved every few seconds, so a killed build resumes where it stopped. See
``docs/architecture.md``.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing itself would be a tenth of a no-op rebuild (see .stamp)
if TYPE_CHECKING:
    from typing import Any

    from .archive import build, run
    from .progress import Progress, ProgressBar
    from .record import Outcome
    from .settings import MANIFEST, Settings, Shard

__all__ = ["MANIFEST", "Outcome", "Progress", "ProgressBar", "Settings", "Shard", "build", "run"]

_FROM = {
    "build": "archive",
    "run": "archive",
    "Progress": "progress",
    "ProgressBar": "progress",
    "Outcome": "record",
    "MANIFEST": "settings",
    "Settings": "settings",
    "Shard": "settings",
}
"""Where each name lives: loaded at its first use, so that a no-op rebuild (:mod:`.stamp`),
which needs none of them, loads nothing but itself."""


def __getattr__(name: str) -> Any:
    if name not in _FROM:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_FROM[name]}"), name)
