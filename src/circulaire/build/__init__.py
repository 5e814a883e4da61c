"""Building a whole archive: find the specs, render what changed in parallel, keep the register.

A build, from top to bottom: :mod:`.plan` finds what changed, :mod:`.workers` render it (each
letter as :mod:`.render` says), :mod:`.record` keeps each letter's entry in the manifest
(:mod:`.manifest`) as results come, :mod:`.cleanup` removes what no letter makes any more,
and the register (:mod:`.register`) is written last. Every file lands by an atomic rename;
the manifest is saved every few seconds, so a killed build resumes where it stopped. See
``docs/architecture.md``.
"""

from __future__ import annotations

import time

from . import plan
from .cleanup import begin, end
from .lock import OutputLock
from .progress import Progress, ProgressBar
from .record import Outcome, Record
from .settings import MANIFEST, Settings, Shard

__all__ = ["MANIFEST", "Outcome", "Progress", "ProgressBar", "Settings", "Shard", "build", "run"]


def build(settings: Settings, jobs: int | None = None, progress: Progress | None = None) -> Outcome:
    """Bring the output folder up to date with the archive: plan, then :func:`run`, holding
    the folder (see :mod:`.lock`)."""
    with OutputLock(settings):
        if settings.force or not settings.manifest.exists():  # a build that renders it all
            from .workers import start_workers_early

            start_workers_early(settings, jobs)
        return run(plan.plan(settings), jobs, progress)


def run(work: plan.Plan, jobs: int | None = None, progress: Progress | None = None) -> Outcome:
    """Remove what is gone, render what changed (in ``jobs`` processes), then save the manifest
    and the register."""
    journal = begin(work)  # the journal, and what a killed build left half-written
    record = None
    try:
        record = Record(work)
        record.remove_gone()
        if work.tasks:  # the pool and what it imports only for a build that renders
            from .workers import results

            record.take(results(work, jobs), progress)
        else:
            record.take((), progress)
        record.settle_clashes()
        record.save()
        outcome = record.outcome
        outcome.removed.extend(end(work.settings, journal, record.keep_journal))
    finally:
        journal.close()
        if record is not None:
            record.entries.close()
    outcome.problems.sort()
    outcome.built.sort()
    outcome.seconds = time.perf_counter() - work.started
    return outcome
