"""The house wording of each language, from gettext catalogs read with Babel once per process.

Labels, annex headings, the signature mark and the words around them ("Réf.: ", "Genève, le")
are messages of ``locale/<language>/LC_MESSAGES/circulaire.po`` beside the templates, so that a
house corrects or adds a language by editing a catalog, not code. A catalog at the same place
in a user's templates folder overrides the packaged one message by message; a language without
a catalog has the msgids, which are the English wording.

Messages are Python format strings with named placeholders (``%(place)s, %(date)s``): the
letter's values are put in, never read as a format or as a template. Each catalog is checked
when it is read, so that a message the templates cannot format is an error naming its line.
"""

from __future__ import annotations

import dataclasses
import gettext
import hashlib
import io
import marshal
import os
import re
from collections.abc import Iterator
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import Any

from .errors import RenderError
from .model import Labels

DOMAIN = "circulaire"
"""The catalogs' name: ``circulaire.po``."""
LOCALE_FOLDER = "locale"
"""The folder of the catalogs, beside the templates."""


def N_(message: str) -> str:
    """A msgid written in Python, for Babel's extractor (``pybabel extract`` finds ``N_``)."""
    return message


LABELS = {
    "reference": N_("Ref"),
    "contact": N_("Contact"),
    "phone": N_("Tel"),
    "fax": N_("Fax"),
    "email": N_("E-mail"),
    "subject": N_("Subject"),
    "annex": N_("Annex"),
    "annexes": N_("Annexes"),
}
"""The msgid of each label (``model.Labels``), whose English it is."""
DRAFT = N_("DRAFT")
"""The mark of a draft's DOCX (``render --draft``); the PDF's template calls it itself."""

_PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>.)?", re.DOTALL
)
"""A conversion of a Python format string: ``%(name)s``, ``%s``, ``%%``, or a broken one."""


def catalog_path(folder: Path, language: str) -> Path:
    """Where the catalog of ``language`` lies under a templates folder."""
    return folder / LOCALE_FOLDER / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def candidates(language: str) -> list[str]:
    """The catalogs a letter's language looks for, the most specific first: ``fr_CH`` then
    ``fr``; ``zh_Hans_CN``, ``zh_Hans``, then ``zh``."""
    parts = language.replace("-", "_").split("_")
    return ["_".join(parts[:end]) for end in range(len(parts), 0, -1)]


class Wording:
    """The messages of one language as templates call them, with Jinja's newstyle gettext:
    ``_("%(place)s, %(date)s", place=..., date=...)`` is the message of the letter's language
    with the values put in; ``%%`` is a percent sign."""

    def __init__(self, translations: gettext.NullTranslations, msgids: set[str]) -> None:
        self.translations = translations
        messages = {msgid: translations.gettext(msgid) for msgid in msgids}
        """Each message of the catalogs, translated once: one lookup a call."""

        def gettext(message: str, /, **values: Any) -> str:
            translated: str = messages.get(message, message) % values
            return translated

        def ngettext(singular: str, plural: str, number: int, /, **values: Any) -> str:
            values.setdefault("num", number)  # as Jinja's newstyle ngettext does
            translated: str = translations.ngettext(singular, plural, number) % values
            return translated

        self.gettext, self.ngettext = gettext, ngettext
        self.variables = {"_": gettext, "gettext": gettext, "ngettext": ngettext}
        """What a render gives its templates: plain functions, not Jinja's ``pass_context``
        ones, which cost a new context for each call inside a loop."""
        self._labels: dict[Labels, Labels] = {}

    def labels(self, given: Labels) -> Labels:
        """A letter's labels: those its spec gives, and the catalog's for the others. Worked
        out once per process for each set of labels, since letters share them."""
        labels = self._labels.get(given)
        if labels is None:
            house = {
                name: self.gettext(msgid)
                for name, msgid in LABELS.items()
                if getattr(given, name) is None
            }
            labels = self._labels[given] = dataclasses.replace(given, **house)
        return labels


@cache
def wording(language: str, folders: tuple[Path, ...]) -> Wording:
    """The wording of ``language``: each catalog found under ``folders`` (the first wins,
    message by message: the user's templates, then the packaged ones) for each of the
    language's :func:`candidates`, then the msgids. Read once per process and language."""
    chain: gettext.NullTranslations = gettext.NullTranslations()
    found = [
        path
        for tag in candidates(language)
        for folder in folders
        if (path := catalog_path(folder, tag)).is_file()
    ]
    msgids: set[str] = set()
    for path in reversed(found):
        data, ids = _compiled(path)
        try:
            compiled = gettext.GNUTranslations(io.BytesIO(data))
        except (ValueError, SyntaxError) as exc:  # its Plural-Forms, which gettext evaluates
            raise RenderError(f"{path}: the catalog's header is not gettext's ({exc})") from None
        compiled.add_fallback(chain)
        chain = compiled
        msgids.update(ids)
    return Wording(chain, msgids)


@cache
def _compiled(path: Path) -> tuple[bytes, frozenset[str]]:
    """A catalog checked and compiled to the MO format in memory (with Babel's ``write_mo``),
    and its msgids: fuzzy and untranslated messages are left out, so that they fall back to
    the next catalog. What an earlier process compiled of the same text is taken from the
    cache folder of templates (:func:`_kept`): Babel's catalog reader and its imports were a
    tenth of a cold render."""
    data = _catalog_bytes(path)
    kept = _kept(data)
    found = kept.load() if kept is not None else None
    if found is not None:
        return found
    from babel.messages.mofile import write_mo

    catalog = _read_po(data, path)
    problems = list(check(catalog))
    if problems:
        raise RenderError(f"{path}:{problems[0]}")
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    compiled = buffer.getvalue(), frozenset(m.id for m in catalog if isinstance(m.id, str) and m.id)
    if kept is not None:
        kept.save(compiled)
    return compiled


class _Kept:
    """A compiled catalog in a file of the cache folder, named after the hash of its text."""

    def __init__(self, path: str) -> None:
        self.path = path

    def load(self) -> tuple[bytes, frozenset[str]] | None:
        """The catalog compiled, or ``None``: none kept, or a file that is not one."""
        try:
            with open(self.path, "rb") as handle:
                data, ids = marshal.load(handle)
        except (OSError, EOFError, ValueError, TypeError):
            return None
        if not isinstance(data, bytes) or not isinstance(ids, tuple):
            return None
        if not all(isinstance(msgid, str) for msgid in ids):
            return None
        return data, frozenset(ids)

    def save(self, compiled: tuple[bytes, frozenset[str]]) -> None:
        """Written beside, then renamed: two processes compiling it at once keep one whole."""
        temporary = f"{self.path}.{os.getpid()}.tmp"
        with suppress(OSError):
            with open(temporary, "wb") as handle:
                marshal.dump((compiled[0], tuple(sorted(compiled[1]))), handle)
            os.replace(temporary, self.path)
        with suppress(OSError):
            os.unlink(temporary)


def _kept(data: bytes) -> _Kept | None:
    """Where the catalog of text ``data`` is kept compiled: in the folder where Jinja keeps
    this user's compiled templates (one only they can write), under a hash of the text, of
    this module and of Babel's version; ``None`` when there is no such folder."""
    import babel

    folder = _cache_folder()
    if folder is None:
        return None
    key = hashlib.sha256(Path(__file__).read_bytes())
    key.update(f"|{babel.__version__}|".encode())
    key.update(data)
    return _Kept(os.path.join(folder, f"circulaire-catalog-{key.hexdigest()[:32]}.cache"))


def _cache_folder() -> str | None:
    from jinja2 import FileSystemBytecodeCache

    try:
        return FileSystemBytecodeCache().directory
    except (RuntimeError, OSError):
        return None


def read_catalog(path: Path) -> Any:
    """A ``.po`` file as a Babel catalog, or a :class:`RenderError` naming the file."""
    return _read_po(_catalog_bytes(path), path)


def _catalog_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RenderError(f"{path}: the catalog cannot be read ({exc.strerror})") from None


def _read_po(data: bytes, path: Path) -> Any:
    from babel.messages.pofile import PoFileError, read_po

    try:
        return read_po(io.BytesIO(data), domain=DOMAIN, abort_invalid=True)
    except PoFileError as exc:  # its line is counted from 0, its message ends "on <line>"
        message = str(exc).rsplit(" on ", 1)[0]
        raise RenderError(f"{path}:{exc.lineno + 1}: not a gettext catalog ({message})") from None
    except (UnicodeDecodeError, LookupError) as exc:
        raise RenderError(f"{path}: the catalog is not in its charset ({exc})") from None


def check(catalog: Any) -> Iterator[str]:
    """Every translated message the templates could not format, as ``line: msgid: problem``:
    a placeholder the msgid does not have, one without a name, a lone ``%``."""
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        names = {name for text in ids for name in _names(text)}
        for string in strings:
            if not string:
                continue
            problem = _format_problem(string, names)
            if problem:
                yield f"{message.lineno}: msgstr of {ids[0]!r}: {problem}"


def _names(text: str) -> set[str]:
    return {m["name"] for m in _PLACEHOLDER.finditer(text) if m["name"] is not None}


def _format_problem(string: str, names: set[str]) -> str | None:
    for match in _PLACEHOLDER.finditer(string):
        if match["type"] == "%" and match["name"] is None:
            continue
        if match["type"] is None or match["type"] not in "diouxXeEfFgGcrsa":
            return f"'{match[0]}' is not a placeholder (write %% for a percent sign)"
        if match["name"] is None:
            return f"'{match[0]}' has no name (write one of the msgid's: {_listed(names)})"
        if match["name"] not in names:
            return f"'{match[0]}' is not a placeholder of the msgid ({_listed(names)})"
    return None


def _listed(names: set[str]) -> str:
    return ", ".join(f"%({name})s" for name in sorted(names)) or "it has none"
