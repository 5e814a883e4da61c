"""How ``validate`` prints its problems: for a person, for a program, for GitHub Actions.

``human`` shows each problem with its line of YAML and a caret under the column, as black shows a
parsing error; ``json`` is a list of objects (file, line, column, field, code, severity,
message); ``github`` writes workflow commands, which GitHub shows on the lines of the pull
request.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import Problem, SpecError
from .source import LINE_BREAK, read_bytes

FORMATS = ("human", "json", "github")


def show(problems: Iterable[Problem], fmt: str) -> str:
    """The problems in format ``fmt``, ending in a newline unless there are none (human)."""
    return _WRITERS[fmt](list(problems))


def human(problems: list[Problem]) -> str:
    out = []
    files: dict[str, list[str]] = {}
    for problem in problems:
        head = str(problem)
        if problem.severity == "warning" or problem.code.startswith("W"):
            head += f" [{problem.code}]"
        out.append(head + "\n")
        if problem.line and problem.file not in files:
            files[problem.file] = _lines(problem.file)
        excerpt = _excerpt(problem, files.get(problem.file, []))
        if excerpt:
            out.append(excerpt)
    return "".join(out)


def as_json(problems: list[Problem]) -> str:
    rows = [
        {
            "file": p.file,
            "line": p.line,
            "column": p.column,
            "field": p.field,
            "code": p.code,
            "severity": p.severity,
            "message": p.message,
        }
        for p in problems
    ]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def github(problems: list[Problem]) -> str:
    """``::error file=…,line=…,col=…,title=…::message``, escaped as the runner expects."""
    out = []
    for p in problems:
        props = [f"file={_property(p.file)}"]
        if p.line:
            props.append(f"line={p.line}")
            if p.column:
                props.append(f"col={p.column}")
        title = f"{p.code} {p.field}" if p.field else p.code
        props.append(f"title={_property(title)}")
        command = "warning" if p.severity == "warning" else "error"
        message = f"{p.field}: {p.message}" if p.field else p.message
        out.append(f"::{command} {','.join(props)}::{_data(message)}\n")
    return "".join(out)


_WRITERS: dict[str, Callable[[list[Problem]], str]] = {
    "human": human,
    "json": as_json,
    "github": github,
}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


# -- the source line and its caret ----------------------------------------------------------

_WIDTH = 160
"""Longer lines are cut around the column, so a one-line block of text stays readable."""


def _excerpt(problem: Problem, lines: list[str]) -> str:
    if not problem.line:
        return ""
    if problem.line > len(lines):
        return ""
    line = "".join(c if c.isprintable() else " " for c in lines[problem.line - 1].expandtabs(1))
    column = max(problem.column, 1)
    start = 0
    if len(line) > _WIDTH:
        start = max(0, min(column - _WIDTH // 2, len(line) - _WIDTH))
        line = ("…" if start else "") + line[start : start + _WIDTH] + "…"
        column = column - start + (1 if start else 0)
    if not line.strip():
        return ""
    pad = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[: column - 1])
    return f"    {line.rstrip()}\n    {' ' * pad}^\n"


def _lines(file: str) -> list[str]:
    """The lines of a spec, read again for its excerpts, as loading reads it: only a plain
    file, and no more of it than a spec may hold."""
    try:
        raw = read_bytes(Path(file))
    except SpecError:
        return []
    text = raw.decode("utf-8-sig", errors="replace")
    return LINE_BREAK.split(text)
