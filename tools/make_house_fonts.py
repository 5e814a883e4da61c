"""Write tools/fonts/LibertinusSerif-*.ttf, the house face that the DOCX letters embed.

The PDF is set in Libertinus Serif, the copy built into the ``typst`` wheel (OFL 1.1). The
DOCX embeds the same face, so that Word and LibreOffice lay out the pages the PDF has: this
script takes the four faces a letter uses out of the wheel, turns their PostScript outlines
into TrueType ones (the only ones Word embeds; the advance widths and kerning are unchanged)
and keeps the characters of the house's Latin and Cyrillic letters, so that each face weighs
tens of kilobytes, not hundreds. ``tools/make_reference_docx.py`` embeds the result in
``templates/reference.docx``. Run by hand, with fontTools installed
(``pip install fonttools``), after an upgrade of typst; the files are committed.
"""

from __future__ import annotations

import io
import re
import struct
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "fonts"
FACES = {
    "Libertinus Serif Regular": "LibertinusSerif-Regular.ttf",
    "Libertinus Serif Bold": "LibertinusSerif-Bold.ttf",
    "Libertinus Serif Italic": "LibertinusSerif-Italic.ttf",
    "Libertinus Serif Bold Italic": "LibertinusSerif-BoldItalic.ttf",
}
CHARACTERS = [
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x017F),  # Latin-1 and Latin Extended-A: French, Spanish and their neighbours
    (0x0218, 0x021B),  # Romanian commas below
    (0x02BC, 0x02BC),
    (0x02C6, 0x02DD),  # spacing accents
    (0x0400, 0x045F),  # Cyrillic: Russian
    (0x2010, 0x2027),  # dashes, quotes, bullets, ellipsis
    (0x202F, 0x2030),  # narrow no-break space (French punctuation), per mille
    (0x2039, 0x203A),
    (0x20AC, 0x20AC),  # euro
    (0x2116, 0x2116),  # numero
    (0x2122, 0x2122),
    (0x2190, 0x2193),  # arrows
    (0x2212, 0x2212),  # minus
]


def wheel_faces() -> dict[str, bytes]:
    """The OpenType fonts built into the typst wheel, by full name."""
    import typst
    from fontTools.ttLib import TTFont

    library = next(Path(typst.__file__).parent.glob("_typst*"))
    data = library.read_bytes()
    found: dict[str, bytes] = {}
    for match in re.finditer(rb"OTTO\x00[\x08-\x20]\x00", data):
        start = match.start()
        (count,) = struct.unpack(">H", data[start + 4 : start + 6])
        records = [
            struct.unpack(">4sLLL", data[start + 12 + 16 * i : start + 28 + 16 * i])
            for i in range(count)
        ]
        end = max(offset + length for _, _, offset, length in records)
        try:
            name = TTFont(io.BytesIO(data[start : start + end]))["name"].getDebugName(4)
        except Exception:
            continue
        found.setdefault(str(name), data[start : start + end])
    return found


def truetype(otf: bytes) -> bytes:
    """A subset of ``otf`` with TrueType outlines, the same bytes on every run."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    font = TTFont(io.BytesIO(otf), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for low, high in CHARACTERS for c in range(low, high + 1)])
    subsetter.subset(font)
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in font.getGlyphOrder():
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["glyf"] = newTable("glyf")
    font["glyf"].glyphOrder = font.getGlyphOrder()
    font["glyf"].glyphs = glyphs
    font["loca"] = newTable("loca")
    font["maxp"].tableVersion = 0x00010000
    for attribute in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(font["maxp"], attribute, 0)
    font["maxp"].maxZones = 1
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 2.0
    font["post"].extraNames = []
    font["post"].mapping = {}
    font["post"].glyphOrder = font.getGlyphOrder()
    font.sfntVersion = "\x00\x01\x00\x00"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def main() -> int:
    faces = wheel_faces()
    FOLDER.mkdir(exist_ok=True)
    for name, file in FACES.items():
        if name not in faces:
            print(f"the typst wheel has no face {name!r}", file=sys.stderr)
            return 1
        (FOLDER / file).write_bytes(truetype(faces[name]))
        print(f"wrote {FOLDER / file}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
