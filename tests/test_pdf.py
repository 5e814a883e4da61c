"""PDF: the letter as pdftotext and pdfinfo read it, the page (letterhead, page numbers, annexes
on their own pages, signatories side by side), escaping that lets no spec text become Typst
code, fonts that are Typst's own, the same bytes every time."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typst
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from circulaire.cli import cli
from circulaire.errors import RenderError
from circulaire.model import Annex, Letter, Signatory
from circulaire.render import RenderOptions, render
from circulaire.render.pdf import embedded, escape, string, typst_source
from circulaire.templating import packaged_templates
from circulaire.validate import load_letter
from conftest import LETTERS, MARKDOWNISH, require
from readers import (
    SIMILAR_ENOUGH,
    fonts_embedded,
    pdf_text,
    similarity,
    without_page_furniture,
    words_placed,
)

PAGE_WIDTH = 595.276
"""A4, in points."""
RIGHT_MARGIN = 20 / 25.4 * 72


def letter(reference: str = "CL-21/27") -> Letter:
    return load_letter(LETTERS / f"{reference}.yaml")


def written(item: Letter, folder: Path, name: str = "letter", **options: Path) -> Path:
    path = folder / f"{name}.pdf"
    path.write_bytes(render(item, "pdf", RenderOptions(**options)))
    return path


def pages(pdf: Path) -> list[str]:
    """The text of each page, as pdftotext reads it."""
    return pdf_text(pdf).split("\f")[:-1]


def info(pdf: Path) -> dict[str, str]:
    program = require("pdfinfo")
    result = subprocess.run(
        [program, "-enc", "UTF-8", str(pdf)], capture_output=True, check=True, timeout=60
    )
    fields = (line.partition(":") for line in result.stdout.decode("utf-8").splitlines())
    return {key: value.strip() for key, _, value in fields}


# -- the real reader: pdftotext ------------------------------------------------------------


def test_pdftotext_reads_the_words_of_the_text_rendering(spec: Path, tmp_path: Path) -> None:
    item = load_letter(spec)
    pdf = written(item, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF-")
    read = without_page_furniture(pdf_text(pdf), item)
    assert similarity(read, render(item, "txt").decode()) >= SIMILAR_ENOUGH


def test_the_page_furniture_is_what_is_left_out(tmp_path: Path) -> None:
    item = letter("CL-19/73")
    text = pdf_text(written(item, tmp_path))
    kept = without_page_furniture(text, item)
    removed = set(text.splitlines()) - set(kept.splitlines())
    assert removed == {
        "Union internationale des télécommunications",
        "Place des Nations · CH-1211 Genève 20 · Suisse",  # the house's, on the first page
        "Tél.: +41 22 730 5111 · Télécopie: +41 22 733 7256 · Courriel: itumail@itu.int"
        " · www.itu.int",
        "CL-19/73 – 2/2",
    }


def test_the_same_bytes_every_time(spec: Path) -> None:
    item = load_letter(spec)
    first = render(item, "pdf")
    assert render(load_letter(spec), "pdf") == first


@pytest.mark.parametrize("version", ["CL-19/73", "CL-21/27.ar", "CL-21/27.zh"])
def test_the_same_bytes_from_another_process(version: str, tmp_path: Path) -> None:
    """Another process, another hash seed: the same bytes, fonts from packages included."""
    spec = LETTERS / f"{version}.yaml"
    target = tmp_path / "letter.pdf"
    subprocess.run(
        [sys.executable, "-m", "circulaire", "render", str(spec), "-f", "pdf", "-o", str(target)],
        check=True,
        capture_output=True,
        env={"PYTHONHASHSEED": "12345", "SOURCE_DATE_EPOCH": "0", "PATH": ""},
    )
    assert target.read_bytes() == render(load_letter(spec), "pdf")


# -- the page ----------------------------------------------------------------------------------


def test_letterhead_on_the_first_page_and_page_numbers_from_the_second(tmp_path: Path) -> None:
    text = pages(written(letter("CL-19/73"), tmp_path))
    assert len(text) == 2
    assert text[0].splitlines()[0] == "Union internationale des télécommunications"
    assert "/2" not in text[0]
    assert text[1].splitlines()[0] == "CL-19/73 – 2/2"
    assert "Union internationale des télécommunications" not in text[1]


def test_each_annex_starts_a_page(tmp_path: Path) -> None:
    item = letter("CL-19/73")
    text = pages(written(item, tmp_path))
    lines = [line for line in text[1].splitlines() if line]
    assert lines[1] == "Annexe 1"
    assert lines[2].startswith("Appel à l'action pour la Journée mondiale 2020")  # as written
    two = dataclasses.replace(item, annexes=(Annex("Première", "Un."), Annex("Seconde", "Deux.")))
    text = pages(written(two, tmp_path, "two"))
    assert len(text) == 3
    assert [line for line in text[1].splitlines() if line][1:4] == ["Annexe 1", "Première", "Un."]
    assert [line for line in text[2].splitlines() if line][1:4] == ["Annexe 2", "Seconde", "Deux."]


@pytest.mark.parametrize("heading", ["apart", "run_in"])
def test_an_annex_without_a_title_has_its_heading_then_its_text(
    heading: str, tmp_path: Path
) -> None:
    item = letter("CL-19/73")
    style = dataclasses.replace(item.style, annex_heading=heading)
    untitled = (Annex(None, "**UNITED NATIONS**\n\nMessage."),)
    text = pages(written(dataclasses.replace(item, annexes=untitled, style=style), tmp_path))
    lines = [line for line in text[-1].splitlines() if line]
    assert lines[1:4] == ["Annexe 1", "UNITED NATIONS", "Message."]


def test_a4_and_metadata_from_the_letter(tmp_path: Path) -> None:
    fields = info(written(letter("CL-21/27"), tmp_path))
    assert (
        fields["Title"]
        == "Invitation à participer à ITU Digital World 2021, qui aura lieu en ligne"
    )
    assert fields["Author"] == "Union internationale des télécommunications"
    assert fields["Keywords"] == "CL-21/27"
    assert fields["CreationDate"] == fields["ModDate"] == "Thu Jul  8 00:00:00 2021 UTC"
    assert fields["Page size"] == "595.276 x 841.89 pts (A4)"
    assert fields["Tagged"] == "yes"
    data = (tmp_path / "letter.pdf").read_bytes()  # PDF/A-2u, said in the XMP metadata
    assert b"<pdfaid:part>2</pdfaid:part>" in data
    assert b"<pdfaid:conformance>U</pdfaid:conformance>" in data


def test_the_letters_language_for_hyphenation_quotes_and_readers() -> None:
    assert b"/Lang(fr-CH)" in render(letter("CL-21/27"), "pdf")
    english = dataclasses.replace(letter("CL-21/27"), language="en_GB")
    assert b"/Lang(en-GB)" in render(english, "pdf")
    script = dataclasses.replace(letter("CL-21/27"), language="sr_Latn_RS")  # Latn: no region
    assert b"/Lang(sr-RS)" in render(script, "pdf")


def test_links_are_clickable_mailto_too() -> None:
    data = render(letter("CL-21/27"), "pdf")
    targets = set(re.findall(rb"/URI\(([^)]*)\)", data))
    assert targets == {
        b"https://digital-world.itu.int/",
        b"mailto:forum.telecom@itu.int",
        b"mailto:participate.telecom@itu.int",
        b"mailto:guestrelations.telecom@itu.int",  # the contact's e-mail (style.email: link)
    }
    plain = render(letter("CL-19/73"), "pdf")  # email: plain, links to nowhere ([ici](#))
    assert re.findall(rb"/URI\(([^)]*)\)", plain) == []


def test_only_typsts_own_fonts_embedded_accents_and_ligatures_read_back(tmp_path: Path) -> None:
    pdf = written(letter("CL-20/038"), tmp_path)
    program = require("pdffonts")
    listing = subprocess.run([program, str(pdf)], capture_output=True, check=True, timeout=60)
    fonts = [line.split()[0] for line in listing.stdout.decode().splitlines()[2:]]
    assert sorted(re.sub(r"^[A-Z]{6}\+|-Identity-H$", "", font) for font in fonts) == [
        "LibertinusSerif-Bold",
        "LibertinusSerif-Regular",
    ]
    assert all(" yes yes yes " in line for line in listing.stdout.decode().splitlines()[2:])
    text = " ".join(pdf_text(pdf).replace("\u00ad\n", "").split())  # a word hyphenated
    assert "faire œuvre de sensibilisation" in text
    assert "États Membres" in text and "Hanoï" in text and "Genève, le 31 août 2020" in text


def test_grouped_marks_put_the_signatories_side_by_side(tmp_path: Path) -> None:
    placed = words_placed(written(letter("CL-20/038"), tmp_path))
    houlin = next(w for w in placed if w[0] == "Houlin")
    nguyen = next(w for w in placed if w[0] == "Nguyen" and w[3] > 500)
    assert houlin[3] == pytest.approx(nguyen[3])  # same line
    assert nguyen[1] > PAGE_WIDTH / 2 > houlin[1]  # left and right halves
    marks = [w for w in placed if w[0] == "signé]"]
    assert len(marks) == 2 and marks[0][3] == pytest.approx(marks[1][3])


def test_each_mark_above_its_signatory(tmp_path: Path) -> None:
    placed = words_placed(written(letter("CL-21/27"), tmp_path))
    names = [w for w in placed if w[0] in ("Houlin", "Nguyen") and w[3] > 100]
    assert names[0][1] == pytest.approx(names[-1][1])  # one under the other


def test_soft_line_breaks_stay_lines_on_paper(tmp_path: Path) -> None:
    text = pdf_text(written(letter("CL-19/73"), tmp_path))  # style.line_breaks: soft
    assert "Réf.: CL-19/73\nContact: Victoria Sukenik\nCourriel: strategy@itu.int" in text


def test_each_list_numbers_from_its_own_start() -> None:
    body = "1. un\n2. deux\n\n- puce\n\n3. trois\n4. quatre\n\n7) sept\n"
    source = typst_source(dataclasses.replace(letter(), body=body), RenderOptions())
    assert "#enum(start: 1, tight: true, [un], [deux]);" in source
    assert "#list(tight: true, [puce]);" in source
    assert "#enum(start: 3, tight: true, [trois], [quatre]);" in source
    assert "#enum(start: 7, tight: true, [sept]);" in source


def test_markdown_emphasis_links_breaks_and_nested_lists(tmp_path: Path) -> None:
    body = (
        "Un *mot penché*, un **mot gras**, [un lien](https://example.org/a_b) et `du code`.\\\n"
        "Après un saut de ligne.\n\n- a\n\n  suite de a\n\n  1. a1\n- b\n"
    )
    source = typst_source(dataclasses.replace(letter(), body=body), RenderOptions())
    assert (
        'Un #emph[mot penché];, un #strong[mot gras];, #link("https://example.org/a_b")[un lien]; '
        'et #raw("du code");\\.\\\nAprès un saut de ligne\\.'
    ) in source
    assert (
        "#list(tight: false, [a\n\nsuite de a\n\n#enum(start: 1, tight: true, [a1]);], [b]);"
        in (source)
    )
    text = pdf_text(written(dataclasses.replace(letter(), body=body), tmp_path))
    assert "Un mot penché, un mot gras, un lien et du code.\nAprès un saut de ligne." in text
    assert "• a\nsuite de a\n1. a1\n• b" in text


INLINE_CALLS = {
    "bold": ("**Note**", "Note"),
    "italic": ("*Note*", "Note"),
    "link": ("[Note](https://example.org)", "Note"),
    "code": ("`Note`", "Note"),
    "autolink": ("<https://example.org>", "https://example.org"),
    "email": ("<note@example.org>", "note@example.org"),
}
"""Markdown that becomes a Typst call in markup (``#strong[..]``, ``#link(..)[..]``...), and
the words it shows."""
AFTER_A_CALL = {";": ";", ";;": ";;", ";suite": ";suite", "\\;": ";"} | {
    more: more for more in ("[1]", "(x)", ".b", ".len()", "(x)[1].b")
}
"""Markdown right after a call, and what it shows. Typst would read it as more of the call:
``;`` ends the call and is dropped, ``[..]`` and ``(..)`` are more arguments, ``.b`` a field or
a method."""


@pytest.mark.parametrize("kind", INLINE_CALLS)
def test_the_words_after_bold_italic_links_and_code_are_printed(kind: str, tmp_path: Path) -> None:
    written_as, shown = INLINE_CALLS[kind]
    places = ("Alinéa {}", "- Puce {}", "1. Rang {}", "## Titre {}")
    body = "\n\n".join(
        place.format(f"{number} {written_as}{after} fin.")
        for place in places
        for number, after in enumerate(AFTER_A_CALL)
    )
    annex = "\n\n".join(
        f"Annexé {number} {written_as}{after} fin." for number, after in enumerate(AFTER_A_CALL)
    )
    item = dataclasses.replace(letter(), body=body, annexes=(Annex("Annexe", annex),))
    one_line = " ".join(pdf_text(written(item, tmp_path)).split())
    for place in ("Alinéa", "• Puce", "Rang", "Titre", "Annexé"):
        for number, printed in enumerate(AFTER_A_CALL.values()):
            assert f"{place} {number} {shown}{printed} fin." in one_line


# -- escaping: spec text is never Typst --------------------------------------------------------

HOSTILE = {
    "subject": '#read("/etc/passwd") $x^2$ *gras* _penché_ @label <tag> \\ `code` [x] ~ //',
    "place": "Genève #set page(width: 1cm)",
    "department": '#import "/etc/passwd": * #{1+1}',
    "salutation": "Madame, Monsieur, -- --- ... -? = + / 1.",
    "closing": "])} #emph[x] /* non fermé",
    "body": 'Texte #strong[pas gras] $y$ \\u{41} @ref <l> ~ #read("/etc/passwd")\n\n'
    '#import "x.typ": *\n\n= pas un titre\n\n/ pas: un terme\n',
    "recipients": ("- tiret", "+ plus", "= égal", "1. un", "/ barre: x", "#x"),
}
SIGNATORY = Signatory(
    name="#sys.exit() Zhao", title=("Secr[é]taire", "général\\"), organization="*UIT* $", mark="#x"
)


def hostile_letter() -> Letter:
    return dataclasses.replace(
        letter(),
        **HOSTILE,  # type: ignore[arg-type]
        signatories=(SIGNATORY,),
        annexes=(Annex("#pagebreak() $", "#set text(size: 40pt) fin"),),
        organization='Org #x "y"',
    )


def test_no_spec_text_is_read_as_typst(tmp_path: Path) -> None:
    item = hostile_letter()
    source = typst_source(item, RenderOptions())
    # The metadata holds subject and organization as Typst strings: text, whatever it holds.
    assert source.count(string(item.subject)) == 1
    source = source.replace(string(item.subject), "").replace(string(item.author), "")
    # The template's own import of the house's Typst values, which no spec text can write.
    source = re.sub(r'(?m)^#import "@local/circulaire:[0-9.]+": [a-z, -]+$', "", source, count=1)
    hostile = ('#read("', '#import "', "#set page(width", "#sys.exit", "#strong[pas", "$x^2$", "#{")
    for raw in (*hostile, "#emph[x]", "#pagebreak()", "#set text(size: 40pt)", "= pas", "- tiret"):
        assert not re.search(r"(?<!\\)" + re.escape(raw), source), raw
    text = pdf_text(written(item, tmp_path))
    one_line = " ".join(text.split())
    for shown in (
        'Objet: #read("/etc/passwd") $x^2$ *gras* _penché_ @label <tag> \\ `code` [x] ~ //',
        "Genève #set page(width: 1cm), le 8 juillet 2021",
        '#import "/etc/passwd": * #{1+1}',
        "Madame, Monsieur, -- --- ... -? = + / 1.",
        "])} #emph[x] /* non fermé",
        'Texte #strong[pas gras] $y$ \\u{41} @ref <l> ~ #read("/etc/passwd")',
        '#import "x.typ": *',
        "= pas un titre",
        "/ pas: un terme",
        "• - tiret • + plus • = égal • 1. un • / barre: x • #x",
        "#x #sys.exit() Zhao Secr[é]taire général\\ *UIT* $",
        "Annexe 1 #pagebreak() $ #set text(size: 40pt) fin",
    ):
        assert shown in one_line
    assert text.splitlines()[0] == 'Org #x "y"'  # a Typst string: no typographic quotes
    assert info(tmp_path / "letter.pdf")["Title"] == HOSTILE["subject"]


def content_text(node: object) -> str:
    """The text of Typst content as ``query`` gives it (JSON), if it is only text: anything
    else (a function called, a heading, math) fails the test."""
    if isinstance(node, str):
        return node
    assert isinstance(node, dict), node
    kind = node["func"]
    if kind in ("text", "symbol"):
        return str(node["text"])
    if kind == "space":
        return " "
    if kind == "smartquote":
        return '"' if node["double"] else "'"
    assert kind == "sequence", node
    return "".join(content_text(child) for child in node["children"])


SPECIAL = st.text(
    st.sampled_from(list("ab é#$*_@<>\\`[]~/=+-.:(){}|^\"'!?,;%&0123\n\t "))
    | st.characters(blacklist_categories=("Cc", "Cs")),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(text=SPECIAL)
@example(text=";")  # what would go on with a call before it: pinned, not left to chance
@example(text=";; [1] (x)")
@example(text=".b")
def test_escaped_text_is_that_text_and_nothing_else(text: str) -> None:
    source = (
        f"#metadata([{escape(text)}]) <probe>\n#metadata({string(text)}) <string>\n"
        f"#metadata([{embedded('text[]')}{escape(text)}]) <after>"  # after a call: not its end
    )
    fonts = _no_fonts()
    for probe in ("<probe>", "<after>"):
        content = typst.query(source.encode(), probe, field="value", one=True, font_paths=fonts)
        assert " ".join(content_text(json.loads(content)).split()) == " ".join(text.split())
    as_string = typst.query(source.encode(), "<string>", field="value", one=True, font_paths=fonts)
    assert json.loads(as_string) == text


_FONTS: list[typst.Fonts] = []


def _no_fonts() -> typst.Fonts:
    if not _FONTS:
        _FONTS.append(typst.Fonts(include_system_fonts=False, include_embedded_fonts=False))
    return _FONTS[0]


@settings(max_examples=100, deadline=None)
@given(body=MARKDOWNISH, subject=MARKDOWNISH.filter(str.strip))
def test_any_markdown_gives_a_pdf_or_names_the_character_no_font_has(
    body: str, subject: str
) -> None:
    try:
        data = render(dataclasses.replace(letter(), body=body, subject=subject), "pdf")
    except RenderError as error:  # inline code is set in Typst's monospace font
        assert re.search(
            r'could not be displayed with font `"(Libertinus Serif|DejaVu Sans Mono)"`', str(error)
        )
        return
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


# -- bad input ---------------------------------------------------------------------------------

LONG_WORD = "Anticonstitutionnellement" * 20


def test_long_words_stay_on_the_page_and_an_empty_body_is_a_letter(tmp_path: Path) -> None:
    item = dataclasses.replace(
        letter("CL-20/038"),  # signatories side by side: half a line each
        body="",
        subject=LONG_WORD,
        recipients=(LONG_WORD,),
        closing=None,
        signatories=(Signatory(LONG_WORD), Signatory("B")),
        annexes=(Annex(LONG_WORD, f"https://example.org/{LONG_WORD}/{LONG_WORD}"),),
    )
    pdf = written(item, tmp_path)
    placed = words_placed(pdf)
    assert max(right for _, _, right, _ in placed) <= PAGE_WIDTH - RIGHT_MARGIN + 1
    text = pdf_text(pdf)
    # broken across lines, never lost: in the subject, the recipient, the signatory, the
    # annex's title and twice in its address
    assert "".join(text.replace("\u00ad", "").split()).count(LONG_WORD) == 6
    assert "Madame la Ministre, Monsieur le Ministre,\n" in text
    assert pages(pdf)[-1].splitlines()[2] == "Annexe 1"


def test_a_character_no_font_has_is_an_error_not_a_blank_box() -> None:
    with pytest.raises(RenderError) as raised:
        render(dataclasses.replace(letter(), subject="Réunion 中文"), "pdf")
    message = re.sub(r"at line \d+ ", "at line N ", str(raised.value))
    subject_line = template_line("letter.typ.j2", "label){{ subject }}")
    assert message == (
        f"letter.typ.j2:{subject_line}: "
        'Typst could not typeset CL-21/27: PDF/A-2u error: the text `"中"` '
        'could not be displayed with font `"Libertinus Serif"`; at line N of the Typst '
        "source: par(justify: false, hanging-indent: 2cm)[#box(width: stop, label)"
        "#strong[Réunion 中文];]; hint: try using a different font; a font that "
        "has it can be shipped in fonts/ next to the templates and named in the template's "
        "font list"
    )


LACKING = {
    "Arabic": "مرحبا",
    "Devanagari": "नमस्ते",
    "Thai": "สวัสดี",
    "Chinese": "中文",
    "emoji": "😀",
    "ligature": "ﬁn",
}
"""Text that Libertinus Serif has no glyph for. Typst has fonts of its own that have some
of it (Arabic in DejaVu Sans Mono, Devanagari in New Computer Modern Math): it must not set
a letter in them."""


def with_text(where: str, text: str) -> Letter:
    """The letter with a text in its subject, in italics in its body, or in an annex's list."""
    if where == "subject":
        return dataclasses.replace(letter(), subject=text)
    if where == "annex":
        return dataclasses.replace(letter(), annexes=(Annex("Annexe", f"- {text}"),))
    return dataclasses.replace(letter(), body=f"Un alinéa sur *la {text}*.")


@pytest.mark.parametrize("where", ["subject", "body", "annex"])
@pytest.mark.parametrize("script", LACKING)
def test_a_character_the_fonts_lack_is_an_error_whatever_font_typst_has(
    script: str, where: str
) -> None:
    text = f"Réunion {LACKING[script]}"
    with pytest.raises(RenderError) as raised:
        render(with_text(where, text), "pdf")
    message = str(raised.value)
    assert 'could not be displayed with font `"Libertinus Serif"`' in message
    named = re.search(r"the text `\"(.+?)\"`", message)
    assert named and named[1] in LACKING[script]
    assert re.search(r"at line \d+ of the Typst source: .*" + text, message)


def test_latin_greek_cyrillic_and_hebrew_are_in_the_letters_own_font(tmp_path: Path) -> None:
    words = ("Genève, œuvre, Ærø, Łódź", "Ελληνικά", "Кириллица", "שלום")
    item = dataclasses.replace(
        letter(), subject=" ".join(words), body="\n\n".join(f"Alinéa *{w}*." for w in words)
    )
    pdf = written(item, tmp_path)
    assert fonts_embedded(pdf) == [
        "LibertinusSerif-Bold",
        "LibertinusSerif-Italic",
        "LibertinusSerif-Regular",
    ]
    text = re.sub("[\u202b\u202c]", "", pdf_text(pdf))  # pdftotext marks right-to-left words
    for word in words:
        assert f"Alinéa {word}." in text


def test_a_control_character_is_an_error_not_another_letter() -> None:
    with pytest.raises(RenderError, match=r"character U\+0001 cannot be printed"):
        render(dataclasses.replace(letter(), subject="bonjour \x01"), "pdf")


def user_templates(folder: Path, change: tuple[str, str]) -> Path:
    """A templates folder holding the house's letter.typ.j2 with one change."""
    folder.mkdir()
    text = (packaged_templates() / "letter.typ.j2").read_text(encoding="utf-8")
    assert change[0] in text
    (folder / "letter.typ.j2").write_text(text.replace(*change), encoding="utf-8")
    return folder


def template_line(name: str, text: str, folder: Path | None = None) -> int:
    """The line of a template (the packaged one, or in ``folder``) where ``text`` first is."""
    lines = ((folder or packaged_templates()) / name).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def test_a_typst_error_names_the_line_of_the_template_not_of_the_source(tmp_path: Path) -> None:
    templates = user_templates(tmp_path / "t", ("#set par(", "#set par(nonsense: 1, "))
    with pytest.raises(RenderError) as raised:
        render(letter(), "pdf", RenderOptions(templates=templates))
    message = str(raised.value)
    line = template_line("letter.typ.j2", "#set par(nonsense: 1", templates)
    assert message.startswith(
        f"{templates / 'letter.typ.j2'}:{line}: Typst could not typeset CL-21/27: "
        "unexpected argument: nonsense; at line "
    )
    source_line = int(re.search(r"at line (\d+) of the Typst source", message)[1])  # type: ignore[index]
    assert source_line != line  # the generated source's line is another
    assert (
        typst_source(letter(), RenderOptions(templates=templates))
        .splitlines()[source_line - 1]
        .startswith("#set par(nonsense: 1")
    )


def test_a_typst_error_in_a_block_names_the_block_s_line(tmp_path: Path) -> None:
    """A broken line deep in the letter (the annex block, inside a loop of letter.j2) is named
    where the override writes it."""
    templates = user_templates(tmp_path / "t", ("#pagebreak(weak: true)", "#pagebreak(weak: 3)"))
    item = dataclasses.replace(letter(), annexes=(Annex("Programme", "- un"), Annex("Liste", "")))
    with pytest.raises(RenderError) as raised:
        render(item, "pdf", RenderOptions(templates=templates))
    line = template_line("letter.typ.j2", "#pagebreak(weak: 3)", templates)
    assert str(raised.value).startswith(
        f"{templates / 'letter.typ.j2'}:{line}: Typst could not typeset CL-21/27: expected boolean"
    )


def test_the_cli_reports_a_typst_error_without_a_traceback(tmp_path: Path) -> None:
    templates = user_templates(tmp_path / "t", ("#set par(", "#set par(nonsense: 1, "))
    target = tmp_path / "out.pdf"
    result = CliRunner().invoke(
        cli,
        [
            "render",
            str(LETTERS / "CL-21/27.yaml"),
            "-f",
            "pdf",
            "--templates",
            str(templates),
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 1
    assert "Typst could not typeset CL-21/27" in result.output
    assert "Traceback" not in result.output
    assert not target.exists()


def test_a_template_may_write_words_right_after_bold_or_an_address(tmp_path: Path) -> None:
    after = '{{ letter.salutation | inline | strong }}; {{ "note@example.org" | mailto }}[1] fin.'
    templates = user_templates(tmp_path / "t", ("{{ letter.salutation | inline }}", after))
    text = pdf_text(written(letter(), tmp_path, templates=templates))
    assert "Madame, Monsieur,; note@example.org[1] fin." in text


def test_a_font_that_is_not_there_is_an_error_not_another_look(tmp_path: Path) -> None:
    templates = user_templates(tmp_path / "t", ('font: "Libertinus Serif"', 'font: "Arial"'))
    with pytest.raises(RenderError, match="Typst warns about CL-21/27: unknown font family: arial"):
        render(letter(), "pdf", RenderOptions(templates=templates))


def test_fonts_next_to_the_templates_are_used_and_no_others(tmp_path: Path) -> None:
    system_font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not system_font.is_file():
        pytest.skip(f"{system_font} is not installed: the test needs a font file to ship")
    templates = user_templates(tmp_path / "t", ('font: "Libertinus Serif"', 'font: "DejaVu Sans"'))
    with pytest.raises(RenderError, match="unknown font family: dejavu sans"):
        render(letter(), "pdf", RenderOptions(templates=templates))  # not the system's
    (templates / "fonts").mkdir()
    shutil.copy(system_font, templates / "fonts")
    pdf = written(letter(), tmp_path, templates=templates)
    listing = subprocess.run(
        [require("pdffonts"), str(pdf)], capture_output=True, check=True, timeout=60
    ).stdout.decode()
    assert re.search(r"^[A-Z]{6}\+DejaVuSans ", listing, re.MULTILINE)


def test_a_font_for_another_script_is_used_when_the_template_names_it(tmp_path: Path) -> None:
    system_font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not system_font.is_file():
        pytest.skip(f"{system_font} is not installed: the test needs a font file to ship")
    arabic = dataclasses.replace(letter(), subject="Réunion مرحبا")
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "fonts").mkdir()
    shutil.copy(system_font, shipped / "fonts")
    with pytest.raises(RenderError, match='could not be displayed with font `"Libertinus Serif"`'):
        render(arabic, "pdf", RenderOptions(templates=shipped))  # shipped, but not named
    named = user_templates(
        tmp_path / "named",
        ('font: "Libertinus Serif"', 'font: ("Libertinus Serif", "DejaVu Sans")'),
    )
    shutil.copytree(shipped / "fonts", named / "fonts")
    pdf = written(arabic, tmp_path, templates=named)
    assert "DejaVuSans" in fonts_embedded(pdf)


def test_text_the_fonts_cannot_print_is_named_where_the_spec_writes_it(tmp_path: Path) -> None:
    """Line, column and field of the spec, as for any bad input: not a line of the Typst
    source the user never sees; in `render` and in `build` alike."""
    spec = tmp_path / "letters/CL-21/27.yaml"
    spec.parent.mkdir(parents=True)
    text = (LETTERS / "CL-21/27.yaml").read_text(encoding="utf-8")
    spec.write_text(text.replace("\nbody: |\n", "\nbody: |\n  Un ﬁchier joint.\n", 1))
    line = spec.read_text(encoding="utf-8").splitlines().index("  Un ﬁchier joint.") + 1
    expected = (
        f'{spec}:{line}:6: body: the text `"ﬁ"` could not be displayed with font'
        ' `"Libertinus Serif"`; a font that has it can be shipped in fonts/ next to the'
        " templates and named in the template's font list\n"
    )
    result = CliRunner().invoke(cli, ["render", str(spec), "-o", str(tmp_path / "out.pdf")])
    assert (result.exit_code, result.stderr) == (1, expected)
    result = CliRunner().invoke(cli, ["build", str(spec.parent.parent), "-o", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert expected in result.stderr
