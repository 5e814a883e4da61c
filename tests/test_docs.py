"""The README documents every command; docs/ every spec field and every style option."""

from __future__ import annotations

import dataclasses
import re

import pytest

from circulaire import model
from circulaire.cli import cli
from circulaire.templating import house_wording
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SPEC = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented(command: str) -> None:
    assert f"circulaire {command}" in README


@pytest.mark.parametrize(
    "record", [model.Letter, model.Style, model.Contact, model.Signatory, model.Annex]
)
def test_every_field_is_documented(record: type) -> None:
    for field in dataclasses.fields(record):
        assert f"`{field.name}`" in SPEC, f"{record.__name__}.{field.name}"


def test_every_label_is_documented_with_its_french_wording() -> None:
    french = house_wording("fr").labels(model.Labels())
    for field in dataclasses.fields(model.Labels):
        assert f"`{field.name}` ({getattr(french, field.name)})" in SPEC, field.name


def test_quick_start_has_exactly_the_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\$ (\S.*?)(?:\s+#.*)?$", quick_start, re.MULTILINE)
    assert commands == ["make demo", "make test"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_is_documented_as_it_works(shell: str) -> None:
    """The README's line for each shell, run as written, prints click's completion script."""
    import os
    import subprocess
    import sys

    line = {
        "bash": 'eval "$(_CIRCULAIRE_COMPLETE=bash_source circulaire)"',
        "zsh": 'eval "$(_CIRCULAIRE_COMPLETE=zsh_source circulaire)"',
        "fish": "_CIRCULAIRE_COMPLETE=fish_source circulaire | source",
    }[shell]
    assert line in README
    program = os.path.join(os.path.dirname(sys.executable), "circulaire")
    env = {**os.environ, "_CIRCULAIRE_COMPLETE": f"{shell}_source"}
    result = subprocess.run([program], env=env, capture_output=True, text=True, check=True)
    assert "_CIRCULAIRE_COMPLETE" in result.stdout


def test_every_link_between_the_pages_leads_somewhere() -> None:
    """A link of the README or of docs/ to a file names one that exists, and to an anchor, a
    heading of that file."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        text = re.sub(r"```.*?```|`[^`\n]*`", "", text, flags=re.S)  # code is no link
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target) or target == "#":
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            assert linked.exists(), f"{page.name}: {target}"
            if anchor and linked.suffix == ".md":
                headings = re.findall(r"^#+ (.*)$", linked.read_text(encoding="utf-8"), re.M)
                slugs = {
                    re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings
                }
                assert anchor in slugs, f"{page.name}: {target}"
