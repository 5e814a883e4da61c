"""The PDF's type, as the DOCX sets it: the size of each script's text, and the distance from
a line to the next, so that Word and LibreOffice put each line where Typst does and each part of
a letter falls on the same page in both formats.

Typst sets a line from its face's cap height down to its baseline, then the leading (0.6 em);
two paragraphs are 0.9 em apart. A DOCX sets its lines ``exact``, in twentieths of a point,
rather than from the face's own height, which Word and LibreOffice read differently.
"""

from __future__ import annotations

from dataclasses import dataclass

LEADING = 0.6
"""From a line's baseline to the next line's cap height, in ems: ``par(leading: 0.6em)``."""
PARAGRAPH = 0.9
"""From a paragraph's last baseline to the next one's cap height: ``par(spacing: 0.9em)``."""
LIST_MARKER = 0.5
"""From the margin to a list item's bullet or number: ``list(indent: 0.5em)``."""
LIST_TEXT = 1.35
"""From the margin to a list item's text: the indent, the bullet, then Typst's 0.5 em."""


@dataclass(frozen=True)
class Face:
    """The text of a script, as the PDF sets it."""

    size: int
    """In half-points, as WordprocessingML gives sizes: 23 is 11.5 pt."""
    cap_height: float
    """The height of the face's capitals, in ems: where Typst's line begins."""

    def em(self, ems: float) -> int:
        """A length in ems of this text, in twentieths of a point."""
        return round(10 * self.size * ems)

    def pitch(self, size: int | None = None) -> int:
        """From a line to the next, in twentieths of a point, for text of ``size``
        half-points (the face's own size by default)."""
        return round(10 * (size or self.size) * (self.cap_height + LEADING))

    @property
    def paragraph_space(self) -> int:
        """What a paragraph adds after its last line: the paragraph spacing less the
        leading every line already has."""
        return self.em(PARAGRAPH - LEADING)


LATIN = Face(size=23, cap_height=0.658)
"""Libertinus Serif, 11.5 pt: every letter but those below, and the reference document."""
LIST_INDENT = LATIN.em(LIST_TEXT)
"""A list item's text, from its list's start, for each level (twentieths of a point)."""
MARKER_WIDTH = LATIN.em(LIST_TEXT - LIST_MARKER)
"""From a list item's bullet or number to its text: the numbering's hanging indent."""
FACES = {
    "Arabic": Face(size=26, cap_height=0.646),
    "Chinese": Face(size=22, cap_height=0.732),
}
"""Amiri at 13 pt (its letters are small on their body); Noto Serif SC at 11 pt."""


def face(script: str) -> Face:
    """The face a letter in ``script`` is set in."""
    return FACES.get(script, LATIN)
