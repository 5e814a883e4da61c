"""Benchmarks of `circulaire build` and `circulaire validate`, run by `make bench`.

Everything runs in a temporary folder, on synthetic archives varied from the real specs, through
the command line a user runs (so each figure includes the start of the program). Never a timed
test: figures depend on the machine, so they are printed (a Markdown table) and not asserted.

    python benchmarks/run.py            # about three minutes on two cores
    python benchmarks/run.py --help
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import floors, probe, synthetic
from benchmarks.synthetic import LETTERS

CIRCULAIRE = [sys.executable, "-m", "circulaire"]


RENDER_PROBE = """
import sys, time
from pathlib import Path
from circulaire.render import RenderOptions, renderer
from circulaire.validate import load_letter
specs = sorted(Path(sys.argv[1]).rglob("*.yaml"))[: int(sys.argv[3])]
formats = sys.argv[2].split(",")
renders = [renderer(fmt) for fmt in formats]
options = RenderOptions()
for render in renders:
    render(load_letter(specs[0]), options)
started = time.perf_counter()
for spec in specs:
    letter = load_letter(spec)
    for render in renders:
        render(letter, options)
print(time.perf_counter() - started)
"""
VERSION_PROBE = """
import dataclasses, sys, time
from pathlib import Path
from circulaire.render import RenderOptions, renderer
from circulaire.validate import load_letter
spec, fmt, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
render, options = renderer(fmt), RenderOptions()
render(load_letter(spec), options)
started = time.perf_counter()
for i in range(count):  # a subject of its own each time: Typst keeps what it typeset already
    letter = load_letter(spec)
    render(dataclasses.replace(letter, subject=f"{letter.subject} {i}"), options)
print((time.perf_counter() - started) / count)
"""
"""One letter loaded (a translation with its original) and rendered ``count`` times."""
FILES_PROBE = """
import os, sys, time
folder = sys.argv[1]
data = b"x" * 5000
started = time.perf_counter()
for i in range(4000):
    temporary, final = f"{folder}/.{i}.md.tmp", f"{folder}/{i}.md"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.write(descriptor, data)
    os.close(descriptor)
    os.replace(temporary, final)
print(time.perf_counter() - started)
"""


ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENT = dict(os.environ)
"""Where the subprocesses find circulaire: a snapshot of this checkout (see :func:`snapshot`)."""


def snapshot(scratch: Path) -> None:
    """Run a copy of the code and templates, so that an edit made while the benchmark runs
    (which rightly makes a build render everything again) does not spoil its figures. The
    copy is compiled, as an installed package is: where ``PYTHONDONTWRITEBYTECODE`` is set,
    every cold command would otherwise compile circulaire's modules again."""
    import compileall

    for part in ("src", "templates"):
        shutil.copytree(ROOT / part, scratch / part, ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(scratch / "src", quiet=1)
    ENVIRONMENT["PYTHONPATH"] = str(scratch / "src")


def make_archive(root: Path, count: int) -> Path:
    """A synthetic archive, written through to the disk before anything is timed: otherwise the
    build measured next pays for writing back the thousands of specs just generated."""
    synthetic.make_archive(root, count)
    os.sync()
    return root


def peak_memory(command: list[str]) -> tuple[int, int]:
    """Peak resident memory, in kB, of a command and of the largest of its descendants (what
    it prints is not kept: the script says how long it took)."""
    process = subprocess.Popen(
        command, env=ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    own = others = 0
    while process.poll() is None:
        tree = _descendants(process.pid)
        own = max(own, _high_water(process.pid))
        others = max([others, *(_high_water(pid) for pid in tree)])
        time.sleep(0.02)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed")
    return own, others


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, pending = [], list(children.get(pid, []))
    while pending:
        child = pending.pop()
        found.append(child)
        pending.extend(children.get(child, []))
    return found


def _high_water(pid: int) -> int:
    """VmHWM of a process, in kB; 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_probe(code: str, *args: str) -> float:
    return probe.run_probe(code, *args, environment=ENVIRONMENT)


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=ENVIRONMENT)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return elapsed


def build(archive: Path, dist: Path, formats: str, jobs: int) -> float:
    command = [*CIRCULAIRE, "build", str(archive), "-o", str(dist), "-f", formats]
    return timed([*command, "-j", str(jobs), "-q"])


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f} letters/s ({count} in {seconds:.2f} s)"


def cold_builds(archive: Path, dists: list[Path], formats: str, jobs: int) -> list[float]:
    """Seconds of a build into each (new) folder: a machine's disk and neighbours move one
    run by a tenth or more, so a figure is the median of several."""
    return [build(archive, dist, formats, jobs) for dist in dists]


def rates(count: int, runs: list[float]) -> str:
    """The median rate of several runs, and the slowest and fastest."""
    per_second = sorted(count / seconds for seconds in runs)
    median = statistics.median(per_second)
    if len(runs) == 1:
        return rate(count, runs[0])
    return (
        f"{median:,.0f} letters/s (median of {len(runs)}: {per_second[0]:,.0f} to"
        f" {per_second[-1]:,.0f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=10_000, help="archive for md+txt, no-op")
    parser.add_argument("--docx", type=int, default=1000, help="letters rendered to DOCX")
    parser.add_argument("--pdf", type=int, default=300, help="letters rendered to PDF")
    parser.add_argument("--pandoc", type=int, default=60, help="letters pandoc converts")
    parser.add_argument("--memory", default="100,1000,5000", help="archive sizes for memory")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=3, help="cold builds of each archive")
    parser.add_argument(
        "--only",
        default="archive,formats,memory",
        help="what to measure: archive (md+txt cold, no-op, one changed, their floors),"
        " formats (DOCX, PDF, pandoc, translations, cold commands), memory",
    )
    options = parser.parse_args()
    wanted = set(options.only.split(","))
    jobs = options.jobs
    rows: list[tuple[str, str]] = []
    figures: dict[str, float] = {}

    def report(what: str, figure: str) -> None:
        rows.append((what, figure))
        print(f"{what}: {figure}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="circulaire-bench-") as scratch:
        root = Path(scratch)
        snapshot(root / "code")
        archive = make_archive(root / "letters", options.letters)

        # What this file system takes to create files, just before the builds do: ext4 passes
        # over inodes freed in the last minutes, so that a large folder just deleted (a previous
        # run's) makes it several times slower for a while, and every build with it.
        files = root / "files"
        files.mkdir()
        seconds = run_probe(FILES_PROBE, str(files))
        report(
            "creating small files before the builds (open, write, rename; one process)",
            f"{4000 / seconds:,.0f} files/s",
        )

        if "archive" in wanted:
            # Markdown and text, the whole archive.
            dists = [root / f"dist-{run}" for run in range(1, options.runs + 1)]
            runs = cold_builds(archive, dists, "md,txt", jobs)
            figures["md,txt"] = statistics.median(options.letters / seconds for seconds in runs)
            report(f"md+txt, {options.letters:,} letters, cold build", rates(options.letters, runs))
            script = []
            for run in range(1, options.runs + 1):
                out = root / f"script-{run}"
                out.mkdir()
                script.append(
                    timed([sys.executable, "-c", floors.SCRIPT, str(archive), str(out), str(jobs)])
                )
            floor = statistics.median(options.letters / seconds for seconds in script)
            report(
                f"floor: a script of md+txt (PyYAML's C loader, two Jinja2 templates, {jobs}"
                " processes)",
                f"{rates(options.letters, script)}; circulaire {figures['md,txt'] / floor:.2f}x it",
            )
            dist = dists[0]
            noop = [build(archive, dist, "md,txt", jobs) for _ in range(5)]
            record = root / "stat-record.json"
            floors.stat_record(str(archive), str(record))
            stat = [
                timed([sys.executable, "-c", floors.STAT, str(archive), str(record)])
                for _ in range(5)
            ]
            noop_s, stat_s = statistics.median(noop), statistics.median(stat)
            report(
                f"no-op rebuild of {options.letters:,} letters (median of 5)",
                f"{noop_s:.2f} s; floor (stat every spec, in Python): {stat_s:.2f} s;"
                f" {noop_s / stat_s:.1f}x it",
            )
            # Five letters, each changed in turn (a line added at its end) and rebuilt.
            every = sorted(archive.rglob("*.yaml"))
            one_runs = []
            for run in range(5):
                changed = every[(options.letters // 2 + run * 997) % len(every)]
                changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
                one_runs.append(build(archive, dist, "md,txt", jobs))
            one = statistics.median(one_runs)
            alone = statistics.median(
                timed([*CIRCULAIRE, "render", str(changed), "-f", "md", "-o", str(root / "one.md")])
                for _ in range(5)
            )
            report(
                f"one spec changed among {options.letters:,}, rebuilt (median of 5)",
                f"{one:.2f} s; floor (render that letter alone): {alone:.3f} s;"
                f" {one / alone:.1f}x it",
            )

        if "formats" in wanted:
            # DOCX and PDF, on a sample of the archive.
            for fmt, count in (("docx", options.docx), ("pdf", options.pdf)):
                sample = make_archive(root / f"{fmt}-letters", count)
                try:
                    outputs = [root / f"{fmt}-dist-{run}" for run in range(1, options.runs + 1)]
                    runs = cold_builds(sample, outputs, fmt, jobs)
                    figures[fmt] = statistics.median(count / seconds for seconds in runs)
                    report(f"{fmt}, {count} letters", rates(count, runs))
                except RuntimeError as exc:
                    report(f"{fmt}, {count} letters", f"failed: {str(exc).splitlines()[-1]}")

            # What a user would otherwise script: pandoc, one process per letter, on the Markdown
            # of letters of the DOCX sample (letter i is the same in every synthetic archive): one
            # at a time, as a shell loop does, and as many at once as circulaire's jobs.
            pandoc = shutil.which("pandoc")
            docx_rate = figures.get("docx")
            if pandoc is None or "archive" not in wanted:
                why = "pandoc is not installed" if pandoc is None else "needs --only archive"
                report("pandoc md -> docx", why)
            else:
                sample = sorted((root / "docx-letters").rglob("*.yaml"))[: options.pandoc]
                markdown = [
                    dist / p.relative_to(root / "docx-letters").with_suffix(".md") for p in sample
                ]
                out = root / "pandoc"
                out.mkdir()

                def convert(path: Path) -> float:
                    target = out / f"{path.parent.name}-{path.stem}.docx"
                    return timed([pandoc, str(path), "-o", str(target)])

                for at_once in sorted({1, jobs}):
                    started = time.perf_counter()
                    with ThreadPoolExecutor(at_once) as pool:
                        list(pool.map(convert, markdown))
                    pandoc_rate = len(markdown) / (time.perf_counter() - started)
                    label = "one at a time" if at_once == 1 else f"{at_once} at once"
                    report(
                        f"pandoc md -> docx, one process per letter, {label}",
                        f"{pandoc_rate:,.0f} letters/s ({len(markdown)} letters)",
                    )
                    if docx_rate:
                        report(
                            f"DOCX: circulaire / pandoc {label}", f"{docx_rate / pandoc_rate:.1f}x"
                        )

            # Where the time goes: one process loading, validating and rendering, without writing;
            # and what this machine's file system takes to create the files, without rendering.
            sample = root / "docx-letters"
            count = min(300, len(list(sample.rglob("*.yaml"))))
            for formats in ("md,txt", "docx", "pdf"):
                try:
                    seconds = run_probe(RENDER_PROBE, str(sample), formats, str(count))
                    report(f"{formats}, one process, no disk", rate(count, seconds))
                    if formats in figures:
                        # This machine's ceiling for a build, whatever its speed: every worker
                        # rendering without pause, with no file to create and nothing to start.
                        ceiling = jobs * count / seconds
                        report(
                            f"{formats}: cold build as a share of {jobs} x one process",
                            f"{figures[formats] / ceiling:.0%} (of {ceiling:,.0f} letters/s)",
                        )
                except RuntimeError as exc:
                    report(f"{formats}, one process, no disk", f"failed: {exc}")

            # A translation against its original: loading both, merging, and its own wording.
            original = LETTERS / "CL-21" / "27.yaml"
            versions = sorted(original.parent.glob("27.*.yaml"))
            for fmt, count in (("md", 300), ("txt", 300), ("docx", 200), ("pdf", 30)):
                try:
                    french = run_probe(VERSION_PROBE, str(original), fmt, str(count))
                    costs = []
                    for spec in versions:
                        seconds = run_probe(VERSION_PROBE, str(spec), fmt, str(count))
                        costs.append(f"{spec.name.split('.')[1]} {seconds / french:.2f}x")
                    report(
                        f"{fmt}: a translation of CL-21/27, against the French original"
                        f" ({french * 1000:.2f} ms a letter)",
                        ", ".join(costs),
                    )
                except RuntimeError as exc:
                    report(f"{fmt}: a translation of CL-21/27", f"failed: {exc}")

            # The floor of a PDF: a page of text in Typst, with no template around it.
            try:
                typst_floor = run_probe(floors.TYPST, "30")
                report(
                    "floor: a minimal letter in Typst, one process",
                    f"{typst_floor * 1000:.1f} ms a letter",
                )
            except RuntimeError as exc:
                report("floor: a minimal letter in Typst", f"failed: {exc}")

            # Cold render of one letter to Markdown, beside Python's own start, run in turn.
            spec = LETTERS / "CL-21" / "27.yaml"
            render_md, bare = [], []
            for _ in range(7):
                render_md.append(timed([*CIRCULAIRE, "render", str(spec), "-f", "md"]))
                bare.append(timed([sys.executable, "-c", floors.NOTHING]))
            render_ms, bare_ms = statistics.median(render_md) * 1000, statistics.median(bare) * 1000
            report(
                "cold `circulaire render -f md` of one letter (median of 7)",
                f"{render_ms:.0f} ms; floor (Python alone): {bare_ms:.0f} ms;"
                f" {render_ms / bare_ms:.1f}x it",
            )

            # Cold start of validate on one file.
            cold = [timed([*CIRCULAIRE, "validate", str(spec)]) for _ in range(7)]
            cold_ms = statistics.median(cold) * 1000
            report(
                "cold `circulaire validate` of one file (median of 7)",
                f"{cold_ms:.0f} ms (Python alone: {bare_ms:.0f} ms)",
            )

        if "memory" in wanted:
            # Peak memory as the archive grows: the build, and the largest of its other processes
            # (workers, fork server), from their high-water marks in /proc.
            sizes = [int(n) for n in options.memory.split(",")]
            peaks: dict[int, tuple[int, int]] = {}
            for size in sizes:
                letters = make_archive(root / f"mem-{size}", size)
                command = [*CIRCULAIRE, "build", str(letters), "-o", str(root / f"mem-{size}-dist")]
                own, others = peak_memory([*command, "-f", "md,txt", "-j", str(jobs), "-q"])
                out = root / f"mem-{size}-script"
                out.mkdir()
                script_command = [sys.executable, "-c", floors.SCRIPT, str(letters), str(out)]
                floor_own, _ = peak_memory([*script_command, str(jobs)])
                peaks[size] = (own, floor_own)
                report(
                    f"peak memory, md+txt, {size:,} letters",
                    f"{own / 1024:.1f} MB (build), {others / 1024:.1f} MB (largest worker);"
                    f" the script: {floor_own / 1024:.1f} MB",
                )
            if len(sizes) > 1:
                low, high = min(sizes), max(sizes)
                per_letter = [(peaks[high][i] - peaks[low][i]) / (high - low) for i in (0, 1)]
                report(
                    f"memory a letter adds to the build process ({low:,} to {high:,} letters)",
                    f"{per_letter[0]:.1f} KB; the script: {per_letter[1]:.1f} KB",
                )

    print(f"\nOn {os.cpu_count()} cores, `--jobs {jobs}`, Python {sys.version.split()[0]}:\n")
    print("| Measure | Result |")
    print("| --- | --- |")
    for what, figure in rows:
        print(f"| {what} | {figure} |")


if __name__ == "__main__":
    main()
