"""The stamp: how a rebuild that has nothing to do tells so by the files' status alone.

A build that leaves its output folder current (every letter built, nothing failed, nothing
unread) writes ``.circulaire-stamp`` last: the formats, the size of every spec, of every file
of circulaire's code and house templates, of the manifest and the register, and the folders
that hold the letters. Its mtime is set back to when the build began (a file saved since is
newer); its ctime, which no tool sets back, is when it was written. The next build
removes it before it touches anything.

:func:`current` is the whole of a no-op rebuild. It is called before click or anything else of
circulaire is loaded (``entry.py``), and asks the system about each file once: a spec, a module
or a template is as recorded when its size is and it has not changed (mtime or ctime) since the
stamp's mtime; an output folder, the manifest and the register, when they have not changed
since its ctime. A file added to, removed from or renamed in a folder changes the folder: an
output deleted or replaced is found without a look at every output. An output edited in place,
which changes no folder, is put right by ``--force``. A build with work trusts the same way the
letters whose specs the stamp still vouches for (:func:`vouching`). Anything else (a spec
added, a link, a folder that cannot be read, an option beyond ``-o``, ``-f``, ``-j``, ``-q``,
``-v``) is left to the full build, which decides.

The stamp is bookkeeping, not an output: a build leaves none when a spec is a link. It holds
sizes and names, never a time or an absolute path: the same archive built twice gives the
same stamp, as it gives the same manifest.
"""

from __future__ import annotations

import marshal
import os
import sys
import time

from .. import __version__
from .names import BUILDING, HTML_INDEX, INDEX, MANIFEST, STAMP

TYPE_CHECKING = False  # typing itself would be a tenth of a no-op rebuild
if TYPE_CHECKING:
    from typing import Any

    from .plan import Plan
    from .record import Outcome
    from .settings import Settings

STAMP_VERSION = 1
SPEC_SUFFIXES = (".yaml", ".yml")
DEPTH = 32
"""As deep as an archive's folders are listed (``discover.MAX_FOLDER_DEPTH``)."""
PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
"""circulaire's own folder, which the stamp's paths of code and templates are relative to."""


class Changed(Exception):
    """Something is not as the stamp records it: the full build decides what."""


# -- the no-op rebuild -----------------------------------------------------------------------


def current(source: str, output: str, formats: tuple[str, ...]) -> int | None:
    """The number of letters, when the build of ``source`` into ``output`` in ``formats`` has
    nothing to do; else None. Holds the folder as a build does while it looks."""
    try:
        folder = os.open(output, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        if not _hold(folder):
            return None  # a build writes there: the full build says so
        return stamped(source, output, formats)
    finally:
        os.close(folder)


def stamped(source: str, output: str, formats: tuple[str, ...]) -> int | None:
    """:func:`current`, for a caller that holds the folder already."""
    try:
        return _count(source, output, formats)
    except (Changed, OSError, ValueError, TypeError, KeyError, EOFError):
        return None


def _hold(folder: int) -> bool:
    if sys.platform == "win32":
        return True
    import fcntl

    try:
        fcntl.flock(folder, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _count(source: str, output: str, formats: tuple[str, ...]) -> int:
    specs, moment = _holding(source, output, formats)
    found = _walk(source, "", Vouched(specs, moment), 0)
    if found != len(specs):
        raise Changed  # a spec removed
    return found


def vouching(source: str, output: str, formats: tuple[str, ...]) -> Vouched | None:
    """What the stamp still vouches for when specs changed but nothing else did (no module,
    template, output folder, manifest or register): the size of each spec as the last build
    found it, and the moment a spec must be older than to be that one. A build with work then
    trusts the letters of the others as a no-op rebuild does (:func:`current`), and checks
    the changed ones file by file. None when the stamp vouches for nothing."""
    try:
        specs, moment = _holding(source, output, formats)
    except (Changed, OSError, ValueError, TypeError, KeyError, EOFError):
        return None
    return Vouched(specs, moment)


class Vouched:
    """The specs a stamp records, by key, and the moment they must be older than."""

    def __init__(self, specs: dict[str, int], moment: int) -> None:
        self.specs = specs
        self.moment = moment

    def holds(self, key: str, status: os.stat_result | None) -> bool:
        """Whether a spec, as its listing found it, is the one the stamp records."""
        return (
            status is not None
            and self.specs.get(key) == status.st_size
            and max(status.st_mtime_ns, status.st_ctime_ns) < self.moment
        )


def _holding(source: str, output: str, formats: tuple[str, ...]) -> tuple[dict[str, int], int]:
    """The stamp's specs and their moment, when everything else it records holds."""
    stamp_path = os.path.join(output, STAMP)
    status = os.lstat(stamp_path)
    vouched, written = status.st_mtime_ns, status.st_ctime_ns
    with open(stamp_path, "rb") as file:
        stamp = marshal.loads(file.read())
    if stamp["stamp"] != STAMP_VERSION or stamp["version"] != __version__:
        raise Changed
    if tuple(stamp["formats"]) != formats or stamp["source"] != source:
        raise Changed
    if _exists(os.path.join(output, BUILDING)):
        raise Changed  # a build was killed
    _since(os.path.join(output, MANIFEST), stamp["manifest"], written)
    for name, size in stamp["register"]:
        _since(os.path.join(output, name), size, written)
    for name in stamp["folders"]:
        _since(os.path.join(output, name), None, written)
    for name, size in stamp["inputs"]:
        _since(os.path.join(PACKAGE, name), size, vouched)
    specs: dict[str, int] = stamp["specs"]
    if type(specs) is not dict:
        raise Changed
    return specs, vouched


def _since(path: str, size: int | None, moment: int) -> None:
    """:class:`Changed` unless the file has ``size`` (a folder: any) and has not changed since
    ``moment``."""
    st = os.lstat(path)
    if (size is not None and st.st_size != size) or max(st.st_mtime_ns, st.st_ctime_ns) >= moment:
        raise Changed


def _exists(path: str) -> bool:
    try:
        os.lstat(path)
    except FileNotFoundError:
        return False
    return True


def _walk(folder: str, prefix: str, vouched: Vouched, depth: int) -> int:
    """How many specs under ``folder``, each as recorded; :class:`Changed` at the first one
    that is not, or at anything the archive's listing would have to decide (a link)."""
    if depth > DEPTH:
        raise Changed
    found = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                found += _walk(entry.path, f"{prefix}{name}/", vouched, depth + 1)
            elif name.endswith(SPEC_SUFFIXES):
                if entry.is_symlink():
                    raise Changed
                if not entry.is_file(follow_symlinks=False):
                    continue  # a pipe or a device: no spec, as the listing says
                if not vouched.holds(prefix + name, entry.stat(follow_symlinks=False)):
                    raise Changed
                found += 1
    return found


# -- written by a build that left the folder current ------------------------------------------


def forget_stamp(output: str | os.PathLike[str]) -> None:
    """Remove the stamp before a build touches anything: killed, it leaves none. Looked for
    first: a read-only folder refuses to remove even what is not there."""
    path = os.path.join(output, STAMP)
    try:
        os.lstat(path)
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        from pathlib import Path

        from ..output import cannot_write

        raise cannot_write(Path(path), exc) from None


def plain(settings: Settings) -> bool:
    """Whether a build is asked nothing a no-op rebuild does not take (``--templates``,
    ``--reference-docx``, ``--draft``, ``--shard``): one whose stamp tells of it."""
    return (
        settings.shard is None
        and settings.templates is None
        and settings.reference_docx is None
        and not settings.draft
    )


def write_stamp(plan: Plan, outcome: Outcome) -> None:
    """Leave the stamp, when the build left the folder current with the archive as it was when
    it began, and was asked nothing a no-op rebuild does not take (``--templates``,
    ``--reference-docx``, ``--draft``, ``--shard``). The sizes are the ones the build found;
    dated to its start, the stamp vouches for no file saved while it ran."""
    import contextlib

    from ..errors import CirculaireError
    from ..output import write_atomic
    from ..templating import packaged_templates
    from .clock import past_last_write

    settings = plan.settings
    failed = outcome.return_code != 0 or outcome.problems or outcome.unread
    if failed or plan.problems or plan.unread or not plain(settings):
        return
    if len(plan.sizes) != len(plan.letters) or min(plan.sizes, default=0) < 0:
        return  # a link among the specs: the full build follows it each time
    try:
        specs = dict(sorted(zip(plan.letters, plan.sizes, strict=True)))
        inputs = [
            (name, os.lstat(os.path.join(PACKAGE, name)).st_size)
            for name in _inputs(os.path.relpath(packaged_templates(), PACKAGE))
        ]
        output = str(settings.output)
        register = [INDEX, HTML_INDEX] if "html" in settings.formats else [INDEX]
        stamp: dict[str, Any] = {
            "stamp": STAMP_VERSION,
            "version": __version__,
            "formats": list(settings.formats),
            "source": str(settings.source),
            "manifest": os.lstat(os.path.join(output, MANIFEST)).st_size,
            "register": [(name, os.lstat(os.path.join(output, name)).st_size) for name in register],
            "folders": _folders(output),
            "inputs": inputs,
            "specs": specs,
        }
    except OSError:
        return
    past_last_write(settings.output)  # what the build wrote is older than the stamp
    path = settings.output / STAMP
    try:  # dated to when the build began: a file saved since is newer
        write_atomic(path, marshal.dumps(stamp), durable=False)
        os.utime(path, ns=(plan.begun, plan.begun))
    except (CirculaireError, OSError):  # none, or none it can date: a slower next build
        with contextlib.suppress(OSError):
            os.unlink(path)


def _folders(output: str) -> list[str]:
    """The folders of the letters' files (``CL-21``, whatever folder their specs are in)."""
    with os.scandir(output) as entries:
        return sorted(
            entry.name
            for entry in entries
            if entry.is_dir(follow_symlinks=False) and not entry.name.startswith(".")
        )


def _inputs(templates: str) -> list[str]:
    """What every letter is built from besides its spec, relative to :data:`PACKAGE`: every
    module of circulaire and every house template, and the folders that hold them (a file
    added there changes its folder)."""
    found: list[str] = []
    for top, suffix in (("", ".py"), (templates, "")):
        for folder, subfolders, files in os.walk(os.path.join(PACKAGE, top)):
            subfolders[:] = sorted(
                name for name in subfolders if not name.startswith(".") and name != "__pycache__"
            )
            found.append(os.path.relpath(folder, PACKAGE))
            found.extend(
                os.path.relpath(os.path.join(folder, name), PACKAGE)
                for name in sorted(files)
                if name.endswith(suffix) and not name.startswith(".")
            )
    return found


def no_op_summary(letters: int, started: float) -> str:
    """What a build with nothing to do says (``Outcome.summary``)."""
    seconds = time.perf_counter() - started
    return f"built 0 letters (0 files), {letters} unchanged, 0 removed, 0 failed in {seconds:.1f} s"
