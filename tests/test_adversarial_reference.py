"""A hostile reference document (issue #20, items 4 and 5): a device, a pipe, a zip bomb, a
DTD in a part. Each is refused with one message naming the file (and the part), exit 1, before
python-docx or lxml sees it; a build that makes no DOCX does not open the reference at all."""

from __future__ import annotations

import math
import os
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from circulaire.cli import cli
from circulaire.errors import RenderError
from circulaire.render.docx.reference import load_reference
from circulaire.render.docx.unpack import unpack
from circulaire.templating import packaged_templates
from conftest import LETTERS
from test_build import make_archive, run_build

REFERENCE = packaged_templates() / "reference.docx"
SPEC = LETTERS / "CL-21/27.yaml"


def run(*args: str | Path) -> tuple[int, str]:
    """The CLI in this process: its exit code and what it printed on standard error."""
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def run_apart(*args: str | Path) -> tuple[int, str]:
    """The CLI in a process of its own, limited in time and memory: what used to read a
    device or wait for a pipe's writer fails the test instead of hanging it."""

    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    result = subprocess.run(
        [sys.executable, "-m", "circulaire", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=limit,
        check=False,
    )
    return result.returncode, result.stderr


def render_docx(reference: str | Path, out: Path) -> tuple[int, str]:
    return run_apart("render", SPEC, "-f", "docx", "--reference-docx", reference, "-o", out)


def refused(reference: Path, message: str) -> None:
    """Rendering with ``reference`` fails with ``message`` after the file's name, and nothing
    else: no traceback, no file written."""
    out = reference.parent / "out.docx"
    code, err = run("render", SPEC, "-f", "docx", "--reference-docx", reference, "-o", out)
    assert (code, err) == (1, f"{reference}: {message}\n")
    assert not out.exists()


def packaged() -> dict[str, bytes]:
    """The parts of the packaged reference document, by name."""
    with zipfile.ZipFile(REFERENCE) as package:
        return {item.filename: package.read(item) for item in package.infolist()}


def is_xml(name: str) -> bool:
    """Every part of the packaged reference is XML but its embedded fonts."""
    return not name.endswith(".odttf")


def rezipped(tmp_path: Path, parts: dict[str, bytes], method: dict[str, int] | None = None) -> Path:
    """The packaged reference document with ``parts`` replaced or added, each deflated unless
    ``method`` says otherwise."""
    path = tmp_path / "house.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in {**packaged(), **parts}.items():
            package.writestr(name, data, compress_type=(method or {}).get(name))
    return path


def grown(name: str, size: int, filler: bytes) -> bytes:
    """A part of the packaged reference grown just past ``size`` bytes with ``filler`` before
    its closing tag: still well-formed, and deflated a thousandfold (a zip bomb)."""
    data = packaged()[name]
    close = data.rindex(b"</")
    count = (size - len(data)) // len(filler) + 1
    return data[:close] + filler * count + data[close:]


def megabytes(size: int) -> str:
    return f"{math.ceil(size / 100_000) / 10:g} MB"


@pytest.fixture
def pipe(tmp_path: Path) -> Path:
    """A FIFO no one writes to: opening it for reading would wait for ever."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    path = tmp_path / "house.docx"
    os.mkfifo(path)
    return path


# -- 4. only a regular file is read ----------------------------------------------------------------


posix_only = pytest.mark.skipif(os.name != "posix", reason="/dev/zero, rlimits: POSIX only")


@posix_only
def test_a_device_is_refused_unread(tmp_path: Path) -> None:
    code, err = render_docx("/dev/zero", tmp_path / "out.docx")
    assert (code, err) == (1, "/dev/zero: the reference document is a device, not a file\n")
    assert not (tmp_path / "out.docx").exists()


def test_a_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path, pipe: Path) -> None:
    code, err = render_docx(pipe, tmp_path / "out.docx")
    assert (code, err) == (1, f"{pipe}: the reference document is a pipe, not a file\n")


def test_a_folder_is_refused(tmp_path: Path) -> None:
    """The CLI makes it a usage error (``dir_okay=False``); the library says it too."""
    with pytest.raises(RenderError) as raised:
        load_reference(tmp_path)
    assert str(raised.value) == f"{tmp_path}: the reference document is a folder, not a file"


@posix_only
def test_a_link_to_a_reference_document_is_followed(tmp_path: Path) -> None:
    """The rule: a symbolic link is read as the file it points to, if that is a regular file."""
    link = tmp_path / "house.docx"
    link.symlink_to(REFERENCE)
    code, err = run("render", SPEC, "-f", "docx", "--reference-docx", link, "-o", tmp_path / "a")
    assert (code, err) == (0, f"wrote {tmp_path / 'a' / 'CL-21' / '27.docx'}\n")
    (tmp_path / "zero.docx").symlink_to("/dev/zero")
    code, err = render_docx(tmp_path / "zero.docx", tmp_path / "out.docx")
    assert (code, err) == (
        1,
        f"{tmp_path / 'zero.docx'}: the reference document is a device, not a file\n",
    )


IGNORED = "warning: --reference-docx is used for DOCX only: ignored for -f "


@posix_only
@pytest.mark.parametrize("command", ["render", "build"])
@pytest.mark.parametrize("kind", ["device", "pipe", "missing"])
def test_without_docx_the_reference_is_never_opened(
    tmp_path: Path, pipe: Path, command: str, kind: str
) -> None:
    """``-f md`` takes nothing from a reference document: not even a hash for the manifest."""
    reference = {"device": Path("/dev/zero"), "pipe": pipe, "missing": tmp_path / "nope.docx"}[kind]
    if command == "render":
        code, err = run_apart(
            "render", SPEC, "-f", "md", "--reference-docx", reference, "-o", tmp_path
        )
        assert (code, err) == (0, f"{IGNORED}md\nwrote {tmp_path / 'CL-21' / '27.md'}\n")
    else:
        dist = tmp_path / "dist"
        code, err = run_apart(
            "build", LETTERS, "-o", dist, "-f", "md,txt", "--reference-docx", reference, "-q"
        )
        assert (code, err) == (0, f"{IGNORED}md,txt\n")
        assert (dist / "CL-21" / "27.md").is_file()


@posix_only
def test_a_build_refuses_a_device_once_not_for_each_letter(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    code, err = run_apart(
        "build", LETTERS, "-o", dist, "-f", "md,docx", "--reference-docx", "/dev/zero"
    )
    assert (code, err) == (1, "/dev/zero: the reference document is a device, not a file\n")


def test_a_changed_reference_rebuilds_nothing_a_build_without_docx_makes(tmp_path: Path) -> None:
    """The manifest holds the reference document's hash only for a build that makes DOCX:
    dropping DOCX rebuilds no other format, nor does a new reference document."""
    archive = make_archive(tmp_path / "letters", 3)
    house, dist = tmp_path / "house.docx", tmp_path / "dist"
    shutil.copy(REFERENCE, house)
    assert len(run_build(archive, dist, formats=("md", "docx"), reference_docx=house).built) == 3
    assert run_build(archive, dist, formats=("md",), reference_docx=house).built == []
    with zipfile.ZipFile(house, "a") as package:
        package.writestr("customXml/note.txt", "a new reference document")
    assert run_build(archive, dist, formats=("md",), reference_docx=house).built == []
    outcome = run_build(archive, dist, formats=("md", "docx"), reference_docx=house)
    assert len(outcome.built) == 3 and outcome.files == 6


# -- 4. every part bounded before python-docx reads it ---------------------------------------------

XML_BOUND = "a reference document's XML parts may hold at most 8 MB in all"


@pytest.mark.parametrize("filler", [b" ", b"<w:p/>"], ids=["blanks", "paragraphs"])
@pytest.mark.parametrize("part", ["word/header1.xml", "word/styles.xml"])
def test_an_xml_part_over_8_mb_is_refused_unparsed(
    tmp_path: Path, part: str, filler: bytes
) -> None:
    """The issue's bombs, just past the bound: a part of the packaged reference, grown with
    blanks or empty paragraphs (a header of 8 MB of them took python-docx 5.8 s and 490 MB)."""
    data = grown(part, 8_000_001, filler)
    path = rezipped(tmp_path, {part: data})
    assert path.stat().st_size < REFERENCE.stat().st_size + 100_000  # the bomb: a few kB
    refused(path, f"the part {part} is {megabytes(len(data))} uncompressed; {XML_BOUND}")


def test_xml_parts_over_8_mb_in_all_are_refused(tmp_path: Path) -> None:
    """Two headers of 4.1 MB: each under the bound, together over it."""
    parts = {
        name: grown(name, 4_100_000, b" ") for name in ["word/header1.xml", "word/header2.xml"]
    }
    path = rezipped(tmp_path, parts)
    total = sum(len(data) for name, data in {**packaged(), **parts}.items() if is_xml(name))
    held = f"the XML parts of the reference document hold {megabytes(total)} uncompressed"
    refused(path, f"{held}; {XML_BOUND}")


def test_an_xml_part_is_known_by_its_content_type_not_its_name(tmp_path: Path) -> None:
    """python-docx parses a part by its content type: a styles part named ``.bin`` is XML."""
    types = packaged()["[Content_Types].xml"].replace(b"word/styles.xml", b"word/styles.bin")
    rels = packaged()["word/_rels/document.xml.rels"].replace(b"styles.xml", b"styles.bin")
    data = grown("word/styles.xml", 8_000_001, b" ")
    parts = {"[Content_Types].xml": types, "word/_rels/document.xml.rels": rels}
    path = rezipped(tmp_path, {**parts, "word/styles.bin": data})
    refused(path, f"the part word/styles.bin is 8.1 MB uncompressed; {XML_BOUND}")


def test_parts_over_64_mb_in_all_are_refused(tmp_path: Path) -> None:
    """Images and fonts are not XML: each may be large, all of them together not."""
    fill = bytes(33_000_000)
    path = rezipped(tmp_path, {"word/media/fill1.bin": fill, "word/media/fill2.bin": fill})
    total = sum(map(len, packaged().values())) + 2 * len(fill)
    message = "a reference document's parts may hold at most 64 MB in all"
    refused(
        path, f"the parts of the reference document hold {megabytes(total)} uncompressed; {message}"
    )


def test_a_part_over_64_mb_is_refused(tmp_path: Path) -> None:
    path = rezipped(tmp_path, {"word/media/image1.png": bytes(64_000_001)})
    message = "a reference document's parts may hold at most 64 MB in all"
    refused(path, f"the part word/media/image1.png is 64.1 MB uncompressed; {message}")


def test_a_file_over_64_mb_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "house.docx"
    with path.open("wb") as file:
        file.truncate(64_000_001)  # sparse: nothing written, nothing to read
    refused(path, "the reference document is 64.1 MB; a reference document may be at most 64 MB")


def test_more_than_1000_parts_are_refused(tmp_path: Path) -> None:
    extra = {f"customXml/item{i}.bin": b"" for i in range(1_001 - len(packaged()))}
    path = rezipped(tmp_path, extra)
    refused(
        path, "the reference document has 1,001 parts; a reference document may have at most 1,000"
    )


def _end_record(path: Path, count: int, size: int) -> None:
    """Make the zip's end record say it has ``count`` entries in ``size`` bytes of directory."""
    data = bytearray(path.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    struct.pack_into("<HHI", data, end + 8, count, count, size)
    path.write_bytes(bytes(data))


def test_a_zip_directory_is_bounded_before_zipfile_reads_it(tmp_path: Path) -> None:
    """zipfile makes an object of every entry of the directory before one can be counted
    (700,000 empty entries in 61 MB took 400 MB and 2.7 s): the end record is read first,
    and the directory's size believed over its count."""
    extra = {f"p{i}": b"" for i in range(30_000)}
    path = rezipped(tmp_path, extra)
    parts = f"{30_000 + len(packaged()):,} parts"
    refused(
        path, f"the reference document has {parts}; a reference document may have at most 1,000"
    )
    data = path.read_bytes()
    size = struct.unpack_from("<I", data, data.rindex(b"PK\x05\x06") + 12)[0]
    _end_record(path, 10, size)
    message = "a reference document's may be at most 1 MB"
    refused(path, f"the zip directory of the reference document is {megabytes(size)}; {message}")


def test_the_zip64_end_record_is_read_as_zipfile_reads_it(tmp_path: Path) -> None:
    """Past 65,535 entries a zip has a zip64 end record, which zipfile believes over the other."""
    path = rezipped(tmp_path, {f"p{i}": b"" for i in range(70_000)})
    _end_record(path, 10, 1_000)
    parts = f"{70_000 + len(packaged()):,} parts"
    refused(
        path, f"the reference document has {parts}; a reference document may have at most 1,000"
    )


@pytest.mark.parametrize(
    ("method", "name"), [(zipfile.ZIP_BZIP2, "bzip2"), (zipfile.ZIP_LZMA, "LZMA")]
)
def test_a_part_compressed_but_by_deflate_is_refused(
    tmp_path: Path, method: int, name: str
) -> None:
    """zipfile inflates bzip2 and LZMA a read at a time without bound (megabytes of bzip2
    hold gigabytes); Word writes deflate."""
    path = rezipped(tmp_path, {}, {"word/header1.xml": method})
    message = "a reference document's parts may only be stored or deflated"
    refused(path, f"the part word/header1.xml is compressed with {name}; {message}")


def test_a_build_refuses_a_bomb_once_not_for_each_letter(tmp_path: Path) -> None:
    path = rezipped(tmp_path, {"word/header1.xml": grown("word/header1.xml", 8_000_001, b" ")})
    code, err = run(
        "build", LETTERS, "-o", tmp_path / "dist", "-f", "md,docx", "--reference-docx", path
    )
    expected = f"{path}: the part word/header1.xml is 8.1 MB uncompressed; {XML_BOUND}\n"
    assert (code, err) == (1, expected)
    assert not (tmp_path / "dist" / "CL-21" / "27.md").exists()  # refused before any letter


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_damaged_reference_is_an_error_never_a_traceback(data: st.DataObject) -> None:
    """Bytes of the packaged reference changed, cut or inserted: its parts, or a RenderError
    naming it (zipfile and zlib raise half a dozen kinds of exception besides)."""
    original = REFERENCE.read_bytes()
    at = data.draw(st.integers(0, len(original) - 1))
    cut = data.draw(st.integers(0, 64))
    spoiled = original[:at] + data.draw(st.binary(max_size=8)) + original[at + cut :]
    try:
        unpack(Path("house.docx"), spoiled)
    except RenderError as exc:
        assert str(exc).startswith("house.docx: ")


# -- 5. no DTD in any XML part ---------------------------------------------------------------------

DOCTYPE = b'<!DOCTYPE x [<!ENTITY e "une entit\xc3\xa9">]>'
NO_DTD = "a reference document's XML parts may declare none (no DOCTYPE, no ENTITY)"


def with_doctype(data: bytes, doctype: bytes = DOCTYPE) -> bytes:
    """An XML part with ``doctype`` after its XML declaration."""
    end = data.index(b"?>") + 2
    return data[:end] + doctype + data[end:]


@pytest.mark.parametrize("part", sorted(filter(is_xml, packaged())))
def test_a_dtd_in_any_part_is_refused(tmp_path: Path, part: str) -> None:
    """Every part of the packaged reference, with a DOCTYPE declaring an entity."""
    path = rezipped(tmp_path, {part: with_doctype(packaged()[part])})
    refused(path, f"the part {part} declares a DTD (<!DOCTYPE>); {NO_DTD}")


def _header(doctype: bytes = DOCTYPE, entity: bytes = b"") -> bytes:
    header = packaged()["word/header1.xml"].replace(b"<w:t>", b"<w:t>" + entity)
    return with_doctype(header, doctype)


@pytest.mark.parametrize(
    ("part", "data"),
    [
        ("word/header1.xml", _header(entity=b"&e; ")),
        (
            "word/styles.xml",
            with_doctype(packaged()["word/styles.xml"].replace(b'w:val="', b'w:val="&e;', 1)),
        ),
        ("word/header1.xml", _header(b'<!DOCTYPE w:hdr SYSTEM "house.dtd">')),
        ("word/header1.xml", _header().decode().replace('"UTF-8"', '"UTF-16"').encode("utf-16")),
        ("word/header1.xml", _header().decode().replace('"UTF-8"', '"UTF-32"').encode("utf-32")),
    ],
    ids=["entity-in-a-header", "entity-in-styles", "external", "utf-16", "utf-32"],
)
def test_a_dtd_is_refused_however_written(tmp_path: Path, part: str, data: bytes) -> None:
    """A header's entity was copied into every letter's DOCX, undeclared; the styles' was a
    traceback."""
    path = rezipped(tmp_path, {part: data})
    refused(path, f"the part {part} declares a DTD (<!DOCTYPE>); {NO_DTD}")


def test_a_part_in_utf_32_is_read_as_python_docx_reads_it(tmp_path: Path) -> None:
    """lxml's incremental parser, which reads only the prolog, cannot read UTF-32; the check
    does not refuse what python-docx reads."""
    header = packaged()["word/header1.xml"].decode().replace('"UTF-8"', '"UTF-32"')
    path = rezipped(tmp_path, {"word/header1.xml": header.encode("utf-32")})
    out = tmp_path / "out.docx"
    code, err = run("render", SPEC, "-f", "docx", "--reference-docx", path, "-o", out)
    assert (code, err) == (0, f"wrote {out}\n")


def test_an_xml_part_by_its_content_type_is_checked_and_an_image_is_not(tmp_path: Path) -> None:
    """A part of XML content type is XML whatever its name. An SVG image is copied as it is and
    never parsed: an SVG logo often declares its DTD, and is kept."""
    types = packaged()["[Content_Types].xml"].replace(
        b"<Default ",
        b'<Default Extension="svg" ContentType="image/svg+xml"/>'
        b'<Override PartName="/customXml/item1.dat" ContentType="application/xml"/><Default ',
        1,
    )
    svg = b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "svg11.dtd">'
    logo = svg + b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    parts = {"[Content_Types].xml": types, "word/media/logo.svg": logo}
    code, err = run(
        "render", SPEC, "-f", "docx", "-o", tmp_path / "out.docx",
        "--reference-docx", rezipped(tmp_path, parts),
    )  # fmt: skip
    assert (code, err) == (0, f"wrote {tmp_path / 'out.docx'}\n")
    (tmp_path / "out.docx").unlink()
    item = with_doctype(b'<?xml version="1.0"?><item/>')
    path = rezipped(tmp_path, {**parts, "customXml/item1.dat": item})
    refused(path, f"the part customXml/item1.dat declares a DTD (<!DOCTYPE>); {NO_DTD}")


def test_an_entity_without_a_doctype_is_refused_naming_the_part(tmp_path: Path) -> None:
    settings_part = with_doctype(packaged()["word/settings.xml"], b'<!ENTITY e "x">')
    path = rezipped(tmp_path, {"word/settings.xml": settings_part})
    out = tmp_path / "out.docx"
    code, err = run("render", SPEC, "-f", "docx", "--reference-docx", path, "-o", out)
    assert code == 1
    assert err.startswith(f"{path}: the part word/settings.xml is not well-formed XML: "), err


def test_a_build_refuses_a_dtd_once_not_with_e999_for_each_letter(tmp_path: Path) -> None:
    path = rezipped(tmp_path, {"word/styles.xml": with_doctype(packaged()["word/styles.xml"])})
    dist = tmp_path / "dist"
    code, err = run("build", LETTERS, "-o", dist, "-f", "md,docx", "--reference-docx", path)
    expected = f"{path}: the part word/styles.xml declares a DTD (<!DOCTYPE>); {NO_DTD}\n"
    assert (code, err) == (1, expected)
