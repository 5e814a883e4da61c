"""The JSON Schema of a spec, derived from ``model.py``: its dataclasses, type hints and the
docstring under each field. Never written by hand, so it cannot drift from what ``validate``
accepts; editors read it through yaml-language-server to complete and check specs.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import textwrap
import types
import typing
from datetime import date
from itertools import pairwise
from typing import Any, Literal

from . import model
from .model import MAY_BE_EMPTY, REFERENCE_PATTERN, UNIQUE_ITEMS, Letter, Translation

SCHEMA_ID = "https://circulaire.invalid/spec.schema.json"
"""A name for the schema, not a place it is served from."""
TRANSLATION_SCHEMA_ID = "https://circulaire.invalid/translation.schema.json"


def schema(translation: bool = False) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a letter spec, or of a translation's
    (``27.en.yaml``: only its words)."""
    defs: dict[str, Any] = {}
    if translation:
        top = _record(Translation, defs)
        title, identity = "circulaire translation spec", TRANSLATION_SCHEMA_ID
    else:
        top = _record(Letter, defs)
        title, identity = "circulaire letter spec", SCHEMA_ID
        # Python's named groups, (?P<name>...), are not ECMA 262 (JSON Schema's regex).
        top["properties"]["reference"]["pattern"] = re.sub(
            r"\(\?P<\w+>", "(", REFERENCE_PATTERN.pattern
        )
    for option in top["properties"]["signatories"]["anyOf"]:  # a letter needs one at least
        if option.get("type") == "array":
            option["minItems"] = 1
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": identity,
        "title": title,
        **top,
        "$defs": dict(sorted(defs.items())),
    }


def _record(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls, vars(model))
    docs = _field_docs(cls)
    properties: dict[str, Any] = {}
    required = []
    for f in dataclasses.fields(cls):
        prop = _type(hints[f.name], defs)
        if (cls.__name__, f.name) not in MAY_BE_EMPTY:
            _written(prop)
        if (cls.__name__, f.name) in UNIQUE_ITEMS:
            for option in prop["anyOf"]:
                if option.get("type") == "array":
                    option["uniqueItems"] = True
        if f.name in docs:
            prop["description"] = docs[f.name]
        default = _default(f)
        if default is not dataclasses.MISSING:
            prop["default"] = default
        else:
            required.append(f.name)
        properties[f.name] = prop
    out: dict[str, Any] = {
        "type": "object",
        "description": " ".join((cls.__doc__ or "").split()).replace("``", "`"),
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        out["required"] = required
    return out


def _type(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        options = [_type(a, defs) for a in typing.get_args(tp) if a is not type(None)]
        if len(options) < len(typing.get_args(tp)):
            options.append({"type": "null"})
        return {"anyOf": options}
    if origin is tuple:
        # The validator takes one item or a list of items ("title: Secrétaire général").
        item = _type(typing.get_args(tp)[0], defs)
        return {"anyOf": [item, {"type": "array", "items": _type(typing.get_args(tp)[0], defs)}]}
    if origin is Literal:
        return {"enum": list(typing.get_args(tp))}
    if dataclasses.is_dataclass(tp):
        assert isinstance(tp, type)
        if tp.__name__ not in defs:
            defs[tp.__name__] = {}  # placeholder, in case a class ever refers to itself
            defs[tp.__name__] = _record(tp, defs)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    if tp is str:
        return {"type": "string"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is date:
        return {"type": "string", "format": "date"}
    raise TypeError(f"model type {tp!r} has no JSON Schema")  # a bug in model.py, not input


def _written(prop: dict[str, Any]) -> None:
    """A text the letter prints holds more than white space, as ``validate`` requires."""
    if prop.get("type") == "string" and "format" not in prop:
        prop["pattern"] = r"\S"
    for option in prop.get("anyOf", []):
        _written(option)
    if "items" in prop:
        _written(prop["items"])


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        value = f.default
    elif f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
    else:
        return dataclasses.MISSING
    return _plain(value)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _field_docs(cls: type) -> dict[str, str]:
    """The string literal under each field of ``cls``: the docstrings model.py writes."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0]
    assert isinstance(body, ast.ClassDef)
    docs = {}
    for node, after in pairwise(body.body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            text = " ".join(inspect.cleandoc(after.value.value).split())
            docs[node.target.id] = text.replace("``", "`")
    return docs
