"""Translations: ``27.en.yaml`` beside ``27.yaml``, only its words, read against the original."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from circulaire.cli import cli
from circulaire.model import Labels
from circulaire.report import check
from circulaire.translation import language_of, load, original_of
from circulaire.validate import load_letter
from conftest import LETTERS

ENGLISH = LETTERS / "CL-21" / "27.en.yaml"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """CL-21/27 and its English version, in an archive of their own."""
    folder = tmp_path / "letters" / "CL-21"
    folder.mkdir(parents=True)
    shutil.copy(LETTERS / "CL-21" / "27.yaml", folder / "27.yaml")
    shutil.copy(ENGLISH, folder / "27.en.yaml")
    return tmp_path / "letters"


def _edit(spec: Path, old: str, new: str) -> None:
    text = spec.read_text(encoding="utf-8")
    assert old in text, old
    spec.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(archive: Path) -> list[str]:
    return [str(problem) for problem in check([archive]).problems]


def test_a_translation_is_named_after_its_original() -> None:
    assert language_of(Path("letters/CL-21/27.en.yaml")) == "en"
    assert language_of(Path("letters/CL-21/27.yaml")) is None
    assert language_of(Path("letters/CL-21/27.en.yaml.bak")) is None
    assert original_of(ENGLISH) == LETTERS / "CL-21" / "27.yaml"


def test_a_translation_has_its_words_and_the_originals_facts() -> None:
    original, english = load_letter(LETTERS / "CL-21" / "27.yaml"), load_letter(ENGLISH)
    assert english.language == "en"
    assert english.subject.startswith("Invitation to participate")
    assert (english.reference, english.date, english.contact) == (
        original.reference,
        original.date,
        original.contact,
    )
    assert [s.name for s in english.signatories] == [s.name for s in original.signatories]
    assert english.signatories[0].title == ("Secretary-General",)
    assert english.style.header_order == original.style.header_order
    assert english.style.labels == Labels()  # the house wording of English, not French's


def test_the_archive_validates_with_its_translations() -> None:
    report = check([LETTERS])
    assert report.problems == []
    assert LETTERS / "CL-21" / "27.en.yaml" in report.letters


def test_a_translation_is_rendered_beside_its_original(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["render", str(ENGLISH), "-f", "txt", "-o", f"{tmp_path}/"])
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "CL-21" / "27.en.txt").read_text(encoding="utf-8")
    assert "Subject: Invitation to participate" in text and "Houlin Zhao" in text


# -- errors: a translation that is not the original's ---------------------------------------


def test_a_translation_cannot_restate_what_the_original_holds(archive: Path) -> None:
    spec = archive / "CL-21" / "27.en.yaml"
    _edit(spec, "place: Geneva\n", "place: Geneva\ndate: 2021-07-09\n")
    _edit(
        spec, "  - title: Secretary-General\n", "  - name: H. Zhao\n    title: Secretary-General\n"
    )
    assert _problems(archive) == [
        f"{spec}:3:1: date: comes from the original: a translation holds only its own words",
        f"{spec}:23:5: signatories[0].name: comes from the original:"
        " a translation holds only its own words",
    ]


def test_a_translation_without_its_original_is_an_error(archive: Path) -> None:
    (archive / "CL-21" / "27.yaml").rename(archive / "CL-21" / "28.yaml")
    original = archive / "CL-21" / "27.yaml"
    problems = [p for p in check([archive]).problems if "27.en" in p.file]
    assert [(p.code, p.message) for p in problems] == [
        ("E118", f"the original of this translation, {original}, is missing")
    ]


def test_a_translation_keeps_the_originals_signatories_and_parts(archive: Path) -> None:
    spec = archive / "CL-21" / "27.en.yaml"
    _edit(
        spec,
        "  - title: Minister of Information and Communications\n    organization: Viet Nam\n",
        "",
    )
    _edit(spec, "closing: Yours faithfully,\n", "")
    original = archive / "CL-21" / "27.yaml"
    problems = [p for p in check([archive]).problems if p.file == str(spec)]
    assert [(p.code, p.field, p.message) for p in problems] == [
        ("E119", "closing", f"the original {original} has it: translate it"),
        (
            "E119",
            "signatories",
            f"1 here, 2 in the original {original}: translate each, in order",
        ),
    ]


# -- warnings: what a reviser would catch ----------------------------------------------------


def _warnings(archive: Path) -> list[tuple[str, str, str]]:
    return [(p.code, p.field, p.message) for p in check([archive]).problems]


def test_a_paragraph_missing_is_found(archive: Path) -> None:
    _edit(archive / "CL-21" / "27.en.yaml", "  We therefore have", "  We therefore, have")
    _edit(archive / "CL-21" / "27.en.yaml", "world.\n\n  We therefore,", "world. We therefore,")
    assert _warnings(archive) == [
        (
            "W201",
            "body",
            "4 paragraphs here, 5 paragraphs in the original:"
            " a translation keeps the original's paragraphs and lists",
        )
    ]


def test_a_link_to_another_address_is_found(archive: Path) -> None:
    _edit(
        archive / "CL-21" / "27.en.yaml",
        "[participate.telecom@itu.int](mailto:participate.telecom@itu.int)",
        "[participate.telecom@itu.int](mailto:participate@itu.int)",
    )
    (code, field, message), *_ = _warnings(archive)
    assert (code, field) == ("W202", "body")
    assert "participate@itu.int" in message and "participate.telecom@itu.int" in message


def test_a_date_that_is_not_the_originals_is_found_whatever_the_language(
    archive: Path,
) -> None:
    _edit(archive / "CL-21" / "27.en.yaml", "by 31 July 2021", "by 30 July 2021")
    assert _warnings(archive) == [
        (
            "W203",
            "body",
            "numbers and dates differ from the original's: 2021-07-30 here only;"
            " 2021-07-31 in the original only",
        )
    ]


def test_dates_are_read_in_each_language() -> None:
    from circulaire.translation import _numbers

    iso = {"2021-07-31": 1}
    assert _numbers("d'ici au 31 juillet 2021", "fr") == iso
    assert _numbers("by 31 July 2021", "en") == iso
    assert _numbers("by July 31, 2021", "en") == iso
    assert _numbers("antes del 31 de julio de 2021", "es") == iso
    assert _numbers("до 31 июля 2021 года", "ru") == iso
    assert _numbers("قبل 31 يوليو 2021", "ar") == iso
    assert _numbers("قبل ٣١ يوليو ٢٠٢١", "ar") == iso
    assert _numbers("于2021年7月31日前", "zh") == iso
    # A range, and months alone: other languages write months as words.
    french = _numbers("du 12 au 15 octobre 2021, de septembre à novembre", "fr")
    assert _numbers("2021年10月12日至15日，9月至11月", "zh") == french
    assert french == {"2021-10-15": 1, "12": 1}


def test_a_text_left_in_the_originals_words_is_found(archive: Path) -> None:
    _edit(
        archive / "CL-21" / "27.en.yaml",
        "  - title: Secretary-General\n",
        "  - title: Secrétaire général\n",
    )
    assert _warnings(archive) == [
        (
            "W204",
            "signatories[0].title[0]",
            "the same words as the original's: translate them (or ignore W204)",
        )
    ]


def test_a_translation_silences_a_warning_of_its_own(archive: Path) -> None:
    spec = archive / "CL-21" / "27.en.yaml"
    _edit(spec, "  - title: Secretary-General\n", "  - title: Secrétaire général\n")
    spec.write_text(spec.read_text(encoding="utf-8") + "ignore: [W204]\n", encoding="utf-8")
    assert _warnings(archive) == []


def test_the_original_and_its_translations_are_not_one_reference_used_twice() -> None:
    assert [p.code for p in check([LETTERS]).problems if p.code == "E120"] == []


def test_a_broken_translation_names_its_line(archive: Path) -> None:
    spec = archive / "CL-21" / "27.en.yaml"
    spec.write_text("subject: [unclosed\n", encoding="utf-8")
    (problem,) = [p for p in check([archive]).problems if p.file == str(spec)]
    assert problem.line == 2 and problem.code.startswith("E")


def test_load_gives_the_version_with_both_sources() -> None:
    version = load(ENGLISH)
    assert version.source.path == ENGLISH
    assert version.original_source.path == LETTERS / "CL-21" / "27.yaml"


# -- the build: every version beside its original ----------------------------------------------


def _build(archive: Path, dist: Path) -> list[str]:
    from circulaire.build import Settings, build

    outcome = build(Settings(archive, dist, ("md", "txt")), 1)
    assert outcome.return_code == 0, outcome.problems
    return outcome.built


def test_the_build_writes_each_version_beside_its_original(archive: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    assert _build(archive, dist) == ["CL-21/27.en.yaml", "CL-21/27.yaml"]
    assert sorted(p.name for p in (dist / "CL-21").iterdir()) == [
        "27.en.md",
        "27.en.txt",
        "27.md",
        "27.txt",
    ]
    english = (dist / "CL-21" / "27.en.md").read_bytes()
    assert english == CliRunner().invoke(cli, ["render", str(ENGLISH)]).stdout_bytes
    register = (dist / "index.md").read_text(encoding="utf-8")
    assert "1 letter, by date." in register  # one letter, in two languages
    assert (
        "[md](CL-21/27.md) · [txt](CL-21/27.txt); en: [md](CL-21/27.en.md) · [txt](CL-21/27.en.txt)"
        in register
    )


def test_a_translation_changed_rebuilds_itself_the_original_every_version(
    archive: Path, tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    _build(archive, dist)
    _edit(archive / "CL-21" / "27.en.yaml", "Dear Sir/Madam,", "Dear Sir or Madam,")
    assert _build(archive, dist) == ["CL-21/27.en.yaml"]
    _edit(archive / "CL-21" / "27.yaml", "name: Theo Tunga", "name: Théo Tunga")
    assert _build(archive, dist) == ["CL-21/27.en.yaml", "CL-21/27.yaml"]
    assert "Théo Tunga" in (dist / "CL-21" / "27.en.txt").read_text(encoding="utf-8")
    assert _build(archive, dist) == []


def test_a_translation_removed_takes_its_files_with_it(archive: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _build(archive, dist)
    (archive / "CL-21" / "27.en.yaml").unlink()
    assert _build(archive, dist) == []
    assert sorted(p.name for p in (dist / "CL-21").iterdir()) == ["27.md", "27.txt"]


# -- translate: the draft of a translation ------------------------------------------------------


def test_translate_writes_a_draft_that_strict_validation_refuses(archive: Path) -> None:
    original = archive / "CL-21" / "27.yaml"
    result = CliRunner().invoke(cli, ["translate", str(original), "--to", "es"])
    draft = archive / "CL-21" / "27.es.yaml"
    assert result.exit_code == 0 and result.stderr == f"wrote {draft}\n"
    text = draft.read_text(encoding="utf-8")
    assert "reference:" not in text and "date:" not in text and "contact:" not in text
    assert "[To translate] Aux États Membres de l'UIT" in load_letter(draft).recipients[0]
    strict = check([draft], strict=True)
    assert strict.return_code == 1
    assert {p.code for p in strict.problems} >= {"W205"}
    body = load_letter(draft).body.split("\n\n")
    assert all(paragraph.startswith("[To translate] ") for paragraph in body)


def test_a_paragraph_that_begins_in_bold_is_marked_once_not_as_an_item() -> None:
    from circulaire.translate import _marked

    content = "**UNITED NATIONS**\n**Office**\n\n- item\n* other\n2. two\n"
    assert _marked(content, "content") == (
        "[To translate] **UNITED NATIONS**\n**Office**\n\n- [To translate] item\n"
        "* [To translate] other\n2. [To translate] two\n"
    )


def test_translate_never_replaces_a_file(archive: Path) -> None:
    original = archive / "CL-21" / "27.yaml"
    english = archive / "CL-21" / "27.en.yaml"
    before = english.read_bytes()
    result = CliRunner().invoke(cli, ["translate", str(original), "--to", "en"])
    assert result.exit_code == 1
    assert result.stderr == f"{english}: already exists (circulaire never overwrites it)\n"
    assert english.read_bytes() == before


@pytest.mark.parametrize(
    "language, message",
    [
        ("fr", "the letter is in fr already"),
        ("english", "'english' is not a language (expected a code such as en, es, ru, ar, zh)"),
        ("xq", "'xq' is not a language (expected a code such as en, es, ru, ar, zh)"),
    ],
)
def test_translate_refuses_what_is_no_translation(
    archive: Path, language: str, message: str
) -> None:
    original = archive / "CL-21" / "27.yaml"
    result = CliRunner().invoke(cli, ["translate", str(original), "--to", language])
    assert result.exit_code == 1
    assert message in result.stderr
