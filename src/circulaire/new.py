"""A new letter: the next free reference of a series, written from the house defaults.

The draft validates (so it can be rendered and reviewed at once) but holds placeholders,
``[À compléter: ...]``, that lint flags (W106) until each is replaced; ``validate --strict``
refuses it.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from .errors import CirculaireError, quoted
from .lint import PLACEHOLDER
from .model import SERIES_PATTERN, Reference

DEFAULT_WIDTH = 2
"""Digits of the first number of an empty series (``CL-26/01``); afterwards the series' own."""

_NUMBER = re.compile(r"\A[0-9]{1,4}\Z")


def next_reference(series: str, letters: Path) -> Reference:
    """The number after the highest of ``series`` in ``letters``, as wide as the series writes
    its numbers (``038`` -> ``039``; ``27`` -> ``28``; none yet -> ``01``)."""
    if not SERIES_PATTERN.match(series):
        raise CirculaireError(
            f"{quoted(series)} is not a series and year (expected <SERIES>-<yy>, such as CL-26)"
        )
    prefix, year = series.rsplit("-", 1)
    folder = letters / series
    stems = []
    if folder.is_dir():
        stems = [
            p.stem
            for p in folder.iterdir()
            if p.suffix in (".yaml", ".yml") and _NUMBER.match(p.stem)
        ]
    if not stems:
        return Reference(prefix, year, "1".zfill(DEFAULT_WIDTH))
    highest = max(stems, key=int)
    number = int(highest) + 1
    if number > 9999:
        raise CirculaireError(f"{series} has no free number after {series}/{highest}")
    width = len(highest) if highest.startswith("0") else 0
    return Reference(prefix, year, str(number).zfill(width))


def draft(reference: Reference, day: date) -> str:
    """The spec of a new letter: house defaults, placeholders for what only its author knows."""

    def todo(what: str) -> str:
        return json.dumps(f"[{PLACEHOLDER}: {what}]", ensure_ascii=False)

    return f"""\
# A new letter, written by `circulaire new`. Replace every [{PLACEHOLDER}: ...];
# `circulaire validate --strict` refuses the letter while one is left (lint code W106).
reference: {reference}
place: Genève
date: {day.isoformat()}
contact:
  name: {todo("nom du contact")}
  # phone: "+41 22 730 0000"
  # email: prenom.nom@example.org
recipients:
  - {todo("destinataires")}
subject: {todo("objet de la lettre")}
salutation: Madame, Monsieur,
body: |
  {todo("texte de la lettre, en Markdown")[1:-1]}
closing: Veuillez agréer, Madame, Monsieur, l'assurance de ma considération distinguée.
signatories:
  - name: {todo("nom du signataire")}
    title: {todo("titre du signataire")}
    organization: Union internationale des télécommunications
"""


DEFAULT_LETTERS = Path("letters")
"""The archive ``new`` writes into when told none; created for a first letter."""


def new_letter(series: str, letters: Path, day: date) -> Path:
    """Write the draft of the next letter of ``series`` under ``letters``; return its path."""
    from .output import write_new

    reference = next_reference(series, letters)
    year = reference.year_in(date.today())
    if day.year != year:
        raise CirculaireError(
            f"{reference.folder} letters are dated {year}, and {day.isoformat()} "
            f"is not (give --date YYYY-MM-DD)"
        )
    path = letters / reference.folder / f"{reference.number}.yaml"
    write_new(path, draft(reference, day).encode("utf-8"))
    return path
