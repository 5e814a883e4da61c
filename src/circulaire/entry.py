"""The program's start. Two commands are answered here without click when their arguments are
of the plain forms: a build that its stamp shows has nothing to do (:mod:`.build.stamp`), and
a render of one letter (:mod:`.quick`). Anything else, help and every usage error included,
goes to the click commands of ``cli.py``, which say it as usual.

This module loads nothing but ``os`` and ``sys`` before it knows which: a no-op rebuild of
10,000 letters is a few tens of milliseconds, of which Python's start is a third.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself would be a tenth of a no-op rebuild
if TYPE_CHECKING:
    from collections.abc import Sequence

_BUILD_VALUED = {"-o": "output", "--output": "output", "-f": "formats", "--formats": "formats"}
_BUILD_VALUED |= {"-j": "jobs", "--jobs": "jobs"}
_BUILD_FLAGS = {"-q": "quiet", "--quiet": "quiet", "-v": "verbose", "--verbose": "verbose"}


def main() -> None:
    arguments = sys.argv[1:]
    if "_CIRCULAIRE_COMPLETE" not in os.environ:  # shell completion is click's
        if arguments[:1] == ["build"] and _nothing_to_build(arguments[1:]):
            return
        if arguments[:1] == ["render"]:
            from .quick import render_quickly

            if render_quickly(arguments):
                return
    from .cli import main as click_main

    click_main()


def _nothing_to_build(arguments: Sequence[str]) -> bool:
    """``build`` of the plain forms (``SOURCE``, ``-o DIR``, ``-f LIST``, ``-j N``, ``-q``,
    ``-v``, each written apart) when the output folder's stamp shows it has nothing to do:
    said as the build says it, and True. False, with nothing done, for anything else."""
    import time

    from .render import BUILT, formats_named

    started = time.perf_counter()
    given: dict[str, str] = {}
    source = None
    rest = list(arguments)
    while rest:
        argument = rest.pop(0)
        if argument in _BUILD_FLAGS:
            given[_BUILD_FLAGS[argument]] = ""
        elif argument in _BUILD_VALUED and rest and not rest[0].startswith("-"):
            if _BUILD_VALUED[argument] in given:
                return False
            given[_BUILD_VALUED[argument]] = rest.pop(0)
        elif argument.startswith("-") or source is not None:
            return False
        else:
            source = argument
    jobs = given.get("jobs", "1")
    if source is None or not os.path.isdir(source) or not (jobs.isdigit() and int(jobs) > 0):
        return False
    if "quiet" in given and "verbose" in given:
        return False  # click says they contradict each other
    formats = formats_named(given.get("formats", ",".join(BUILT)))
    if formats is None:
        return False
    from .build.stamp import current, no_op_summary

    letters = current(os.path.normpath(source), given.get("output", "dist"), formats)
    if letters is None:
        return False
    if "quiet" not in given:
        sys.stderr.write(no_op_summary(letters, started) + "\n")
        sys.stderr.flush()
    return True
