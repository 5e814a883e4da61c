"""The house wording of each language: a letter whose original is in Arabic, Chinese, English,
Russian or Spanish prints its catalog's labels, annex headings, mark, separators and date; a
catalog in ``--templates DIR`` overrides the packaged one message by message; spec text is put
into the messages, never read as one."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner

from circulaire import wording
from circulaire.cli import cli
from circulaire.errors import RenderError
from circulaire.model import Annex, Contact, Labels, Letter, Signatory
from circulaire.render import RenderOptions, render
from circulaire.templating import packaged_templates
from circulaire.validate import load_letter
from conftest import LETTERS

LANGUAGES = Path(__file__).resolve().parent / "languages"
SPECS = sorted(LANGUAGES.glob("*.yaml"))


def letter(language: str = "en") -> Letter:
    return load_letter(LANGUAGES / f"{language}.yaml")


def rendered(item: Letter, fmt: str = "md", templates: Path | None = None) -> str:
    return render(item, fmt, RenderOptions(templates=templates)).decode()


def catalog(folder: Path, language: str, messages: dict[str, str], header: str = "") -> Path:
    """A catalog of ``messages`` for ``language`` under a templates folder."""
    path = wording.catalog_path(folder, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = "".join(f'\nmsgid "{k}"\nmsgstr "{v}"\n' for k, v in messages.items())
    head = header or '"Content-Type: text/plain; charset=UTF-8\\n"\n'
    path.write_text(f'msgid ""\nmsgstr ""\n{head}{entries}', encoding="utf-8")
    return path


# -- a letter in each language ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "txt"])
@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_a_letter_in_each_language_matches_its_expected_rendering(spec: Path, fmt: str) -> None:
    expected = spec.with_suffix(f".{fmt}").read_text(encoding="utf-8")
    assert render(load_letter(spec), fmt).decode() == expected


@pytest.mark.parametrize(
    "language, lines",
    [
        (
            "en",
            [
                "Geneva, 16 March 2005",
                "Ref: **CL-05/12**  ",
                "Contact: Theo Tunga  ",
                "Tel: +41 22 730 6341  ",
                "Fax: +41 22 730 6444  ",
                "E-mail: [guestrelations.telecom@itu.int](mailto:guestrelations.telecom@itu.int)",
                "Subject: **Third meeting of the Council Working Group, Geneva, 11-13 May 2005**",
                "(signed)",
                "Annex: 1",
                "Annex 1",
            ],
        ),
        (
            "es",
            [
                "Ginebra, 24 de junio de 2011",
                "Ref.: **CL-11/40**  ",
                "Contacto: Theo Tunga  ",
                "Tel.: +41 22 730 6341  ",
                "Fax: +41 22 730 6444  ",
                "Correo-e: [guestrelations.telecom@itu.int](mailto:guestrelations.telecom@itu.int)",
                "Asunto: **Reunión de la Comisión de Estudio 5, Seúl, 20-28 de septiembre de "
                "2011**",
                "(Firmado)",
                "Anexos: 2",
                "Anexo 2",
            ],
        ),
        (
            "ru",
            [
                "Женева, 24 марта 2011 года",
                "Осн.: **CL-11/20**  ",
                "Для контактов: Тео Тунга  ",
                "Тел.: +41 22 730 6341  ",
                "Факс: +41 22 730 6444  ",
                "Эл. почта: [guestrelations.telecom@itu.int]"
                "(mailto:guestrelations.telecom@itu.int)",
                "(подпись)",
                "Приложение: 1",
                "Приложение 1",
            ],
        ),
        (
            "ar",
            [
                "جنيف، 6 ديسمبر 2016",
                "المرجع: **CL-16/50**  ",
                "جهة الاتصال: ثيو تونغا  ",
                "الهاتف: +41 22 730 6341  ",
                "الفاكس: +41 22 730 6444  ",
                "الموضوع: **الاحتفال بالذكرى العاشرة بعد المائة لصدور لوائح الراديو**",
                "(توقيع)",
                "الملحق: 1",
                "الملحق 1",
            ],
        ),
        (
            "zh",
            [
                "2021年7月8日，日内瓦",
                "文号：**CL-21/27**  ",
                "联系人：Theo Tunga  ",
                "电话：+41 22 730 6341  ",
                "传真：+41 22 730 6444  ",
                "电子邮件：[guestrelations.telecom@itu.int](mailto:guestrelations.telecom@itu.int)",
                "事由：**邀请参加以线上方式举办的2021年国际电联数字世界活动**",
                "（签字）",
                "附件：2",
                "附件1",
                "附件2",
            ],
        ),
    ],
)
def test_each_language_prints_the_house_wording(language: str, lines: list[str]) -> None:
    printed = rendered(letter(language)).splitlines()
    for line in lines:
        assert line in printed


def test_no_french_is_left_in_a_letter_in_another_language() -> None:
    for spec in SPECS:
        for fmt in ("md", "txt"):
            text = render(load_letter(spec), fmt).decode()
            for french in ("Réf.", "Objet", "Courriel", "Télécopie", "Annexe", "signé", " le "):
                assert french not in text, (spec.name, fmt, french)


def test_the_arabic_date_line_has_the_arabic_comma_and_western_digits() -> None:
    line = rendered(letter("ar"), "txt").splitlines()[2]
    assert line == "جنيف\u060c 6 ديسمبر 2016"
    assert "," not in line


def test_chinese_separators_are_full_width_without_spaces() -> None:
    text = rendered(letter("zh"), "txt")
    assert "文号：CL-21/27\n" in text and "2021年7月8日，日内瓦\n" in text
    assert ": " not in text and ", " not in text


def test_the_house_wording_reaches_the_docx_and_its_grouped_marks() -> None:
    import io

    from docx import Document

    english = letter("en")
    second = Signatory("Nguyen Manh Hung", ("Minister",), "Viet Nam")
    grouped = dataclasses.replace(
        english,
        signatories=(*english.signatories, second),
        style=dataclasses.replace(english.style, marks="grouped"),
    )
    document = Document(io.BytesIO(render(grouped, "docx")))
    texts = [p.text for p in document.paragraphs]
    assert "Geneva, 16 March 2005" in texts
    assert "Subject:\tThird meeting of the Council Working Group, Geneva, 11-13 May 2005" in texts
    assert "Annex 1" in texts
    [table] = document.tables
    assert [cell.text.split("\n")[:2] for cell in table.rows[0].cells] == [
        ["(signed)", "Houlin Zhao"],
        ["(signed)", "Nguyen Manh Hung"],
    ]


def test_the_house_wording_reaches_the_typst_source_of_the_pdf() -> None:
    from circulaire.render.pdf import typst_source

    source = typst_source(letter("en"), RenderOptions())
    assert "#align(right)[Geneva, 16 March 2005]" in source
    assert "#strong[Annex 1]" in source
    assert "\\(signed\\)" in source
    assert "Réf" not in source and "signé" not in source


def test_a_language_without_a_catalog_has_the_english_wording_and_babels_date() -> None:
    german = dataclasses.replace(letter("en"), language="de")
    text = rendered(german, "txt")
    assert "Geneva, 16. März 2005\n" in text
    assert "Ref: CL-05/12\nContact: Theo Tunga\nTel: +41 22 730 6341\n" in text
    assert "(signed)\n" in text and "Annex 1\n" in text


def test_a_regional_language_takes_its_languages_catalog() -> None:
    for regional, line in [("fr_CH", "Réf.: **CL-05/12**  "), ("en_US", "Ref: **CL-05/12**  ")]:
        item = dataclasses.replace(letter("en"), language=regional)
        assert line in rendered(item).splitlines()


# -- what the spec gives wins -----------------------------------------------------------------


def test_a_label_and_a_mark_the_spec_gives_win_over_the_catalog() -> None:
    english = letter("en")
    labels = Labels(phone="Telephone", subject="Re")
    signatory = dataclasses.replace(english.signatories[0], mark="[Original signed]")
    item = dataclasses.replace(
        english,
        signatories=(signatory,),
        style=dataclasses.replace(english.style, labels=labels),
    )
    printed = rendered(item, "txt").splitlines()
    assert "Telephone: +41 22 730 6341" in printed
    assert "Re: Third meeting of the Council Working Group, Geneva, 11-13 May 2005" in printed
    assert "[Original signed]" in printed and "(signed)" not in printed
    assert "Fax: +41 22 730 6444" in printed  # the labels it leaves out are the catalog's


def test_an_empty_mark_given_in_python_prints_no_mark() -> None:
    english = letter("en")
    signatory = dataclasses.replace(english.signatories[0], mark="")
    text = rendered(dataclasses.replace(english, signatories=(signatory,)), "txt")
    assert "(signed)" not in text
    assert "Yours faithfully,\n\nHoulin Zhao\n" in text


def test_a_spec_cannot_give_an_empty_mark_or_label(tmp_path: Path) -> None:
    spec = tmp_path / "letter.yaml"
    text = (LANGUAGES / "en.yaml").read_text(encoding="utf-8")
    spec.write_text(text.replace("    title: Secretary-General", '    mark: ""\n    title: x'))
    result = CliRunner().invoke(cli, ["validate", str(spec), "--no-lint"])
    assert result.exit_code == 1
    assert (
        "signatories[0].mark: is empty (write its text, or leave the field out for the house "
        in (result.stdout)
    )


# -- spec text is data ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["{{ 7 * 7 }}", "%(place)s", "%(label)s %s %%", "{% trans %}x"])
def test_spec_text_is_put_into_the_messages_never_read_as_one(text: str) -> None:
    english = letter("en")
    item = dataclasses.replace(
        english,
        place=f"Geneva {text}",
        subject=f"About {text}",
        reference_label=text,
        contact=(Contact(name=f"Theo {text}", phone=text),),
        signatories=(dataclasses.replace(english.signatories[0], mark=text),),
        annexes=(Annex(title=text),),
        style=dataclasses.replace(english.style, labels=Labels(subject=text, annex=text)),
    )
    printed = rendered(item, "txt").splitlines()
    assert f"Geneva {text}, 16 March 2005" in printed
    assert f"Ref: {text} CL-05/12" in printed
    assert f"Contact: Theo {text}" in printed and f"Tel: {text}" in printed
    assert f"{text}: About {text}" in printed
    assert f"{text}: 1" in printed and f"{text} 1" in printed
    assert printed.count(text) == 2  # the mark and the annex's title


# -- a catalog in --templates DIR --------------------------------------------------------------


def test_a_user_catalog_overrides_one_message_and_keeps_the_others(tmp_path: Path) -> None:
    catalog(tmp_path, "en", {"Tel": "Telephone", "%(place)s, %(date)s": "%(place)s, %(date)s."})
    printed = rendered(letter("en"), "txt", templates=tmp_path).splitlines()
    assert "Telephone: +41 22 730 6341" in printed
    assert "Geneva, 16 March 2005." in printed
    assert "Ref: CL-05/12" in printed and "Fax: +41 22 730 6444" in printed  # the house's
    assert "(signed)" in printed
    french = rendered(load_letter(LETTERS / "CL-21/27.yaml"), "txt", templates=tmp_path)
    assert "Tél.: +41 22 730 6341" in french  # another language's catalog is untouched


def test_a_user_catalog_works_through_the_command_line(tmp_path: Path) -> None:
    catalog(tmp_path / "mine", "fr", {"Subject": "Concerne"})
    spec = LETTERS / "CL-21/27.yaml"
    result = CliRunner().invoke(
        cli, ["render", str(spec), "-f", "txt", "--templates", str(tmp_path / "mine")]
    )
    assert result.exit_code == 0, result.output
    assert "\nConcerne: Invitation à participer" in result.stdout
    assert "\nRéf.: Lettre circulaire CL-21/27\n" in result.stdout


def test_untranslated_and_fuzzy_messages_of_a_user_catalog_are_the_houses(tmp_path: Path) -> None:
    path = catalog(tmp_path, "en", {"Tel": "", "Fax": "Facsimile"})
    text = path.read_text(encoding="utf-8").replace('msgid "Fax"', '#, fuzzy\nmsgid "Fax"')
    path.write_text(text, encoding="utf-8")
    printed = rendered(letter("en"), "txt", templates=tmp_path).splitlines()
    assert "Tel: +41 22 730 6341" in printed and "Fax: +41 22 730 6444" in printed


def test_a_user_catalog_may_bring_a_language(tmp_path: Path) -> None:
    catalog(tmp_path, "de", {"Ref": "Ref.", "%(place)s, %(date)s": "%(place)s, den %(date)s"})
    german = dataclasses.replace(letter("en"), language="de")
    printed = rendered(german, "txt", templates=tmp_path).splitlines()
    assert "Geneva, den 16. März 2005" in printed
    assert "Ref.: CL-05/12" in printed and "Contact: Theo Tunga" in printed


def test_a_user_catalog_may_use_plural_forms_in_its_own_templates(tmp_path: Path) -> None:
    header = (
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n'
    )
    path = catalog(tmp_path, "fr", {}, header)
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\nmsgid "%(count)s annex"\nmsgid_plural "%(count)s annexes"\n'
        'msgstr[0] "%(count)s annexe"\nmsgstr[1] "%(count)s annexes"\n',
        encoding="utf-8",
    )
    (tmp_path / "letter.md.j2").write_text(
        '{% extends "letter.j2" %}\n{% block annexes %}'
        "{% trans count=letter.annexes | length %}{{ count }} annex{% pluralize %}"
        "{{ count }} annexes{% endtrans %}\n{% endblock %}\n",
        encoding="utf-8",
    )
    item = load_letter(LETTERS / "CL-19/73.yaml")
    assert rendered(item, templates=tmp_path).endswith("\n1 annexe\n")
    two = dataclasses.replace(item, annexes=item.annexes * 2)
    assert rendered(two, templates=tmp_path).endswith("\n2 annexes\n")


@pytest.mark.parametrize(
    "msgstr, problem",
    [
        (
            "%(plac)s, %(date)s",
            "'%(plac)s' is not a placeholder of the msgid (%(date)s, %(place)s)",
        ),
        ("%s, %(date)s", "'%s' has no name (write one of the msgid's: %(date)s, %(place)s)"),
        ("%(place)s, 100%", "'%' is not a placeholder (write %% for a percent sign)"),
    ],
)
def test_a_catalog_message_the_templates_cannot_format_is_an_error_naming_its_line(
    tmp_path: Path, msgstr: str, problem: str
) -> None:
    path = catalog(tmp_path, "en", {"Tel": "Phone", "%(place)s, %(date)s": msgstr})
    with pytest.raises(RenderError) as raised:
        rendered(letter("en"), templates=tmp_path)
    assert str(raised.value) == f"{path}:8: msgstr of '%(place)s, %(date)s': {problem}"


def test_a_broken_catalog_is_an_error_without_a_traceback(tmp_path: Path) -> None:
    path = wording.catalog_path(tmp_path, "fr")
    path.parent.mkdir(parents=True)
    path.write_text('msgid "Ref"\nmsgstr "Réf."\nmsgtxt "x"\n', encoding="utf-8")
    spec = LETTERS / "CL-21/27.yaml"
    result = CliRunner().invoke(cli, ["render", str(spec), "--templates", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:3: not a gettext catalog (")  # Babel's words
    assert "Traceback" not in result.stderr


def test_a_catalog_not_in_utf8_is_an_error(tmp_path: Path) -> None:
    path = wording.catalog_path(tmp_path, "fr")
    path.parent.mkdir(parents=True)
    path.write_bytes(
        b'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        b'msgid "Ref"\nmsgstr "R\xe9f."\n'
    )
    with pytest.raises(RenderError, match="the catalog is not in its charset"):
        rendered(load_letter(LETTERS / "CL-21/27.yaml"), templates=tmp_path)


# -- once per process -------------------------------------------------------------------------


def test_each_catalog_is_read_once_per_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import babel.messages.pofile

    from circulaire import templating

    kept = tmp_path / "cache"
    kept.mkdir()
    monkeypatch.setattr(wording, "_cache_folder", lambda: str(kept))  # nothing compiled yet
    for cached in (wording._compiled, wording.wording, templating.house_wording):
        cached.cache_clear()  # as in a new process
    catalog(tmp_path, "es", {"Tel": "Teléfono"})
    reads: list[object] = []
    original = babel.messages.pofile.read_po

    def counting(*args: object, **kwargs: object) -> object:
        reads.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(babel.messages.pofile, "read_po", counting)
    spanish = letter("es")
    for fmt in ("md", "txt", "md", "txt"):
        assert "Teléfono: +41 22 730 6341" in rendered(spanish, fmt, templates=tmp_path)
    assert len(reads) == 2  # the user's Spanish catalog and the house's, once each

    for cached in (wording._compiled, wording.wording, templating.house_wording):
        cached.cache_clear()  # another process: both come compiled from the cache folder
    assert "Teléfono: +41 22 730 6341" in rendered(spanish, "md", templates=tmp_path)
    assert len(reads) == 2
    catalog(tmp_path, "es", {"Tel": "Tfno."})  # edited: read again
    for cached in (wording._compiled, wording.wording, templating.house_wording):
        cached.cache_clear()
    assert "Tfno.: +41 22 730 6341" in rendered(spanish, "md", templates=tmp_path)
    assert len(reads) == 3


def test_a_kept_catalog_that_is_no_catalog_is_compiled_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from circulaire import templating

    kept = tmp_path / "cache"
    kept.mkdir()
    monkeypatch.setattr(wording, "_cache_folder", lambda: str(kept))
    for cached in (wording._compiled, wording.wording, templating.house_wording):
        cached.cache_clear()
    expected = rendered(letter("es"))
    files = sorted(kept.iterdir())
    assert files
    for file in files:
        file.write_bytes(b"\x00 not marshal")  # a disk error, another program
    for cached in (wording._compiled, wording.wording, templating.house_wording):
        cached.cache_clear()
    assert rendered(letter("es")) == expected


def test_the_packaged_catalogs_are_inside_the_templates_folder() -> None:
    for language in ("ar", "en", "es", "fr", "ru", "zh"):
        assert wording.catalog_path(packaged_templates(), language).is_file()
