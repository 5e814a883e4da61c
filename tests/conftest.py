"""Shared fixtures: the archive, the golden files, and external programs (skip or fail)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st

from circulaire.translation import NAME as TRANSLATION_NAME

# In CI, the property tests draw the same examples on every run: a failure there is a change
# of ours, never the luck of a draw (locally they explore, and keep what they find).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
LETTERS = ROOT / "letters"
GOLDEN = Path(__file__).resolve().parent / "golden"
ARCHIVE = sorted(LETTERS.rglob("*.yaml"))
"""Every spec of the archive, the letters every format must render."""
ORIGINALS = [path for path in ARCHIVE if not TRANSLATION_NAME.match(path.name)]
"""The archive's letters in their original language (``27.yaml``, not ``27.en.yaml``)."""
MARKDOWNISH = st.text(
    st.sampled_from(list("ab é*_[]()<>`#-+1.:\n\t\\!&\"'|~=$@/"))
    | st.characters(blacklist_categories=("Cc", "Cs")),
    max_size=120,
)
"""Text full of Markdown's own characters, and any other, for a body or a subject."""


def require(program: str) -> str:
    """The path of an external program. Absent locally: skip, saying so. Absent in CI: fail,
    because CI installs it and a skip there would hide a broken install."""
    path = shutil.which(program)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{program} is required in CI (.ci/run installs it) but is not on PATH")
    pytest.skip(f"{program} is not installed: install it to run this test")


def on_a_terminal(*arguments: str) -> tuple[int, str]:
    """``circulaire arguments`` run with its standard error on a terminal (a pseudo-terminal,
    as a user's): its exit code, and all it showed there."""
    import pty
    import subprocess
    import sys

    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "circulaire", *arguments], stderr=terminal)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the command has ended and closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    return process.wait(), shown.decode(errors="replace")


@pytest.fixture(params=ARCHIVE, ids=lambda p: p.relative_to(LETTERS).with_suffix("").as_posix())
def spec(request: pytest.FixtureRequest) -> Path:
    """Each spec of the archive in turn."""
    path: Path = request.param
    return path


# -- what the system refuses (played: root, who runs CI, reads anything) ----------------------


def refuse_to_read(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The system refuses to open ``spec``, as for a file without read permission."""
    import circulaire.source

    opener = os.open

    def refusing(path: object, *args: object, **kwargs: object) -> int:
        if Path(str(path)) == spec:
            raise PermissionError(13, "Permission denied", str(path))
        return opener(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(circulaire.source.os, "open", refusing)


def refuse_to_list(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The system refuses to list ``folder``, as for a folder without read permission."""
    import circulaire.discover

    scandir = os.scandir

    def refusing(path: str) -> object:
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied", path)
        return scandir(path)

    monkeypatch.setattr(circulaire.discover.os, "scandir", refusing)


# The browser's fixtures, for every test module: `page` and the one Chromium behind it.
from browser import chromium, page  # noqa: E402, F401
