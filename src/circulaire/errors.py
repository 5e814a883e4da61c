"""One error hierarchy: every problem a user sees names file, line, column and field."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a spec, located in its source."""

    file: str
    line: int = 0
    """1-based line of the YAML node at fault; 0 when the problem has no line (a missing file)."""
    column: int = 0
    """1-based column; 0 when unknown."""
    field: str = ""
    """Dotted path of the field, such as ``contacts[0].email``; empty for the file as a whole."""
    message: str = ""
    code: str = "E000"
    """A stable code, so that tools and people can refer to a kind of problem."""
    severity: str = "error"
    """``error`` or ``warning``."""

    def location(self) -> str:
        parts = [self.file]
        if self.line:
            parts.append(str(self.line))
            if self.column:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        where = self.location()
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


def quoted(text: str) -> str:
    """A value in quotes for a message, each character it cannot print as an escape
    (``'CL-21/27\\n'``): a line break in a value must neither hide nor end a message's line."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return f"'{shown}'"


class CirculaireError(Exception):
    """Base of every error circulaire reports to a user (exit code 1)."""


@dataclass
class SpecError(CirculaireError):
    """A spec that cannot become a letter; carries every problem found, not just the first."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class RenderError(CirculaireError):
    """A valid letter that could not be rendered: a template or reference document at fault."""


class UnprintableText(RenderError):
    """Spec text that an output's fonts cannot print (``ﬁ``, an emoji, a script they lack):
    ``text`` is the text the renderer names, ``detail`` what is wrong with it, so that a command
    can say where the spec writes it."""

    def __init__(self, message: str, text: str, detail: str) -> None:
        super().__init__(message)
        self.text, self.detail = text, detail


class OutputError(CirculaireError):
    """An output path that circulaire refuses to write (outside the folder given, say)."""
