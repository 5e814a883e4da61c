"""The package of a letter: the reference document's parts around the letter's body, with its
properties, in a zip whose bytes depend on them alone. A letter right to left has its headers
and page mirrored; one in Arabic or Chinese, its script's fonts and language in the styles."""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Collection
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from ...dates import document_language, long_date
from ...scripts import writing
from . import letterhead, scripts
from .fields import filled
from .wordml import DECLARATION, PACKAGE_RELS, R, W, escape, quoteattr, relationships, rels_name

if TYPE_CHECKING:
    from ...house import House
    from ...model import Letter
    from .body import BodyWriter
    from .reference import Reference

CORE_RELATIONSHIP = f"{PACKAGE_RELS}/metadata/core-properties"
CUSTOM_RELATIONSHIP = f"{R}/custom-properties"
HYPERLINK_RELATIONSHIP = f"{R}/hyperlink"
CONTENT_TYPES = {
    "core": "application/vnd.openxmlformats-package.core-properties+xml",
    "custom": "application/vnd.openxmlformats-officedocument.custom-properties+xml",
    "rels": "application/vnd.openxmlformats-package.relationships+xml",
}
STYLES_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"
HEADER_OR_FOOTER = ("header+xml", "footer+xml")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""Every part of the package is dated 1980-01-01, the earliest a zip can say: same bytes."""


def assemble(
    reference: Reference,
    letter: Letter,
    body: BodyWriter,
    draft_mark: str | None = None,
    house: House | None = None,
    house_footer: list[str] | None = None,
) -> bytes:
    """The DOCX of ``letter``: the reference's parts around the letter's body; a draft's
    ``draft_mark`` atop each header (of every page), or atop the body if the reference has
    no header; where the reference shows the house letterhead, the ``house``'s logo in it and
    ``house_footer`` (its address and contacts) at the foot of the first page."""
    script = writing(letter.language)
    tail = scripts.mirrored_section(reference.document_tail) if script.rtl else None
    house_letterhead = any(
        part.fields is not None and "\ue000organization\ue000" in part.fields
        for part in reference.parts
    )
    logo = house.logo if house is not None and house_letterhead else None
    house_footer = house_footer if house_letterhead else None
    fresh: set[str] = set()
    if house_footer:
        tail = letterhead.with_footer(tail or reference.document_tail)
    files: dict[str, bytes] = {}
    overrides: dict[str, str] = {
        "/docProps/core.xml": CONTENT_TYPES["core"],
        "/docProps/custom.xml": CONTENT_TYPES["custom"],
    }
    files["_rels/.rels"] = relationships(
        [
            ("rId1", f"{R}/officeDocument", reference.document_name, False),
            ("rId2", CORE_RELATIONSHIP, "docProps/core.xml", False),
            ("rId3", CUSTOM_RELATIONSHIP, "docProps/custom.xml", False),
        ]
    )
    files["docProps/core.xml"] = _core_properties(letter)
    files["docProps/custom.xml"] = _custom_properties(letter)
    headers = {p.name for p in reference.parts if p.content_type.endswith("header+xml")}
    on_top = _mark(draft_mark) if draft_mark is not None and not headers else ""
    files[reference.document_name] = (
        reference.document_head
        + on_top
        + "".join(body.finished())
        + (tail or reference.document_tail)
    ).encode("utf-8")
    files[rels_name(reference.document_name)] = relationships(
        reference.document_rels
        + [(rid, HYPERLINK_RELATIONSHIP, url, True) for rid, url in body.links]
        + (
            [(letterhead.FOOTER_ID, letterhead.FOOTER_RELATIONSHIP, "house-footer.xml", False)]
            if house_footer and letterhead.FOOTER_ID in (tail or "")
            else []
        )
    )
    if house_footer and letterhead.FOOTER_ID in (tail or ""):
        footer = letterhead.footer(house_footer)
        files[letterhead.FOOTER_PART] = scripts.mirrored_part(footer) if script.rtl else footer
        overrides["/" + letterhead.FOOTER_PART] = letterhead.FOOTER_CONTENT_TYPE
        fresh.add(letterhead.FOOTER_PART)
    overrides["/" + reference.document_name] = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    )
    values = _field_values(letter)
    fresh.update(set(files) - {"_rels/.rels"})  # the parts of this letter only
    for part in reference.parts:
        overrides["/" + part.name] = part.content_type
        if part.name == reference.numbering_name and body.lists:
            files[part.name] = _numbering(reference.numbering_xml, body.lists).encode("utf-8")
            fresh.add(part.name)
        elif part.content_type == STYLES_CONTENT_TYPE:
            files[part.name] = (
                scripts.styles(part.data, script)
                if scripts.slot(script)
                else reference.styles_in(part, language_tag(letter))
            )
        elif part.fields is not None:
            fields = part.fields
            if script.rtl:
                fields = scripts.mirrored_part(fields.encode("utf-8")).decode("utf-8")
            pictured = logo is not None and "\ue000organization\ue000" in fields
            if pictured and logo is not None:
                fields = letterhead.with_logo(fields, logo)
            files[part.name] = filled(fields, values).encode("utf-8")
            fresh.add(part.name)
            if pictured and logo is not None:
                rels = [
                    (rid, letterhead.IMAGE_RELATIONSHIP, name.removeprefix("word/"), False)
                    for rid, name, kind, data in letterhead.logo_parts(logo)
                ]
                files[rels_name(part.name)] = _more_rels(part.rels, rels)
                for _, name, kind, data in letterhead.logo_parts(logo):
                    files[name] = data
                    overrides["/" + name] = kind
        elif script.rtl and part.content_type.endswith(HEADER_OR_FOOTER):
            files[part.name] = scripts.mirrored_part(part.data)
        else:
            files[part.name] = part.data
        if draft_mark is not None and part.name in headers:
            files[part.name] = _marked(files[part.name], _mark(draft_mark))
            fresh.add(part.name)
        if part.rels is not None and rels_name(part.name) not in files:  # the logo's has them
            files[rels_name(part.name)] = part.rels
    content_types = _content_types(tuple(sorted(overrides.items())))
    return _zip({"[Content_Types].xml": content_types, **files}, fresh)


def _more_rels(rels: bytes | None, more: list[tuple[str, str, str, bool]]) -> bytes:
    """A part's relationships with ``more`` after them."""
    added = relationships(more)
    if rels is None:
        return added
    items = added[added.index(b">", added.index(b"<Relationships")) + 1 : added.rindex(b"</")]
    closing = rels.rindex(b"</Relationships>")
    return rels[:closing] + items + rels[closing:]


@lru_cache(maxsize=8)
def _mark(text: str) -> str:
    """The paragraph of a draft's mark: centred, bold, in red, whatever the reference's styles
    (it is no part of the letter)."""
    return (
        '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/><w:color w:val="C00000"/>'
        f'<w:sz w:val="28"/></w:rPr><w:t>{escape(text)}</w:t></w:r></w:p>'
    )


def _marked(header: bytes, paragraph: str) -> bytes:
    """A header part with ``paragraph`` first, after the start tag of its ``w:hdr``."""
    start = header.find(b"<w:hdr")
    end = header.find(b">", start) + 1
    if start < 0 or end <= 0 or header[end - 2 : end] == b"/>":
        return header
    return header[:end] + paragraph.encode("utf-8") + header[end:]


def _content_types(overrides: tuple[tuple[str, str], ...]) -> bytes:
    """``[Content_Types].xml``: the same for every letter made from one reference document."""
    types = "".join(
        f"<Override PartName={quoteattr(name)} ContentType={quoteattr(kind)}/>"
        for name, kind in overrides
    )
    return (
        f'{DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'content-types"><Default Extension="rels" ContentType="{CONTENT_TYPES["rels"]}"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{types}</Types>'
    ).encode()


def _numbering(numbering_xml: str, lists: list[tuple[int, int, int, int]]) -> str:
    """The reference's numbering plus one ``w:num`` per list, so each list counts afresh."""
    nums = "".join(
        f'<w:num xmlns:w="{W}" w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>'
        f'<w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="{start}"/></w:lvlOverride>'
        "</w:num>"
        for num_id, abstract, level, start in lists
    )
    closing = numbering_xml.rindex("</")
    return DECLARATION + numbering_xml[:closing] + nums + numbering_xml[closing:]


def language_tag(letter: Letter) -> str:
    """The letter's language as a document language tag (``fr`` -> ``fr-CH``)."""
    return document_language(letter.language)


def _timestamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _core_properties(letter: Letter) -> bytes:
    """Title, subject, author, language and dates, from the letter alone."""
    created = _timestamp(letter.date)
    return (
        f"{DECLARATION}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(letter.subject)}</dc:title>"
        f"<dc:subject>{escape(letter.reference)}</dc:subject>"
        f"<dc:creator>{escape(letter.author)}</dc:creator>"
        f"<dc:identifier>{escape(letter.reference)}</dc:identifier>"
        f"<dc:language>{escape(language_tag(letter))}</dc:language>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{created}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()


def _custom_properties(letter: Letter) -> bytes:
    """``reference``, ``date`` and ``organization``, for DOCPROPERTY fields in a house
    letterhead."""
    fmtid = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
    return (
        f"{DECLARATION}<Properties "
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f'<property fmtid="{fmtid}" pid="2" name="reference">'
        f"<vt:lpwstr>{escape(letter.reference)}</vt:lpwstr></property>"
        f'<property fmtid="{fmtid}" pid="3" name="date">'
        f"<vt:filetime>{_timestamp(letter.date)}</vt:filetime></property>"
        f'<property fmtid="{fmtid}" pid="4" name="organization">'
        f"<vt:lpwstr>{escape(letter.author)}</vt:lpwstr></property>"
        "</Properties>"
    ).encode()


def _field_values(letter: Letter) -> dict[str, str]:
    """What a DOCPROPERTY field of the reference's headers shows before Word updates it."""
    return {
        "reference": letter.reference,
        "date": long_date(letter.date, letter.language),
        "title": letter.subject,
        "organization": letter.author,
    }


def _zip(files: dict[str, bytes], fresh: Collection[str]) -> bytes:
    """A zip whose bytes depend on its files only: fixed dates and modes, the order given.

    The layout is the one :mod:`zipfile` writes. The letter's own parts (``fresh``) are
    deflated at level 1, which takes half the time of zipfile's level 6 for a few hundred
    bytes more. The others are the same from letter to letter (the reference document's
    styles, theme, fonts, settings): each is deflated at level 6, once per process."""
    out = bytearray()
    directory = bytearray()
    for name, data in files.items():
        crc, deflated = _deflate(data, 1) if name in fresh else _deflate_reused(data)
        encoded = name.encode("utf-8")
        flags = 0 if encoded.isascii() else 0x800  # UTF-8 name
        common = struct.pack(
            "<HHHHHLLLH",
            ZIP_VERSION,
            flags,
            zipfile.ZIP_DEFLATED,
            *ZIP_DOS_TIME,
            crc,
            len(deflated),
            len(data),
            len(encoded),
        )
        directory += b"PK\x01\x02" + struct.pack("<H", 3 << 8 | ZIP_VERSION)  # made on Unix
        directory += common + struct.pack("<HHHHLL", 0, 0, 0, 0, 0o644 << 16, len(out))
        directory += encoded
        out += b"PK\x03\x04" + common + b"\0\0" + encoded + deflated
    end = struct.pack("<HHHHLLH", 0, 0, len(files), len(files), len(directory), len(out), 0)
    return bytes(out + directory + b"PK\x05\x06" + end)


ZIP_VERSION = 20
"""The zip version a deflated part needs (2.0), and that the package is made with."""
ZIP_DOS_TIME = (0, (ZIP_DATE[0] - 1980) << 9 | ZIP_DATE[1] << 5 | ZIP_DATE[2])
""":data:`ZIP_DATE` as a zip writes it: (time, date) in MS-DOS form."""


def _deflate(data: bytes, level: int) -> tuple[int, bytes]:
    """CRC-32 and raw deflate of a part."""
    return zlib.crc32(data), zlib.compress(data, level, -15)


@lru_cache(maxsize=64)
def _deflate_reused(data: bytes) -> tuple[int, bytes]:
    return _deflate(data, 6)
