"""What a build is asked to do: the archive, the output folder, the formats, the shard.

Also the names of the files a build keeps beside the letters' outputs."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from .names import BUILDING, HTML_INDEX, INDEX, MANIFEST, STAMP

__all__ = [
    "BUILDING",
    "HTML_INDEX",
    "INDEX",
    "MANIFEST",
    "MANIFEST_NAME",
    "STAMP",
    "Settings",
    "Shard",
    "letter_of",
]

MANIFEST_NAME = re.compile(r"\A\.circulaire-manifest(?:\.([0-9]+)-of-([0-9]+))?\.json\Z")


def letter_of(key: str) -> str:
    """``CL-21/27.yaml`` -> ``CL-21/27``: the letter, whatever its spec's suffix."""
    return key.rsplit(".", 1)[0]


@dataclass(frozen=True)
class Shard:
    """Shard K of N: the letters whose key (``CL-21/27``) hashes to K-1 modulo N.

    CRC-32 of the spec's path in the archive is stable across machines and runs, and a letter
    keeps its shard when others are added or removed."""

    number: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = re.fullmatch(r"\s*([0-9]+)\s*/\s*([0-9]+)\s*", text)
        if not match:
            raise ValueError(f"'{text}' is not K/N (such as 1/4)")
        number, count = int(match[1]), int(match[2])
        if count < 1 or not 1 <= number <= count:
            raise ValueError(f"'{text}': K must be between 1 and N")
        return cls(number, count)

    def holds(self, key: str) -> bool:
        return zlib.crc32(letter_of(key).encode("utf-8")) % self.count == self.number - 1

    @property
    def suffix(self) -> str:
        return f".{self.number}-of-{self.count}"

    @property
    def manifest(self) -> str:
        return f".circulaire-manifest{self.suffix}.json"

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"


@dataclass(frozen=True)
class Settings:
    """What a build is asked to do."""

    source: Path
    """The archive folder (``letters/``)."""
    output: Path
    """The output folder (``dist/``); nothing is written outside it."""
    formats: tuple[str, ...]
    templates: Path | None = None
    reference_docx: Path | None = None
    shard: Shard | None = None
    force: bool = False
    draft: bool = False
    """Build the letters that still hold placeholders too, marked as drafts."""

    @property
    def manifest(self) -> Path:
        return self.output / (self.shard.manifest if self.shard else MANIFEST)

    @property
    def building(self) -> Path:
        return self.output / (BUILDING + (self.shard.suffix if self.shard else ""))
