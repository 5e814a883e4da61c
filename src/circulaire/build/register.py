"""The register: every letter of the archive, by date, with a link to each file built.

A letter's row is taken from its manifest entry; a writer turns the rows into one format
(``index.md``, and ``index.html`` when a build writes HTML)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from html import escape
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

from ..output import write_atomic
from .clock import unchanged
from .manifest import Entry, Stored, checked


class Row(NamedTuple):
    """A letter in the register; rows sort by date, then reference."""

    date: str
    reference: str
    subject: str
    signatories: tuple[str, ...]
    files: tuple[tuple[str, str], ...]
    """(format, file in the output folder) of each format built, in the build's order."""
    translation: str | None = None
    """The language of a translation's row, before it joins its original's."""
    versions: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    """The letter's translations: (language, files), by language."""
    language: str | None = None
    """The language of the letter's original, as its spec gives it (``fr``, ``fr_CH``); None
    in the entry of a build that did not record it."""


def row(entry: Entry, formats: Iterable[str]) -> Row:
    """A letter's row, from its entry in the manifest."""
    outputs = entry.get("outputs", {})
    return Row(
        date=str(entry.get("date")),
        reference=str(entry.get("reference")),
        subject=str(entry.get("subject")),
        signatories=tuple(str(name) for name in entry.get("signatories", [])),
        files=tuple((fmt, str(outputs[fmt]["file"])) for fmt in formats if fmt in outputs),
        translation=entry.get("translation"),
        language=entry.get("language") if entry.get("translation") is None else None,
    )


def rows(entries: Mapping[str, Stored], formats: Iterable[str]) -> list[Row]:
    """Every letter's row, in the register's order, its translations' files in it. Entries
    are read one at a time, as the build holds them (the plan checked them; the build made
    the others): no row is kept while letters render, the register of 10,000 letters being
    a few megabytes."""
    order = list(formats)
    every = [row(checked(value), order) for value in entries.values()]
    versions: dict[str, list[tuple[str, tuple[tuple[str, str], ...]]]] = {}
    for version in every:
        if version.translation is not None:
            versions.setdefault(version.reference, []).append((version.translation, version.files))
    table = [
        letter._replace(versions=tuple(sorted(versions.pop(letter.reference, ()))))
        for letter in every
        if letter.translation is None
    ]
    # A translation whose original has no row (it failed) still has its files listed.
    table += [letter for letter in every if letter.reference in versions and letter.translation]
    return sorted(table)


# -- Markdown --------------------------------------------------------------------------------


_PLAIN_CELL = re.compile(r"(?![0-9]+[.)](?: |$))[^\W_][\w /,'’:;().!?%\"«»°-]*")
"""Text that is no Markdown anywhere in a line (words, digits and punctuation that no rule of
CommonMark reads there, after a first letter or digit that starts no list), when it holds no
``_`` either (one class, a pattern ten times faster than a choice at every character): a
reference, an ISO date, most names and subjects; it goes into a cell as it is."""


_TITLE = "# Register of circular letters"
_HEADER = (
    "| Reference | Date | Subject | Signatories | Files |",
    "| --- | --- | --- | --- | --- |",
)


def markdown(table: list[Row]) -> bytes:
    """``index.md``: a title, the count, and a table of every row."""
    return _markdown_page([_markdown_row(letter) for letter in table])


def _markdown_page(rows: list[str]) -> bytes:
    count = f"{len(rows)} letter{'s' * (len(rows) != 1)}, by date."
    lines = [_TITLE, "", count, "", *_HEADER, *rows]
    lines.append("")  # the last line ends too; one copy of the text, not two
    return "\n".join(lines).encode()


def markdown_updated(
    old: bytes, entries: Mapping[str, Stored], formats: Iterable[str], references: set[str]
) -> bytes | None:
    """``index.md`` as :func:`markdown` makes it, from the last build's (``old``): the rows of
    the letters of ``references`` made again from their entries (their translations too,
    whose entries bear their reference), every other row as ``old`` has it. A build that
    rendered one letter of 10,000 then opens a few entries rather than all. None when ``old``
    is not a register this module writes, or when its order cannot be told from the rows'
    dates and references alone (two rows of one date and reference): the caller makes it
    whole."""
    lines = old.decode("utf-8", "replace").split("\n")
    if lines[:2] != [_TITLE, ""] or tuple(lines[3:6]) != ("", *_HEADER) or lines[-1] != "":
        return None
    shown = {_cell(reference) for reference in references}
    if any(cell not in references for cell in shown):
        return None  # a reference that is not written as it is
    order: dict[tuple[str, str], str] = {}
    for line in lines[6:-1]:
        cells = line[2:].split(" | ", 2)
        if not line.startswith("| ") or len(cells) < 3 or not _sortable(cells[1]):
            return None
        if cells[0] not in shown and not _placed(order, (cells[1], cells[0]), line):
            return None
    mentions = [f'"reference": {json.dumps(ref, ensure_ascii=False)}' for ref in references]
    again = {
        key: value
        for key, value in entries.items()
        if (
            any(mention in value for mention in mentions)
            if isinstance(value, str)
            else value.get("reference") in references
        )
    }
    for letter in rows(again, formats):
        if letter.reference not in references or not _sortable(letter.date):
            return None  # an entry that only mentions the reference
        if not _placed(order, (letter.date, letter.reference), _markdown_row(letter)):
            return None
    return _markdown_page([order[place] for place in sorted(order)])


def _placed(order: dict[tuple[str, str], str], place: tuple[str, str], line: str) -> bool:
    """Put a row in its place; False when another has it (the order is then not theirs)."""
    if place in order:
        return False
    order[place] = line
    return True


def _sortable(cell: str) -> bool:
    """Whether a cell is its text as it is, so that rows sort by it as by their text."""
    return _cell(cell) == cell


def _markdown_row(letter: Row) -> str:
    links = _links(letter.files)
    if letter.translation is not None:
        links = f"{letter.translation}: {links}"
    for language, files in letter.versions:
        links += f"; {language}: {_links(files)}"
    return (
        f"| {_cell(letter.reference)} | {_cell(letter.date)} | {_cell(letter.subject)} "
        f"| {_cell(', '.join(letter.signatories))} | {links} |"
    )


def _links(files: tuple[tuple[str, str], ...]) -> str:
    return " · ".join(f"[{fmt}]({file})" for fmt, file in files)


def _cell(text: str) -> str:
    """Spec text in a Markdown table cell: one line, no pipe or markup of its own."""
    line = " ".join(text.split())
    if "_" not in line and _PLAIN_CELL.fullmatch(line):
        return line
    from ..markup import escape_markdown

    return escape_markdown(line).replace("|", "\\|")


# -- kept beside the manifest ---------------------------------------------------------------


def recorded(index: Path, page: Path | None, record: tuple[Any, int] | None) -> bool:
    """Whether the register is the one the manifest records (with the manifest's mtime), and
    its web page too when one is asked for."""
    if record is None:
        return False
    known, stamp = record
    if not unchanged(str(index), known.get("size"), known.get("sha256"), stamp)[0]:
        return False
    if page is None:
        return True
    html = known.get("html")
    if not isinstance(html, dict):
        return False
    return unchanged(str(page), html.get("size"), html.get("sha256"), stamp)[0]


def has_page(record: tuple[Any, int] | None) -> bool:
    """Whether the last build recorded a web page of the register."""
    return record is not None and isinstance(record[0].get("html"), dict)


def write_if_changed(path: Path, data: bytes) -> None:
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    write_atomic(path, data)


# -- HTML ------------------------------------------------------------------------------------

_SCRIPT = """\
(function () {
  var form = document.getElementById("filters");
  var table = document.getElementById("register");
  var rows = table.tBodies[0].rows;
  var count = document.getElementById("shown");
  var words = null, job = 0;
  function fold(text) {
    return text.normalize("NFKD").replace(/\\p{M}/gu, "").toLowerCase();
  }
  function apply() {
    var q = fold(form.q.value).split(/\\s+/).filter(Boolean);
    var year = form.year.value, series = form.series.value, format = " " + form.format.value + " ";
    if (q.length && !words) {
      words = [];
      for (var k = 0; k < rows.length; k++) {
        words.push(fold(rows[k].cells[2].textContent + " " + rows[k].cells[3].textContent));
      }
    }
    var keep = [], shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i], ok = true;
      for (var j = 0; ok && j < q.length; j++) ok = words[i].indexOf(q[j]) >= 0;
      ok = ok && (!year || row.getAttribute("data-year") === year);
      ok = ok && (!series || row.getAttribute("data-series") === series);
      var formats = " " + row.getAttribute("data-formats") + " ";
      ok = ok && (format === "  " || formats.indexOf(format) >= 0);
      keep.push(ok);
      if (ok) shown++;
    }
    count.textContent = shown + " of " + rows.length + " shown";
    var run = ++job, next = 0, batch = 200;
    table.setAttribute("aria-busy", "true");
    (function slice() {
      if (run !== job) return;
      for (var more = batch; next < rows.length && more > 0; next++) {
        if (rows[next].hidden === keep[next]) rows[next].hidden = !keep[next];
        if (keep[next]) more--;
      }
      batch = 2000;
      if (next < rows.length) requestAnimationFrame(slice);
      else table.removeAttribute("aria-busy");
    })();
  }
  var asked = new URLSearchParams(window.location.search);
  ["q", "year", "series", "format"].forEach(function (name) {
    if (asked.has(name)) form[name].value = asked.get(name);
  });
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
})();
"""
"""The search and the filters. Without JavaScript the form stays hidden and every row shows;
``?q=…&year=…&series=…&format=…`` fills the form on load, so that a link can ask for a search.
Words match whatever their accents and capitals (``geneve`` finds ``Genève``, ``zhao``
``ZHAO``): both sides are folded (NFKD, marks taken off, lower case). A change shows its first
200 rows in the next frame and the rest 2,000 a frame after, the table ``aria-busy`` meanwhile:
laying out 10,000 rows at once would hold the page a second."""

_STYLE = """\
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #000; background: #fff; }
h1 { font-size: 1.4em; color: #1f3864; }
form { display: flex; flex-wrap: wrap; gap: 0.5em 1em; margin: 0 0 1em; align-items: end; }
label { display: flex; flex-direction: column; font-size: 0.9em; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
col.reference, col.date { width: 7.5em; } col.signatories { width: 13em; }
col.languages { width: 7em; } col.files { width: 11em; }
@media (max-width: 50em) { table { table-layout: auto; } }
th, td { text-align: start; vertical-align: top; padding: 0.3em 0.5em; }
td { border-bottom: 1px solid #ccc; }
thead th { position: sticky; top: 0; background: #fff; }
td.files { white-space: nowrap; }
a { color: #0563c1; }
[hidden] { display: none !important; }
"""


def html(table: list[Row]) -> bytes:
    """``index.html``: the register as one page, its table complete without JavaScript; a
    few lines of inline script search and filter it, asking nothing of any other site."""
    from base64 import b64encode
    from hashlib import sha256

    script = f"\n{_SCRIPT}"  # the element's text, which the policy's hash covers
    digest = b64encode(sha256(script.encode()).digest()).decode()
    policy = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'"
    years = sorted({letter.date[:4] for letter in table})
    series = sorted({_series(letter.reference) for letter in table} - {""})
    formats = list(dict.fromkeys(fmt for letter in table for fmt, _ in _every_file(letter)))
    count = f"{len(table)} letter{'s' * (len(table) != 1)}, by date."
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">',
        "<title>Register of circular letters</title>",
        f"<style>\n{_STYLE}</style>",
        "</head>",
        "<body>",
        "<h1>Register of circular letters</h1>",
        f'<p>{count} <span id="shown" aria-live="polite"></span></p>',
        '<form id="filters" role="search" hidden>',
        '<label>Search <input type="search" name="q" placeholder="subject, signatory"></label>',
        _select("year", "Year", years),
        _select("series", "Series", series),
        _select("format", "Format", formats),
        "</form>",
        '<table id="register">',
        '<colgroup><col class="reference"><col class="date"><col><col class="signatories">'
        '<col class="languages">'
        '<col class="files"></colgroup>',
        "<thead><tr><th>Reference</th><th>Date</th><th>Subject</th><th>Signatories</th>"
        "<th>Languages</th><th>Files</th></tr></thead>",
        "<tbody>",
        *(_html_row(letter) for letter in table),
        "</tbody>",
        "</table>",
        f"<script>{script}</script>",
        "</body>",
        "</html>",
    ]
    lines.append("")  # the last line ends too; one copy of the text, not two
    return "\n".join(lines).encode()


def _series(reference: str) -> str:
    from ..model import Reference

    parsed = Reference.parse(reference)
    return parsed.series if parsed else ""


def _every_file(letter: Row) -> Iterable[tuple[str, str]]:
    yield from letter.files
    for _, files in letter.versions:
        yield from files


def _select(name: str, label: str, values: Iterable[str]) -> str:
    options = "".join(f'<option value="{_e(value)}">{_e(value)}</option>' for value in values)
    choices = f'<option value="">all</option>{options}'
    return f'<label>{label} <select name="{name}">{choices}</select></label>'


def _html_row(letter: Row) -> str:
    subject = " ".join(letter.subject.split())
    signatories = ", ".join(" ".join(name.split()) for name in letter.signatories)
    languages = [language for language, _ in letter.versions]
    files = _html_links(letter.files)
    if letter.language is not None:
        languages.insert(0, letter.language)
    if letter.translation is not None:
        languages.insert(0, letter.translation)
        files = f"{_e(letter.translation)}: {files}"
    for language, version in letter.versions:
        files += f"<br>{_e(language)}: {_html_links(version)}"
    formats = " ".join(dict.fromkeys(fmt for fmt, _ in _every_file(letter)))
    attributes = (
        f'data-year="{_e(letter.date[:4])}" data-series="{_e(_series(letter.reference))}" '
        f'data-formats="{_e(formats)}"'
    )
    return (
        f"<tr {attributes}><td>{_e(letter.reference)}</td><td>{_e(letter.date)}</td>"
        f"<td>{_e(subject)}</td><td>{_e(signatories)}</td><td>{_e(', '.join(languages))}</td>"
        f'<td class="files">{files}</td></tr>'
    )


def _html_links(files: tuple[tuple[str, str], ...]) -> str:
    return " · ".join(f'<a href="{_e(quote(file))}">{_e(fmt)}</a>' for fmt, file in files)


def _e(text: str) -> str:
    """Spec text as HTML text or a quoted attribute's value."""
    return escape(text, quote=True)
