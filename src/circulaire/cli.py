"""The command line: parse options, call the library, turn its errors into exit codes.

Exit codes: 0 success, 1 invalid input or failed render, 2 usage error (click's own). Files
are not checked for reading here: a file that cannot be read is bad input (1), which the
command reports with the others.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from . import __version__
from .errors import CirculaireError, Problem, SpecError
from .render import BUILT, FORMATS, formats_named


def _fail(error: CirculaireError | Problem) -> None:
    click.echo(str(error), err=True)
    sys.exit(1)


templates_option = click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="A folder of templates overriding the packaged ones.",
)
reference_docx_option = click.option(
    "--reference-docx",
    type=click.Path(path_type=Path, dir_okay=False),  # a missing one is bad input (exit 1)
    help="A DOCX whose styles, page setup and letterhead the DOCX output takes.",
)
draft_option = click.option(
    "--draft",
    is_flag=True,
    help="Render a letter that still holds placeholders ([À compléter: ...], "
    "[To translate]), marked as a draft in DOCX and PDF.",
)
"""Options that ``render`` and ``build`` share, so they mean the same in both."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="circulaire")
def cli() -> None:
    """Turn YAML letter specs into circular letters: Markdown, plain text, DOCX and PDF."""


@cli.command()
@click.argument("spec", type=click.Path(path_type=Path, dir_okay=False, readable=False))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
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
@templates_option
@reference_docx_option
@draft_option
def render(
    spec: Path,
    fmt: str | None,
    output: str | None,
    templates: Path | None,
    reference_docx: Path | None,
    draft: bool,
) -> None:
    """Render one letter SPEC (Markdown on standard output by default)."""
    from .quick import Usage, render_format, render_spec

    try:
        fmt = render_format(fmt, output)
    except Usage as exc:
        raise click.UsageError(str(exc)) from None
    render_spec(spec, fmt, output, templates, reference_docx, draft)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("human", "json", "github")),
    default="human",
    show_default=True,
    help="human: each problem with its line and a caret; json: a list of objects; "
    "github: workflow annotations.",
)
@click.option("--strict", is_flag=True, help="Lint warnings are errors (exit 1).")
@click.option("--no-lint", is_flag=True, help="Only validation errors, no lint warnings.")
def validate(paths: tuple[Path, ...], fmt: str, strict: bool, no_lint: bool) -> None:
    """Check every spec named or under the folders named; exit 1 if any is invalid.

    Folders are also checked as an archive: a reference used twice, two letters with the same
    subject and date, gaps in a year's numbering."""
    from .formats import show
    from .report import check

    report = check(paths, lint=not no_lint, strict=strict)
    click.echo(show(report.problems, fmt), nl=False)
    click.echo(report.summary(), err=True)
    sys.exit(report.return_code)


@cli.command()
@click.option("--translation", is_flag=True, help="The schema of a translation (27.en.yaml).")
def schema(translation: bool) -> None:
    """Print the JSON Schema of a letter spec, for editors (yaml-language-server)."""
    import json

    from .schema import schema as spec_schema

    click.echo(json.dumps(spec_schema(translation), ensure_ascii=False, indent=2))


@cli.command()
@click.argument("spec", type=click.Path(path_type=Path, dir_okay=False, readable=False))
@click.option("--to", "language", required=True, metavar="LANG", help="en, es, ru, ar, zh…")
def translate(spec: Path, language: str) -> None:
    """Write the draft of SPEC's translation into LANG beside it (27.en.yaml): every text of
    the original, marked [To translate]. An existing file is never replaced."""
    from .translate import draft

    try:
        path = draft(spec, language)
    except CirculaireError as exc:
        _fail(exc)
    click.echo(f"wrote {path}", err=True)


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date that exists (YYYY-MM-DD)") from None


@cli.command()
@click.argument("series", metavar="SERIES-YY")
@click.option(
    "--letters",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="The archive folder; one named must exist, so that a typo starts no new archive  "
    "[default: letters, created if need be]",
)
@click.option(
    "--date",
    "day",
    metavar="YYYY-MM-DD",
    callback=_day,
    help="The letter's date  [default: today]",
)
def new(series: str, letters: Path | None, day: date | None) -> None:
    """Write the next free letter of SERIES-YY (CL-26) from the house defaults, with
    placeholders to replace; an existing file is never overwritten."""
    from .new import DEFAULT_LETTERS, new_letter

    archive = letters or DEFAULT_LETTERS
    started = letters is None and not archive.exists()
    try:
        path = new_letter(series, archive, day or date.today())
    except CirculaireError as exc:
        _fail(exc)
    if started:
        click.echo(f"created {archive}/, a new archive", err=True)
    click.echo(path)


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    """The formats asked for, in the house order (md, txt, docx, pdf, html): register and
    manifest included, ``-f txt,md`` builds what ``-f md,txt`` builds."""
    formats = formats_named(value)
    if formats is None:
        raise click.BadParameter(f"choose among {','.join(FORMATS)}, not '{value}'")
    return formats


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    from .build import Shard

    try:
        return Shard.parse(value) if value else None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command()
@click.argument(
    "source", type=click.Path(path_type=Path, file_okay=False, exists=True, readable=False)
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=True, file_okay=False),
    default=Path("dist"),
    show_default=True,
    help="The output folder; it mirrors the archive (dist/CL-21/27.pdf).",
)
@click.option(
    "-f",
    "--formats",
    default=",".join(BUILT),
    show_default=True,
    callback=_formats,
    help="Formats to build, separated by commas.",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Processes  [default: cores]")
@click.option(
    "--shard", metavar="K/N", callback=_shard, help="Build only shard K of N (a CI matrix)."
)
@click.option("--force", is_flag=True, help="Rebuild every letter, changed or not.")
@templates_option
@reference_docx_option
@draft_option
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("-v", "--verbose", is_flag=True, help="Name every letter built or removed.")
def build(
    source: Path,
    output: Path,
    formats: tuple[str, ...],
    jobs: int | None,
    shard: object,
    force: bool,
    templates: Path | None,
    reference_docx: Path | None,
    draft: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Build every letter under SOURCE into the output folder: only what changed, in parallel,
    with a manifest and a register (index.md). Exit 1 if any letter failed."""
    from .build import ProgressBar, Settings, Shard
    from .build import build as build_archive
    from .quick import unused_reference

    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose contradict each other: give one")
    unused_reference(reference_docx, formats)
    assert shard is None or isinstance(shard, Shard)
    settings = Settings(source, output, formats, templates, reference_docx, shard, force, draft)
    try:
        with ProgressBar(quiet) as progress:
            outcome = build_archive(settings, jobs, progress)
    except CirculaireError as exc:
        _fail(exc)
    for key, why, files in outcome.removed:
        if not quiet:
            click.echo(f"removed {key} ({why}): {', '.join(files) or 'no files'}", err=True)
    if outcome.dropped and not quiet:
        click.echo(f"removed {len(outcome.dropped)} files of formats not asked for", err=True)
    if verbose:
        for key in outcome.built:
            click.echo(f"built {key}", err=True)
    for problem in outcome.problems:
        click.echo(str(problem), err=True)
    if not quiet:
        click.echo(outcome.summary(), err=True)
    sys.exit(outcome.return_code)


@cli.command()
@click.argument("spec", type=click.Path(path_type=Path, dir_okay=False, readable=False))
@templates_option
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, help="The port  [default: a free one]"
)
@click.option("--no-browser", is_flag=True, help="Print the address; open no browser.")
def preview(spec: Path, templates: Path | None, port: int, no_browser: bool) -> None:
    """Serve a live preview of SPEC on 127.0.0.1: the letter as HTML beside its PDF, rendered
    again at each save of the spec or of a template. Ctrl-C stops it."""
    from .preview import serve

    try:
        serve(spec, templates, port, browser=not no_browser, say=lambda m: click.echo(m, err=True))
    except CirculaireError as exc:
        _fail(exc)
    click.echo("stopped", err=True)


@cli.command("import")
@click.argument("source", type=click.Path(path_type=Path, readable=False))
@click.option(
    "--from",
    "reader",
    type=click.Choice(("md", "docx")),
    default=None,
    help="Read SOURCE as Markdown or as a Word document whatever its suffix  "
    "[default: .docx as a Word document; .md, .markdown, .txt as Markdown]",
)
@click.option("-o", "--output", metavar="FILE", help="The spec to write; - for standard output.")
@click.option(
    "--letters",
    type=click.Path(path_type=Path, file_okay=False),
    help="The archive folder: each spec at its reference's path (letters/CL-21/27.yaml).",
)
@click.option("--check", is_flag=True, help="Compare the spec's rendering; write nothing.")
@click.option("--force", is_flag=True, help="Replace a spec that exists.")
def import_(
    source: Path,
    reader: str | None,
    output: str | None,
    letters: Path | None,
    check: bool,
    force: bool,
) -> None:
    """Write the spec of the letter SOURCE (its Markdown or Word document), or of each letter
    in the folder SOURCE, after checking that the spec renders the letter back byte for byte."""
    from .build import ProgressBar
    from .importing import import_file, import_folder, letters_in, spec_path, write_spec

    if output is not None and letters is not None:
        raise click.UsageError("give -o FILE or --letters DIR, not both")
    if not source.exists():  # bad input, as for every command (exit 1)
        _fail(CirculaireError(f"{source}: no such file or folder"))
    if source.is_dir():
        if output is not None:
            raise click.UsageError("a folder is imported with --letters DIR, not -o")
        if letters is None and not check:
            raise click.UsageError("give --letters DIR (or --check)")
        files = list(letters_in(source, reader is not None))
        with ProgressBar(quiet=False, label="importing") as progress:
            batch, written = import_folder(files, letters, force, check, progress, reader)
        for path, _ in written:
            click.echo(f"wrote {path}", err=True)
        for imported in batch.different:
            click.echo(
                f"{imported.name}: the spec does not give the letter back: {imported.difference}",
                err=True,
            )
        for message in batch.failed:
            click.echo(message, err=True)
        click.echo(batch.summary(), err=True)
        sys.exit(batch.return_code)
    if reader is None and source.suffix.lower() not in (".md", ".markdown", ".txt", ".docx"):
        raise click.UsageError(f"cannot tell how to read '{source}': give --from md or docx")
    if output is None and letters is None and not check:
        raise click.UsageError("give -o FILE, -o - (standard output) or --letters DIR")
    try:
        imported = import_file(source, reader)
        if imported.difference is not None:
            _fail(
                CirculaireError(
                    f"{source}: the spec does not give the letter back, "
                    f"nothing written: {imported.difference}"
                )
            )
        if check:
            click.echo(f"{source}: {imported.reference} imported exactly", err=True)
            return
        if output == "-":
            click.echo(imported.spec, nl=False)
            return
        target = Path(output) if output else spec_path(imported.reference, letters or Path())
        write_spec(target, imported.spec, force, imported.reference)
    except CirculaireError as exc:
        _fail(exc)
    click.echo(f"wrote {target}", err=True)


def main() -> None:
    try:
        cli(prog_name="circulaire")
    except SpecError as exc:  # pragma: no cover - commands catch their own
        _fail(exc)


if __name__ == "__main__":  # pragma: no cover
    main()
