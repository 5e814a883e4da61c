"""The worker pool: tasks cut into chunks, rendered in processes, and recovery when one dies.

Workers come from a fork server that imports the renderers once; the specs are read ahead
while they start; Python's cycle collector runs less often while letters render. A worker
killed (for memory, by a user) breaks the pool: its chunks are tried once more in a new one,
and what is left is reported, with its files kept as they were."""

from __future__ import annotations

import contextlib
import itertools
import os
import time
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..errors import CirculaireError, Problem
from .plan import Plan, Task
from .render import Result, render_chunk
from .settings import Settings

CHUNK_MAX = 64

LIBRARIES = {"docx": ["docx"], "pdf": ["typst"]}
"""What a format's renderer imports only when it first renders (besides every format's)."""


def results(plan: Plan, jobs: int | None) -> Iterator[Result]:
    """Render the plan's tasks, in this process or in a pool; results come as chunks finish."""
    settings = plan.settings
    tasks = plan.tasks
    if not tasks:
        return
    jobs = max(1, jobs or os.cpu_count() or 1)
    chunks = chunked(tasks, jobs)
    arguments = (
        settings.output,
        settings.templates,
        settings.reference_docx,
        settings.building,
        settings.draft,
    )
    if jobs == 1 or len(chunks) == 1:
        thresholds = _collect_less()
        try:
            for chunk in chunks:
                yield from render_chunk(chunk, *arguments)
        finally:
            _collect_as_before(thresholds)
        return
    context = _worker_context(settings.formats)
    with reading_ahead(task.spec for chunk in chunks for task in chunk):
        unfinished = yield from in_pool(min(jobs, len(chunks)), context, chunks, arguments)
        if unfinished:  # once more, in new workers: the system may have killed one for memory
            unfinished = yield from in_pool(
                min(jobs, len(unfinished)), context, unfinished, arguments
            )
    message = "a worker process died while rendering this letter: its files are kept as they were"
    for chunk in unfinished:
        for task in chunk:
            yield Result(task.key, problems=[Problem(task.spec, message=message)], lost=True)


def chunked(tasks: list[Task], jobs: int) -> list[list[Task]]:
    """Enough chunks to keep every worker busy to the end, few enough to amortize the pool.

    Each chunk holds letters of one folder, and the folders take turns: workers that write
    into one folder at once queue for its lock (every file created or renamed takes it), so
    two workers are kept in two folders while the archive has two. The last chunks are
    smaller, so that the workers finish together."""
    size = max(1, min(CHUNK_MAX, len(tasks) // (jobs * 8)))
    by_folder: dict[str, list[Task]] = {}
    for task in tasks:
        by_folder.setdefault(task.key.rpartition("/")[0], []).append(task)
    queues = [_pieces(letters, size) for letters in by_folder.values()]
    for queue in queues:
        queue[-jobs:] = [p for chunk in queue[-jobs:] for p in _pieces(chunk, max(1, size // 4))]
    return [chunk for turn in itertools.zip_longest(*queues) for chunk in turn if chunk]


def _pieces(tasks: list[Task], size: int) -> list[list[Task]]:
    return [tasks[start : start + size] for start in range(0, len(tasks), size)]


def _worker_context(formats: Iterable[str]) -> Any:
    """Where workers come from: a fork server, a fresh process, so that no thread of the build
    (Typst's, after a PDF rendered here) is forked half-held, and that imports the renderers
    once for every worker."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_modules(formats))
    return context


def start_workers_early(settings: Settings, jobs: int | None = None) -> None:
    """A build with no manifest yet (a first build) or ``--force`` renders every letter: start
    the fork server its workers come from before planning, so that it imports the renderers
    on another core while the build lists the archive. Any other build starts it only if it
    has letters to render."""
    if max(1, jobs or os.cpu_count() or 1) == 1:
        return
    try:
        if not settings.force and settings.manifest.exists():
            return
    except OSError:
        return
    if _worker_context(settings.formats).get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    with contextlib.suppress(OSError):  # the pool reports it, when it starts
        forkserver.ensure_running()


def in_pool(
    jobs: int, context: Any, chunks: list[list[Task]], arguments: tuple[Any, ...]
) -> Generator[Result, None, list[list[Task]]]:
    """The results of ``chunks`` as they finish, in a pool of ``jobs`` workers; then the chunks
    left unfinished when a worker died (killed, out of memory), which stops the whole pool."""
    pool, pending = _start_pool(jobs, context, chunks, arguments)
    unfinished: list[list[Task]] = []
    try:
        while pending and not unfinished:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                chunk = pending.pop(future)
                try:
                    done = future.result()
                except BrokenProcessPool:
                    unfinished.append(chunk)
                    continue
                yield from done
        for future, chunk in pending.items():  # done before the pool broke, or lost with it
            if future.done() and not future.cancelled() and future.exception() is None:
                yield from future.result()
            else:
                unfinished.append(chunk)
        return unfinished
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_pool(
    jobs: int, context: Any, chunks: list[list[Task]], arguments: tuple[Any, ...]
) -> tuple[ProcessPoolExecutor, dict[Future[list[Result]], list[Task]]]:
    """A pool of ``jobs`` workers, with every chunk submitted (the first submit starts them).
    A system that will not start them (no process left, a helper process of Python's that
    cannot run) is an error saying so, not a build that stops without a word."""
    pool = None
    try:
        pool = ProcessPoolExecutor(
            jobs, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
        )
        return pool, {pool.submit(render_chunk, chunk, *arguments): chunk for chunk in chunks}
    except OSError as exc:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        raise CirculaireError(f"cannot start worker processes ({exc}): try --jobs 1") from None


@contextlib.contextmanager
def reading_ahead(paths: Iterable[str]) -> Iterator[None]:
    """Ask the system, from a thread, to start reading the specs in the order the workers will
    take them, while the workers start: an archive not read for a while lies on disk, not in
    memory, and each worker would otherwise wait for its letters one at a time. The thread
    stops with the block."""
    import threading

    stop = threading.Event()

    def advise() -> None:
        for path in paths:
            if stop.is_set():
                return
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue  # its worker reports it
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
            except OSError:
                pass
            finally:
                os.close(fd)

    if not hasattr(os, "posix_fadvise"):
        yield
        return
    thread = threading.Thread(target=advise, name="read-ahead", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _start_worker(build: int) -> None:
    """Workers leave Ctrl-C to the build, and end when it ends, however it ends: a build
    killed with SIGKILL leaves no worker behind to finish a letter unasked."""
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _collect_less()
    parent = os.getppid()  # the build, or the fork server that ends with it

    def watch() -> None:
        while os.getppid() == parent and _alive(build):
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="watch-build", daemon=True).start()


def _collect_less() -> tuple[int, int, int]:
    """Run Python's cycle collector less often while letters render; return its thresholds.

    Rendering allocates many short-lived objects (tokens, nodes, template contexts), and by
    default a collection runs every 700 of them, walking everything the renderers imported: a
    tenth of a letter's time. What is imported is frozen (never walked again) and collections
    come thirty times less often; cycles are still collected."""
    import gc

    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)
    return thresholds


def _collect_as_before(thresholds: tuple[int, int, int]) -> None:
    import gc

    gc.set_threshold(*thresholds)
    gc.unfreeze()


def _alive(pid: int) -> bool:
    if os.name != "posix":  # os.kill would end the process there: the parent's id must do
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _modules(formats: Iterable[str]) -> list[str]:
    """What a worker imports to render ``formats``: the fork server imports them once, and
    every worker starts with them (a worker's first letter otherwise waits for them)."""
    from ..render import _MODULES

    modules = ["circulaire.validate", "jinja2", "pyromark", "markdown_it", "babel.dates"]
    for fmt in formats:
        modules += [f"circulaire.render.{_MODULES[fmt]}", *LIBRARIES.get(fmt, [])]
    return modules
