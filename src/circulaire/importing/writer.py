"""A spec's data -> its YAML, in the house form of ``letters/*.yaml``.

The form a person writes, not a dumper's: the field order of docs/spec.md, Markdown in literal
blocks (``|``), a long line of text folded (``>-``), phone numbers quoted, lists of words
(``header_order``, ``ignore``) in brackets. Whatever this writes is read back and rendered
before it is kept, so a value it could not write plainly goes out double-quoted.
"""

from __future__ import annotations

import json
import textwrap
from datetime import date
from typing import Any

import yaml

WIDTH = 100
"""The longest line of a spec: a longer text is folded."""
_QUOTED = frozenset({"phone", "fax"})
"""Texts always quoted, as docs/spec.md asks: YAML would read ``0123`` as a number."""
_MARKDOWN = frozenset({"body", "content"})
_FLOW = frozenset({"header_order", "contact_order", "ignore"})


def spec_yaml(data: dict[str, Any], comments: dict[str, str] | None = None) -> str:
    """The YAML of ``data``; ``comments`` puts a comment after a top-level field's line."""
    lines: list[str] = []
    for key, value in data.items():
        field = _field(key, value, 0)
        if comments and key in comments:
            field[-1] += f"  # {comments[key]}"
        lines.extend(field)
    return "\n".join(lines) + "\n"


def _field(key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict):
        return [
            f"{pad}{key}:",
            *(line for k, v in value.items() for line in _field(k, v, indent + 2)),
        ]
    if isinstance(value, list) and key in _FLOW:
        return [f"{pad}{key}: [{', '.join(value)}]"]
    if isinstance(value, list):
        lines = [f"{pad}{key}:"]
        for item in value:
            if isinstance(item, dict):
                entry = [line for k, v in item.items() for line in _field(k, v, indent + 4)]
                if not entry:  # an annex with neither title nor content
                    lines.append(f"{pad}  - {{}}")
                    continue
                entry[0] = f"{pad}  - {entry[0][indent + 4 :]}"
                lines.extend(entry)
            else:
                lines.extend(_scalar(f"{pad}  - ", str(item), key, indent + 4))
        return lines
    return _scalar(f"{pad}{key}: ", value, key, indent + 2)


def _scalar(head: str, value: Any, key: str, indent: int) -> list[str]:
    """``head`` and the value, on one line or as a block indented by ``indent``."""
    if isinstance(value, bool):
        return [f"{head}{'true' if value else 'false'}"]
    if isinstance(value, date):
        return [f"{head}{value.isoformat()}"]
    text = str(value)
    pad = " " * indent
    if key in _MARKDOWN and text.strip():
        return _literal(head, text, pad)
    if key in _QUOTED and text[:1] in "+0123456789":
        return [f"{head}{_double(text)}"]
    if "\n" not in text and len(head) + len(text) <= WIDTH and _plain(text):
        return [f"{head}{text}"]
    if _foldable(text, len(head)):
        width = WIDTH - indent
        folded = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
        return [f"{head}>-", *(f"{pad}{line}" for line in folded)]
    return [f"{head}{_double(text)}"]


def _literal(head: str, text: str, pad: str) -> list[str]:
    body = text[:-1] if text.endswith("\n") else text
    chomp = "" if text.endswith("\n") and not text.endswith("\n\n") else "-"
    if text.endswith("\n\n"):
        chomp, body = "+", text[:-1]
    indicator = "2" if text.startswith((" ", "\n")) else ""
    lines = [f"{pad}{line}" if line else "" for line in body.split("\n")]
    return [f"{head.rstrip()} |{indicator}{chomp}", *lines]


def _plain(text: str) -> bool:
    """Whether YAML reads ``text`` written plainly as that very text."""
    if not text or text != text.strip() or any(c in text for c in "\t\r"):
        return False
    try:
        return bool(yaml.safe_load(f"k: {text}") == {"k": text})
    except yaml.YAMLError:
        return False


def _foldable(text: str, head: int) -> bool:
    """A long line of words, which a folded block gives back with single spaces."""
    return (
        head + len(text) > WIDTH
        and "\n" not in text
        and text == text.strip()
        and "  " not in text
        and all(c.isprintable() for c in text)
    )


def _double(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
