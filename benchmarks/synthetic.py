"""A synthetic archive of N letters, varied from the real specs in ``letters/``.

Each letter takes a real spec's text and gets its own reference, date (in the reference's
year), subject and body, so that it validates and is filed at its own path
(``CL-23/0412.yaml``). Generation is deterministic: the same N gives the same archive.
"""

from __future__ import annotations

import re
from pathlib import Path

from circulaire.translation import NAME as TRANSLATION_NAME

LETTERS = Path(__file__).resolve().parents[1] / "letters"
YEARS = range(19, 27)


def _templates() -> list[str]:
    """The archive's originals (a translation, ``27.en.yaml``, is no letter of its own)."""
    return [
        path.read_text(encoding="utf-8")
        for path in sorted(LETTERS.rglob("*.yaml"))
        if not TRANSLATION_NAME.match(path.name)
    ]


def letter(base: str, i: int) -> tuple[str, str]:
    """The i-th letter from spec text ``base``: (its path in the archive, its text)."""
    year = YEARS[i % len(YEARS)]
    number = f"{i // len(YEARS) + 1:04d}"
    reference = f"CL-{year}/{number}"
    when = f"20{year}-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
    text = re.sub(r"(?m)^reference: .*$", f"reference: {reference}", base, count=1)
    text = re.sub(r"(?m)^date: .*$", f"date: {when}", text, count=1)
    text = re.sub(r"(?m)^subject: >-\n  ", f"subject: >-\n  Lettre n° {i}: ", text, count=1)
    # a body of its own, so that nothing parsed for one letter serves another
    text = re.sub(r"(?m)^body: \|\n  ", f"body: |\n  Lettre n° {i}. ", text, count=1)
    text = re.sub(r"(?m)^(    content: \|\n      )", rf"\g<1>Annexe de la lettre n° {i}. ", text)
    return f"CL-{year}/{number}.yaml", text


def make_archive(root: Path, count: int) -> Path:
    """Write ``count`` letters under ``root`` (created) and return it."""
    bases = _templates()
    for i in range(count):
        relative, text = letter(bases[i % len(bases)], i)
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
