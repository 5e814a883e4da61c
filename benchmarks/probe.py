"""A figure measured in a fresh Python: the program prints it, the benchmark reads it."""

from __future__ import annotations

import subprocess
import sys


def run_probe(code: str, *args: str, environment: dict[str, str] | None = None) -> float:
    """Run ``code`` with ``args`` in a fresh Python (in ``environment``, else this one's) and
    read the number it prints; its last line of error if it fails."""
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1])
    return float(result.stdout)
