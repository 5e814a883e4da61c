"""Write templates/reference.docx, the house style of the DOCX letters, from the XML below.

Run ``python tools/make_reference_docx.py`` after changing a style; ``--check`` exits 1 when the
committed file differs from what this script writes (the tests run it). Every part is written
by hand so that a reviewer sees the whole house style here: page, fonts, the named styles the
renderer looks up, list numbering, the letterhead and the page numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import uuid
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from make_house_fonts import FACES
from make_house_fonts import FOLDER as FONT_FOLDER

from circulaire.render.docx import metrics
from circulaire.render.docx.metrics import LATIN, LIST_INDENT, MARKER_WIDTH

OUTPUT = Path(__file__).resolve().parents[1] / "templates" / "reference.docx"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

FONT = "Libertinus Serif"
"""The letter's face, the PDF's, embedded in the document (:data:`FONT_FILES`): Word and
LibreOffice lay out the pages the PDF has, on a machine that has not installed it."""
FONT_FILES = dict(
    zip(
        ("embedRegular", "embedBold", "embedItalic", "embedBoldItalic"), FACES.values(), strict=True
    )
)
"""The four faces a letter uses, written by ``tools/make_house_fonts.py`` (OFL 1.1), by the
element of the font table that embeds each."""
FONT_SIZE = LATIN.size
"""11.5 pt, in half-points: the PDF's."""
HEADER_SIZE = 19
"""The header's lines (reference, contact), 9.5 pt: the PDF's."""
LINE = LATIN.pitch()
MONO = "Courier New"
ORGANIZATION = "Union internationale des télécommunications"
"""The house, as the letterhead shows it in this document itself: the letterhead is a field,
``DOCPROPERTY organization``, and each letter shows its own organization there."""

# Page: A4 portrait, in twentieths of a point (1 cm = 567).
PAGE_WIDTH, PAGE_HEIGHT = 11906, 16838
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 1633, 1247, 1418, 1134
HEADER_DISTANCE, FOOTER_DISTANCE = 485, 617
"""The letterhead's top and the footer's bottom, where the PDF has them."""
CONTINUATION_HEADER_DROP = 620
"""The page number of pages 2 and on, as low as the PDF sets it: just over the text."""


def xml(root: str) -> bytes:
    return (DECLARATION + root).encode("utf-8")


def paragraph_style(
    style_id: str,
    name: str,
    *,
    based_on: str | None = "Normal",
    next_style: str | None = None,
    ppr: str = "",
    rpr: str = "",
    extra: str = "",
) -> str:
    parts = [f'<w:style w:type="paragraph" w:styleId="{style_id}">', f'<w:name w:val="{name}"/>']
    if based_on:
        parts.append(f'<w:basedOn w:val="{based_on}"/>')
    if next_style:
        parts.append(f'<w:next w:val="{next_style}"/>')
    parts.append(f"<w:qFormat/>{extra}{schema_order(ppr)}<w:rPr>{rpr}</w:rPr></w:style>")
    return "".join(parts)


PPR_ORDER = [
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "numPr",
    "pBdr",
    "tabs",
    "suppressAutoHyphens",
    "spacing",
    "ind",
    "contextualSpacing",
    "jc",
    "outlineLvl",
]
"""The order WordprocessingML requires of these paragraph properties (Word refuses others)."""


def schema_order(ppr: str) -> str:
    """``<w:pPr>`` holding the properties given, in the order of the schema."""
    ElementTree.register_namespace("w", W)
    element = ElementTree.fromstring(f'<w:pPr xmlns:w="{W}">{ppr}</w:pPr>')
    element[:] = sorted(element, key=lambda child: PPR_ORDER.index(child.tag.split("}")[1]))
    return ElementTree.tostring(element, encoding="unicode").replace(f' xmlns:w="{W}"', "")


def spacing(before: int = 0, after: int = 0, line: int = LINE) -> str:
    """Space before and after a paragraph, and from line to line, in twentieths of a point
    (240 = 12 pt)."""
    return f'<w:spacing w:before="{before}" w:after="{after}" w:line="{line}" w:lineRule="exact"/>'


em = LATIN.em
PARAGRAPH_SPACE = LATIN.paragraph_space
DATE_TO_HEADER = em(0.5) + 80
"""The PDF's half an em under the date, and the header's smaller lines set lower in theirs."""
HEADER_TO_RECIPIENTS = PARAGRAPH_SPACE + 12
LETTERHEAD_SPACING = '<w:spacing w:before="0" w:after="120" w:line="240" w:lineRule="auto"/>'
"""The letterhead's line is as tall as the logo in it."""
HEADING_SPACING = spacing(before=em(1.2 - metrics.LEADING), after=em(0.8 - metrics.LEADING))
"""A heading (and an annex's title) 1.2 em under what comes before it and 0.8 em over what
follows, as the PDF sets them; of two paragraphs' spaces, the larger counts."""
UNHYPHENATED, HYPHENATED = "<w:suppressAutoHyphens/>", '<w:suppressAutoHyphens w:val="0"/>'
"""Words are hyphenated in justified text only (body text, lists, quotes), as Typst does."""
LIST_SPACING = spacing(after=PARAGRAPH_SPACE) + "<w:contextualSpacing/>"
"""A list's items follow one another line after line, and the list is a paragraph apart from
what comes before and after it, as in the PDF."""
RECIPIENTS_INDENT = (PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT) // 2
"""The recipients in the right half of the text, as the PDF pads them."""
SUBJECT_INDENT = 1134
"""The subject hangs 2 cm in, under itself, after its label and a tab ("Objet:<tab>...")."""
SUBJECT_HANGING = (
    f'<w:tabs><w:tab w:val="left" w:pos="{SUBJECT_INDENT}"/></w:tabs>'
    f'<w:ind w:left="{SUBJECT_INDENT}" w:hanging="{SUBJECT_INDENT}"/>'
)


def styles() -> bytes:
    fonts = f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
    mono = f'<w:rFonts w:ascii="{MONO}" w:hAnsi="{MONO}" w:cs="{MONO}"/>'
    keep = "<w:keepNext/><w:keepLines/>"
    left = '<w:jc w:val="left"/>'  # the subject: never stretched to both margins
    defined = [
        # The letter, top to bottom.
        paragraph_style(
            "Normal", "Normal", based_on=None, extra="", ppr=spacing() + UNHYPHENATED, rpr=""
        ).replace('w:styleId="Normal">', 'w:default="1" w:styleId="Normal">'),
        paragraph_style(
            "LetterDate",
            "Letter Date",
            ppr=spacing(after=PARAGRAPH_SPACE) + '<w:jc w:val="right"/>',
        ),
        paragraph_style(
            "LetterHeader",
            "Letter Header",
            ppr=spacing(
                before=DATE_TO_HEADER, after=HEADER_TO_RECIPIENTS, line=LATIN.pitch(HEADER_SIZE)
            ),
            rpr=f'<w:sz w:val="{HEADER_SIZE}"/><w:szCs w:val="{HEADER_SIZE}"/>',
        ),
        paragraph_style(
            "LetterRecipients",
            "Letter Recipients",
            ppr=spacing(after=em(0.5))
            + f'<w:contextualSpacing/><w:ind w:left="{RECIPIENTS_INDENT}"/>',
        ),
        paragraph_style(
            "LetterSubject",
            "Letter Subject",
            next_style="BodyText",
            ppr=spacing(before=em(0.8), after=em(0.8)) + keep + left + SUBJECT_HANGING,
        ),
        paragraph_style(
            "BodyText",
            "Body Text",
            ppr=spacing(after=PARAGRAPH_SPACE) + HYPHENATED + '<w:jc w:val="both"/>',
        ),
        paragraph_style(
            "ListBullet",
            "List Bullet",
            based_on="BodyText",
            ppr='<w:numPr><w:numId w:val="1"/></w:numPr>' + LIST_SPACING,
        ),
        paragraph_style(
            "ListNumber",
            "List Number",
            based_on="BodyText",
            ppr='<w:numPr><w:numId w:val="2"/></w:numPr>' + LIST_SPACING,
        ),
        paragraph_style(
            "LetterSignature",
            "Letter Signature",
            ppr=spacing(before=em(2 - metrics.LEADING)) + keep,
        ),
        paragraph_style(
            "LetterAnnexes", "Letter Annexes", ppr=spacing(before=em(1) + PARAGRAPH_SPACE)
        ),
        paragraph_style(
            "AnnexHeading",
            "Annex Heading",
            next_style="AnnexTitle",
            ppr="<w:pageBreakBefore/>" + keep + spacing() + '<w:jc w:val="center"/>',
            rpr="<w:b/><w:bCs/>",
        ),
        paragraph_style(
            "AnnexTitle",
            "Annex Title",
            next_style="BodyText",
            ppr=keep + HEADING_SPACING + '<w:jc w:val="center"/>',
            rpr="<w:b/><w:bCs/>",
        ),
        # Markdown a body or annex may hold besides paragraphs and lists.
        *(
            paragraph_style(
                f"Heading{level}",
                f"heading {level}",
                next_style="BodyText",
                ppr=keep + HEADING_SPACING + f'<w:outlineLvl w:val="{level - 1}"/>',
                rpr="<w:b/><w:bCs/>",
            )
            for level in range(1, 7)
        ),
        paragraph_style(
            "BlockText",
            "Block Text",
            based_on="BodyText",
            ppr='<w:ind w:left="567" w:right="567"/>',
            rpr="<w:i/><w:iCs/>",
        ),
        paragraph_style(
            "SourceCode",
            "Source Code",
            ppr=spacing(after=120),
            rpr=mono + '<w:sz w:val="20"/><w:szCs w:val="20"/>',
        ),
        # The page: letterhead on the first page, page numbers on the others.
        paragraph_style(
            "Letterhead",
            "Letterhead",
            ppr=LETTERHEAD_SPACING
            + '<w:pBdr><w:bottom w:val="single" w:sz="8" w:space="4" w:color="1F3864"/></w:pBdr>',
            rpr='<w:b/><w:bCs/><w:color w:val="1F3864"/><w:sz w:val="28"/><w:szCs w:val="28"/>',
        ),
        paragraph_style(
            "Header",
            "header",
            ppr=spacing(before=CONTINUATION_HEADER_DROP, line=LATIN.pitch(18))
            + '<w:jc w:val="center"/>',
            rpr='<w:sz w:val="18"/><w:szCs w:val="18"/>',
        ),
        # Characters and tables.
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
        "</w:style>",
        '<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/>'
        '<w:basedOn w:val="DefaultParagraphFont"/><w:rPr><w:color w:val="0563C1"/>'
        '<w:u w:val="single"/></w:rPr></w:style>',
        '<w:style w:type="character" w:styleId="VerbatimChar"><w:name w:val="Verbatim Char"/>'
        f'<w:basedOn w:val="DefaultParagraphFont"/><w:rPr>{mono}</w:rPr></w:style>',
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal">'
        '<w:name w:val="Normal Table"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>'
        "</w:tblPr></w:style>",
        '<w:style w:type="table" w:styleId="LetterSignatures"><w:name w:val="Letter Signatures"/>'
        '<w:basedOn w:val="TableNormal"/><w:tblPr><w:tblBorders><w:top w:val="nil"/>'
        '<w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/>'
        '<w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>'
        '<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="284" w:type="dxa"/>'
        "</w:tblCellMar></w:tblPr></w:style>",
        '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
        "<w:semiHidden/></w:style>",
    ]
    defaults = (
        f"<w:docDefaults><w:rPrDefault><w:rPr>{fonts}"
        f'<w:sz w:val="{FONT_SIZE}"/><w:szCs w:val="{FONT_SIZE}"/>'
        '<w:lang w:val="fr-CH" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
        "<w:pPrDefault><w:pPr>"
        f"{spacing()}</w:pPr></w:pPrDefault>"
        "</w:docDefaults>"
    )
    return xml(f'<w:styles xmlns:w="{W}">{defaults}{"".join(defined)}</w:styles>')


def numbering() -> bytes:
    """Bullets (numId 1) and numbers (numId 2); the renderer adds one w:num per list so that
    each list counts from its own start."""

    def level(ilvl: int, fmt: str, text: str) -> str:
        indent = LIST_INDENT * (ilvl + 1)
        font = f'<w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}"/></w:rPr>'
        return (
            f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{indent}" w:hanging="{MARKER_WIDTH}"/></w:pPr>'
            f"{font if fmt == 'bullet' else ''}</w:lvl>"
        )

    bullets = "".join(level(i, "bullet", "•–◦"[i % 3]) for i in range(9))
    numbers = "".join(
        level(i, fmt, f"%{i + 1}{end}")
        for i, (fmt, end) in enumerate(
            [("decimal", "."), ("lowerLetter", ")"), ("lowerRoman", ".")] * 3
        )
    )
    return xml(
        f'<w:numbering xmlns:w="{W}">'
        f'<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="hybridMultilevel"/>'
        f"{bullets}</w:abstractNum>"
        f'<w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="hybridMultilevel"/>'
        f"{numbers}</w:abstractNum>"
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
        "</w:numbering>"
    )


def field(instruction: str, shown: str) -> str:
    """A simple field (PAGE, NUMPAGES, DOCPROPERTY ...) with the value shown before updating."""
    return f'<w:fldSimple w:instr=" {instruction} "><w:r><w:t>{shown}</w:t></w:r></w:fldSimple>'


def first_page_header() -> bytes:
    """The letterhead: the letter's organization (custom property) over a rule."""
    return xml(
        f'<w:hdr xmlns:w="{W}" xmlns:r="{R}"><w:p><w:pPr><w:pStyle w:val="Letterhead"/></w:pPr>'
        f"{field('DOCPROPERTY organization', ORGANIZATION)}</w:p></w:hdr>"
    )


def continuation_header() -> bytes:
    """Pages 2 and on: the reference (custom property) and "page/pages"."""
    return xml(
        f'<w:hdr xmlns:w="{W}" xmlns:r="{R}"><w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr>'
        f"{field('DOCPROPERTY reference', 'CL-00/0')}"
        '<w:r><w:t xml:space="preserve"> – </w:t></w:r>'
        f"{field('PAGE', '2')}<w:r><w:t>/</w:t></w:r>{field('NUMPAGES', '2')}"
        "</w:p></w:hdr>"
    )


def document() -> bytes:
    section = (
        '<w:sectPr><w:headerReference w:type="default" r:id="rId5"/>'
        '<w:headerReference w:type="first" r:id="rId4"/>'
        f'<w:pgSz w:w="{PAGE_WIDTH}" w:h="{PAGE_HEIGHT}"/>'
        f'<w:pgMar w:top="{MARGIN_TOP}" w:right="{MARGIN_RIGHT}" w:bottom="{MARGIN_BOTTOM}" '
        f'w:left="{MARGIN_LEFT}" w:header="{HEADER_DISTANCE}" w:footer="{FOOTER_DISTANCE}" '
        'w:gutter="0"/><w:cols w:space="708"/><w:titlePg/><w:docGrid w:linePitch="360"/>'
        "</w:sectPr>"
    )
    sample = (
        '<w:p><w:pPr><w:pStyle w:val="BodyText"/></w:pPr><w:r><w:t>'
        "circulaire house style: the renderer replaces this text with the letter."
        "</w:t></w:r></w:p>"
    )
    return xml(
        f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{sample}{section}</w:body></w:document>'
    )


def settings() -> bytes:
    """Fonts embedded (Word shows them, and keeps them when it saves), and words hyphenated
    in the text's language, as the PDF justifies them."""
    return xml(
        f'<w:settings xmlns:w="{W}"><w:embedTrueTypeFonts/><w:saveSubsetFonts/>'
        '<w:defaultTabStop w:val="567"/><w:autoHyphenation/>'
        '<w:hyphenationZone w:val="425"/><w:characterSpacingControl w:val="doNotCompress"/>'
        '<w:compat><w:compatSetting w:name="compatibilityMode" '
        'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
        '<w:themeFontLang w:val="fr-CH"/></w:settings>'
    )


def font_key(data: bytes) -> str:
    """The GUID a font part is obfuscated with: drawn from the font's bytes, never at random,
    so that the document is the same bytes every time."""
    return "{" + str(uuid.UUID(bytes=hashlib.sha256(data).digest()[:16])).upper() + "}"


def obfuscated(data: bytes, key: str) -> bytes:
    """A font as a DOCX embeds it (ECMA-376 Part 1, 17.8.1): its first 32 bytes XORed with the
    key's 16 bytes, read from the GUID's hex digits in reverse order."""
    digits = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(byte ^ digits[i % 16] for i, byte in enumerate(data[:32]))
    return head + data[32:]


def embedded_fonts() -> dict[str, tuple[str, bytes]]:
    """Each face of :data:`FONT_FILES`, by its ``w:embed*`` element: its key and its part."""
    fonts = {}
    for element, file in FONT_FILES.items():
        data = (FONT_FOLDER / file).read_bytes()
        key = font_key(data)
        fonts[element] = (key, obfuscated(data, key))
    return fonts


def font_table() -> bytes:
    """The letter's face, and where its embedded faces are."""
    embeds = "".join(
        f'<w:{element} r:id="rId{i}" w:fontKey="{key}"/>'
        for i, (element, (key, _)) in enumerate(embedded_fonts().items(), start=1)
    )
    return xml(
        f'<w:fonts xmlns:w="{W}" xmlns:r="{R}"><w:font w:name="{FONT}">'
        '<w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/>'
        f"{embeds}</w:font></w:fonts>"
    )


def relationships(*rels: tuple[str, str, str]) -> bytes:
    items = "".join(
        f'<Relationship Id="{rid}" Type="{kind if "/" in kind else R + "/" + kind}" '
        f'Target="{target}"/>'
        for rid, kind, target in rels
    )
    return xml(f'<Relationships xmlns="{PKG_RELS}">{items}</Relationships>')


def core() -> bytes:
    return xml(
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:title>circulaire house style</dc:title></cp:coreProperties>"
    )


def content_types() -> bytes:
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    overrides = {
        "/word/document.xml": f"{main}.document.main+xml",
        "/word/styles.xml": f"{main}.styles+xml",
        "/word/numbering.xml": f"{main}.numbering+xml",
        "/word/settings.xml": f"{main}.settings+xml",
        "/word/header1.xml": f"{main}.header+xml",
        "/word/header2.xml": f"{main}.header+xml",
        "/word/fontTable.xml": f"{main}.fontTable+xml",
        "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
    }
    items = "".join(
        f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides.items()
    )
    return xml(
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="odttf" '
        'ContentType="application/vnd.openxmlformats-officedocument.obfuscatedFont"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{items}</Types>'
    )


def package() -> dict[str, bytes]:
    return {
        "[Content_Types].xml": content_types(),
        "_rels/.rels": relationships(
            ("rId1", "officeDocument", "word/document.xml"),
            ("rId2", f"{PKG_RELS}/metadata/core-properties", "docProps/core.xml"),
        ),
        "docProps/core.xml": core(),
        "word/document.xml": document(),
        "word/_rels/document.xml.rels": relationships(
            ("rId1", "styles", "styles.xml"),
            ("rId2", "numbering", "numbering.xml"),
            ("rId3", "settings", "settings.xml"),
            ("rId4", "header", "header1.xml"),
            ("rId5", "header", "header2.xml"),
            ("rId6", "fontTable", "fontTable.xml"),
        ),
        "word/styles.xml": styles(),
        "word/numbering.xml": numbering(),
        "word/settings.xml": settings(),
        "word/header1.xml": first_page_header(),
        "word/header2.xml": continuation_header(),
        "word/fontTable.xml": font_table(),
        "word/_rels/fontTable.xml.rels": relationships(
            *((f"rId{i}", "font", f"fonts/font{i}.odttf") for i in range(1, len(FONT_FILES) + 1))
        ),
        **{
            f"word/fonts/font{i}.odttf": part
            for i, (_, part) in enumerate(embedded_fonts().values(), start=1)
        },
    }


def build() -> bytes:
    """The reference document, the same bytes every time (fixed dates, fixed order)."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in package().items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    data = build()
    if args.check:
        if not args.output.is_file() or args.output.read_bytes() != data:
            print(f"{args.output} is out of date: run {sys.argv[0]}", file=sys.stderr)
            return 1
        return 0
    args.output.write_bytes(data)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
