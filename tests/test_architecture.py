"""The layout ``docs/architecture.md`` describes is the one in ``src/``: in each package it
lists, a module imports only those listed above it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "circulaire"
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def _listed(heading: str) -> list[str]:
    """The modules of the table under ``heading``, in their order."""
    section = DOC.split(heading, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(\w+)\.py` \|", section, re.MULTILINE)


def _imported(module: Path) -> set[str]:
    """Sibling modules a module imports at run time (typing-only imports left out)."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for child in block.body
        for node in ast.walk(child)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and id(node) not in typing_only:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize(
    "heading, folder",
    [
        ("## The DOCX writer: `render/docx/`", "render/docx"),
        ("## The whole archive: `build/`", "build"),
        ("## Importing a published letter: `importing/`", "importing"),
        ("## The live preview: `preview/`", "preview"),
    ],
)
def test_a_module_imports_only_those_above_it(heading: str, folder: str) -> None:
    order = _listed(heading)
    modules = sorted(p.stem for p in (PACKAGE / folder).glob("*.py"))
    assert sorted(order) == modules  # every module is described, and only those
    for position, name in enumerate(order):
        above = set(order[:position])
        assert _imported(PACKAGE / folder / f"{name}.py") <= above, name


def test_no_module_is_much_longer_than_a_page_or_so() -> None:
    folders = ("build", "render/docx", "importing", "preview")
    for module in (m for folder in folders for m in (PACKAGE / folder).glob("*.py")):
        assert len(module.read_text(encoding="utf-8").splitlines()) <= 400, module.name
