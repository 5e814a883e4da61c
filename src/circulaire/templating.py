"""The Jinja2 environment: a user's templates first, then the packaged ones.

Spec text reaches templates only as variables: it is never compiled as a template.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from . import dates
from .errors import RenderError

if TYPE_CHECKING:
    import jinja2

    from .model import Letter


def packaged_templates() -> Path:
    """The house templates: inside the installed package, or at the top of a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent.parent / "templates"):
        if (candidate / "letter.j2").is_file():
            return candidate
    raise RenderError(f"the house templates are missing (looked in {here / 'templates'})")


@cache
def environment(
    filters: tuple[tuple[str, Callable[..., Any]], ...], user_templates: Path | None = None
) -> jinja2.Environment:
    """One environment per output format (its escaping and emphasis filters) and template path."""
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        if not user_templates.is_dir():
            raise RenderError(f"{user_templates}: no such templates folder")
        loaders.append(jinja2.FileSystemLoader(user_templates))
    loaders.append(jinja2.FileSystemLoader(packaged_templates()))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(dates.FILTERS)
    env.filters.update(dict(filters))
    return env


def render_template(
    name: str,
    letter: Letter,
    filters: Mapping[str, Callable[..., Any]],
    user_templates: Path | None = None,
    **context: Any,
) -> str:
    """Render template ``name`` for ``letter`` with a format's filters (escaping, emphasis)."""

    env = environment(tuple(sorted(filters.items())), user_templates)
    with template_errors():
        template = env.get_template(name)
        return template.render(
            letter=letter, style=letter.style, labels=letter.style.labels, **context
        )


def render_blocks(
    name: str,
    letter: Letter,
    filters: Mapping[str, Callable[..., Any]],
    user_templates: Path | None = None,
    **context: Any,
) -> list[tuple[str, str]]:
    """Template ``name`` rendered as ``(block name, text)`` pairs, in the order of the output.

    Formats that lay out each part of the letter differently (DOCX) take the parts from the
    same template as Markdown, so a user's override of ``letter.j2`` changes them all. A block
    inside another (``annex`` inside ``annexes``) comes after it; text outside any block comes
    with the name ``""``.
    """
    from jinja2.utils import concat

    env = environment(tuple(sorted(filters.items())), user_templates)
    parts: list[tuple[str, str]] = []

    def capture(block: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def render_block(block_context: Any) -> Any:
            index = len(parts)
            parts.append((block, ""))
            parts[index] = (block, concat(original(block_context)))
            yield from ()

        return render_block

    with template_errors():
        template = env.get_template(name)
        ctx = template.new_context(
            {"letter": letter, "style": letter.style, "labels": letter.style.labels, **context}
        )
        for block, functions in ctx.blocks.items():
            functions[0] = capture(block, functions[0])
        for text in template.root_render_func(ctx):
            parts.append(("", text))
    return parts


@contextmanager
def template_errors() -> Iterator[None]:
    """Jinja's errors as a RenderError naming the template file and line."""
    import jinja2

    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name}:{exc.lineno}"
        raise RenderError(f"{where}: template error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template '{exc.name}' not found") from None
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as exc:
        where = _template_line(exc.__traceback__)
        raise RenderError(f"{where}: template error: {exc}") from None


def _template_line(tb: TracebackType | None) -> str:
    """The template file and line where rendering failed, from Jinja's rewritten traceback."""
    where = "template"
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where
