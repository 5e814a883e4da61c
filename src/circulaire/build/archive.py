"""A build from top to bottom: hold the output folder, plan, render what changed, record it,
clean up, and leave the stamp that lets the next build tell at once that nothing changed."""

from __future__ import annotations

import time

from . import plan
from .cleanup import begin, end
from .lock import OutputLock
from .progress import Progress
from .record import Outcome, Record
from .settings import Settings
from .stamp import forget_stamp, stamped, write_stamp


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
    and the register; leave the stamp when the folder is then current (:mod:`.stamp`)."""
    settings = work.settings
    idle = not (work.tasks or work.gone or work.dropped or work.checked)
    if not idle:  # a build killed from here leaves no stamp
        forget_stamp(settings.output)
    kept = idle and stamped(str(settings.source), str(settings.output), settings.formats)
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
    if not kept:
        write_stamp(work, outcome)
    outcome.seconds = time.perf_counter() - work.started
    return outcome
