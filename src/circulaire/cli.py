"""The command line: parse options, call the library, turn its errors into exit codes.

Exit codes: 0 success, 1 invalid input or failed render, 2 usage error (click's own).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import CirculaireError, SpecError

FORMAT_CHOICES = ("md", "txt", "docx", "pdf")
_BINARY = ("docx", "pdf")


def _fail(error: CirculaireError) -> None:
    click.echo(str(error), err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="circulaire")
def cli() -> None:
    """Turn YAML letter specs into circular letters: Markdown, plain text, DOCX and PDF."""


@cli.command()
@click.argument("spec", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMAT_CHOICES),
    default=None,
    help="Output format  [default: the suffix of -o FILE, else md]",
)
@click.option(
    "-o",
    "--output",
    "output",
    metavar="PATH",
    help="A file, or a folder in which the file is named after the reference "
    "(out/CL-21/27.md). Default: standard output.",
)
@click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="A folder of templates overriding the packaged ones.",
)
@click.option(
    "--reference-docx",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A DOCX whose styles, page setup and letterhead the DOCX output takes.",
)
def render(
    spec: Path,
    fmt: str | None,
    output: str | None,
    templates: Path | None,
    reference_docx: Path | None,
) -> None:
    """Render one letter SPEC (Markdown on standard output by default)."""
    from .output import format_for, is_folder_target, output_path, write_atomic
    from .render import RenderOptions
    from .render import render as render_letter
    from .validate import load_letter

    fmt = fmt or format_for(output)
    if output is None and fmt in _BINARY and sys.stdout.isatty():
        raise click.UsageError(f"{fmt} is binary: give -o FILE or -o FOLDER")
    try:
        letter = load_letter(spec)
        data = render_letter(letter, fmt, RenderOptions(templates, reference_docx))
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return
        target = Path(output)
        if is_folder_target(target, output):
            target = output_path(letter.parsed_reference, fmt, target)
        write_atomic(target, data)
        click.echo(f"wrote {target}", err=True)
    except CirculaireError as exc:
        _fail(exc)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check every spec named or under the folders named; exit 1 if any is invalid."""
    from .report import check

    report = check(paths)
    for problem in report.problems:
        click.echo(str(problem))
    click.echo(report.summary(), err=True)
    sys.exit(report.return_code)


def main() -> None:
    try:
        cli(prog_name="circulaire")
    except SpecError as exc:  # pragma: no cover - commands catch their own
        _fail(exc)


if __name__ == "__main__":  # pragma: no cover
    main()
