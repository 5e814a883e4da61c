"""Drafts: a letter that still holds placeholders (`circulaire new`'s ``[À compléter: ...]``,
a draft translation's ``[To translate]``) is neither rendered nor built unless asked with
``--draft``, and a draft rendered so says it is one."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from circulaire.cli import cli
from conftest import LETTERS
from readers import pdf_text


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(map(str, args)), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    """A letter as `circulaire new` writes it, in an archive of its own."""
    letters = tmp_path / "letters"
    letters.mkdir()
    code, out, _ = run("new", "CL-26", "--letters", letters, "--date", "2026-01-05")
    assert code == 0
    return Path(out.strip())


def refusal(path: Path, command: str) -> str:
    return (
        f"{path}:7:10: a draft, not {command}: 6 placeholders left, the first 3; replace them, "
        "or give --draft\n"
        f"{path}:7:10: contact.name: placeholder '[À compléter: nom du contact]' is still to be "
        "replaced\n"
        f"{path}:11:6: recipients[0]: placeholder '[À compléter: destinataires]' is still to be "
        "replaced\n"
        f"{path}:12:11: subject: placeholder '[À compléter: objet de la lettre]' is still to be "
        "replaced\n"
    )


@pytest.mark.parametrize("fmt", ["md", "pdf"])
def test_render_refuses_a_draft_and_writes_nothing(draft: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "out"
    assert run("render", draft, "-f", fmt, "-o", out) == (1, "", refusal(draft, "rendered"))
    assert not out.exists()


def test_render_draft_renders_it(draft: Path, tmp_path: Path) -> None:
    target = tmp_path / "01.md"
    code, _, err = run("render", draft, "--draft", "-o", target)
    assert (code, err) == (0, f"wrote {target}\n")
    assert "[À compléter: objet de la lettre]" in target.read_text(encoding="utf-8")


def test_a_draft_translation_is_refused(tmp_path: Path) -> None:
    (tmp_path / "CL-21").mkdir()
    spec = shutil.copy(LETTERS / "CL-21/27.yaml", tmp_path / "CL-21")
    assert run("translate", spec, "--to", "en")[0] == 0
    translation = tmp_path / "CL-21/27.en.yaml"
    code, out, err = run("render", translation)
    assert (code, out) == (1, "")
    first, second, *_ = err.splitlines()
    assert first.startswith(f"{translation}:")
    assert ": a draft, not rendered: " in first
    assert first.endswith(", the first 3; replace them, or give --draft")
    assert second.startswith(first.split(" ")[0])
    assert second.endswith(": still to translate (remove [To translate] once it is)")
    assert run("render", translation, "--draft")[0] == 0


def test_a_letter_that_ignores_the_code_is_no_draft(draft: Path) -> None:
    """An archive letter may print the words as published: ``ignore: [W106]`` says so."""
    draft.write_text(draft.read_text(encoding="utf-8") + "ignore: [W106]\n", encoding="utf-8")
    assert run("render", draft)[0] == 0


def test_build_fails_a_draft_and_builds_the_others(draft: Path, tmp_path: Path) -> None:
    letters = draft.parents[1]
    shutil.copytree(LETTERS / "CL-21", letters / "CL-21")
    dist = tmp_path / "dist"
    code, _, err = run("build", letters, "-o", dist, "-f", "md,txt", "-j", "1")
    assert code == 1
    assert refusal(draft, "built") in err
    assert ", 0 removed, 1 failed in " in err.splitlines()[-1]
    assert (dist / "CL-21/27.md").exists()
    assert not (dist / "CL-26").exists()


def test_build_draft_builds_it_and_a_build_without_refuses_it_again(
    draft: Path, tmp_path: Path
) -> None:
    letters, dist = draft.parents[1], tmp_path / "dist"
    assert run("build", letters, "-o", dist, "-f", "md", "--draft")[0] == 0
    assert (dist / "CL-26/01.md").exists()
    manifest = json.loads((dist / ".circulaire-manifest.json").read_text(encoding="utf-8"))
    assert manifest["letters"]["CL-26/01.yaml"]["draft"] is True
    # Unchanged since, the draft is not kept as built: it is a draft still.
    code, _, err = run("build", letters, "-o", dist, "-f", "md")
    assert code == 1
    assert refusal(draft, "built") in err


def _docx_headers(docx: Path) -> list[str]:
    with zipfile.ZipFile(docx) as package:
        names = sorted(n for n in package.namelist() if n.startswith("word/header"))
        return [package.read(name).decode("utf-8") for name in names]


def _squeezed(text: str) -> str:
    """pdftotext reads a diagonal word in pieces (``PR\\n\\nO\\nJE\\nT``)."""
    return "".join(text.split())


@pytest.mark.parametrize(("language", "mark"), [("fr", "PROJET"), ("en", "DRAFT")])
def test_a_draft_is_marked_in_docx_and_pdf_in_its_language(
    tmp_path: Path, language: str, mark: str
) -> None:
    (tmp_path / "CL-21").mkdir()
    spec = Path(shutil.copy(LETTERS / "CL-21/27.yaml", tmp_path / "CL-21"))
    assert run("translate", spec, "--to", "en")[0] == 0
    draft = spec
    if language == "fr":
        text = spec.read_text(encoding="utf-8")
        text = text.replace("Madame, Monsieur,\n", '"Madame, [À compléter: nom]"\n', 1)
        spec.write_text(text, encoding="utf-8")
    else:
        draft = tmp_path / "CL-21/27.en.yaml"
    for fmt in ("docx", "pdf"):
        target = tmp_path / f"{language}.{fmt}"
        assert run("render", draft, "--draft", "-o", target)[::2] == (0, f"wrote {target}\n")
    headers = _docx_headers(tmp_path / f"{language}.docx")
    assert headers and all(f"<w:t>{mark}</w:t>" in header for header in headers)
    assert mark in _squeezed(pdf_text(tmp_path / f"{language}.pdf"))


def test_a_finished_letter_rendered_with_draft_is_not_marked(tmp_path: Path) -> None:
    spec = LETTERS / "CL-21/27.yaml"
    for fmt in ("docx", "pdf"):
        assert run("render", spec, "--draft", "-o", tmp_path / f"27.{fmt}")[0] == 0
    assert not any("PROJET" in header for header in _docx_headers(tmp_path / "27.docx"))
    assert "PROJET" not in _squeezed(pdf_text(tmp_path / "27.pdf"))


@pytest.mark.parametrize(
    ("written", "line"),
    [
        ('subject: "[À compléter: objet]"', 13),
        ("subject: >-\n  Un objet [À\n  compléter: objet]", 14),
        ('subject: "[\\u00c0 compl\\u00e9ter: objet]"', 13),
        ('subject: "[À COMPLÉTER: objet]"', 13),
        ("subject: >-\n  [To\n  translate] Un objet", 14),
    ],
    ids=["plain", "folded", "escaped", "upper case", "folded mark"],
)
def test_a_placeholder_is_found_however_the_yaml_writes_it(
    tmp_path: Path, written: str, line: int
) -> None:
    from circulaire.drafts import placeholders
    from circulaire.source import read
    from circulaire.validate import validate

    text = (LETTERS / "CL-21/27.yaml").read_text(encoding="utf-8")
    start = text.index("subject: >-")
    end = text.index("\nsalutation:")
    path = tmp_path / "27.yaml"
    path.write_text(text[:start] + written + text[end:], encoding="utf-8")
    source = read(path)
    assert [p.line for p in placeholders(source, validate(source))] == [line]
