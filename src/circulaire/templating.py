"""The Jinja2 environment: a user's templates first, then the packaged ones.

Spec text reaches templates only as variables: it is never compiled as a template. The house
wording of the letter's language (``wording.py``) reaches them through Jinja's i18n extension:
``{{ _("%(place)s, %(date)s", place=..., date=...) }}``; its labels, the spec's or the
catalog's, come as ``labels``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from . import dates, wording
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


HOUSE = "house"
"""The prefix naming a packaged template whatever the user's folder holds: a user's
``letter.j2`` extends the house's as ``house/letter.j2`` (``letter.j2`` would be itself)."""


@cache
def environment(
    filters: tuple[tuple[str, Callable[..., Any]], ...], user_templates: Path | None = None
) -> jinja2.Environment:
    """One environment per output format (its escaping and emphasis filters) and template path."""
    import jinja2

    house = jinja2.FileSystemLoader(packaged_templates())
    loaders: list[jinja2.BaseLoader] = [jinja2.PrefixLoader({HOUSE: house})]
    if user_templates is not None:
        if not user_templates.is_dir():
            raise RenderError(f"{user_templates}: no such templates folder")
        loaders.append(jinja2.FileSystemLoader(user_templates))
    loaders.append(house)
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    # {% trans %} and _() as Jinja's newstyle gettext; each render gives the letter's language
    # its own (wording.Wording.variables), and these globals are the msgids, for any other.
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(dates.FILTERS)
    env.filters.update(dict(filters))
    env.bytecode_cache = _bytecode_cache(env)
    return env


def _bytecode_cache(env: jinja2.Environment) -> jinja2.BytecodeCache | None:
    """Templates compiled by an earlier process, in Jinja's cache folder for this user (one
    only they can write): compiling ``letter.j2`` and a format's template is half of a cold
    ``render``. Compiled code depends on the environment (a filter's arguments are bound when
    it is compiled), so each is cached under a key of its own: Jinja's version, this module,
    and every filter by name and function. Jinja checks the template's source before using
    any; a cache that cannot be read or written only costs the compilation."""
    import hashlib

    import jinja2

    signature = hashlib.sha256(Path(__file__).read_bytes())
    signature.update(jinja2.__version__.encode())
    for name, function in sorted(env.filters.items()):
        named = getattr(function, "__qualname__", type(function).__qualname__)
        signature.update(f"|{name}={getattr(function, '__module__', '')}.{named}".encode())
    try:
        return _cache_class()(pattern=f"circulaire-{signature.hexdigest()[:16]}-%s.cache")
    except (RuntimeError, OSError):  # no safe folder for it
        return None


def _cache_class() -> type[jinja2.FileSystemBytecodeCache]:
    import jinja2

    class QuietCache(jinja2.FileSystemBytecodeCache):
        """A cache whose folder the system refuses (read-only, full) is no error of the
        render."""

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            with suppress(OSError):
                super().load_bytecode(bucket)

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            with suppress(OSError):
                super().dump_bytecode(bucket)

    return QuietCache


def render_template(
    name: str,
    letter: Letter,
    filters: Mapping[str, Callable[..., Any]],
    user_templates: Path | None = None,
    **context: Any,
) -> str:
    """Render template ``name`` for ``letter`` with a format's filters (escaping, emphasis)."""

    with template_errors():
        template = _template(name, tuple(sorted(filters.items())), user_templates)
        return template.render(_variables(letter, user_templates, context))


@cache
def _template(
    name: str,
    filters: tuple[tuple[str, Callable[..., Any]], ...],
    user_templates: Path | None = None,
) -> jinja2.Template:
    """A compiled template, looked up once per process (templates do not change during it)."""
    return environment(filters, user_templates).get_template(name)


def _variables(
    letter: Letter, user_templates: Path | None, context: Mapping[str, Any]
) -> dict[str, Any]:
    """What every template sees: the house wording of the letter's language (``_()``), the
    letter, its style, its labels (the spec's, and the catalog's for those it leaves out;
    ``style.labels`` holds the spec's alone), and a format's extras."""
    house = house_wording(letter.language, user_templates)
    return {
        **house.variables,
        "letter": letter,
        "style": letter.style,
        "labels": house.labels(letter.style.labels),
        **context,
    }


@cache
def house_wording(language: str, user_templates: Path | None = None) -> wording.Wording:
    """The house wording of ``language`` (``_``, ``gettext``, ``ngettext``): the user's
    catalogs, then the packaged ones. Looked up once per process and language."""
    folders: tuple[Path, ...] = (packaged_templates(),)
    if user_templates is not None:
        folders = (user_templates, *folders)
    return wording.wording(language, folders)


def render_blocks(
    name: str,
    letter: Letter,
    filters: Mapping[str, Callable[..., Any]],
    user_templates: Path | None = None,
    **context: Any,
) -> list[tuple[str, str]]:
    """Template ``name`` rendered as ``(block name, text)`` pairs, in the order of the output.

    Formats that lay out each part of the letter differently (DOCX) take the parts from the
    same ``letter.j2`` as Markdown, so a user's override of it changes them all; a template that
    extends it and overrides a block (``super()`` included) works as for Markdown. A block
    inside another (``annex`` inside ``annexes``) comes after it; text outside any block comes
    with the name ``""``.
    """
    env = environment(tuple(sorted(filters.items())), user_templates)
    parts: list[tuple[str, str]] = []
    with template_errors():
        template = env.get_template(name)
        ctx = template.new_context(_variables(letter, user_templates, context))
        blocks = _CapturedBlocks(parts)
        for block, functions in ctx.blocks.items():
            blocks.setdefault(block, []).extend(functions)
        ctx.blocks = blocks
        try:
            for text in template.root_render_func(ctx):
                parts.append(("", text))
        except Exception:
            env.handle_exception()  # as Template.render does: the traceback in template lines
    return parts


class _CapturedBlock:
    """The outermost render function of a block: records the block's text in ``parts`` and
    yields nothing. Equal to the function it wraps, so that ``super()`` finds its place."""

    def __init__(self, name: str, original: Callable[..., Any], parts: list[tuple[str, str]]):
        self.name, self.original, self.parts = name, original, parts

    def __call__(self, context: Any) -> Iterator[str]:
        from jinja2.utils import concat

        index = len(self.parts)
        self.parts.append((self.name, ""))  # keeps its place before the blocks inside it
        self.parts[index] = (self.name, concat(self.original(context)))
        return iter(())

    def __eq__(self, other: object) -> bool:
        return other is self or other is self.original

    __hash__ = object.__hash__


class _CapturedBlocks(dict[str, list[Any]]):
    """Jinja's block table (name -> render functions, the outermost first). Templates that
    extend add their parents' blocks with ``setdefault(name, []).append(...)``."""

    def __init__(self, parts: list[tuple[str, str]]) -> None:
        super().__init__()
        self.parts = parts

    def setdefault(self, key: str, default: list[Any] | None = None) -> list[Any]:
        if key not in self:
            self[key] = _BlockStack(key, self.parts)
        return self[key]


class _BlockStack(list[Any]):
    def __init__(self, name: str, parts: list[tuple[str, str]]) -> None:
        super().__init__()
        self.name, self.parts = name, parts

    def append(self, function: Any) -> None:
        super().append(function if self else _CapturedBlock(self.name, function, self.parts))

    def extend(self, functions: Any) -> None:
        for function in functions:
            self.append(function)


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
    except jinja2.UndefinedError as exc:
        where = _template_line(exc.__traceback__)
        raise RenderError(f"{where}: template error: {_no_field(str(exc))}") from None
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as exc:
        where = _template_line(exc.__traceback__)
        raise RenderError(f"{where}: template error: {exc}") from None
    except RecursionError as exc:
        where = _template_line(exc.__traceback__)
        name = Path(where.rsplit(":", 1)[0]).name
        message = (
            "extends or includes itself, without end (a template extends the house's of its "
            f'name as "{HOUSE}/{name}")'
        )
        raise RenderError(f"{where}: template error: {message}") from None


_NO_ATTRIBUTE = re.compile(
    r"\A'circulaire\.model\.(?P<kind>\w+) object' has no attribute '(?P<name>.*)'\Z"
)


def _no_field(message: str) -> str:
    """StrictUndefined's "'circulaire.model.Letter object' has no attribute 'subjet'" in the
    words of a template's author: the fields the object has, and the one probably meant."""
    import dataclasses
    import difflib

    from . import model

    match = _NO_ATTRIBUTE.match(message)
    kind = getattr(model, match["kind"], None) if match else None
    if match is None or not dataclasses.is_dataclass(kind):
        return message
    fields = [f.name for f in dataclasses.fields(kind)]
    fields += [name for name, value in vars(kind).items() if isinstance(value, property)]
    name = match["name"]
    close = difflib.get_close_matches(name, fields, n=1)
    meant = f" (did you mean '{close[0]}'?)" if close else ""
    return (
        f"a {match['kind'].lower()} has no field '{name}'{meant}; its fields: {', '.join(fields)}"
    )


def _template_line(tb: TracebackType | None) -> str:
    """The template file and line where rendering failed, from Jinja's rewritten traceback."""
    where = "template"
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def origins(
    name: str,
    letter: Letter,
    filters: Mapping[str, Callable[..., Any]],
    user_templates: Path | None = None,
    **context: Any,
) -> list[tuple[str, int] | None]:
    """For each line of what template ``name`` renders, the template and line that wrote it
    (its first text that is not blank), for a message about the output to name the template
    rather than the output: Typst's error at line 212 of the generated source is the one of
    ``letter.typ.j2`` line 40. Renders the template again, slowly: only when something failed.

    Jinja's template code yields the text of each template line in turn, nested generators
    for blocks and parents; the innermost one at each yield stands at the template code's
    line, which Jinja's debug information maps to the template's. A piece of the template's
    own text of several lines is found in it, line by line, from there."""
    env = environment(tuple(sorted(filters.items())), user_templates)
    lines: list[tuple[Any, int] | None] = [None]
    with template_errors():
        template = env.get_template(name)
        ctx = template.new_context(_variables(letter, user_templates, context))
        generator = template.root_render_func(ctx)
        for chunk in generator:
            where = _yielded_at(generator)
            for index, piece in enumerate(chunk.split("\n")):
                if index:
                    lines.append(None)
                if where is not None and lines[-1] is None and piece.strip():
                    lines[-1] = _found(where[0], where[1] + index, piece)
    return [(template_name(found[0]), found[1]) if found else None for found in lines]


def _found(template: jinja2.Template, line: int, text: str) -> tuple[Any, int]:
    """Where the template's own text ``text`` is, at ``line`` or below (Jinja counts a text
    from a tag before it: an ``{% if %}`` that wrote nothing), else ``line``. A line that
    goes on with a value (``lang: {{ ... }}``) is found by the text before it."""
    source = _source_lines(template.filename) if template.filename else []
    wanted = text.strip()
    window = range(line, min(line + SEARCHED_LINES, len(source) + 1))
    for matches in (str.__eq__, str.startswith):
        for candidate in window:
            if matches(source[candidate - 1].strip(), wanted):
                return template, candidate
    return template, line


SEARCHED_LINES = 40
"""How far below the line Jinja gives a template's text is looked for."""


@cache
def _source_lines(filename: str) -> list[str]:
    return Path(filename).read_text(encoding="utf-8").splitlines()


def _yielded_at(generator: Any) -> tuple[Any, int] | None:
    """The template and line of the innermost generator that yielded."""
    while getattr(generator, "gi_yieldfrom", None) is not None:
        generator = generator.gi_yieldfrom
    frame = getattr(generator, "gi_frame", None)
    if frame is None or "__jinja_template__" not in frame.f_globals:
        return None
    template = frame.f_globals["__jinja_template__"]
    return template, template.get_corresponding_lineno(frame.f_lineno)


def template_name(template: jinja2.Template) -> str:
    """A packaged template by its name (``letter.typ.j2``), a user's by its file."""
    filename = template.filename or template.name or "template"
    house = packaged_templates()
    if Path(filename).resolve().is_relative_to(house):
        return Path(filename).resolve().relative_to(house).as_posix()
    return filename
