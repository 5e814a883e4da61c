"""Whether a change leaves the PDFs as they were: the same bytes, else the same page images.

Renders every letter of ``letters/`` and a synthetic archive to PDF twice, with the code and
templates of a git revision and with this checkout (``circulaire build -f pdf``), then compares
each pair of files: the same bytes, or else the same pixels on every page (``pdftoppm -r 100``
from poppler-utils, each page as a PPM image, compared byte for byte), or else different, with
the pages that differ. Exits 1 when a letter looks different.

    python benchmarks/pdf_pages.py                    # against main, 60 synthetic letters
    python benchmarks/pdf_pages.py --against HEAD~3 --letters 300
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import synthetic
from benchmarks.pdf_template import export
from benchmarks.synthetic import LETTERS

ROOT = Path(__file__).resolve().parents[1]
RESOLUTION = "100"


def build(source: Path, archive: Path, out: Path) -> None:
    """``circulaire build -f pdf`` of an archive, with circulaire from ``source``."""
    environment = dict(os.environ, PYTHONPATH=str(source))
    command = [sys.executable, "-m", "circulaire", "build", str(archive), "-o", str(out)]
    subprocess.run([*command, "-f", "pdf"], env=environment, check=True, capture_output=True)


def page_images(pdf: Path, folder: Path) -> list[bytes]:
    """Each page of a PDF as the bytes of a PPM image, at :data:`RESOLUTION` pixels an inch."""
    folder.mkdir(parents=True)
    program = shutil.which("pdftoppm")
    if program is None:
        raise SystemExit("pdftoppm is not installed (apt-get install poppler-utils)")
    subprocess.run([program, "-r", RESOLUTION, str(pdf), str(folder / "page")], check=True)
    return [page.read_bytes() for page in sorted(folder.glob("page-*.ppm"))]


def compare(before: Path, after: Path, scratch: Path) -> tuple[str, list[str]]:
    """``bytes``, ``pixels`` or ``different`` (with what differs) for one pair of PDFs."""
    if before.read_bytes() == after.read_bytes():
        return "bytes", []
    old = page_images(before, scratch / "before")
    new = page_images(after, scratch / "after")
    if len(old) != len(new):
        return "different", [f"{len(old)} pages before, {len(new)} after"]
    pages = [f"page {n}" for n, (a, b) in enumerate(zip(old, new, strict=True), 1) if a != b]
    return ("different", pages) if pages else ("pixels", [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="REF", default="main", help="the revision before")
    parser.add_argument("--letters", type=int, default=60, help="letters of the synthetic archive")
    options = parser.parse_args()

    counts = {"bytes": 0, "pixels": 0, "different": 0}
    with tempfile.TemporaryDirectory(prefix="circulaire-pages-") as scratch:
        root = Path(scratch)
        synthetic_archive = synthetic.make_archive(root / "synthetic", options.letters)
        sources = {"before": export(options.against, root / "code"), "after": ROOT / "src"}
        for name, archive in (("letters", LETTERS), ("synthetic", synthetic_archive)):
            for side, source in sources.items():
                build(source, archive, root / side / name)
            for before in sorted((root / "before" / name).rglob("*.pdf")):
                relative = before.relative_to(root / "before")
                after = root / "after" / relative
                if not after.is_file():
                    counts["different"] += 1
                    print(f"{relative}: not made after")
                    continue
                verdict, where = compare(before, after, root / "pages" / relative)
                counts[verdict] += 1
                if verdict == "pixels":
                    print(f"{relative}: other bytes, the same page images")
                elif verdict == "different":
                    print(f"{relative}: looks different ({', '.join(where)})")
    total = sum(counts.values())
    print(
        f"{total} PDFs against {options.against}: {counts['bytes']} the same bytes,"
        f" {counts['pixels']} the same page images at {RESOLUTION} ppi,"
        f" {counts['different']} different"
    )
    sys.exit(1 if counts["different"] else 0)


if __name__ == "__main__":
    main()
