"""Letter -> Markdown, through the ``letter.md.j2`` template."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..markup import escape_markdown
from ..templating import render_template

if TYPE_CHECKING:
    from ..model import Letter
    from . import RenderOptions


def _strong(text: str) -> str:
    return f"**{text}**" if text else text


def _mailto(address: str) -> str:
    return f"[{escape_markdown(address)}](mailto:{address})"


def _markdown(text: str) -> str:
    """Body and annex Markdown is already Markdown: it goes out as the author wrote it."""
    return text.strip("\n").rstrip()


def _item(text: str) -> str:
    return f"- {escape_markdown(text)}"


FILTERS: dict[str, Callable[[str], str]] = {
    "inline": escape_markdown,
    "strong": _strong,
    "mailto": _mailto,
    "item": _item,
    "markdown": _markdown,
}


def render(letter: Letter, options: RenderOptions) -> bytes:
    text = render_template(
        "letter.md.j2", letter, FILTERS, options.templates, hard_break="  \n", run_in=""
    )
    return (text.rstrip() + "\n").encode("utf-8")
