"""`circulaire schema`: the JSON Schema derived from model.py accepts every spec of the archive
and refuses what validation refuses by its shape (unknown keys, wrong types, choices)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from circulaire import model
from circulaire.cli import cli
from circulaire.schema import schema
from circulaire.translation import NAME as TRANSLATION_NAME
from conftest import LETTERS


def printed(*options: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["schema", *options])
    assert result.exit_code == 0
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


def as_editor_reads(path: Path) -> Any:
    """The spec as yaml-language-server sees it: a date is a string (YAML 1.2 has no dates)."""

    def plain(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return plain(yaml.safe_load(path.read_text(encoding="utf-8")))


def validator(*options: str) -> jsonschema.Draft202012Validator:
    spec = printed(*options)
    jsonschema.Draft202012Validator.check_schema(spec)
    return jsonschema.Draft202012Validator(spec, format_checker=jsonschema.FormatChecker())


def test_every_archive_spec_fits_the_schema(spec: Path) -> None:
    options = ("--translation",) if TRANSLATION_NAME.match(spec.name) else ()
    assert list(validator(*options).iter_errors(as_editor_reads(spec))) == []


def test_a_translation_that_restates_the_reference_does_not_fit() -> None:
    data = as_editor_reads(LETTERS / "CL-21" / "27.en.yaml")
    assert list(validator("--translation").iter_errors(data)) == []
    assert list(validator("--translation").iter_errors({**data, "reference": "CL-21/27"}))


def test_the_printed_schema_is_the_generated_one() -> None:
    assert printed() == schema()


def test_every_field_of_the_model_is_in_the_schema_with_its_docstring() -> None:
    spec = schema()
    for cls, where in [(model.Letter, spec)] + [
        (getattr(model, name), spec["$defs"][name]) for name in spec["$defs"]
    ]:
        assert where["additionalProperties"] is False
        names = [f.name for f in dataclasses.fields(cls)]
        assert list(where["properties"]) == names
        for name in names:
            assert where["properties"][name]["description"], f"{cls.__name__}.{name}"
    assert spec["properties"]["date"]["description"].startswith("Date of the letter, ISO form")
    assert spec["required"] == [
        "reference",
        "date",
        "place",
        "subject",
        "salutation",
        "body",
        "signatories",
    ]
    assert spec["$defs"]["Style"]["properties"]["marks"]["enum"] == ["each", "grouped"]
    assert spec["$defs"]["Style"]["properties"]["marks"]["default"] == "each"


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda s: s.update(subjet="x"), "Additional properties are not allowed ('subjet'"),
        (lambda s: s["style"].update(recipients="table"), "'table' is not one of"),
        (lambda s: s.update(style={"header_order": ["reference"] * 2}), "is not valid under any"),
        (lambda s: s.update(date="2021-02-30"), "is not a 'date'"),
        (lambda s: s.update(reference="CL21/27"), "does not match"),
        (lambda s: s.update(reference="CL-21/２７"), "does not match"),
        (lambda s: s["contact"].update(phone=41227306341), "is not valid under any"),
        (lambda s: s.pop("body"), "'body' is a required property"),
        (lambda s: s.update(body="\n\n"), "does not match"),
        (lambda s: s["signatories"][0].update(title=["Secrétaire général", ""]), "is not valid"),
        (lambda s: s["signatories"][0].update(rank="x"), "is not valid under any"),
        (lambda s: s.update(signatories=[]), "is not valid under any"),
    ],
)
def test_the_schema_refuses(change: Any, complaint: str) -> None:
    from conftest import LETTERS

    spec = as_editor_reads(LETTERS / "CL-21/27.yaml")
    change(spec)
    errors = [e.message for e in validator().iter_errors(spec)]
    assert errors
    assert any(complaint in e for e in errors), errors


def test_a_new_letter_fits_the_schema(tmp_path: Path) -> None:
    from circulaire.new import new_letter

    path = new_letter("CL-26", tmp_path, date(2026, 1, 5))
    assert list(validator().iter_errors(as_editor_reads(path))) == []
