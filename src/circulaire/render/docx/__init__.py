"""Letter -> DOCX: each block of ``letter.j2`` as Markdown, walked into WordprocessingML.

The look comes from a reference document (``templates/reference.docx`` or ``--reference-docx``),
as with pandoc's ``--reference-doc``: its styles, numbering, page setup and headers are kept, its
body is replaced by the letter. Styles are found by name. The reference is read once per process
(python-docx) and its unchanged parts are copied as bytes, so a letter takes a few milliseconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import RenderError
from ...house import house
from ...scripts import writing
from ...templating import house_wording, packaged_templates, render_blocks
from ..markdown import FILTERS
from .body import BodyWriter
from .letterhead import footer_lines
from .metrics import face
from .package import assemble
from .reference import load_reference

if TYPE_CHECKING:
    from ...model import Letter
    from .. import RenderOptions


def render(letter: Letter, options: RenderOptions) -> bytes:
    reference = load_reference(options.reference_docx or packaged_templates() / "reference.docx")
    parts = render_blocks("letter.docx.j2", letter, FILTERS, options.templates, hard_break="  \n")
    script = writing(letter.language)
    writer = BodyWriter(
        reference,
        rtl=script.rtl,
        east_asian=script.script == "Chinese",
        face=face(script.script),
    )
    for block, text in parts:
        writer.block(block, text, letter)
    if writer.missing or writer.unnumbered:
        raise RenderError(reference.lacking(writer.missing, writer.unnumbered))
    mark = None
    wording = house_wording(letter.language, options.templates)
    if options.draft:
        from ...wording import DRAFT

        mark = wording.gettext(DRAFT)
    the_house = house(options.templates, letter.language)
    lines = footer_lines(the_house, wording.labels(letter.style.labels), wording.gettext)
    return assemble(reference, letter, writer, mark, the_house, lines)
