"""Drafts: a letter that still holds placeholders is rendered and built only when asked.

``circulaire new`` writes ``[À compléter: ...]`` (lint W106) and ``circulaire translate`` marks
each text ``[To translate]`` (W205). Such a letter is a draft: ``render`` and ``build`` refuse
it, naming where the first placeholders stand, unless told ``--draft``; then its DOCX and PDF
carry the house's "draft" mark (``PROJET``) so that it cannot pass for the letter sent. A spec
that ignores a code (``ignore: [W106]``: the words are the published letter's) is no draft.
"""

from __future__ import annotations

from .errors import Problem, SpecError
from .model import Letter
from .source import Source, texts

CODES = frozenset({"W106", "W205"})
"""The lint codes of a placeholder."""
_HINTS = ("léter", "LÉTER", "translate]", "\\")
"""What the YAML of a draft holds, whatever its line breaks (a folded ``[À\n  compléter``)
and, but for mixed case, its case: the words of a mark, or a backslash, whose escape could
write them. Literal substrings: a test of a few microseconds for a letter of 5,000 characters."""
SHOWN = 3
"""Placeholders named in a refusal; the others are counted."""


def placeholders(source: Source, letter: Letter) -> list[Problem]:
    """The placeholders a letter holds, first to last; none for a finished letter.

    A build checks every letter it renders, so a finished letter costs one scan of its YAML:
    its texts are looked at only when their words may stand in it, and lint runs only when
    they do."""
    if source.text and not any(hint in source.text for hint in _HINTS):
        return []
    from .lint import PLACEHOLDER
    from .translate import TO_TRANSLATE

    marks = (PLACEHOLDER.casefold(), TO_TRANSLATE.casefold())
    if not any(
        mark in text.casefold()
        for _, text in texts(source.data, leave_out=("ignore",))
        for mark in marks
    ):
        return []
    from .lint import lint

    found = [p for p in lint(source, letter) if p.code in CODES]
    return sorted(found, key=lambda p: (p.line, p.column))


class DraftError(SpecError):
    """A draft asked to be rendered or built without ``--draft``."""


def refuse(found: list[Problem], done: str) -> DraftError:
    """The error for a draft that is not ``done`` ("rendered", "built"): its first placeholders
    where they stand, and what to do."""
    first = found[0]
    shown = [Problem(p.file, p.line, p.column, p.field, p.message, p.code) for p in found[:SHOWN]]
    count = len(found)
    noun = "placeholder" if count == 1 else "placeholders"
    which = "" if count <= SHOWN else f", the first {SHOWN}"
    message = f"a draft, not {done}: {count} {noun} left{which}; replace them, or give --draft"
    # At the first placeholder, and before it: a build sorts its problems by place.
    summary = Problem(first.file, first.line, first.column, "", message, first.code)
    return DraftError([summary, *shown])
