"""Do 10-bit, HDR and 4:4:4 sources cost more than 8-bit for the same snapshots? (issue 17)

Encodes one piece of content (lavfi scenes, 720p, 1 s GOP as phones record) as 8-bit and
10-bit H.264, 8-bit and 10-bit HEVC, HLG HEVC Main 10 (tone-mapped by vodcover) and 4:4:4
HEVC, then times ``capture_snapshots`` (N snapshots, 1280 px) on each, interleaving the runs
so that load from elsewhere on the machine falls on all alike. Reports the median wall time
and the CPU seconds of the ffmpeg children, and each one's ratio to 8-bit of the same codec
(goal: ≤ 1.3x).

Usage: ``.venv/bin/python bench/snapshot_bit_depth.py [--count 8] [--rounds 5] [--keep DIR]``.
Not a test: it prints numbers, it asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.snapshots import capture_snapshots
from vodcover_dev import phone_samples, samples

WIDTH, HEIGHT, SECONDS, GOP = 1280, 720, 8, 25
VARIANTS = {  # name: (codec, pixel format) re-encoding the 8-bit H.264 master; "hlg" is HDR
    "h264 8-bit": ("libx264", "yuv420p"),
    "h264 10-bit": ("libx264", "yuv420p10le"),
    "hevc 8-bit": ("libx265", "yuv420p"),
    "hevc 10-bit": ("libx265", "yuv420p10le"),
    "hevc 4:4:4": ("libx265", "yuv444p"),
    "hevc HLG 10-bit": ("libx265", "hlg"),
}
BASELINE = {"libx264": "h264 8-bit", "libx265": "hevc 8-bit"}


def encode(master: Path, folder: Path, name: str, codec: str, pixel_format: str) -> Path:
    target = folder / (name.replace(" ", "-").replace(":", "") + ".mp4")
    if target.exists():
        return target
    if pixel_format == "hlg":
        return phone_samples.make_hdr_video(master, target, transfer="hlg", gop=GOP)
    flags = [*samples.CODEC_FLAGS[codec]]
    flags[flags.index("-pix_fmt") + 1] = pixel_format
    flags[flags.index("-preset") + 1] = "veryfast"
    run_ffmpeg(
        [
            "-y",
            "-i",
            str(master),
            *flags,
            "-g",
            str(GOP),
            "-crf",
            "20",
            "-movflags",
            "+faststart",
            str(target),
        ],
        timeout=600,
    )
    return target


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="vodcover-bitdepth-"))
    folder.mkdir(parents=True, exist_ok=True)
    master = folder / "master.mp4"
    if not master.exists():
        samples.make_sample_video(
            master, duration=SECONDS, width=WIDTH, height=HEIGHT, scenes=4, crf=16, preset="veryfast", gop=GOP
        )
    files = {name: encode(master, folder, name, *spec) for name, spec in VARIANTS.items()}
    wall: dict[str, list[float]] = {name: [] for name in files}
    cpu: dict[str, list[float]] = {name: [] for name in files}
    for _ in range(args.rounds):
        for name, path in files.items():
            started, cpu_before = time.perf_counter(), children_cpu()
            capture_snapshots(str(path), count=args.count, width=WIDTH, quality=85, timeout=600)
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(children_cpu() - cpu_before)
    print(f"{args.count} snapshots of {SECONDS} s {WIDTH}x{HEIGHT}, GOP {GOP} frames, {args.rounds} rounds")
    print(f"{'':<18} {'wall s':>8} {'ffmpeg CPU s':>13} {'x 8-bit (wall/CPU)':>20}")
    for name, (codec, _) in VARIANTS.items():
        base = BASELINE[codec]
        w, c = statistics.median(wall[name]), statistics.median(cpu[name])
        ratio = f"{w / statistics.median(wall[base]):.2f} / {c / statistics.median(cpu[base]):.2f}"
        print(f"{name:<18} {w:8.2f} {c:13.2f} {ratio:>20}")


if __name__ == "__main__":
    main()
