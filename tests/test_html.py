"""The HTML page: one self-contained file per letter, that a browser shows and prints."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings

from circulaire.cli import cli
from circulaire.model import Annex, Contact, Letter, Signatory
from circulaire.render import RenderOptions, render
from circulaire.render.html import markdown_to_html
from circulaire.validate import load_letter
from conftest import ARCHIVE, LETTERS, MARKDOWNISH, require
from readers import SIMILAR_ENOUGH, pdf_text, similarity

VOID = frozenset({"meta", "br", "hr", "img", "link", "input", "wbr", "col", "area", "base"})


class Page(HTMLParser):
    """The page as a browser's parser reads it, with every element closed where it opened:
    a tag left open or closed out of turn fails, so that the page means what it says without
    relying on HTML's rules for omitted end tags."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.doctype = ""
        self.in_head = 0
        self.feed(html)
        self.close()
        assert not self.open, f"left open: {self.open}"

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise AssertionError(f"<{tag}/>: HTML5 has no self-closing syntax for it")

    def handle_endtag(self, tag: str) -> None:
        assert tag not in VOID, f"</{tag}>"
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if "head" not in self.open:
            self.text.append(data)

    def tags(self, name: str) -> list[dict[str, str]]:
        return [attrs for tag, attrs in self.elements if tag == name]

    def words(self) -> str:
        return "".join(self.text)


def letter(reference: str = "CL-21/27") -> Letter:
    return load_letter(LETTERS / f"{reference}.yaml")


def page(item: Letter) -> Page:
    return Page(render(item, "html").decode("utf-8"))


def links(item: Letter) -> set[str]:
    """The targets the letter itself links to: its Markdown's, and its contacts' e-mail when
    its style makes it a link."""
    found = set(re.findall(r'href="([^"]*)"', markdown_to_html(item.body)))
    for annex in item.annexes:
        found |= set(re.findall(r'href="([^"]*)"', markdown_to_html(annex.content)))
    if item.style.email == "link":
        found |= {f"mailto:{contact.email}" for contact in item.contact if contact.email}
    return found


# -- every letter of the archive -------------------------------------------------------------


@pytest.mark.parametrize("spec", ARCHIVE, ids=lambda p: p.relative_to(LETTERS).as_posix())
def test_every_letter_is_a_well_formed_page_of_its_language(spec: Path) -> None:
    item = load_letter(spec)
    parsed = page(item)
    assert parsed.doctype.lower() == "doctype html"
    html = parsed.tags("html")[0]
    rtl = item.language.startswith("ar")
    assert html["lang"] == {"fr": "fr-CH"}.get(item.language, item.language.replace("_", "-"))
    assert html["dir"] == ("rtl" if rtl else "ltr")
    for landmark in ("header", "address", "main", "footer"):
        assert len(parsed.tags(landmark)) == 1, landmark
    assert len(parsed.tags("h1")) == 1
    assert len(parsed.tags("section")) == len(item.annexes)


@pytest.mark.parametrize("spec", ARCHIVE, ids=lambda p: p.relative_to(LETTERS).as_posix())
def test_no_script_and_nothing_loaded_from_elsewhere(spec: Path) -> None:
    item = load_letter(spec)
    html = render(item, "html").decode("utf-8")
    parsed = Page(html)
    assert not parsed.tags("script") and "<script" not in html.lower()
    assert not parsed.tags("link") and not parsed.tags("iframe")
    assert "url(" not in html and "@import" not in html
    assert not any(name.startswith("on") for _, attrs in parsed.elements for name in attrs)
    hrefs = {attrs["href"] for attrs in parsed.tags("a")}
    assert hrefs == links(item) and hrefs  # real links, and only the letter's own
    sources = [attrs["src"] for _, attrs in parsed.elements if "src" in attrs]
    assert [img["src"] for img in parsed.tags("img")] == sources  # the house's logo, only
    assert len(sources) == 1 and sources[0].startswith("data:image/svg+xml;base64,")


@pytest.mark.parametrize("spec", ARCHIVE, ids=lambda p: p.relative_to(LETTERS).as_posix())
def test_the_words_of_the_text_rendering(spec: Path) -> None:
    item = load_letter(spec)
    read = page(item).words().replace(item.author, "", 1)  # the letterhead, as in the PDF
    assert similarity(read, render(item, "txt").decode()) >= SIMILAR_ENOUGH


@pytest.mark.parametrize("spec", ARCHIVE, ids=lambda p: p.relative_to(LETTERS).as_posix())
def test_the_same_bytes_every_time(spec: Path) -> None:
    first = render(load_letter(spec), "html")
    assert render(load_letter(spec), "html") == first


def test_the_same_bytes_from_another_process(tmp_path: Path) -> None:
    spec = LETTERS / "CL-19/73.yaml"
    target = tmp_path / "letter.html"
    subprocess.run(
        ["python", "-m", "circulaire", "render", str(spec), "-o", str(target)],
        check=True,
        capture_output=True,
        env={"PYTHONHASHSEED": "12345", "PATH": str(Path(__import__("sys").executable).parent)},
    )
    assert target.read_bytes() == render(load_letter(spec), "html")


# -- spec text is text -------------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script> & \"quoted\" 'single' {{ 7 * 7 }} {% raw %} &amp; </main>"


def test_spec_text_prints_as_written_never_as_markup() -> None:
    item = dataclasses.replace(
        letter(),
        subject=HOSTILE,
        place=HOSTILE,
        salutation=HOSTILE,
        closing=HOSTILE,
        department=HOSTILE,
        recipients=(HOSTILE,),
        contact=(Contact(name=HOSTILE, email='a"onmouseover="x@example.org'),),
        signatories=(Signatory(name=HOSTILE, title=(HOSTILE,), mark=HOSTILE),),
        annexes=(Annex(title=HOSTILE, content=""),),
        organization=HOSTILE,
    )
    html = render(item, "html").decode("utf-8")
    parsed = Page(html)
    assert "<script" not in html and not parsed.tags("script")
    assert len(parsed.tags("main")) == 1
    assert not any(name.startswith("on") for _, attrs in parsed.elements for name in attrs)
    assert parsed.words().count(HOSTILE) >= 9
    title = re.search("<title>(.*)</title>", html)
    assert title and "&lt;script&gt;" in title[1]
    author = [meta for meta in parsed.tags("meta") if meta.get("name") == "author"]
    assert author == [{"name": "author", "content": HOSTILE}]  # in an attribute


@settings(max_examples=100, deadline=None)
@given(body=MARKDOWNISH, subject=MARKDOWNISH.filter(str.strip))
def test_any_markdown_and_any_subject_give_a_well_formed_page(body: str, subject: str) -> None:
    html = render(dataclasses.replace(letter(), body=body, subject=subject), "html").decode()
    parsed = Page(html)
    assert not parsed.tags("script") and len(parsed.tags("main")) == 1
    title = re.search("<title>(.*)</title>", html)
    shown = re.sub("\\s*[\n\r\u2028\u2029]\\s*", " ", subject)  # a line end: a space
    assert title and unescape(title[1]) == f"CL-21/27 – {shown}"


def test_markdown_is_html_and_its_raw_html_is_text() -> None:
    body = (
        "**bold** *it* `<code>` <b>raw</b>\n\n<div>block</div>\n\n"
        '1. one\n2. two\n\n- [site](https://example.org/?a=1&b=2 "t\\"x")\n'
        "- ![logo](https://example.org/logo.png)\n\n> quoted\n\n    code <i>\n\n# Heading\n"
    )
    html = markdown_to_html(body)
    parsed = Page(html)
    assert [tag for tag, _ in parsed.elements if tag not in ("p", "li")] == [
        "strong",
        "em",
        "code",
        "ol",
        "ul",
        "a",
        "blockquote",
        "pre",
        "code",
        "h2",
    ]
    assert parsed.tags("a") == [{"href": "https://example.org/?a=1&b=2", "title": 't"x'}]
    words = parsed.words()
    assert "<code>" in words and "<b>raw</b>" in words and "<div>block</div>" in words
    assert "code <i>" in words and "logo" in words


def test_a_letter_built_in_python_links_nowhere_it_may_not() -> None:
    body = "[a](javascript:alert(1)) [b](JaVa&#x09;script:x) [c](data:text/html,x) [d](file:///etc)"
    item = dataclasses.replace(letter(), body=body)
    parsed = page(item)
    hrefs = [attrs["href"] for attrs in parsed.tags("a")]
    assert hrefs == ["mailto:guestrelations.telecom@itu.int"]  # the contact's alone
    assert "a b c d" in parsed.words()


def test_relative_links_and_mail_links_stay() -> None:
    parsed = Page(markdown_to_html("[annexe](#annexe) [page](annexe.html) <x@example.org>"))
    assert [a["href"] for a in parsed.tags("a")] == [
        "#annexe",
        "annexe.html",
        "mailto:x@example.org",
    ]


# -- the page ------------------------------------------------------------------------------------


def test_annexes_are_sections_that_print_on_a_new_page() -> None:
    item = dataclasses.replace(
        letter("CL-19/73"), annexes=(Annex("Première", "Un."), Annex("Seconde", "Deux."))
    )
    html = render(item, "html").decode("utf-8")
    parsed = Page(html)
    sections = parsed.tags("section")
    assert [s["aria-labelledby"] for s in sections] == ["annex-1", "annex-2"]
    assert [h["id"] for h in parsed.tags("h2")][-2:] == ["annex-1", "annex-2"]
    assert "Annexe 1" in parsed.words() and "Seconde" in parsed.words()
    assert "@page { size: A4;" in html and ".annex { break-before: page;" in html


def test_arabic_mirrors_the_page_margins() -> None:
    arabic = render(letter("CL-21/27.ar"), "html").decode("utf-8")
    french = render(letter(), "html").decode("utf-8")
    assert "margin: 30mm 20mm 20mm 25mm;" in french
    assert "margin: 30mm 25mm 20mm 20mm;" in arabic


def test_arabic_keeps_numbers_and_links_left_to_right() -> None:
    arabic = render(letter("CL-21/27.ar"), "html").decode("utf-8")
    assert "\u2066+41 22 730 6341\u2069" in arabic  # not 6341 730 22 +41
    assert "a { unicode-bidi: plaintext; }" in arabic  # the slash of https://…/ at its end
    french = render(letter(), "html").decode("utf-8")
    assert "\u2066" not in french and "plaintext" not in french


def test_templates_folder_overrides_the_page(tmp_path: Path) -> None:
    (tmp_path / "letter.html.j2").write_text(
        '{% extends "letter.j2" %}{% block preamble %}<!DOCTYPE html><p>mine</p>{% endblock %}'
    )
    html = render(letter(), "html", RenderOptions(templates=tmp_path)).decode("utf-8")
    assert html.startswith("<!DOCTYPE html><p>mine</p>")


# -- the command line ---------------------------------------------------------------------------


def test_render_html_into_a_folder_and_by_suffix(tmp_path: Path) -> None:
    runner = CliRunner()
    original, translation = LETTERS / "CL-21/27.yaml", LETTERS / "CL-21/27.en.yaml"
    for spec in (original, translation):
        result = runner.invoke(cli, ["render", str(spec), "-f", "html", "-o", f"{tmp_path}/"])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "CL-21/27.html").read_bytes() == render(load_letter(original), "html")
    assert (tmp_path / "CL-21/27.en.html").read_bytes() == render(load_letter(translation), "html")
    target = tmp_path / "letter.html"
    result = runner.invoke(cli, ["render", str(original), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == render(load_letter(original), "html")


def test_build_html_lists_it_in_the_register(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    result = CliRunner().invoke(cli, ["build", str(LETTERS), "-o", str(dist), "-f", "html,md"])
    assert result.exit_code == 0, result.output
    for spec in ARCHIVE:
        stem = spec.relative_to(LETTERS).with_suffix("").as_posix()
        assert (dist / f"{stem}.html").read_bytes() == render(load_letter(spec), "html")
    register = (dist / "index.md").read_text()
    assert "[md](CL-21/27.md) · [html](CL-21/27.html)" in register
    assert "en: [md](CL-21/27.en.md) · [html](CL-21/27.en.html)" in register


def test_build_renders_no_html_unless_asked(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    result = CliRunner().invoke(cli, ["build", str(LETTERS), "-o", str(dist)])
    assert result.exit_code == 0, result.output
    assert not list(dist.rglob("*.html"))
    assert "html" not in (dist / "index.md").read_text()


# -- a real browser's print ---------------------------------------------------------------------


def test_a_browser_prints_an_a4_letter(tmp_path: Path) -> None:
    chromium = require("chromium")
    item = letter("CL-19/73")
    source = tmp_path / "letter.html"
    source.write_bytes(render(item, "html"))
    pdf = tmp_path / "letter.pdf"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--print-to-pdf={pdf}",
            source.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    program = require("pdfinfo")
    info = subprocess.run([program, str(pdf)], capture_output=True, check=True, timeout=60)
    size = re.search(r"Page size:\s+([0-9.]+) x ([0-9.]+) pts", info.stdout.decode())
    assert size and abs(float(size[1]) - 595.3) < 1 and abs(float(size[2]) - 841.9) < 1
    pages = pdf_text(pdf).split("\f")[:-1]
    annex = next(i for i, text in enumerate(pages) if text.startswith("Annexe 1\n"))
    assert annex > 0 and pages[annex - 1].rstrip().endswith("Annexe: 1")  # on a page of its own
    read = "".join(pages).replace(item.author, "", 1)
    assert similarity(read, render(item, "txt").decode()) >= SIMILAR_ENOUGH
