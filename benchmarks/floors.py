"""What a user could do without circulaire, measured beside it: the floors of its figures.

Each floor is a short program that does the least the measure needs (read the specs, render
two templates, write two files; stat every spec; typeset a minimal letter) with the same
libraries, so that a figure of circulaire reads as a ratio to what the machine can do, in the
same run, on the same files.
"""

from __future__ import annotations

NOTHING = "pass"
"""The floor of a cold command (``render -f md``, ``validate``): Python starting, with its
``site``, and doing nothing."""

SCRIPT = r'''
"""md+txt for every spec under a folder, in N processes: PyYAML's C loader and two Jinja2
templates, one file written per format, nothing checked."""
import os, sys, time
from multiprocessing import Pool
from pathlib import Path

import jinja2
import yaml

MD = jinja2.Template(
    "{{ place }}, {{ date }}\n\n{% for r in recipients %}- {{ r }}\n{% endfor %}\n"
    "Objet: **{{ subject }}**\n\n{{ salutation }}\n\n{{ body }}\n\n{{ closing }}\n\n"
    "{% for s in signatories %}**{{ s.name }}**  \n{{ s.title }}\n\n{% endfor %}"
)
TXT = jinja2.Template(
    "{{ place }}, {{ date }}\n\n{% for r in recipients %}{{ r }}\n{% endfor %}\n"
    "Objet: {{ subject }}\n\n{{ salutation }}\n\n{{ body }}\n\n{{ closing }}\n\n"
    "{% for s in signatories %}{{ s.name }}\n{{ s.title }}\n\n{% endfor %}"
)


def one(arguments):
    spec, out = arguments
    data = yaml.load(Path(spec).read_bytes(), Loader=yaml.CSafeLoader)
    target = Path(out) / Path(spec).parent.name
    target.mkdir(exist_ok=True)
    stem = Path(spec).stem
    (target / f"{stem}.md").write_text(MD.render(**data), encoding="utf-8")
    (target / f"{stem}.txt").write_text(TXT.render(**data), encoding="utf-8")


if __name__ == "__main__":
    source, out, jobs = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    started = time.perf_counter()
    specs = sorted(str(p) for p in source.rglob("*.yaml"))
    with Pool(jobs) as pool:
        pool.map(one, [(spec, out) for spec in specs], chunksize=64)
    print(time.perf_counter() - started)
'''
"""The script a user would write instead of ``circulaire build -f md,txt``."""

STAT = r'''
"""What a no-op rebuild cannot do with less: list the archive, stat every spec and compare
its size and time with what a record of the last build says."""
import json, os, sys, time

started = time.perf_counter()
record = json.loads(open(sys.argv[2], encoding="utf-8").read())
changed = 0


def walk(folder):
    global changed
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path)
            elif entry.name.endswith(".yaml"):
                st = entry.stat()
                if record.get(entry.path) != [st.st_size, st.st_mtime_ns]:
                    changed += 1


walk(sys.argv[1])
assert changed == 0, changed
print(time.perf_counter() - started)
'''
"""The floor of a no-op rebuild; its record is written by :func:`stat_record`."""

TYPST = r'''
"""A minimal letter in Typst, the same package circulaire uses: a paragraph of text."""
import sys, time
import typst

head = b"#set page(paper: \"a4\")\n#set text(lang: \"fr\")\nGen\xc3\xa8ve, le 8 juillet 2021\n\n"


def letter(i: int) -> bytes:
    """A page of its own each time: Typst keeps what it typeset already, paragraph by paragraph."""
    words = f"Lettre {i}, lorem ipsum dolor sit amet. ".encode() * 90
    return head + b"Madame, Monsieur,\n\n" + words + b"\n"


count = int(sys.argv[1])
compiler = typst.Compiler(ignore_system_fonts=True)  # fonts loaded once, as circulaire does
compiler.compile(letter(-1), format="pdf")
started = time.perf_counter()
for i in range(count):
    compiler.compile(letter(i), format="pdf")
print((time.perf_counter() - started) / count)
'''
"""The floor of a PDF: what Typst takes for a page of text with no template around it."""


def stat_record(archive: str, record: str) -> None:
    """The sizes and times of every spec, as the stat floor compares them."""
    import json
    import os

    found: dict[str, list[int]] = {}
    for folder, _, names in os.walk(archive):
        for name in names:
            if name.endswith(".yaml"):
                path = os.path.join(folder, name)
                st = os.stat(path)
                found[path] = [st.st_size, st.st_mtime_ns]
    with open(record, "w", encoding="utf-8") as handle:
        json.dump(found, handle)
