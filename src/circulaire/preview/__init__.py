"""``circulaire preview``: a live preview of one letter in the browser, rendered again on
every save of its spec or of a template.

The stages, each a module: ``state.py`` renders the letter and keeps the last good rendering,
``page.py`` is the page that shows it, ``server.py`` serves it on 127.0.0.1, ``watch.py``
follows the files. :func:`serve` holds them together until Ctrl-C (or ``stop``).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from ..errors import CirculaireError
from .server import PreviewServer
from .state import Preview, Snapshot
from .watch import Watched

__all__ = ["Preview", "PreviewServer", "Snapshot", "Watched", "serve"]


def serve(
    spec: Path,
    templates: Path | None = None,
    port: int = 0,
    *,
    browser: bool = True,
    say: Callable[[str], object] = print,
    stop: threading.Event | None = None,
) -> None:
    """Render ``spec``, serve it, and render it again at each save until Ctrl-C or ``stop``;
    ``say`` is told the address and what each rendering found."""
    watched = Watched.of(spec, templates)
    preview = Preview(spec, templates)
    try:
        server = PreviewServer(preview, port)
    except OSError as exc:
        where = f"127.0.0.1:{port}" if port else "127.0.0.1"
        raise CirculaireError(f"cannot listen on {where}: {exc.strerror or exc}") from None
    thread = threading.Thread(target=server.serve_forever, name="preview", daemon=True)
    thread.start()
    try:
        say(f"previewing {spec} at {server.url} (Ctrl-C to stop)")
        if browser:
            _open(server.url, say)
        say(_summary(preview.refresh()))
        for templates_changed in watched.changes(stop):
            say(_summary(preview.refresh(templates_changed)))
    except KeyboardInterrupt:
        pass
    finally:
        preview.close()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _summary(snapshot: Snapshot) -> str:
    if snapshot.problems:
        first = snapshot.problems.splitlines()[0]
        return f"problems, the last good rendering is shown: {first}"
    if snapshot.pdf_problem:
        return f"rendered, but not the PDF: {snapshot.pdf_problem.splitlines()[0]}"
    return "rendered"


def _open(url: str, say: Callable[[str], object]) -> None:
    """Open the page in the user's browser, if there is one to open: never a browser in the
    terminal (lynx would take it from the preview), never a failure."""
    import webbrowser

    graphical = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if sys.platform.startswith("linux") and not graphical and not os.environ.get("BROWSER"):
        say("no browser to open here: open the address above in yours")
        return

    def opened() -> None:
        try:
            if not webbrowser.open(url):
                say("no browser could be opened: open the address above in yours")
        except Exception:  # webbrowser.Error, or a browser that fails to start
            say("no browser could be opened: open the address above in yours")

    threading.Thread(target=opened, name="browser", daemon=True).start()
