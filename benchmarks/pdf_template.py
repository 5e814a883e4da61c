"""The PDF template's own cost per letter: circulaire's PDF beside the minimal Typst letter.

One process renders a synthetic sample to PDF (the letters loaded first: no YAML, no disk),
and another typesets the floor of :mod:`benchmarks.floors` (``TYPST``: a page of text in
Typst, no template around it). The template's own cost is the difference. With ``--against
REF``, the code and templates of a git revision are measured too, each round running REF,
this checkout and the floor one after the other, so that a machine shared with other work
slows them alike; the figures are medians of the rounds.

    python benchmarks/pdf_template.py                       # this checkout, 300 letters, 5 rounds
    python benchmarks/pdf_template.py --against main --rounds 7
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import floors, synthetic
from benchmarks.probe import run_probe

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import sys, time
from pathlib import Path
from circulaire.render import RenderOptions, renderer
from circulaire.validate import load_letter
specs = sorted(Path(sys.argv[1]).rglob("*.yaml"))[: int(sys.argv[2])]
letters = [load_letter(spec) for spec in specs]
render, options = renderer("pdf"), RenderOptions()
render(letters[0], options)  # Typst and its fonts loaded, as in any process past its first letter
started = time.perf_counter()
for letter in letters[1:]:
    render(letter, options)
print((time.perf_counter() - started) / (len(letters) - 1))
"""
"""Seconds a letter of ``render(letter, "pdf")``: the Typst source written, then typeset."""


def export(revision: str, folder: Path) -> Path:
    """The ``src`` and ``templates`` of a git revision, written under ``folder``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision, "src", "templates"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def probe(code: str, source: Path | None, *args: str) -> float:
    """Run ``code`` in a fresh Python, with circulaire from ``source``, and read its figure."""
    environment = dict(os.environ)
    if source is not None:
        environment["PYTHONPATH"] = str(source)
    return run_probe(code, *args, environment=environment)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=300, help="letters of the sample")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the medians are printed")
    parser.add_argument("--against", metavar="REF", help="a git revision measured beside this one")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="circulaire-pdf-") as scratch:
        root = Path(scratch)
        sample = synthetic.make_archive(root / "letters", options.letters)
        sides: dict[str, Path | None] = {}
        if options.against:
            sides[options.against] = export(options.against, root / "against")
        sides["this checkout"] = ROOT / "src"
        figures: dict[str, list[float]] = {name: [] for name in [*sides, "floor"]}
        for _ in range(options.rounds):
            for name, source in sides.items():
                figures[name].append(probe(PROBE, source, str(sample), str(options.letters)))
            figures["floor"].append(probe(floors.TYPST, None, str(options.letters)))

    floor = statistics.median(figures["floor"]) * 1000
    print(f"{options.letters} synthetic letters, median of {options.rounds} rounds\n")
    print("| measure | circulaire | floor | ratio | the template's own cost |")
    print("| --- | --- | --- | --- | --- |")
    for name in sides:
        ms = statistics.median(figures[name]) * 1000
        print(
            f"| a PDF, one process, no disk ({name}) | {ms:.1f} ms a letter"
            f" | {floor:.1f} ms | {ms / floor:.1f}x | {ms - floor:.1f} ms |"
        )
    print("\nEach round, in ms a letter:")
    for name, values in figures.items():
        print(f"- {name}: {', '.join(f'{value * 1000:.1f}' for value in values)}")


if __name__ == "__main__":
    main()
