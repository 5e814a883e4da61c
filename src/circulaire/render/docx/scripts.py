"""What a letter's script changes in the package: a letter right to left has its paragraphs,
runs, tables, headers and page mirrored; Arabic and Chinese text has fonts and a language of
its own (Word's complex-script and East Asian properties). A letter in French changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from . import metrics
from .wordml import DECLARATION, W

if TYPE_CHECKING:
    from ...scripts import Writing

FONTS = {"Arabic": "Amiri", "Chinese": "Noto Serif CJK SC"}
"""The face named for each script's text: the PDF's (Amiri; Noto Serif SC, which systems that
install Noto CJK call Noto Serif CJK SC). A reader without it shows a face of its own for the
script, as Word and LibreOffice do for any font they lack."""
LRM = "\u200e"
"""LEFT-TO-RIGHT MARK: ends a link that is Latin in a sentence right to left, so that what ends
it (the slash of ``https://digital-world.itu.int/``) stays at its end, in every reader."""

GROUPED_NUMBER = re.compile(r"[+]?[0-9]+(?:[ \u00a0][0-9]+)+")
"""A number written in groups (a phone number): in a sentence right to left, the algorithm of
direction would set its groups right to left, ``6341 730 22 41+``."""
EMBED_LTR, POP = "\u202a", "\u202c"
"""LEFT-TO-RIGHT EMBEDDING and POP DIRECTIONAL FORMATTING: the groups of such a number are set
left to right, as one (the PDF isolates them; LibreOffice 7 breaks a line at an isolate)."""

AFTER_BIDI_IN_PARAGRAPH = (
    *("adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents"),
    *("suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap"),
    *("outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"),
)
"""What comes after ``w:bidi`` in a paragraph's properties, in the order WordprocessingML
requires."""
AFTER_BIDI_IN_SECTION = ("rtlGutter", "docGrid", "printerSettings", "sectPrChange")
"""What comes after ``w:bidi`` in a section's properties."""


def directional_runs(text: str) -> list[tuple[str, bool]]:
    """A text of a letter right to left, cut into pieces each marked right to left or not: a
    Latin piece runs from a Latin letter to the last Latin letter or digit before the next
    Arabic one (``ITU Digital World 2021``, ``forum.telecom@itu.int``); the rest (Arabic,
    digits among Arabic, the spaces and punctuation between) is right to left. So Word sets
    each in its fonts (complex-script fonts for Arabic) and reads the neutral characters
    between them in the sentence's direction."""
    kinds = [unicodedata.bidirectional(char) for char in text]
    numbers = {match.start(): match.end() for match in GROUPED_NUMBER.finditer(text)}
    pieces: list[tuple[str, bool]] = []
    start = at = 0  # the start of the piece right to left, and the character looked at
    while at < len(text):
        if at in numbers:  # +41 22 730 6341: its groups in their order, isolated
            if start < at:
                pieces.append((text[start:at], True))
            pieces.append((f"{EMBED_LTR}{text[at : numbers[at]]}{POP}", False))
            start = at = numbers[at]
            continue
        if kinds[at] != "L":
            at += 1
            continue
        last = scan = at
        while scan < len(text) and kinds[scan] not in ("R", "AL"):
            if kinds[scan] in ("L", "EN"):
                last = scan
            scan += 1
        if start < at:
            pieces.append((text[start:at], True))
        pieces.append((text[at : last + 1], False))
        start = at = last + 1
    if start < len(text):
        pieces.append((text[start:], True))
    merged: list[tuple[str, bool]] = []
    for piece, rtl in pieces:  # a number in groups beside a Latin piece: one run
        if merged and merged[-1][1] == rtl:
            merged[-1] = (merged[-1][0] + piece, rtl)
        else:
            merged.append((piece, rtl))
    return merged


def ends_unanchored(text: str) -> bool:
    """Whether a Latin text ends in a character without a direction of its own (``/``, ``.``),
    which a sentence right to left would move to the Latin text's other end."""
    for char in reversed(text):
        kind = unicodedata.bidirectional(char)
        if kind in ("L", "R", "AL"):
            return False
        if kind not in ("WS", "S", "B", "BN"):
            return True
    return False


def is_latin(text: str) -> bool:
    """Whether a text's first letter with a direction is written left to right."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("L", "R", "AL"):
            return kind == "L"
    return False


def with_bidi(properties: str) -> str:
    """Paragraph properties (XML of ``w:pPr``'s children, in order) with ``w:bidi``: the
    paragraph is right to left. Its alignment and indents are then read from its right:
    ``w:jc="right"`` sets it on the left (the date), ``w:ind w:left`` indents it from the right
    (the recipients), as Word and LibreOffice do."""
    for name in AFTER_BIDI_IN_PARAGRAPH:
        at = properties.find(f"<w:{name}")
        if at >= 0:
            return properties[:at] + "<w:bidi/>" + properties[at:]
    return properties + "<w:bidi/>"


def slot(writing: Writing) -> str | None:
    """Word's fonts and language for the letter's own script, besides those of Latin text:
    ``cs`` for a script right to left (complex script), ``eastAsia`` for Chinese."""
    return "cs" if writing.rtl else "eastAsia" if writing.script == "Chinese" else None


@lru_cache(maxsize=32)
def styles(data: bytes, writing: Writing) -> bytes:
    """The styles part for a letter whose script has fonts and a language of its own in Word
    (:func:`slot`): the default language of that text (``w:lang w:bidi`` for Arabic,
    ``w:eastAsia`` for Chinese) and its font (``w:rFonts``). The language of Latin text
    (``w:val``) stays the reference's: were it Chinese, LibreOffice would break the Latin
    words of a Chinese letter (an address, a number) anywhere. The reference's own font for
    the script is kept, unless it is its Latin font (the house's Libertinus Serif, which has no
    Arabic or Chinese letters)."""
    name = slot(writing)
    if name is None:
        return data
    from lxml import etree  # type: ignore[import-untyped]

    root = etree.fromstring(data)
    defaults = _child(_child(root, "docDefaults", first=True), "rPrDefault", first=True)
    properties = _child(defaults, "rPr")
    fonts = _child(properties, "rFonts", first=True)
    chosen = fonts.get(f"{{{W}}}{name}")
    font = FONTS.get(writing.script)
    if font and (chosen is None or chosen == fonts.get(f"{{{W}}}ascii")):
        fonts.set(f"{{{W}}}{name}", font)
    _child(properties, "lang").set(f"{{{W}}}{'bidi' if name == 'cs' else name}", writing.tag)
    if writing.script in metrics.FACES:
        _set_in_face(root, metrics.FACES[writing.script], "szCs" if name == "cs" else "sz")
    written: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return written


def _set_in_face(root: Any, face: metrics.Face, size_of_script: str) -> None:
    """The styles at the size the PDF sets the script in, with its distance from line to line
    (for the lines set ``exact``, as the house's are) and spaces between paragraphs in ems of
    it. A style of a size of its own (``size_of_script``: ``w:szCs`` for Arabic, ``w:sz`` for
    Chinese; the header's 9.5 pt) keeps that size."""
    defaults = root.find(f"{{{W}}}docDefaults")
    properties = _child(_child(defaults, "rPrDefault", first=True), "rPr")
    for element in ("sz", "szCs"):
        _child(properties, element).set(f"{{{W}}}val", str(face.size))
    scale = face.size / metrics.LATIN.size
    for holder in (defaults.find(f"{{{W}}}pPrDefault"), *root.iter(f"{{{W}}}style")):
        spacing = None if holder is None else holder.find(f"{{{W}}}pPr/{{{W}}}spacing")
        if spacing is None:
            continue
        for side in ("before", "after"):
            value = spacing.get(f"{{{W}}}{side}")
            if value is not None and value.isdigit():
                spacing.set(f"{{{W}}}{side}", str(round(int(value) * scale)))
        if spacing.get(f"{{{W}}}lineRule") == "exact":
            own = holder.find(f"{{{W}}}rPr/{{{W}}}{size_of_script}")
            size = "" if own is None else own.get(f"{{{W}}}val", "")
            spacing.set(f"{{{W}}}line", str(face.pitch(int(size) if size.isdigit() else None)))


def _child(parent: Any, name: str, first: bool = False) -> Any:
    """``parent``'s child ``w:name``, made when missing (first among its siblings, or last)."""
    from lxml import etree

    child = parent.find(f"{{{W}}}{name}")
    if child is None:
        child = etree.Element(f"{{{W}}}{name}")
        if first:
            parent.insert(0, child)
        else:
            parent.append(child)
    return child


@lru_cache(maxsize=32)
def mirrored_part(xml: bytes) -> bytes:
    """A header or footer whose paragraphs are right to left."""
    from lxml import etree

    root = etree.fromstring(xml)
    for paragraph in root.iter(f"{{{W}}}p"):
        properties = paragraph.find(f"{{{W}}}pPr")
        if properties is None:
            properties = etree.Element(f"{{{W}}}pPr")
            paragraph.insert(0, properties)
        if properties.find(f"{{{W}}}bidi") is not None:
            continue
        after = [
            i
            for i, child in enumerate(properties)
            if etree.QName(child).localname in AFTER_BIDI_IN_PARAGRAPH
        ]
        properties.insert(after[0] if after else len(properties), etree.Element(f"{{{W}}}bidi"))
    text: str = etree.tostring(root, encoding="unicode")
    return (DECLARATION + text).encode("utf-8")


_PAGE_MARGINS = re.compile(r"<w:pgMar\b[^>]*>")
_SIDE = re.compile(r'\bw:(left|right)="')


@lru_cache(maxsize=8)
def mirrored_section(tail: str) -> str:
    """The end of the main part, whose section (``w:sectPr``) is right to left: ``w:bidi``,
    and the left and right margins swapped, so that the wider one is on the right, where a
    letter right to left is bound."""
    tail = _PAGE_MARGINS.sub(
        lambda m: _SIDE.sub(lambda s: f'w:{"right" if s[1] == "left" else "left"}="', m[0]), tail
    )
    start = tail.rfind("<w:sectPr")
    end = tail.find("</w:sectPr>", start)
    if start < 0 or end < 0 or "<w:bidi/>" in tail[start:end]:
        return tail
    positions = [tail.find(f"<w:{name}", start, end) for name in AFTER_BIDI_IN_SECTION]
    at = min((p for p in positions if p >= 0), default=end)
    return tail[:at] + "<w:bidi/>" + tail[at:]
