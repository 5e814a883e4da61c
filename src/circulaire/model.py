"""The letter, as typed data. Every field of a spec is a field here, documented in place.

The validator (``validate.py``) and the JSON Schema (``schema.py``) are both derived from these
classes, so the spec format is written down exactly once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Literal

REFERENCE_PATTERN = re.compile(
    r"\A(?P<series>[A-Z]{2,5})-(?P<year>[0-9]{2})/(?P<number>[0-9]{1,4})\Z"
)
"""A reference: series letters, two-digit year, number (``CL-21/27``, ``CL-20/038``), in ASCII
digits only: ``CL-٢١/27`` or ``CL-21/２７`` would name folders and files no one can type.
``\\A…\\Z``, not ``^…$``, whose ``$`` lets a final line break through (``"CL-21/27\\n"``)."""

SERIES_PATTERN = re.compile(r"\A[A-Z]{2,5}-[0-9]{2}\Z")

LANGUAGE_CODE = "[a-z]{2,3}"
TRANSLATION_LANGUAGE = re.compile(rf"\A{LANGUAGE_CODE}\Z")
"""The language of a translation as its file names write it (``27.en.yaml``, ``27.en.pdf``):
the one rule for the specs, the outputs and the manifest."""

MAY_BE_EMPTY = frozenset({("Annex", "content"), ("Letter", "ignore"), ("Translation", "ignore")})
"""Text fields (class, field) that may hold an empty string: an annex given by its title alone,
and lint codes, which are never printed. Every other text is printed, and an empty one would
leave a gap in the letter (an optional field is left out instead)."""

MARKDOWN = frozenset({("Letter", "body"), ("Translation", "body"), ("Annex", "content")})
"""Text fields (class, field) written in Markdown, which validation reads as the parser does
(a translation's annexes are :class:`Annex` too)."""

UNIQUE_ITEMS = frozenset({("Style", "header_order"), ("Style", "contact_order")})
"""Lists (class, field) where an item may stand once: a repeat would print a block twice."""

HeaderPart = Literal["reference", "contacts"]
ContactLine = Literal["name", "phone", "fax", "email"]


@dataclass(frozen=True)
class Reference:
    """A parsed reference such as ``CL-21/27``."""

    series: str
    year: str
    number: str

    @classmethod
    def parse(cls, text: str) -> Reference | None:
        match = REFERENCE_PATTERN.match(text)
        if not match:
            return None
        return cls(match["series"], match["year"], match["number"])

    @property
    def identity(self) -> tuple[str, str, int]:
        """What makes two references one letter: ``CL-20/38`` and ``CL-20/038`` are the same."""
        return (self.series, self.year, int(self.number))

    def year_in(self, today: date) -> int:
        """The year the reference's two digits stand for: the latest that ends in them and is
        not after next year (in 2026: ``CL-21`` is 2021, ``CL-27`` 2027, ``CL-99`` 1999), so
        that a letter can be drafted a year ahead and no date lies in the far future or in the
        first century."""
        latest = today.year + 1
        return latest - (latest - int(self.year)) % 100

    @property
    def folder(self) -> str:
        """The archive folder of the reference's series and year: ``CL-21``."""
        return f"{self.series}-{self.year}"

    def __str__(self) -> str:
        return f"{self.series}-{self.year}/{self.number}"


@dataclass(frozen=True)
class Contact:
    """A person to contact about the letter, shown in the header."""

    name: str
    """Full name, as printed after "Contact:"."""
    phone: str | None = None
    """Telephone number, quoted in YAML (``"+41 22 730 6341"``)."""
    fax: str | None = None
    """Fax number, quoted in YAML."""
    email: str | None = None
    """E-mail address."""


@dataclass(frozen=True)
class Signatory:
    """One person who signs the letter."""

    name: str
    """Name as printed under the signature (``Houlin Zhao``, ``Houlin ZHAO``)."""
    title: tuple[str, ...] = ()
    """Title, one line or a list of lines (``Secrétaire général``)."""
    organization: str | None = None
    """Organization, printed on the last line of the signature block."""
    mark: str | None = None
    """The signature mark printed in place of the handwritten signature; left out, the house
    mark of the letter's language (``[original signé]`` in French, ``(signed)`` in English)."""

    @property
    def has_mark(self) -> bool:
        """Whether a mark stands above the name: the house's or the spec's. Only a letter built
        in Python can have none, with an empty ``mark``; a spec's mark is never empty."""
        return self.mark != ""


@dataclass(frozen=True)
class Annex:
    """A document attached to the letter, printed after it."""

    title: str | None = None
    """Title printed under the annex heading; left out, the heading stands alone (an annex
    that is another office's document, whose own first lines say what it is)."""
    content: str = ""
    """The annex itself, in Markdown."""


@dataclass(frozen=True)
class Labels:
    """The words that introduce header lines. Each left out is the house wording of the
    letter's language, from its catalog (``templates/locale/``); give one to match a letter's
    own wording."""

    reference: str | None = None
    """Before the reference: the house wording of the letter's language (``Réf.``, ``Ref``)."""
    contact: str | None = None
    """Before a contact's name: the house wording of the letter's language (``Contact``)."""
    phone: str | None = None
    """Before a phone number: the house wording of the letter's language (``Tél.``, ``Tel``;
    ``Téléphone`` in some letters)."""
    fax: str | None = None
    """Before a fax number: the house wording of the letter's language (``Télécopie``,
    ``Fax``)."""
    email: str | None = None
    """Before an e-mail address: the house wording of the letter's language (``Courriel``,
    ``E-mail``)."""
    subject: str | None = None
    """Before the subject: the house wording of the letter's language (``Objet``,
    ``Subject``)."""
    annex: str | None = None
    """Heading of an annex and, when there is one, of the annex count: the house wording of
    the letter's language (``Annexe``, ``Annex``)."""
    annexes: str | None = None
    """The annex count when there are several: the house wording of the letter's language
    (``Annexes``)."""


HOUSE_WORDING = frozenset({("Signatory", "mark")} | {("Labels", f.name) for f in fields(Labels)})
"""Fields (class, field) whose value, left out, is the house wording of the letter's
language (the catalogs of ``templates/locale/``)."""


@dataclass(frozen=True)
class Style:
    """How the letter is laid out. The defaults are the house style: a new letter needs none."""

    header_order: tuple[HeaderPart, ...] = ("reference", "contacts")
    """Order of the header blocks: the reference line and the contact lines."""
    contact_order: tuple[ContactLine, ...] = ("name", "phone", "fax", "email")
    """Order of a contact's lines; a line whose value is missing is left out."""
    line_breaks: Literal["hard", "soft"] = "hard"
    """``hard``: header, recipient and signature lines end in a Markdown hard break (two spaces);
    ``soft``: plain line ends."""
    reference_bold: bool = True
    """Print the reference (with its label) in bold."""
    subject_bold: bool = True
    """Print the subject in bold."""
    email: Literal["link", "plain"] = "link"
    """Contact e-mail as a ``mailto:`` link or as plain text."""
    recipients: Literal["lines", "list", "paragraph"] = "lines"
    """Recipients one per line, as a bulleted list, or joined into one paragraph."""
    marks: Literal["each", "grouped"] = "each"
    """``each``: a signature mark above each signatory; ``grouped``: all marks, then all
    signatories (signatures side by side in the printed letter)."""
    signatory_bold: Literal["name", "all", "none"] = "name"
    """Which lines of a signature block are bold."""
    annex_heading: Literal["apart", "run_in"] = "apart"
    """``apart``: an annex's heading ("Annexe 1") is a paragraph of its own; ``run_in``: in
    Markdown it runs straight into the next line, the annex's title or, without one, the first
    line of its content (``Annexe 1**UNITED NATIONS**``, as text extracted from a document
    reads); the other formats set the heading apart all the same."""
    labels: Labels = field(default_factory=Labels)
    """Header words, such as ``phone: Téléphone``."""
    text_lines: Literal["wrap", "keep"] = "wrap"
    """The plain text (for e-mail): ``wrap`` its lines at 72 columns, or ``keep`` them as the
    spec writes them (a paragraph on one line)."""


@dataclass(frozen=True)
class Letter:
    """A circular letter."""

    reference: str
    """Reference of the letter, ``<series>-<yy>/<number>`` (``CL-21/27``); it names the spec's
    file, ``letters/CL-21/27.yaml``."""
    date: date
    """Date of the letter, ISO form (``2021-07-08``), in the year the reference's two digits
    stand for: the latest year that ends in them, up to next year."""
    place: str
    """Place of writing, printed before the date (``Genève``)."""
    subject: str
    """Subject, printed after its label ("Objet:" in French, "Subject:" in English)."""
    salutation: str
    """Opening salutation (``Madame, Monsieur,``)."""
    body: str
    """The letter's text, in Markdown."""
    signatories: tuple[Signatory, ...]
    """One or more signatories."""
    recipients: tuple[str, ...] = ()
    """Recipients, one item each."""
    contact: tuple[Contact, ...] = ()
    """One contact, or a list of contacts."""
    reference_label: str | None = None
    """Words printed before the reference inside the reference line (``Lettre circulaire``)."""
    department: str | None = None
    """Issuing department, printed above the date (``Secrétariat général (SG)``)."""
    closing: str | None = None
    """Closing formula, its own paragraph after the body; leave it out when the last paragraph of
    the body already closes the letter."""
    annexes: tuple[Annex, ...] = ()
    """Annexes, printed after the letter, each on its own page in DOCX and PDF."""
    organization: str | None = None
    """Issuing organization, the author of the DOCX and PDF; defaults to the first signatory's."""
    language: str = "fr"
    """Language of the letter as a locale (``fr``, ``fr_CH``, ``en``): its dates, document
    language and house wording (labels, annex headings, signature mark)."""
    style: Style = field(default_factory=Style)
    """Layout options; see ``Style``."""
    ignore: tuple[str, ...] = ()
    """Lint codes silenced for this letter (``W101``)."""

    @property
    def parsed_reference(self) -> Reference:
        parsed = Reference.parse(self.reference)
        if parsed is None:  # validation guarantees it; a Letter built by hand may not
            raise ValueError(f"invalid reference {self.reference!r}")
        return parsed

    @property
    def author(self) -> str:
        """The issuing organization, for document metadata."""
        if self.organization:
            return self.organization
        for signatory in self.signatories:
            if signatory.organization:
                return signatory.organization
        return ""


@dataclass(frozen=True)
class SignatoryVersion:
    """A signatory in a translation: the words of their title, organization and mark; their
    name is the original's."""

    title: tuple[str, ...] = ()
    """Title, one line or a list of lines, in the translation's language."""
    organization: str | None = None
    """Organization, in the translation's language."""
    mark: str | None = None
    """The signature mark; left out, the original's mark in the translation's wording."""


@dataclass(frozen=True)
class StyleVersion:
    """What a translation may say of the layout: its words, not its order or look."""

    labels: Labels = field(default_factory=Labels)
    """Header words in the translation's language, such as ``phone: Tel.``."""


@dataclass(frozen=True)
class Translation:
    """A letter in another language, in a spec of its own beside the original
    (``letters/CL-21/27.en.yaml`` beside ``letters/CL-21/27.yaml``): only its texts. The
    reference, date, contacts, signatories' names and style are the original's."""

    place: str
    """Place of writing, in the translation's language (``Geneva``)."""
    subject: str
    """Subject."""
    salutation: str
    """Opening salutation (``Dear Sir/Madam,``)."""
    body: str
    """The letter's text, in Markdown: as many paragraphs, lists and links as the original's."""
    signatories: tuple[SignatoryVersion, ...]
    """One entry per signatory of the original, in its order."""
    recipients: tuple[str, ...] = ()
    """Recipients, one item each."""
    reference_label: str | None = None
    """Words printed before the reference inside the reference line."""
    department: str | None = None
    """Issuing department."""
    closing: str | None = None
    """Closing formula."""
    annexes: tuple[Annex, ...] = ()
    """One per annex of the original, in its order."""
    organization: str | None = None
    """Issuing organization, for document metadata."""
    style: StyleVersion = field(default_factory=StyleVersion)
    """Header words; the rest of the style is the original's."""
    ignore: tuple[str, ...] = ()
    """Lint codes silenced for this translation."""
