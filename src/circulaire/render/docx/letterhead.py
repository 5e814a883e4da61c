"""The house's letterhead in the package (``house.yaml``): its logo beside the organization in
the first page's header, and its postal address and contacts in the first page's footer.

They go where the reference document shows the house letterhead (a ``DOCPROPERTY
organization`` field in a header): a reference document of one's own keeps its own. The logo
is an image part of the header: a PNG, or for an SVG a PNG drawn from it (by Typst, the same
bytes every time) with the SVG beside it, as Word writes an SVG picture.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from .wordml import DECLARATION, R, W, escape

if TYPE_CHECKING:
    from ...house import House, Logo

IMAGE_RELATIONSHIP = f"{R}/image"
FOOTER_RELATIONSHIP = f"{R}/footer"
FOOTER_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
LOGO_PART = "word/media/house-logo"
FOOTER_PART = "word/house-footer.xml"
LOGO_ID, SVG_ID, FOOTER_ID = "rIdHouseLogo", "rIdHouseLogoSvg", "rIdHouseFooter"
LOGO_HEIGHT = 13 * 36000
"""The logo's height, 13 mm (in EMU), as in the PDF."""
FOOTER_PITCH = 169
"""The footer's lines, 8 pt, 8.46 pt apart (in twentieths of a point), as in the PDF."""
PNG_PPI = 300
SVG_EXTENSION = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
"""The extension of a picture that holds an SVG besides its PNG (Word 2016 and later)."""


def logo_parts(logo: Logo) -> list[tuple[str, str, str, bytes]]:
    """``(relationship id, part name, content type, bytes)`` of the logo's image parts."""
    parts = [(LOGO_ID, f"{LOGO_PART}.png", "image/png", png(logo))]
    if logo.kind == "svg":
        parts.append((SVG_ID, f"{LOGO_PART}.svg", "image/svg+xml", logo.data))
    return parts


@cache
def png(logo: Logo) -> bytes:
    """The logo as a PNG: itself, or an SVG drawn at 300 ppi by Typst (which draws it in the
    PDF too): no other program, the same bytes everywhere."""
    if logo.kind == "png":
        return logo.data
    import typst

    from ..pdf import typst_bytes

    source = (
        "#set page(width: auto, height: auto, margin: 0pt, fill: none)\n"
        f'#image({typst_bytes(logo.data)}, format: "svg", height: 13mm)\n'
    )
    compiler = typst.Compiler(root=str(logo.path.parent), ignore_system_fonts=True)
    data = compiler.compile(source.encode("utf-8"), format="png", ppi=PNG_PPI)
    assert isinstance(data, bytes)
    return data


def with_logo(header: str, logo: Logo) -> str:
    """A header showing ``DOCPROPERTY organization``: the logo first in that paragraph."""
    marker = header.find("\ue000organization\ue000")
    start = max(header.rfind("<w:p>", 0, marker), header.rfind("<w:p ", 0, marker))
    if marker < 0 or start < 0:
        return header
    properties = header.find("</w:pPr>", start, marker)
    at = properties + len("</w:pPr>") if properties >= 0 else header.index(">", start) + 1
    return header[:at] + _picture(logo) + header[at:]


def _picture(logo: Logo) -> str:
    height = LOGO_HEIGHT
    width = round(height * logo.width / logo.height)
    svg = (
        f'<a:extLst><a:ext uri="{SVG_EXTENSION}"><asvg:svgBlip xmlns:asvg='
        f'"http://schemas.microsoft.com/office/drawing/2016/SVG/main" r:embed="{SVG_ID}"/>'
        "</a:ext></a:extLst>"
        if logo.kind == "svg"
        else ""
    )
    drawing = "http://schemas.openxmlformats.org/drawingml/2006"
    return (
        f'<w:r><w:drawing xmlns:r="{R}"><wp:inline distT="0" distB="0" distL="0" distR="0" '
        f'xmlns:wp="{drawing}/wordprocessingDrawing"><wp:extent cx="{width}" cy="{height}"/>'
        '<wp:docPr id="1" name="house-logo" descr=""/>'
        f'<a:graphic xmlns:a="{drawing}/main"><a:graphicData uri="{drawing}/picture">'
        f'<pic:pic xmlns:pic="{drawing}/picture"><pic:nvPicPr><pic:cNvPr id="1" '
        'name="house-logo"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill>'
        f'<a:blip r:embed="{LOGO_ID}">{svg}</a:blip><a:stretch><a:fillRect/></a:stretch>'
        '</pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
        f'<a:ext cx="{width}" cy="{height}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
        "</a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline>"
        '</w:drawing></w:r><w:r><w:t xml:space="preserve">   </w:t></w:r>'
    )


def footer_lines(house: House, labels: Any, gettext: Any) -> list[str]:
    """The address on a line, the contacts on the next, each piece between " · ", in the
    words of the letter's language ("Tél.: +41 22 730 5111"), as the PDF prints them."""
    contacts = [
        value
        if kind == "web"
        else gettext("%(label)s: %(value)s", label=getattr(labels, kind), value=value)
        for kind, value in house.contact
    ]
    return [" · ".join(line) for line in (house.address, contacts) if line]


def footer(lines: list[str]) -> bytes:
    """The first page's footer: the lines, small and centred under a thin rule."""
    runs = "<w:r><w:br/></w:r>".join(
        '<w:r><w:rPr><w:color w:val="1F3864"/><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>'
        f'<w:t xml:space="preserve">{escape(line)}</w:t></w:r>'
        for line in lines
    )
    return (
        f'{DECLARATION}<w:ftr xmlns:w="{W}" xmlns:r="{R}"><w:p><w:pPr><w:pBdr><w:top '
        'w:val="single" w:sz="4" w:space="4" w:color="1F3864"/></w:pBdr>'
        f'<w:spacing w:line="{FOOTER_PITCH}" w:lineRule="exact"/><w:jc w:val="center"/>'
        f"</w:pPr>{runs}</w:p></w:ftr>"
    ).encode()


def with_footer(section_tail: str) -> str:
    """The document's last section with the house footer on its first page, unless the
    reference gives that page a footer of its own."""
    if 'w:footerReference w:type="first"' in section_tail or "<w:sectPr" not in section_tail:
        return section_tail
    reference = f'<w:footerReference w:type="first" r:id="{FOOTER_ID}"/>'
    last_header = section_tail.rfind("<w:headerReference")
    if last_header >= 0:
        at = section_tail.index("/>", last_header) + 2
    else:
        start = section_tail.index("<w:sectPr")
        at = section_tail.index(">", start) + 1
    return section_tail[:at] + reference + section_tail[at:]
