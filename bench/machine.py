"""What the numbers were measured on: cores, memory, CPU, load, ffmpeg and Python versions."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

from vodcover.media.ffmpeg import run_ffmpeg


def _proc_field(path: str, name: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def memory_gib() -> float | None:
    text = _proc_field("/proc/meminfo", "MemTotal")
    return round(int(text.split()[0]) / 1024 / 1024, 1) if text[:1].isdigit() else None


def ffmpeg_version() -> str:
    result = run_ffmpeg(["-version"], timeout=30, check=False)
    first = result.stdout.decode(errors="replace").splitlines()[:1]
    return first[0].removeprefix("ffmpeg version ").split(" Copyright")[0] if first else "unknown"


def describe() -> dict[str, object]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cores": os.cpu_count(),
        "memory_gib": memory_gib(),
        "cpu": _proc_field("/proc/cpuinfo", "model name"),
        "os": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": sys.version.split()[0],
        "ffmpeg": ffmpeg_version(),
        "load_average_at_start": [round(x, 2) for x in load],
    }
