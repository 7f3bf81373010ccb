"""Repeated measurements on a noisy machine: medians, spreads, paired ratios, progress lines.

Every figure in the benchmark is the median of several runs, reported with its spread (min and
max). Comparisons are ratios of runs made side by side in the same repeat, so a slow moment of
the machine slows both sides.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def summary(values: Sequence[float], digits: int = 3) -> dict[str, object]:
    """``{"median", "min", "max", "runs"}`` of repeated measurements."""
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "runs": [round(v, digits) for v in values],
    }


def paired_ratio(numerators: Sequence[float], denominators: Sequence[float]) -> float:
    """Median of per-repeat ratios: each pair was measured in the same repeat."""
    return round(statistics.median(n / d for n, d in zip(numerators, denominators, strict=True) if d), 3)


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (``fraction`` in 0..1)."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


class Progress:
    """One line per step on stderr, stamped with the time since the benchmark started."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def step(self, text: str) -> None:
        elapsed = int(self.elapsed())
        print(f"[{elapsed // 60:02d}:{elapsed % 60:02d}] {text}", file=sys.stderr, flush=True)


def json_from_worker(argv: list[str], *, timeout: float | None = None) -> tuple[dict[str, Any] | None, str]:
    """Run ``argv --worker-out FILE`` in a fresh process: its JSON result (None if it failed), and
    the last line of its stderr.

    The result comes back through a file, not stdout: the product's logger writes JSON lines to
    stdout.
    """
    with tempfile.TemporaryDirectory(prefix="vodcover-bench-worker-") as folder:
        out = Path(folder) / "result.json"
        done = subprocess.run(
            [*argv, "--worker-out", str(out)], capture_output=True, text=True, check=False, timeout=timeout
        )
        last_line = next(iter(done.stderr.strip().splitlines()[-1:]), "")
        if done.returncode != 0 or not out.exists():
            return None, last_line
        return json.loads(out.read_text()), last_line
