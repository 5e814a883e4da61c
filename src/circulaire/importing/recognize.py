"""A letter's Markdown -> the data of its spec, the minimal one a person would write.

The house layout is fixed (``letter.j2``): blocks separated by one blank line, in the order
dateline, header, recipients, subject, salutation, body, closing, signatures, annexes. The
recognizer reads those blocks line by line, in the wording of the letter's language (its
catalog's messages turned into patterns), and takes the body and the annexes' contents as
the raw Markdown they are, since a spec holds them as written. It never has to be right
alone: :func:`circulaire.importing.import_markdown` renders what it found and compares.
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date
from typing import Any

from ..markup import escape_markdown
from ..model import Labels, Style
from .blocks import Blocks, NotALetter
from .words import (
    CLOSING,
    FAX,
    LANGUAGES,
    MARK,
    Wording,
    bold,
    read_date,
    unescape,
    wording,
)

_REFERENCE = re.compile(r"\A(?:(?P<label>.+) )?(?P<reference>[A-Z]{2,5}-[0-9]{2}/[0-9]{1,4})\Z")
_MAILTO = re.compile(r"\A\[(?P<text>[^\]]+)\]\(mailto:(?P<address>[^)\s]+)\)\Z")
_ADDRESS = re.compile(r"\A[^\s@]+@[^\s@]+\.[^\s@]+\Z")
_NUMBER = re.compile(r"\A\+?[0-9][0-9 ().\-/]{4,}\Z")
_SIGNATURE_LINE = 120
"""A signature block's lines are short; a longer paragraph is the body's."""


__all__ = ["LANGUAGES", "NotALetter", "recognize"]


def recognize(text: str, name: str) -> dict[str, Any]:
    """The spec's data (a dict in the field order of docs/spec.md) of the letter ``text``."""
    reader = Blocks(text, name)
    if not reader.blocks:
        raise reader.fail("it is empty")
    found = _dateline(reader)
    if found is None:
        raise reader.fail("no place and date (such as 'Genève, le 8 juillet 2021') at the top")
    at, house, place, day = found
    data: dict[str, Any] = {}
    style: dict[str, Any] = {}
    labels: dict[str, str] = {}
    department = unescape(reader.block(0)[0]) if at == 1 else None

    header = _header(reader, at + 1, house, style, labels)
    if "reference" not in header:
        raise reader.fail("no reference line (such as 'Réf.: CL-21/27') after the date")
    subject_at = _subject_at(reader, at + 2, house)
    if subject_at is None:
        raise reader.fail(f"no subject line ('{house.labels.subject}: ...') after the header")
    recipients = _recipients(reader, at + 2, subject_at, style)
    subject_match = house.labelled.match(reader.block(subject_at)[0])
    assert subject_match is not None
    subject, subject_bold = bold(subject_match["value"])
    _label(labels, "subject", subject_match["label"], house)
    if not subject_bold:
        style["subject_bold"] = False
    if subject_at + 1 >= len(reader.blocks):
        raise reader.fail("no salutation (such as 'Madame, Monsieur,') after the subject")
    salutation = "\n".join(reader.block(subject_at + 1))

    annexes, annexes_at = _annexes(reader, subject_at + 2, house, labels, style)
    tail = _signatures(reader, subject_at + 2, annexes_at, house, style)
    if tail is None:
        raise reader.fail("no signature (a mark such as '[original signé]', then a name)")
    signatories_at, signatories = tail
    closing = None
    last = signatories_at - 1
    if last > subject_at + 2:
        line = reader.one_line(last)
        if line is not None and CLOSING.match(line) and escape_markdown(unescape(line)) == line:
            closing = unescape(line)
            signatories_at = last
    if signatories_at <= subject_at + 2:
        raise reader.fail("no body between the salutation and the signatures")
    body_start = reader.blocks[subject_at + 2][0]
    body_end = reader.blocks[signatories_at - 1][1]

    if reader.breaks and not any(reader.breaks):
        style["line_breaks"] = "soft"
    data["reference"] = header.pop("reference")
    if "reference_label" in header:
        data["reference_label"] = header.pop("reference_label")
    data["place"] = place
    data["date"] = day
    if department is not None:
        data["department"] = department
    if header.get("contact"):
        contacts = header["contact"]
        data["contact"] = contacts[0] if len(contacts) == 1 else contacts
    if recipients is not None:
        data["recipients"] = recipients
    data["subject"] = unescape(subject)
    data["salutation"] = unescape(salutation)
    data["body"] = reader.raw(body_start, body_end) + "\n"
    if closing is not None:
        data["closing"] = closing
    data["signatories"] = signatories
    if annexes:
        data["annexes"] = annexes
    if house.language != "fr":
        data["language"] = house.language
    if labels:
        style["labels"] = {f.name: labels[f.name] for f in fields(Labels) if f.name in labels}
    if style:
        order = [f.name for f in fields(Style)]
        data["style"] = {key: style[key] for key in order if key in style}
    return data


def _dateline(reader: Blocks) -> tuple[int, Wording, str, date] | None:
    """Where the place and date stand (the first or second block), in which language."""
    for at in (0, 1):
        line = reader.one_line(at)
        if line is None:
            continue
        for language in LANGUAGES:
            house = wording(language)
            match = house.dateline.match(unescape(line))
            if match:
                day = read_date(match["date"], language)
                if day is not None:
                    return at, house, match["place"], day
    return None


def _label(labels: dict[str, str], name: str, raw: str, house: Wording) -> None:
    """Record a label that is not the house's."""
    label = unescape(raw)
    if label != getattr(house.labels, name):
        labels.setdefault(name, label)


def _header(
    reader: Blocks, at: int, house: Wording, style: dict[str, Any], labels: dict[str, str]
) -> dict[str, Any]:
    """The reference line and the contact lines, their order and labels."""
    found: dict[str, Any] = {}
    if at >= len(reader.blocks):
        return found
    contacts: list[dict[str, str]] = []
    parts: list[str] = []
    for line in reader.broken_lines(at):
        match = house.labelled.match(line)
        if match is None:
            raise reader.fail(f"a header line that is no 'label: value': {line!r}")
        raw_label, raw_value = match["label"], match["value"]
        value, reference_bold = bold(raw_value)
        reference = _REFERENCE.match(unescape(value))
        mailto = _MAILTO.match(raw_value)
        if reference and "reference" not in found:
            found["reference"] = reference["reference"]
            if reference["label"]:
                found["reference_label"] = reference["label"]
            if not reference_bold:
                style["reference_bold"] = False
            _label(labels, "reference", raw_label, house)
            parts.append("reference")
            continue
        if mailto and unescape(mailto["text"]) == mailto["address"]:
            kind, text = "email", mailto["address"]
        elif _ADDRESS.match(unescape(raw_value)):
            kind, text = "email", unescape(raw_value)
            style["email"] = "plain"
        elif _NUMBER.match(raw_value):
            is_fax = FAX.search(raw_label) or unescape(raw_label) == house.labels.fax
            kind, text = ("fax" if is_fax else "phone"), raw_value
        else:
            kind, text = "name", unescape(raw_value)
        if kind == "name" or not contacts:
            contacts.append({})
        if kind in contacts[-1]:
            contacts.append({})
        contacts[-1][kind] = text
        _label(labels, "contact" if kind == "name" else kind, raw_label, house)
        if "contacts" not in parts:
            parts.append("contacts")
    if parts == ["contacts", "reference"]:
        style["header_order"] = parts
    default = list(Style().contact_order)
    orders = [[line for line in default if line in contact] for contact in contacts]
    if orders and any(
        list(contact) != order for contact, order in zip(contacts, orders, strict=True)
    ):
        first = list(contacts[0])
        style["contact_order"] = first + [line for line in default if line not in first]
    found["contact"] = [
        {key: contact[key] for key in ("name", "phone", "fax", "email") if key in contact}
        for contact in contacts
    ]
    return found


def _subject_at(reader: Blocks, at: int, house: Wording) -> int | None:
    """The subject's block: right after the header, or after one block of recipients; in the
    house's words first, then in any words ("Concerne: ...")."""
    tries = [(at, True), (at + 1, True), (at + 1, False), (at, False)]
    for index, house_label in tries:
        line = reader.one_line(index)
        if line is None or index + 1 >= len(reader.blocks):
            continue
        match = house.labelled.match(line)
        if match and (not house_label or unescape(match["label"]) == house.labels.subject):
            return index
    return None


def _recipients(
    reader: Blocks, at: int, subject_at: int, style: dict[str, Any]
) -> str | list[str] | None:
    if subject_at == at:
        return None
    lines = reader.block(at)
    if all(line.startswith("- ") for line in lines):
        style["recipients"] = "list"
        return [unescape(line[2:]) for line in lines]
    if len(lines) == 1:
        return unescape(lines[0])
    return [unescape(line) for line in reader.broken_lines(at)]


def _annexes(
    reader: Blocks, start: int, house: Wording, labels: dict[str, str], style: dict[str, Any]
) -> tuple[list[dict[str, str]], int]:
    """The annexes, and where their count stands (the end of the letter when it has none)."""
    for at in range(start, len(reader.blocks) - 1):
        line = reader.one_line(at)
        match = house.labelled.match(line) if line else None
        if match is None or not match["value"].isdigit() or int(match["value"]) < 1:
            continue
        count = int(match["value"])
        found = _headings(reader, at + 1, count, house)
        if found is None:
            continue
        headings, label = found
        annex_label = unescape(label)
        if count == 1 and unescape(match["label"]) != annex_label:
            continue
        if annex_label != house.labels.annex:
            labels["annex"] = annex_label
        if count > 1:
            _label(labels, "annexes", match["label"], house)
        run_in = any(rest for _, rest in headings)
        if run_in:
            style["annex_heading"] = "run_in"
        ends = [index for index, _ in headings[1:]] + [len(reader.blocks)]
        annexes = [
            _annex(reader, index, end, rest)
            for (index, rest), end in zip(headings, ends, strict=True)
        ]
        return annexes, at
    return [], len(reader.blocks)


def _headings(
    reader: Blocks, at: int, count: int, house: Wording
) -> tuple[list[tuple[int, str]], str] | None:
    """The blocks of the headings "Annexe 1" to "Annexe <count>" from ``at``, each with what
    runs on after it on its line, and their label. A heading stands apart (a block of its own)
    or runs into the annex's first line; the others may run in only when the first does, or
    when they cannot all be found apart."""
    if at >= len(reader.blocks):
        return None
    first = _heading(reader, at, 1, house, None, True)
    if first is None:
        return None
    label, rest = first
    for run_in in dict.fromkeys((bool(rest), True)):
        found = [(at, rest)]
        for index in range(at + 1, len(reader.blocks)):
            if len(found) == count:
                break
            heading = _heading(reader, index, len(found) + 1, house, label, run_in)
            if heading is not None:
                found.append((index, heading[1]))
        if len(found) == count:
            return found, label
    return None


def _heading(
    reader: Blocks, index: int, number: int, house: Wording, label: str | None, run_in: bool
) -> tuple[str, str] | None:
    """Heading ``number`` at the start of block ``index``: its label and what runs on."""
    lines = reader.block(index)
    match = house.heading_at(number).match(lines[0])
    if match is None or (label is not None and match["annex"] != label):
        return None
    if (match["rest"] and not run_in) or (not match["rest"] and len(lines) > 1):
        return None
    return match["annex"], match["rest"]


def _annex(reader: Blocks, heading: int, end: int, rest: str) -> dict[str, str]:
    """An annex from its heading's block to ``end``: a title when a line of plain text stands
    apart under a heading apart, then the content as written."""
    start, _ = reader.blocks[heading]
    annex: dict[str, str] = {}
    if rest:
        content = "\n".join([rest, *reader.lines[start + 1 : reader.blocks[end - 1][1]]])
    else:
        first = heading + 1
        title = reader.one_line(first) if first < end else None
        if title is not None and escape_markdown(unescape(title)) == title:
            annex["title"] = unescape(title)
            first += 1
        content = ""
        if first < end:
            content = reader.raw(reader.blocks[first][0], reader.blocks[end - 1][1])
    content = content.strip("\n")
    if content:
        annex["content"] = content + "\n"
    return annex


def _is_mark(reader: Blocks, index: int, house: Wording) -> bool:
    line = reader.one_line(index)
    return line is not None and (unescape(line) == house.mark or bool(MARK.match(line)))


def _may_sign(reader: Blocks, index: int) -> bool:
    lines = reader.block(index)
    return len(lines) <= 8 and all(
        len(line) <= _SIGNATURE_LINE and not line.startswith(("- ", "* ", "#")) for line in lines
    )


def _signatures(
    reader: Blocks, start: int, end: int, house: Wording, style: dict[str, Any]
) -> tuple[int, list[dict[str, Any]]] | None:
    """Where the signatures begin (their first mark), and the signatories: a mark above each,
    or all the marks, then all the signatories."""
    best: tuple[int, str] | None = None
    index = end - 1
    while index > start:
        if not (_is_mark(reader, index, house) or _may_sign(reader, index)):
            break
        if _is_mark(reader, index, house):
            kinds = [_is_mark(reader, i, house) for i in range(index, end)]
            n = len(kinds)
            if n % 2 == 0 and kinds == [True, False] * (n // 2):
                best = (index, "each")
            elif n % 2 == 0 and n >= 4 and kinds == [True] * (n // 2) + [False] * (n // 2):
                best = (index, "grouped")
        index -= 1
    if best is None:
        return None
    at, marks = best
    count = (end - at) // 2
    grouped = marks == "grouped"
    if grouped:
        style["marks"] = "grouped"
    mark_blocks = range(at, at + count) if grouped else range(at, end, 2)
    name_blocks = range(at + count, end) if grouped else range(at + 1, end, 2)
    signatories = []
    boldness: list[str] = []
    for mark_at, name_at in zip(mark_blocks, name_blocks, strict=True):
        lines = [bold(line) for line in reader.broken_lines(name_at)]
        name, name_bold = lines[0]
        every = len(lines) > 1 and all(strong for _, strong in lines)
        boldness.append("all" if every else "name" if name_bold else "none")
        rest = [unescape(text) for text, _ in lines[1:]]
        organization = rest.pop() if len(rest) >= 2 else None
        signatory: dict[str, Any] = {"name": unescape(name)}
        if rest:
            signatory["title"] = rest[0] if len(rest) == 1 else rest
        if organization is not None:
            signatory["organization"] = organization
        mark_line = reader.one_line(mark_at)
        assert mark_line is not None
        if unescape(mark_line) != house.mark:
            signatory["mark"] = unescape(mark_line)
        signatories.append(signatory)
    multi = [b for b, i in zip(boldness, name_blocks, strict=True) if len(reader.block(i)) > 1]
    chosen = (multi or boldness)[0]
    if chosen != "name":
        style["signatory_bold"] = chosen
    return at, signatories
