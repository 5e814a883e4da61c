"""The writing of a letter's language: its direction, and the fonts it needs from packages.

French, English, Spanish and Russian are written in the Latin and Cyrillic alphabets, which
the house fonts have. Arabic is written right to left, in letters of its own; Chinese in
ideographs, without spaces between words. The renderers ask here what a language needs, never
its code: direction from the locale's data (Babel, CLDR), fonts from the table below.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class FontPackage:
    """A font family that comes in a Python package, pinned like any other dependency."""

    family: str
    """The family's name, as a template names it (``Amiri``)."""
    distribution: str
    """The package, as pip installs it (``fontpkg-amiri``)."""
    module: str
    """Its import name, which holds the font files."""
    folder: str = ""
    """Where the font files are inside the module's folder."""
    extra: str | None = None
    """The extra of circulaire that installs it (``circulaire[chinese]``), when not a
    dependency of circulaire itself."""

    def location(self) -> Path | None:
        """The folder of the font files, or ``None`` when the package is not installed. The
        package is located, never imported: it holds no code circulaire needs."""
        try:
            spec = importlib.util.find_spec(self.module)
        except (ImportError, ValueError):
            return None
        if spec is None or not spec.submodule_search_locations:
            return None
        folder = Path(next(iter(spec.submodule_search_locations))) / self.folder
        return folder if folder.is_dir() else None

    def install(self) -> str:
        """How to install it."""
        if self.extra:
            return f"pip install 'circulaire[{self.extra}]'"
        return f"pip install {self.distribution}"


AMIRI = FontPackage("Amiri", "fontpkg-amiri", "fontpkg_amiri", "files")
"""Amiri, a Naskh face for Arabic after the Bulaq press's, with Latin letters made to go with
it (regular, bold, italic): SIL Open Font License, 1.7 MB."""
NOTO_SERIF_SC = FontPackage(
    "Noto Serif SC", "pylopdf-fonts-zh-cn", "pylopdf_fonts_zh_cn", extra="chinese"
)
"""Noto Serif SC (Source Han Serif), a Song face for Simplified Chinese, and Noto Sans SC, a
Hei face, in one package: SIL Open Font License, 20 MB, hence an extra."""


@dataclass(frozen=True)
class Writing:
    """How a language is written, as the DOCX and PDF renderers need to know it."""

    script: str
    """``Latin`` (and Cyrillic, Greek), ``Arabic``, ``Chinese``: which fonts a template
    chooses."""
    rtl: bool
    """Written right to left: paragraphs, runs and the page are mirrored."""
    fonts: tuple[FontPackage, ...] = ()
    """Fonts of the script that Typst does not have, each from a package."""
    tag: str = ""
    """The language as a tag with its region (``ar-EG``, ``zh-CN``): Word proofs Arabic and
    Chinese text in a language of a country."""

    @property
    def complex(self) -> bool:
        """Set in Word's complex-script fonts and sizes (``w:cs``): the scripts right to left."""
        return self.rtl

    @property
    def east_asian(self) -> bool:
        """Set in Word's East Asian fonts (``w:eastAsia``), with its line breaking."""
        return self.script == "Chinese"


SCRIPTS = {"ar": ("Arabic", (AMIRI,)), "zh": ("Chinese", (NOTO_SERIF_SC,))}
"""The languages written in a script that the house fonts lack, by language subtag."""


@cache
def writing(language: str) -> Writing:
    """How ``language`` (a locale: ``ar``, ``zh_Hans_CN``, ``fr_CH``) is written."""
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    identifier = language.replace("-", "_")
    subtag = identifier.split("_")[0].lower()
    script, fonts = SCRIPTS.get(subtag, ("Latin", ()))
    try:
        locale = Locale.parse(identifier)
    except (ValueError, UnknownLocaleError):  # validation refuses it; a Letter built by hand
        return Writing(script, rtl=False, fonts=fonts, tag=language)
    rtl = locale.character_order == "right-to-left"
    territory = locale.territory
    if territory is None:
        likely = get_global("likely_subtags").get(subtag, "")
        territory = next((part for part in likely.split("_")[1:] if len(part) == 2), None)
    tag = f"{locale.language}-{territory}" if territory else str(locale.language)
    return Writing(script, rtl=rtl, fonts=fonts, tag=tag)
