"""The README documents every command, every spec field and every style option."""

from __future__ import annotations

import dataclasses
import re

import pytest

from circulaire import model
from circulaire.cli import cli
from circulaire.templating import house_wording
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented(command: str) -> None:
    assert f"circulaire {command}" in README


@pytest.mark.parametrize(
    "record", [model.Letter, model.Style, model.Contact, model.Signatory, model.Annex]
)
def test_every_field_is_documented(record: type) -> None:
    for field in dataclasses.fields(record):
        assert f"`{field.name}`" in README, f"{record.__name__}.{field.name}"


def test_every_label_is_documented_with_its_french_wording() -> None:
    french = house_wording("fr").labels(model.Labels())
    for field in dataclasses.fields(model.Labels):
        assert f"`{field.name}` ({getattr(french, field.name)})" in README, field.name


def test_quick_start_has_exactly_the_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\$ (\S.*?)(?:\s+#.*)?$", quick_start, re.MULTILINE)
    assert commands == ["make demo", "make test"]
