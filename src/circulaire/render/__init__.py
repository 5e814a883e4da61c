"""One module per output format; each turns a :class:`~circulaire.model.Letter` into bytes."""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False  # typing itself is a few milliseconds of a no-op rebuild (entry.py)
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from ..model import Letter

FORMATS = ("md", "txt", "docx", "pdf", "html")
"""Every output format, by file extension, in the order a build lists their files."""
BUILT = ("md", "txt", "docx", "pdf")
"""The formats ``build`` renders unless told: an archive built before HTML existed is built
again as it was (the same files, the same register) until HTML is asked for."""


def formats_named(value: str) -> tuple[str, ...] | None:
    """The formats a list such as ``-f txt,md`` names, in the house order whatever the order
    given (``-f txt,md`` builds what ``-f md,txt`` builds); None when it names none, or one
    that is no format."""
    chosen = {name.strip().lower() for name in value.split(",")} - {""}
    if not chosen or not chosen <= set(FORMATS):
        return None
    return tuple(fmt for fmt in FORMATS if fmt in chosen)


_MODULES = {"md": "markdown", "txt": "text", "docx": "docx", "pdf": "pdf", "html": "html"}


def renderer(fmt: str) -> Callable[..., bytes]:
    """The ``render(letter, options)`` function of a format, imported only when needed."""
    module = import_module(f".{_MODULES[fmt]}", __name__)
    render: Callable[..., bytes] = module.render
    return render


def render(letter: Letter, fmt: str, options: RenderOptions | None = None) -> bytes:
    return renderer(fmt)(letter, options or RenderOptions())


class RenderOptions:
    """What a render may take besides the letter: template and reference-document overrides,
    and whether the letter is a draft (:mod:`circulaire.drafts`), which DOCX and PDF mark."""

    def __init__(
        self,
        templates: Path | None = None,
        reference_docx: Path | None = None,
        draft: bool = False,
    ) -> None:
        self.templates = templates
        self.reference_docx = reference_docx
        self.draft = draft
