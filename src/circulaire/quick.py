"""``circulaire render`` of one letter without loading click, when its arguments are of the
plain forms (``render SPEC -f md -o out/``); anything else, help and every usage error
included, goes to the click commands of ``cli.py``, which say it as usual.

Loading click was a sixth of a cold ``render -f md``: a render that goes as planned never
loads it, and says what it wrote on standard error as the commands would.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import CirculaireError, Problem, UnprintableText
from .render import FORMATS

if TYPE_CHECKING:
    from collections.abc import Sequence

BINARY = ("docx", "pdf")
_VALUED = {
    "-f": "fmt",
    "--format": "fmt",
    "-o": "output",
    "--output": "output",
    "--templates": "templates",
    "--reference-docx": "reference_docx",
}
"""The options of ``render`` that take a value, by the name of its parameter."""


class Usage(Exception):
    """A usage error (exit 2): the click command reports it, with the command's usage."""


def echo(message: str) -> None:
    """A line on standard error, as the commands write one. Plain text needs nothing of
    click's: Python's standard error already writes what its encoding cannot hold as escapes;
    click is loaded only for a stream that still refuses it."""
    try:
        sys.stderr.write(f"{message}\n")
        sys.stderr.flush()
    except UnicodeEncodeError:
        import click

        click.echo(message, err=True)


def fail(error: CirculaireError | Problem) -> None:
    echo(str(error))
    sys.exit(1)


def render_format(fmt: str | None, output: str | None) -> str:
    """``-f``; else the suffix of ``-o FILE``; else Markdown. A file whose suffix names another
    format, or none, is a usage error rather than a PDF called ``letter.md``."""
    from .output import is_folder_target, suffix_format

    if output is None or is_folder_target(Path(output), output):
        fmt = fmt or "md"
    else:
        named = suffix_format(output)
        if fmt is None and named is None:
            raise Usage(f"cannot tell the format of '{output}': give -f md, txt, docx, pdf or html")
        if fmt is not None and named not in (None, fmt):
            raise Usage(f"-o '{output}' is a .{named} file, but -f asks for {fmt}")
        fmt = fmt or str(named)
    if output is None and fmt in BINARY and sys.stdout.isatty():
        raise Usage(f"{fmt} is binary: give -o FILE or -o FOLDER")
    return fmt


def unused_reference(reference_docx: Path | None, formats: tuple[str, ...]) -> None:
    """A reference document given for formats that have no use for it is said to be ignored,
    rather than silently: the user expects it to change what is written."""
    if reference_docx is not None and "docx" not in formats:
        asked = ",".join(formats)
        echo(f"warning: --reference-docx is used for DOCX only: ignored for -f {asked}")


def render_spec(
    spec: Path,
    fmt: str,
    output: str | None,
    templates: Path | None,
    reference_docx: Path | None,
    draft: bool,
) -> None:
    """``circulaire render``, once its format is known (:func:`render_format`)."""
    from .drafts import placeholders, refuse
    from .output import is_folder_target, output_path, write_atomic
    from .render import RenderOptions
    from .render import render as render_letter
    from .translation import language_of
    from .validate import load_spec

    unused_reference(reference_docx, (fmt,))
    try:
        source, letter = load_spec(spec)
        found = placeholders(source, letter)
        if found and not draft:
            raise refuse(found, "rendered")
        options = RenderOptions(templates, reference_docx, draft=bool(found))
        data = render_letter(letter, fmt, options)
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return
        target = Path(output)
        if is_folder_target(target, output):
            target = output_path(letter.parsed_reference, fmt, target, language_of(spec))
        # Whole or not at all, as every file circulaire writes; not forced to the disk before
        # the command returns (as pandoc and typst do not): a letter rendered again from its
        # spec needs no fsync, which waits on every write pending on the file system.
        write_atomic(target, data, durable=False)
        echo(f"wrote {target}")
    except UnprintableText as exc:  # said where the spec writes it
        from .source import unprintable

        fail(unprintable(spec, exc))
    except CirculaireError as exc:
        fail(exc)


def render_quickly(arguments: Sequence[str]) -> bool:
    """Run ``render`` here when click would take its arguments as they are and find nothing
    to say of them; ``False`` (nothing done) for anything else."""
    if not arguments or arguments[0] != "render" or "_CIRCULAIRE_COMPLETE" in os.environ:
        return False
    given: dict[str, str] = {}
    draft = False
    spec: str | None = None
    rest = list(arguments[1:])
    while rest:
        argument = rest.pop(0)
        if not argument.startswith("-"):
            if spec is not None:
                return False
            spec = argument
            continue
        if argument == "--draft" and not draft:
            draft = True
            continue
        if argument.startswith("--"):
            name, equals, value = argument.partition("=")
        else:  # -f md, -fmd (click reads -f=md as the value "=md")
            name, value = argument[:2], argument[2:]
            equals = "=" if value else ""
        if name not in _VALUED or _VALUED[name] in given:
            return False
        if not equals:
            if not rest:
                return False
            value = rest.pop(0)
        if not value or value.startswith(("-", "=")):
            return False
        given[_VALUED[name]] = value
    if not spec or os.path.isdir(spec) or given.get("fmt", "md") not in FORMATS:
        return False
    templates = given.get("templates")
    if templates is not None and not (os.path.isdir(templates) and os.access(templates, os.R_OK)):
        return False
    reference = given.get("reference_docx")
    if (
        reference is not None
        and os.path.exists(reference)
        and (os.path.isdir(reference) or not os.access(reference, os.R_OK))
    ):
        return False
    try:
        fmt = render_format(given.get("fmt"), given.get("output"))
    except Usage:
        return False
    try:
        render_spec(
            Path(spec),
            fmt,
            given.get("output"),
            None if templates is None else Path(templates),
            None if reference is None else Path(reference),
            draft,
        )
    except (EOFError, KeyboardInterrupt):
        import click

        click.echo(file=sys.stderr)  # as click closes the terminal's ^C
        click.echo("Aborted!", file=sys.stderr)
        sys.exit(1)
    except OSError as exc:
        import errno

        if exc.errno != errno.EPIPE:
            raise
        from click.utils import _PacifyFlushWrapper  # what click's main does

        sys.stdout = _PacifyFlushWrapper(sys.stdout)
        sys.stderr = _PacifyFlushWrapper(sys.stderr)
        sys.exit(1)
    return True
