"""The reference document as untrusted input: a regular file, whose zip package is opened,
bounded and rid of DTDs here, before python-docx or lxml sees a byte of it.

A reference document comes from a user, and in CI from a pull request: a device or a pipe
would be read for ever or waited on, and a zip of a few MB can inflate to gigabytes of XML
(a header of 400 MB of ``<w:p/>`` took 6 GB). The bounds are far above any house reference
document (the packaged one holds 17 KB in 10 parts; Word's own XML parts are tens of KB, the
body of a long document used as one a few MB; embedded fonts and images reach tens of MB),
and they hold the worst a file can cost each process that reads it (every build worker does)
to about 500 MB and seconds.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import posixpath
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...errors import RenderError

MB = 1_000_000
MAX_SIZE = 64 * MB
"""The file, and its parts uncompressed in all: room for embedded fonts and images."""
MAX_XML = 8 * MB
"""XML parts uncompressed in all: python-docx and lxml build a tree of each (8 MB of empty
paragraphs take 220 MB in the body, 500 MB and 6 to 9 s in a header, whose fields are sought)."""
MAX_PARTS = 1_000
"""A DOCX has a part per style sheet, header, image, font: tens of them."""
MAX_DIRECTORY = 1 * MB
"""The zip's directory, a hundred bytes or so a part, which zipfile reads into objects whole
(700,000 empty entries in 61 MB took it 400 MB) before a part can be counted."""
CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def read_file(path: Path) -> bytes:
    """The bytes of the reference document, if it is a regular file. Its kind is asked of the
    path first (opening a device may do something), then again of the file opened, in case it
    was swapped in between; a pipe is opened without waiting for a writer."""
    try:
        refuse_kind(path, os.stat(path).st_mode)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
        with open(descriptor, "rb") as file:
            status = os.fstat(descriptor)
            refuse_kind(path, status.st_mode)
            _refuse_size(path, status.st_size)
            data = file.read(MAX_SIZE + 1)
    except OSError as exc:
        raise unreadable(path, exc) from None
    _refuse_size(path, len(data))  # grown since
    return data


def reference_sha256(path: Path) -> str:
    """The hash of a reference document for a build's manifest, after the checks of
    :func:`read_file` and :func:`unpack`: a build refuses a reference once, before any letter."""
    data = read_file(path)
    unpack(path, data)
    return hashlib.sha256(data).hexdigest()


def unpack(path: Path, data: bytes) -> dict[str, bytes]:
    """Every part of the zip package ``data``, by name, each within the bounds above, and
    read a megabyte at a time; a RenderError naming the file (and the part) otherwise."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise RenderError(f"{path}: not a DOCX document (a DOCX is a zip package; this is not)")
    count, directory = _directory(data)
    _refuse_count(path, count)
    if directory > MAX_DIRECTORY:
        message = f"a reference document's may be at most {MAX_DIRECTORY // MB} MB"
        size = _megabytes(directory)
        raise RenderError(
            f"{path}: the zip directory of the reference document is {size}; {message}"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return _parts(path, package)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
        raise RenderError(f"{path}: a damaged zip package: {exc}") from None
    except NotImplementedError as exc:  # a later zip version, patched data, strong encryption
        raise RenderError(f"{path}: a zip package of a kind no DOCX is: {exc}") from None


def repack(parts: dict[str, bytes]) -> bytes:
    """The parts as a zip again, stored: python-docx reads the bytes checked, never the
    original's compressed data, whose sizes zipfile takes from the directory on trust."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return buffer.getvalue()


def _parts(path: Path, package: zipfile.ZipFile) -> dict[str, bytes]:
    """Every bound checked on what the directory says, then every part read. zipfile gives
    no more of a part than the directory says it holds, and checks its CRC."""
    items = package.infolist()
    _refuse_count(path, len(items))
    for item in items:
        if item.flag_bits & 0x1:
            raise RenderError(f"{path}: the part {item.filename} is encrypted")
        if item.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            methods = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA", 9: "Deflate64"}
            method = methods.get(item.compress_type, f"method {item.compress_type}")
            message = "a reference document's parts may only be stored or deflated"
            raise RenderError(
                f"{path}: the part {item.filename} is compressed with {method}; {message}"
            )
    is_xml = _xml_parts(path, package)
    xml = [item for item in items if not item.is_dir() and is_xml(item.filename)]
    _refuse_parts(path, xml, MAX_XML, "XML parts")
    _refuse_parts(path, items, MAX_SIZE, "parts")
    parts = {item.filename: _read(package, item) for item in items if not item.is_dir()}
    for item in xml:
        _refuse_dtd(path, item.filename, parts[item.filename])
    return parts


def _read(package: zipfile.ZipFile, item: zipfile.ZipInfo) -> bytes:
    """A part, inflated a megabyte at a time: zipfile inflates what a single read asks for
    whole, before it cuts it to the size the directory declares."""
    with package.open(item) as stream:
        return b"".join(iter(lambda: stream.read(MB), b""))


def _xml_parts(path: Path, package: zipfile.ZipFile) -> Callable[[str], bool]:
    """Whether a part is XML, by its name or by its content type found as python-docx finds
    it (an override for the part, else a default for its extension, either case): python-docx
    parses a part for its content type whatever its name. An image is never parsed."""
    overrides: dict[str, str] = {}
    defaults: dict[str, str] = {}
    name = "[Content_Types].xml"
    if name in package.namelist():
        item = package.getinfo(name)
        _refuse_parts(path, [item], MAX_XML, "XML parts")
        types = _parsed(path, name, _read(package, item))
        for override in types.iterfind(f"{CONTENT_TYPES}Override"):
            overrides[override.get("PartName", "").lower()] = override.get("ContentType", "")
        for default in types.iterfind(f"{CONTENT_TYPES}Default"):
            defaults[default.get("Extension", "").lower()] = default.get("ContentType", "")

    def is_xml(part: str) -> bool:
        partname = "/" + part.lower()
        extension = posixpath.splitext(partname)[1][1:]
        content_type = overrides.get(partname, defaults.get(extension, ""))
        if content_type.startswith("image/"):
            return False
        return partname.endswith((".xml", ".rels")) or content_type.endswith("xml")

    return is_xml


def _parsed(path: Path, name: str, data: bytes) -> Any:
    from lxml import etree  # type: ignore[import-untyped]

    _refuse_dtd(path, name, data)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _malformed(path, name, exc) from None


def _refuse_dtd(path: Path, name: str, data: bytes) -> None:
    """A RenderError when an XML part declares a DTD: python-docx keeps an entity it does not
    resolve, and writes it back undeclared. Only the prolog is parsed, where a DOCTYPE must
    stand, by libxml2 as python-docx's parser will (UTF-16 and all), loading nothing; a part
    the incremental parser cannot read (UTF-32) is parsed whole, as python-docx would."""
    from lxml import etree

    options = {"resolve_entities": False, "no_network": True, "load_dtd": False}
    try:
        _, root = next(etree.iterparse(io.BytesIO(data), events=("start",), **options))
    except (etree.XMLSyntaxError, StopIteration):
        try:
            root = etree.fromstring(data, etree.XMLParser(**options))
        except etree.XMLSyntaxError as exc:
            raise _malformed(path, name, exc) from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        message = "a reference document's XML parts may declare none (no DOCTYPE, no ENTITY)"
        raise RenderError(f"{path}: the part {name} declares a DTD (<!DOCTYPE>); {message}")


def _malformed(path: Path, name: str, exc: Exception) -> RenderError:
    return RenderError(f"{path}: the part {name} is not well-formed XML: {exc}")


def _directory(data: bytes) -> tuple[int, int]:
    """The number of entries and the size of the zip's directory as its end records say,
    found as zipfile finds them: the largest of the zip64 record's and the other's."""
    end = len(data) - 22
    if data[end : end + 4] != b"PK\x05\x06" or data[-2:] != b"\0\0":
        end = data.rfind(b"PK\x05\x06", max(len(data) - 22 - 0xFFFF, 0))
    if end < 0 or len(data) < end + 22:
        return 0, 0
    count, size = struct.unpack_from("<HI", data, end + 10)
    locator = end - 20
    if locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        (offset,) = struct.unpack_from("<Q", data, locator + 8)
        for record in (locator - 56, offset):
            if 0 <= record <= len(data) - 56 and data[record : record + 4] == b"PK\x06\x06":
                count64, size64 = struct.unpack_from("<QQ", data, record + 32)
                count, size = max(count, count64), max(size, size64)
    return count, size


def _refuse_count(path: Path, count: int) -> None:
    if count > MAX_PARTS:
        message = f"a reference document may have at most {MAX_PARTS:,}"
        raise RenderError(f"{path}: the reference document has {count:,} parts; {message}")


def _refuse_parts(path: Path, items: list[zipfile.ZipInfo], bound: int, kind: str) -> None:
    """A RenderError when one of ``items``, or all together, hold more than ``bound``."""
    message = f"a reference document's {kind} may hold at most {bound // MB} MB in all"
    for item in items:
        if item.file_size > bound:
            size = _megabytes(item.file_size)
            raise RenderError(f"{path}: the part {item.filename} is {size} uncompressed; {message}")
    total = sum(item.file_size for item in items)
    if total > bound:
        held = f"the {kind} of the reference document hold {_megabytes(total)} uncompressed"
        raise RenderError(f"{path}: {held}; {message}")


def _refuse_size(path: Path, size: int) -> None:
    if size > MAX_SIZE:
        message = f"a reference document may be at most {MAX_SIZE // MB} MB"
        raise RenderError(f"{path}: the reference document is {_megabytes(size)}; {message}")


def _megabytes(size: int) -> str:
    """A size in MB, rounded up: never shown as the bound it exceeds."""
    return f"{math.ceil(size / (MB / 10)) / 10:g} MB"


def refuse_kind(path: Path, mode: int) -> None:
    """A RenderError unless ``mode`` is a regular file's."""
    if stat.S_ISREG(mode):
        return
    kinds = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a pipe"), (stat.S_ISSOCK, "a socket")]
    kind = next((name for test, name in kinds if test(mode)), "a device")
    raise RenderError(f"{path}: the reference document is {kind}, not a file")


def unreadable(path: Path, exc: OSError) -> RenderError:
    return RenderError(f"{path}: cannot read the reference document: {exc.strerror}")
