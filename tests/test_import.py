"""``circulaire import``: published Markdown back to specs that render it byte for byte."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from circulaire.cli import cli
from circulaire.errors import CirculaireError
from circulaire.importing import import_file, import_markdown
from circulaire.render import render
from circulaire.validate import load_letter
from conftest import GOLDEN, LETTERS, MARKDOWNISH, on_a_terminal

SEEDS = Path("/work/shared/seeds")
CORPUS = sorted((Path(__file__).parent / "import").glob("*.yaml"))
NOT_MINIMAL = {"12-paragraph-recipients"}
"""Corpus specs with an option the Markdown cannot tell from a shorter spec: one recipient
text renders as a paragraph of recipients does."""
ARCHIVE = {"CL-20-038": "CL-20/038", "CL-21-27": "CL-21/27", "CL-19-73": "CL-19/73"}


def _rendered_from(spec: str) -> str:
    """What a spec's YAML renders, read as circulaire reads a spec."""
    from circulaire.source import parse
    from circulaire.validate import validate

    return render(validate(parse(spec.encode(), Path("spec.yaml"))), "md").decode()


@pytest.mark.parametrize("name", sorted(ARCHIVE))
def test_an_archive_letter_comes_back_byte_for_byte(name: str) -> None:
    markdown = (GOLDEN / f"{name}.md").read_text(encoding="utf-8")
    imported = import_file(GOLDEN / f"{name}.md")
    assert imported.exact, imported.difference
    assert str(imported.reference) == ARCHIVE[name]
    assert _rendered_from(imported.spec) == markdown.strip("\n") + "\n"


@pytest.mark.parametrize("language", ["en", "es", "ru", "ar", "zh"])
def test_a_letter_in_another_language_comes_back_with_its_language(language: str) -> None:
    imported = import_file(GOLDEN / f"CL-21-27.{language}.md")
    assert imported.exact, imported.difference
    assert f"\nlanguage: {language}\n" in imported.spec


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the published seeds are not on this machine")
@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else [])
def test_a_published_seed_comes_back_byte_for_byte(seed: Path) -> None:
    imported = import_file(seed)
    assert imported.exact, imported.difference


def test_the_published_slip_is_ignored_as_published() -> None:
    spec = import_file(GOLDEN / "CL-20-038.md").spec
    assert spec.endswith("ignore: [W101]  # as published\n")
    assert '  phone: "+41 22 730 6341"\n' in spec
    assert "style:\n  marks: grouped\n  labels:\n    phone: Téléphone\n" in spec


@pytest.mark.parametrize("name", ["CL-20-038", "CL-21-27"])
def test_the_archive_spec_and_the_imported_one_hold_the_same_letter(name: str) -> None:
    imported = yaml.safe_load(import_file(GOLDEN / f"{name}.md").spec)
    spec = LETTERS / f"{ARCHIVE[name]}.yaml"
    assert imported == yaml.safe_load(spec.read_text(encoding="utf-8"))


def test_what_markdown_cannot_tell_is_left_to_its_default() -> None:
    """CL-19/73 names its organization, which its Markdown never prints."""
    imported = yaml.safe_load(import_file(GOLDEN / "CL-19-73.md").spec)
    original = yaml.safe_load((LETTERS / "CL-19/73.yaml").read_text(encoding="utf-8"))
    assert original.pop("organization") == "Union internationale des télécommunications"
    assert imported == original


_PUBLISHED = [(GOLDEN / f"{name}.md").read_text(encoding="utf-8") for name in ARCHIVE] + [
    render(load_letter(spec), "md").decode()
    for spec in CORPUS
    if spec.stem.startswith(("15-", "16-", "19-"))  # annexes untitled, run in or apart
]


@given(
    st.sampled_from(_PUBLISHED),
    st.integers(min_value=0, max_value=200),
    st.integers(min_value=0, max_value=6),
    MARKDOWNISH,
)
def test_no_spoiled_letter_ever_gives_a_traceback(
    published: str, at: int, cut: int, inserted: str
) -> None:
    lines = published.split("\n")
    at %= len(lines)
    lines[at : at + cut] = inserted.split("\n")
    try:
        imported = import_markdown("\n".join(lines).encode("utf-8"), "spoiled.md")
    except CirculaireError as exc:
        assert str(exc).startswith("spoiled.md: ")
    else:
        assert imported.spec.startswith("reference: ")


@pytest.mark.parametrize("spec", CORPUS, ids=lambda p: p.stem)
def test_a_corpus_letter_renders_the_same_after_import(spec: Path) -> None:
    markdown = render(load_letter(spec), "md")
    imported = import_markdown(markdown, spec.name)
    assert imported.exact, imported.difference
    assert _rendered_from(imported.spec) == markdown.decode()
    if spec.stem not in NOT_MINIMAL:
        assert yaml.safe_load(imported.spec) == yaml.safe_load(spec.read_text(encoding="utf-8"))


def test_the_corpus_varies_along_every_style_option() -> None:
    styles = [yaml.safe_load(p.read_text(encoding="utf-8")).get("style", {}) for p in CORPUS]
    used = {key for style in styles for key in style}
    assert len(CORPUS) >= 20
    assert used >= {
        "header_order",
        "contact_order",
        "line_breaks",
        "reference_bold",
        "subject_bold",
        "email",
        "recipients",
        "marks",
        "signatory_bold",
        "annex_heading",
        "labels",
    }


def test_the_corpus_is_written_in_several_languages() -> None:
    specs = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in CORPUS]
    assert {spec.get("language", "fr") for spec in specs} >= {"fr", "en", "es", "ru", "zh"}


def _corpus(name: str) -> dict[str, object]:
    spec = yaml.safe_load((Path(__file__).parent / "import" / f"{name}.yaml").read_text())
    assert isinstance(spec, dict)
    return spec


@pytest.mark.parametrize(
    "name, shape",
    [
        ("13-department-plain-reference", "department above a reference not bold"),
        ("15-untitled-annex-run-in", "e-mail before phone, [Original signé], run-in annex"),
        ("13-department-plain-reference", "fax without phone, link to #, plain web address"),
        ("16-untitled-annex-apart", "an untitled annex apart from its heading"),
        ("18-russian-grouped", "italic in the body"),
    ],
)
def test_the_corpus_holds_the_archive_s_other_shapes(name: str, shape: str) -> None:
    """Section 4 of issue #16: each shape the archive has is a letter of the corpus."""
    spec = _corpus(name)
    style = spec.get("style", {})
    assert isinstance(style, dict)
    text = yaml.safe_dump(spec, allow_unicode=True)
    contact = str(spec.get("contact"))
    body = str(spec["body"])
    annexes = spec.get("annexes", [])
    assert isinstance(annexes, list)
    checks = {
        "department above a reference not bold": lambda: (
            "department" in spec and style.get("reference_bold") is False
        ),
        "e-mail before phone, [Original signé], run-in annex": lambda: (
            style.get("contact_order", [])[:3] == ["name", "email", "phone"]
            and "[Original signé]" in text
            and style.get("annex_heading") == "run_in"
        ),
        "fax without phone, link to #, plain web address": lambda: (
            "fax" in contact and "phone" not in contact and "](#)" in body and "www." in body
        ),
        "an untitled annex apart from its heading": lambda: (
            "annex_heading" not in style and any("title" not in annex for annex in annexes)
        ),
        "italic in the body": lambda: "*" in body.replace("**", ""),
    }
    assert checks[shape](), shape


def test_a_run_in_heading_is_one_line_in_markdown_only() -> None:
    letter = load_letter(Path(__file__).parent / "import" / "15-untitled-annex-run-in.yaml")
    markdown = render(letter, "md").decode()
    assert "\nAnnexe 1**UNITED NATIONS**  \n**Office for" not in markdown
    assert "\nAnnexe 1**UNITED NATIONS**\n**Office for the Coordination" in markdown
    text = render(letter, "txt").decode()
    assert "\nAnnexe 1\n\nUNITED NATIONS Office for the Coordination" in text  # reflowed
    page = render(letter, "html").decode()
    assert '<p class="annex-number" id="annex-1">Annexe 1</p>\n<p><strong>UNITED' in page
    assert 'aria-labelledby="annex-1"' in page


def test_an_untitled_annex_whose_text_begins_plainly_is_read_with_a_title() -> None:
    """Markdown cannot tell a one-line first paragraph from a title: the short way is taken,
    and the letter still comes back byte for byte."""
    letter = load_letter(Path(__file__).parent / "import" / "16-untitled-annex-apart.yaml")
    annex = dataclasses.replace(letter.annexes[0], content="Barème.\n\n- Classe 1\n")
    letter = dataclasses.replace(letter, annexes=(annex,))
    imported = import_markdown(render(letter, "md"), "barème.md")
    assert imported.exact, imported.difference
    assert yaml.safe_load(imported.spec)["annexes"] == [
        {"title": "Barème.", "content": "- Classe 1\n"}
    ]


# -- the command ------------------------------------------------------------------------------


def _letter(tmp_path: Path) -> Path:
    source = tmp_path / "old" / "CL-21-27.md"
    source.parent.mkdir()
    source.write_bytes((GOLDEN / "CL-21-27.md").read_bytes())
    return source


def test_import_writes_the_spec_that_renders_the_letter(tmp_path: Path) -> None:
    source = _letter(tmp_path)
    target = tmp_path / "letters" / "CL-21" / "27.yaml"
    result = CliRunner().invoke(cli, ["import", str(source), "-o", str(target)])
    assert result.exit_code == 0, result.output
    published = (GOLDEN / "CL-21-27.md").read_text(encoding="utf-8")
    assert render(load_letter(target), "md").decode() == published.strip("\n") + "\n"


def test_import_to_standard_output(tmp_path: Path) -> None:
    source = tmp_path / "extracted.text"
    source.write_bytes((GOLDEN / "CL-19-73.md").read_bytes())
    result = CliRunner().invoke(cli, ["import", "--from", "md", str(source), "-o", "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("reference: CL-19/73\n")
    assert result.stdout.endswith("ignore: [W104, W108]  # as published\n")


def test_import_never_overwrites_a_spec(tmp_path: Path) -> None:
    source = _letter(tmp_path)
    target = tmp_path / "27.yaml"
    target.write_text("mine\n")
    result = CliRunner().invoke(cli, ["import", str(source), "-o", str(target)])
    assert result.exit_code == 1
    assert f"{target}: already exists" in result.output
    assert target.read_text() == "mine\n"
    result = CliRunner().invoke(cli, ["import", str(source), "-o", str(target), "--force"])
    assert result.exit_code == 0
    assert target.read_text().startswith("reference: CL-21/27\n")


def test_a_letter_that_does_not_come_back_is_not_written(tmp_path: Path) -> None:
    source = _letter(tmp_path)
    text = source.read_text(encoding="utf-8").replace("Monsieur,\n\n", "Monsieur,\n\n\n", 1)
    source.write_text(text, encoding="utf-8")
    target = tmp_path / "27.yaml"
    result = CliRunner().invoke(cli, ["import", str(source), "-o", str(target)])
    assert result.exit_code == 1
    assert (
        "the spec does not give the letter back, nothing written: "
        "line 20 (the salutation, body and closing): "
    ) in result.output
    assert "expected '', got \"L'Union internationale" in result.output
    assert not target.exists()


def test_a_spec_goes_nowhere_but_its_reference_s_path_in_an_archive(tmp_path: Path) -> None:
    source = _letter(tmp_path)
    target = tmp_path / "letters" / "CL-21" / "28.yaml"
    result = CliRunner().invoke(cli, ["import", str(source), "-o", str(target)])
    assert result.exit_code == 1
    assert result.output == (
        f"{target}: CL-21/27 belongs at CL-21/27.yaml in the archive, not CL-21/28.yaml\n"
    )
    assert not target.exists()


def test_check_compares_without_writing(tmp_path: Path) -> None:
    source = _letter(tmp_path)
    result = CliRunner().invoke(cli, ["import", str(source), "--check"])
    assert result.exit_code == 0
    assert result.output == f"{source}: CL-21/27 imported exactly\n"
    assert list(tmp_path.rglob("*.yaml")) == []


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the file is empty"),
        (b"\n\n  \n", "the file is empty"),
        (b"PK\x03\x04\x00\x00binary", "a binary file"),
        (b"\xff\xfe not text", "is not UTF-8"),
        (b"# Minutes\n\nThe meeting opened at ten.\n", "no place and date"),
        (
            "Genève, le 8 juillet 2021\n\nObjet: **Un objet**\n\nMadame,\n\nTexte.\n".encode(),
            "no reference line",
        ),
    ],
    ids=["empty", "blank", "binary", "latin-1", "not-a-letter", "no-reference"],
)
def test_bad_input_is_refused_naming_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    source = tmp_path / "bad.md"
    source.write_bytes(content)
    target = tmp_path / "out.yaml"
    result = CliRunner().invoke(cli, ["import", str(source), "-o", str(target)])
    assert result.exit_code == 1
    assert result.output.startswith(f"{source}: ")
    assert message in result.output
    assert "Traceback" not in result.output
    assert not target.exists()


def old_folder(tmp_path: Path) -> Path:
    """A folder of published letters: the archive's three, and an empty file."""
    old = tmp_path / "old"
    old.mkdir()
    for name in ARCHIVE:
        (old / f"{name}.md").write_bytes((GOLDEN / f"{name}.md").read_bytes())
    (old / "empty.md").write_bytes(b"")
    return old


def test_a_folder_is_imported_at_each_reference_with_a_summary(tmp_path: Path) -> None:
    old = old_folder(tmp_path)
    changed = (
        (GOLDEN / "CL-21-27.md")
        .read_text(encoding="utf-8")
        .replace("Monsieur,\n\n", "Monsieur,\n\n\n", 1)
    )
    (old / "changed.md").write_text(changed.replace("CL-21/27", "CL-21/28"), encoding="utf-8")
    letters = tmp_path / "letters"
    result = CliRunner().invoke(cli, ["import", str(old), "--letters", str(letters)])
    assert result.exit_code == 1
    assert result.output.endswith("3 imported exactly, 1 with differences, 1 failed\n")
    written = sorted(p.relative_to(letters).as_posix() for p in letters.rglob("*.yaml"))
    assert written == ["CL-19/73.yaml", "CL-20/038.yaml", "CL-21/27.yaml"]
    for path in letters.rglob("*.yaml"):
        load_letter(path)  # each at the path its reference names
    again = CliRunner().invoke(cli, ["import", str(old), "--letters", str(letters)])
    assert again.output.endswith("0 imported exactly, 1 with differences, 4 failed\n")


def test_a_missing_file_is_bad_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "old.md"), "-o", "-"])
    assert result.exit_code == 1
    assert result.output == f"{tmp_path / 'old.md'}: no such file or folder\n"


def test_a_folder_import_shows_its_progress_on_a_terminal(tmp_path: Path) -> None:
    old = old_folder(tmp_path)
    code, text = on_a_terminal("import", str(old), "--check")
    assert code == 1
    assert re.search(r"importing .*4/4", text), text
    assert f"{old / 'empty.md'}: the file is empty" in text
    assert text.rstrip().endswith("3 imported exactly, 0 with differences, 1 failed")
    assert list(tmp_path.rglob("*.yaml")) == []


def test_a_folder_import_without_a_terminal_shows_no_bar(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    (old / "CL-21-27.md").write_bytes((GOLDEN / "CL-21-27.md").read_bytes())
    result = CliRunner().invoke(cli, ["import", str(old), "--check"])
    assert result.exit_code == 0
    assert result.output == "1 imported exactly, 0 with differences, 0 failed\n"


def test_bad_files_in_a_folder_are_each_named_and_stop_nothing(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    bad = {
        "binary.md": (b"\x89PNG\r\n\x1a\n\x00\x00", "a binary file"),
        "empty.md": (b"", "the file is empty"),
        "minutes.md": (b"# Minutes\n\nThe meeting opened at ten.\n", "no place and date"),
        "unreferenced.md": (
            "Genève, le 8 juillet 2021\n\nObjet: **Un objet**\n\nMadame,\n\nTexte.\n".encode(),
            "no reference line",
        ),
    }
    for name, (content, _) in bad.items():
        (old / name).write_bytes(content)
    (old / "zz-CL-21-27.md").write_bytes((GOLDEN / "CL-21-27.md").read_bytes())
    letters = tmp_path / "letters"
    result = CliRunner().invoke(cli, ["import", str(old), "--letters", str(letters)])
    assert result.exit_code == 1
    for name, (_, message) in bad.items():
        assert re.search(rf"^{re.escape(str(old / name))}: .*{message}", result.output, re.M)
    assert "Traceback" not in result.output
    assert result.output.endswith("1 imported exactly, 0 with differences, 4 failed\n")
    written = [p.relative_to(letters).as_posix() for p in letters.rglob("*") if p.is_file()]
    assert written == ["CL-21/27.yaml"]


@pytest.mark.parametrize(
    "old, new, part",
    [
        ("Contact: Theo Tunga  \n", "Contact: Theo Tunga  \nBureau: 12  \n", "the reference and"),
        ("- Aux États Membres de l'UIT\n", "- Aux États Membres de l'UIT\n-\n", "the recipients"),
        ("**Houlin Zhao**", "**Houlin Zhao** ", "the signatures"),
    ],
)
def test_a_difference_names_the_part_the_spec_could_not_express(
    old: str, new: str, part: str
) -> None:
    published = (GOLDEN / "CL-21-27.md").read_text(encoding="utf-8")
    assert old in published
    imported = import_markdown(published.replace(old, new, 1).encode(), "changed.md")
    assert imported.difference is not None
    assert f"({part}" in str(imported.difference)
