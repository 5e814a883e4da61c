"""Templates compiled by an earlier process: what a later one renders is still the source's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LETTER = Path(__file__).resolve().parents[1] / "letters/CL-21/27.yaml"


def render(*args: str | Path, tmp: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "circulaire", "render", LETTER, *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp)},  # a cache of this test's own
    )
    return result.stdout


def test_a_template_edited_since_it_was_cached_is_compiled_again(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    override = templates / "letter.md.j2"
    override.write_text(
        '{% extends "house/letter.md.j2" %}{% block subject %}SUBJECT-A{% endblock %}'
    )
    first = render("--templates", templates, tmp=tmp_path)
    assert list(tmp_path.glob("_jinja2-cache-*/circulaire-*.cache"))  # compiled once, kept
    assert render("--templates", templates, tmp=tmp_path) == first
    override.write_text(override.read_text().replace("-A", "-B"))  # same size
    second = render("--templates", templates, tmp=tmp_path)
    assert "SUBJECT-A" in first
    assert second == first.replace("SUBJECT-A", "SUBJECT-B")


def test_each_format_has_its_own_compiled_templates(tmp_path: Path) -> None:
    """``letter.j2`` binds each format's filters when compiled: a text letter rendered after
    its Markdown is not made with Markdown's escapes."""
    uncached = render("-f", "txt", tmp=tmp_path / "elsewhere")
    render("-f", "md", tmp=tmp_path)
    assert render("-f", "txt", tmp=tmp_path) == uncached
    assert render("-f", "md", tmp=tmp_path) != uncached
