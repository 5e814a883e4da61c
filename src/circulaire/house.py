"""The house's letterhead: its logo, postal address and contacts, from ``house.yaml`` next to
the templates (a ``--templates DIR`` folder's first, then the packaged one), never from a
letter's spec. The logo is a file named there, looked up in the same folders: an SVG or a PNG,
read as untrusted input (an SVG that runs script or loads anything is refused), whose bytes
every format embeds, so that a PDF, a DOCX and a web page carry it and load nothing.
"""

from __future__ import annotations

import difflib
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from .dates import check_language
from .errors import CirculaireError, RenderError
from .templating import packaged_templates

SETTINGS = "house.yaml"
MAX_LOGO_BYTES = 1 << 20
"""A logo is a small file (the house's is 2 KB): a larger one is a mistake, not a logo."""
FIELDS = ("logo", "address", "contact")
CONTACT_FIELDS = ("phone", "fax", "email", "web")


@dataclass(frozen=True)
class Logo:
    """The logo's bytes, its kind (``svg`` or ``png``) and its proportions."""

    path: Path
    kind: str
    data: bytes
    width: float
    height: float

    @property
    def media_type(self) -> str:
        return "image/svg+xml" if self.kind == "svg" else "image/png"

    @property
    def data_uri(self) -> str:
        """The logo inside a web page, which then asks nothing of any server."""
        import base64

        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


@dataclass(frozen=True)
class House:
    """What the letterhead shows besides the letter's organization."""

    logo: Logo | None = None
    address: tuple[str, ...] = ()
    """The postal address, a line each, as the letter's language writes it."""
    contact: tuple[tuple[str, str], ...] = ()
    """``(phone|fax|email|web, value)`` in the order written."""
    addresses: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """The address in each language that ``house.yaml`` writes it in, the first first; empty
    when it writes one address for every language."""

    def speaking(self, language: str) -> House:
        """The letterhead of a letter in ``language`` (a locale: ``en``, ``fr_CH``): the address
        written for that locale, else for its language (``fr`` for ``fr_CH``), else the first
        one written, which is a postal address still, in the form its own post reads."""
        if not self.addresses:
            return self
        written = dict(self.addresses)
        identifier = language.replace("-", "_")
        lines = written.get(identifier) or written.get(identifier.split("_")[0].lower())
        return replace(self, address=lines or self.addresses[0][1])


def house(user_templates: Path | None = None, language: str = "fr") -> House:
    """The house of the templates in use, the user's ``house.yaml`` else the packaged one, as a
    letter in ``language`` shows it (see :meth:`House.speaking`)."""
    folders: tuple[Path, ...] = (packaged_templates(),)
    if user_templates is not None:
        folders = (user_templates, *folders)
    return _house(folders).speaking(language)


@cache
def _house(folders: tuple[Path, ...]) -> House:
    settings = next((f / SETTINGS for f in folders if (f / SETTINGS).is_file()), None)
    if settings is None:
        return House()
    from .source import parse

    try:
        source = parse(settings.read_bytes(), settings)
    except CirculaireError as exc:
        raise RenderError(str(exc)) from None
    except OSError as exc:
        raise RenderError(f"{settings}: cannot be read: {exc.strerror}") from None
    data = source.data if source.data is not None else {}

    def error(where: tuple[Any, ...], message: str) -> RenderError:
        return RenderError(str(source.problem(where, message, "E201")))

    if not isinstance(data, dict):
        raise error((), "the house settings are a mapping of logo, address and contact")
    for key in data:
        if key not in FIELDS:
            close = difflib.get_close_matches(str(key), FIELDS, n=1)
            meant = f" (did you mean '{close[0]}'?)" if close else f" (one of {', '.join(FIELDS)})"
            raise RenderError(
                str(source.problem((key,), f"unknown field{meant}", "E201", key=True))
            )
    address = data.get("address", [])
    addresses: list[tuple[str, tuple[str, ...]]] = []
    if isinstance(address, dict):  # by language: {fr: [...], en: [...]}
        if not address:
            raise error(("address",), "a list of lines, or a mapping of languages to lists")
        for language, lines in address.items():
            if not isinstance(language, str) or check_language(language) is not None:
                where = ("address", language)
                message = "not a language (a locale such as en, fr_CH: the letters' language)"
                raise RenderError(str(source.problem(where, message, "E201", key=True)))
            addresses.append((language, _lines(lines, error, ("address", language))))
        address_lines = addresses[0][1]
    else:
        address_lines = _lines(address, error, ("address",))
    contact = data.get("contact", {})
    if not isinstance(contact, dict):
        raise error(("contact",), f"a mapping of {', '.join(CONTACT_FIELDS)}")
    for key, value in contact.items():
        if key not in CONTACT_FIELDS:
            raise error(("contact", key), f"unknown field (one of {', '.join(CONTACT_FIELDS)})")
        if not _text(value):
            raise error(("contact", key), "a text (quote a phone number)")
    logo = None
    if "logo" in data:
        name = data["logo"]
        if not _text(name) or Path(name).suffix.lower() not in (".svg", ".png"):
            raise error(("logo",), "the name of an SVG or PNG file next to the templates")
        found = next((f / name for f in folders if (f / name).is_file()), None)
        if found is None:
            raise error(("logo",), f"no file {name!r} in {' or '.join(map(str, folders))}")
        try:
            logo = read_logo(found)
        except RenderError as exc:
            raise error(("logo",), str(exc)) from None
    return House(logo, address_lines, tuple(contact.items()), tuple(addresses))


def _lines(
    value: object, error: Callable[[tuple[Any, ...], str], RenderError], where: tuple[Any, ...]
) -> tuple[str, ...]:
    """An address: a line of text, or a list of them."""
    lines = [value] if isinstance(value, str) else value
    if not isinstance(lines, list) or not all(_text(line) for line in lines):
        raise error(where, "the postal address is a list of lines of text")
    return tuple(lines)


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip()) and "\n" not in value.strip()


def read_logo(path: Path) -> Logo:
    """A logo file, checked: a PNG or an SVG that is safe to show anywhere."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RenderError(f"{path}: cannot be read: {exc.strerror}") from None
    if len(data) > MAX_LOGO_BYTES:
        raise RenderError(f"{path}: {len(data)} bytes; a logo may hold at most 1 MB")
    if path.suffix.lower() == ".png":
        return _png(path, data)
    return _svg(path, data)


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png(path: Path, data: bytes) -> Logo:
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise RenderError(f"{path}: not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    if not width or not height:
        raise RenderError(f"{path}: a PNG image of no size")
    return Logo(path, "png", data, float(width), float(height))


SVG = "http://www.w3.org/2000/svg"
_UNSAFE_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object", "audio", "video"}
_HREF = re.compile(r"(?:^|})href$")
_OUTSIDE = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import|javascript:", re.IGNORECASE)


def _svg(path: Path, data: bytes) -> Logo:
    """An SVG without script, event handlers, DTD or any reference outside itself."""
    from xml.etree import ElementTree

    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise RenderError(f"{path}: an SVG logo may not declare a DTD or entities")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise RenderError(f"{path}: not an SVG image (not well-formed XML: {exc})") from None
    if root.tag != f"{{{SVG}}}svg":
        raise RenderError(f"{path}: not an SVG image (its root is not <svg> of {SVG})")
    for element in root.iter():
        name = element.tag.split("}")[-1]
        if name in _UNSAFE_ELEMENTS:
            raise RenderError(f"{path}: an SVG logo may not hold a <{name}> element")
        if name == "style" and _OUTSIDE.search(element.text or ""):
            raise RenderError(f"{path}: an SVG logo may not load anything (in its style)")
        for attribute, value in element.attrib.items():
            local = attribute.split("}")[-1]
            if local.lower().startswith("on"):
                raise RenderError(f"{path}: an SVG logo may not run script ({local} on <{name}>)")
            if _HREF.search(attribute) and not value.startswith("#"):
                raise RenderError(
                    f"{path}: an SVG logo may refer only to itself ({local}={value!r} on <{name}>)"
                )
            if _OUTSIDE.search(value):
                raise RenderError(
                    f"{path}: an SVG logo may not load anything ({local} on <{name}>)"
                )
    box = (root.get("viewBox") or "").replace(",", " ").split()
    try:
        width, height = float(box[2]), float(box[3])
    except (IndexError, ValueError):
        raise RenderError(f"{path}: an SVG logo needs a viewBox (its proportions)") from None
    if width <= 0 or height <= 0:
        raise RenderError(f"{path}: an SVG logo's viewBox has no size")
    return Logo(path, "svg", data, width, height)
