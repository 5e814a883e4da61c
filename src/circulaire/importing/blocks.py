"""A letter's text as blocks: the runs of lines between blank lines, as the house layout sets
each part of a letter apart."""

from __future__ import annotations

from ..errors import CirculaireError
from .words import line_end


class NotALetter(CirculaireError):
    """Text in which the parts of a letter cannot be found."""


class Blocks:
    """One letter's lines, as blocks (runs of lines between blank lines)."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self.lines = text.split("\n")
        self.blocks: list[tuple[int, int]] = []
        start = None
        for i, line in enumerate([*self.lines, ""]):
            if line.strip() and start is None:
                start = i
            elif not line.strip() and start is not None:
                self.blocks.append((start, i))
                start = None
        self.breaks: list[bool] = []
        """Whether each line that ends inside a header, recipient or signature block ends in
        a hard break."""

    def block(self, index: int) -> list[str]:
        start, end = self.blocks[index]
        return self.lines[start:end]

    def one_line(self, index: int) -> str | None:
        if index >= len(self.blocks):
            return None
        lines = self.block(index)
        return lines[0] if len(lines) == 1 else None

    def raw(self, start: int, end: int) -> str:
        """The Markdown of lines ``start`` to ``end``, blank lines at its ends left out."""
        return "\n".join(self.lines[start:end]).strip("\n")

    def broken_lines(self, index: int) -> list[str]:
        """A block's lines without their hard breaks, noting which had one."""
        lines = self.block(index)
        out = []
        for i, line in enumerate(lines):
            text, hard = line_end(line)
            if i < len(lines) - 1:
                self.breaks.append(hard)
                out.append(text)
            else:
                out.append(line)
        return out

    def fail(self, message: str) -> NotALetter:
        return NotALetter(f"{self.name}: not a letter circulaire can read: {message}")
