"""Smart cover: runs ``bench/smart_quality.py`` (the labelled corpus, vodcover vs the baselines).

That script owns the corpus, the methods and the metrics; this section runs it in a child
process (each method already runs in its own process there, for honest peak memory), relays its
progress, and takes the ``smart`` document it writes: ``x_realtime``, ``top1_good``,
``junk_rate``, ``scene_coverage``, ``dup_rate``, ``peak_rss_mb`` and ``baselines``. ``--quick``
skips the 5-minute 1080p speed clip and runs vodcover and the evenly spaced baseline only.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.timing import Progress

SCRIPT = Path(__file__).resolve().parent / "smart_quality.py"
QUICK_METHODS = "vodcover,even"
TIMEOUT_SECONDS = 3600


def run(progress: Progress, *, quick: bool) -> dict[str, object]:
    if not SCRIPT.exists():
        return {"not_available": f"{SCRIPT.name} is not in bench/ yet (the smart-cover benchmark)"}
    with tempfile.TemporaryDirectory(prefix="vodcover-smart-") as folder:
        output = Path(folder) / "smart.json"
        argv = [sys.executable, str(SCRIPT), "--json", str(output)]
        if quick:
            argv += ["--quick", "--methods", QUICK_METHODS]
        progress.step(f"smart: {SCRIPT.name}{' --quick' if quick else ''} (corpus cached in build/)")
        failure = relay(argv, progress)
        if failure or not output.exists():
            return {"not_available": failure or f"{SCRIPT.name} wrote no results"}
        document = json.loads(output.read_text())
    smart = document.get("smart")
    if not isinstance(smart, dict):
        return {"not_available": f"{SCRIPT.name} wrote no 'smart' section"}
    return smart


def relay(argv: list[str], progress: Progress) -> str | None:
    """Run ``argv``, turning each line it prints into a progress line; the failure, if any."""
    lines: list[str] = []
    with subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.strip():
                lines.append(line.rstrip())
                progress.step(f"smart: {line.rstrip()}")
        returncode = process.wait(timeout=TIMEOUT_SECONDS)
    if returncode != 0:
        return f"{SCRIPT.name} exited {returncode}: {' | '.join(lines[-2:])}"
    return None
