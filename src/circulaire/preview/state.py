"""What the preview shows: the letter rendered as HTML and as PDF, the last good rendering of
each, and the problems of the last attempt, as ``validate`` reports them.

A save that breaks the spec, a template or the PDF never takes the letter off the page: the
problems are shown above the last rendering that worked.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import CirculaireError, Problem, UnprintableText


@dataclass(frozen=True)
class Snapshot:
    """One state of the preview; ``version`` counts the states, so that a page can tell a new
    one from the one it shows."""

    version: int = 0
    html: bytes | None = None
    html_version: int = 0
    """The ``version`` at which ``html`` was rendered: the page reloads it when it changes."""
    pdf: bytes | None = None
    pdf_version: int = 0
    problems: str = ""
    """The spec's problems (errors and warnings) as ``validate`` prints them, or what kept the
    letter from being rendered (a template); empty when there are none."""
    pdf_problem: str = ""
    """What kept the PDF from being typeset (Typst, a font); the last good PDF stays."""
    pending: bool = False
    """The HTML is rendered and the PDF is being typeset."""

    def as_json(self) -> str:
        return json.dumps(
            {
                "version": self.version,
                "html": self.html_version if self.html is not None else 0,
                "pdf": self.pdf_version if self.pdf is not None else 0,
                "problems": self.problems,
                "pdf_problem": self.pdf_problem,
                "pending": self.pending,
            }
        )  # ASCII: no line break of any kind can end an event's data line


class Preview:
    """The letter of one spec, rendered again on demand (:meth:`refresh`), for any number of
    threads that wait for its next state (:meth:`wait`)."""

    def __init__(self, spec: Path, templates: Path | None = None) -> None:
        self.spec = spec
        self.templates = templates
        self._snapshot = Snapshot()
        self._changed = threading.Condition()
        self.closed = False

    def snapshot(self) -> Snapshot:
        with self._changed:
            return self._snapshot

    def wait(self, after: int, timeout: float) -> Snapshot:
        """The first state newer than ``after``, or the current one after ``timeout`` seconds
        or once the preview is closed."""
        with self._changed:
            self._changed.wait_for(
                lambda: self._snapshot.version > after or self.closed, timeout=timeout
            )
            return self._snapshot

    def close(self) -> None:
        """Wake every waiting thread for the last time."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def _publish(self, **changes: object) -> Snapshot:
        with self._changed:
            version = self._snapshot.version + 1
            if "html" in changes:
                changes["html_version"] = version
            if "pdf" in changes:
                changes["pdf_version"] = version
            self._snapshot = replace(self._snapshot, version=version, **changes)  # type: ignore[arg-type]
            self._changed.notify_all()
            return self._snapshot

    def refresh(self, templates_changed: bool = False) -> Snapshot:
        """Read, validate and render the letter again: the HTML first, published at once, then
        the PDF, which takes longer. Nothing raised here stops the preview."""
        from .. import drafts
        from ..render import RenderOptions, render
        from ..report import check

        if templates_changed:
            forget_templates()
        report = check([self.spec])
        letter = report.letters.get(self.spec)
        problems = list(report.problems)
        if letter is None:
            return self._publish(problems=_shown(problems), pending=False)
        draft = any(p.code in drafts.CODES and p.severity == "warning" for p in problems)
        options = RenderOptions(self.templates, draft=draft)
        try:
            html = render(letter, "html", options)
        except CirculaireError as exc:
            return self._publish(problems=_shown(problems, self._failure(exc)), pending=False)
        except Exception as exc:  # a bug must not end the preview: it is shown instead
            return self._publish(problems=_shown(problems, _bug(exc)), pending=False)
        self._publish(html=html, problems=_shown(problems), pending=True)
        try:
            pdf = render(letter, "pdf", options)
        except CirculaireError as exc:
            return self._publish(pdf_problem=self._failure(exc), pending=False)
        except Exception as exc:
            return self._publish(pdf_problem=_bug(exc), pending=False)
        return self._publish(pdf=pdf, pdf_problem="", pending=False)

    def _failure(self, exc: CirculaireError) -> str:
        if isinstance(exc, UnprintableText):  # said where the spec writes it
            from ..source import unprintable

            return str(unprintable(self.spec, exc))
        return str(exc)


def _shown(problems: list[Problem], failure: str = "") -> str:
    from ..formats import human

    text = human(problems)
    if failure:
        text += failure.rstrip("\n") + "\n"
    return text


def _bug(exc: Exception) -> str:
    return f"circulaire failed ({type(exc).__name__}: {exc}): this is a bug, please report it"


def forget_templates() -> None:
    """Forget the templates, catalogs, house settings and fonts read so far: they are read
    again from the disk at the next render (a render command reads them once, the preview at
    each change)."""
    from .. import house, templating, wording
    from ..render import pdf

    for cached in (
        templating.environment,
        templating._template,
        templating.house_wording,
        wording.wording,
        wording._compiled,
        house._house,
        pdf._house,
        pdf._compiler,
    ):
        cached.cache_clear()
