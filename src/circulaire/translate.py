"""The draft of a translation: every text of the original, marked to be translated.

``circulaire translate letters/CL-21/27.yaml --to en`` writes ``letters/CL-21/27.en.yaml``
with the original's texts, in the original's order, each block marked ``[To translate]``.
The draft validates (it can be rendered beside the original while it is written), but lint
flags each mark (W205) and ``validate --strict`` refuses it until every one is gone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .errors import CirculaireError
from .model import TRANSLATION_LANGUAGE
from .output import write_new

TO_TRANSLATE = "[To translate]"
"""The mark before each text of a draft translation that is still the original's."""

_BLOCK_START = re.compile(r"(?m)^(?P<indent>[ \t]*(?:(?:[-*+]|[0-9]+[.)])[ \t]+)?)(?=\S)")
"""The start of a line, past a list item's marker: a marker is followed by a space
(``**UNITED NATIONS**`` begins with bold, not with an item)."""
_TRANSLATED = (
    "place",
    "department",
    "reference_label",
    "recipients",
    "subject",
    "salutation",
    "body",
    "closing",
    "signatories",
    "annexes",
    "organization",
)
"""The fields a translation holds, as an original may write them."""


def translation_path(spec: Path, language: str) -> Path:
    """``letters/CL-21/27.yaml`` -> ``letters/CL-21/27.en.yaml``."""
    return spec.with_name(f"{spec.stem}.{language}{spec.suffix}")


def draft(spec: Path, language: str) -> Path:
    """Write the draft of ``spec`` in ``language`` beside it, never over a file; its path."""
    from .dates import check_language
    from .translation import language_of
    from .validate import load_letter

    if not TRANSLATION_LANGUAGE.fullmatch(language) or check_language(language):
        raise CirculaireError(
            f"'{language}' is not a language (expected a code such as en, es, ru, ar, zh)"
        )
    if language_of(spec) is not None:
        raise CirculaireError(f"{spec}: a translation already; translate its original")
    letter = load_letter(spec)  # a draft of an invalid letter would only carry its faults
    if letter.language.split("_")[0] == language:
        raise CirculaireError(f"{spec}: the letter is in {language} already")
    from .source import read

    data = read(spec).data
    target = translation_path(spec, language)
    write_new(target, text(data, letter.reference, language).encode("utf-8"))
    return target


def text(data: dict[str, Any], reference: str, language: str) -> str:
    """The draft's YAML: a comment saying what to do, then each translated field."""
    import yaml

    fields = {name: _marked(data[name], name) for name in data if name in _TRANSLATED}
    body = yaml.dump(fields, allow_unicode=True, sort_keys=False, width=100, Dumper=_dumper())
    return (
        f"# {reference} in {language}, a draft written by `circulaire translate`: translate\n"
        f"# each text marked {TO_TRANSLATE}, then remove the mark; `circulaire validate\n"
        "# --strict` refuses the translation while one is left (lint code W205). The\n"
        "# reference, date, contacts, names and style are the original's.\n"
        f"{body}"
    )


def _marked(value: Any, name: str) -> Any:
    """A field's value with each text (each paragraph and list item of Markdown) marked."""
    if isinstance(value, str):
        if name in ("body", "content"):
            return _BLOCK_START.sub(_mark_block, value)
        return f"{TO_TRANSLATE} {value}"
    if isinstance(value, list):
        return [_marked(item, name) for item in value]
    if isinstance(value, dict):
        kept = ("title", "organization", "mark") if name == "signatories" else ("title", "content")
        return {key: _marked(part, key) for key, part in value.items() if key in kept}
    return value


def _mark_block(match: re.Match[str]) -> str:
    """The mark at the start of a paragraph's first line, or of a list item."""
    start = match.start()
    text = match.string
    first_line = start == 0 or text[:start].endswith("\n\n") or match["indent"].strip()
    if not first_line or text.startswith(("#", "```", "    "), match.end()):
        return match["indent"]  # a heading, code: marked by the paragraph after them
    return f"{match['indent']}{TO_TRANSLATE} "


def _dumper() -> Any:
    import yaml

    class Dumper(yaml.SafeDumper):
        """Markdown (a text of several lines) as a literal block, as a person writes it."""

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return Dumper
