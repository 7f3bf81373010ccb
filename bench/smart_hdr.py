"""Smart cover on phone HDR: HEVC Main 10 HLG/PQ 1080p against the same content in H.264 (issue 17).

One 1080p30 clip of real photographs (slow pans with film grain, 2 s GOP, like the smart-cover
speed clip) is encoded as 8-bit H.264 and, from that master, as HEVC Main 10 BT.2020 in HLG and
PQ (:func:`vodcover_dev.phone_samples.make_hdr_video`, reference white at 203 nits as phones grade).
Each file is put into a local S3 (moto) and read through a presigned URL behind the
byte-counting proxy (``tests/support/counting_proxy.py``), as the smart job reads an upload.
Every repeat runs :func:`vodcover.media.smart.select_candidates` once per file, interleaved, each
in a fresh process (its wall and CPU time, ffmpeg children included, are its own; moto's CPU is
not counted). Reported per file: medians of wall time, CPU time, x realtime, bytes read and
requests; the HDR / H.264 ratios; and the mean colourfulness (Hasler & Süsstrunk) of the
candidates, which tone-mapped HDR must bring close to the H.264 ones (untreated HLG is grey).

Usage: ``.venv/bin/python bench/smart_hdr.py [--quick] [--repeats 3] [--json out.json]
[--merge bench/results/latest.json]``; ``--merge`` puts the result into a saved run as its
``smart_hdr`` section (then ``python -m bench.run --render`` rewrites BENCHMARKS.md).
Not a test: it prints numbers and asserts nothing.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import io
import json
import logging
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `python bench/smart_hdr.py`: bench and tests.support live here

from bench import smart_corpus  # noqa: E402
from bench.timing import Progress, json_from_worker  # noqa: E402
from vodcover.media.ffmpeg import run_ffmpeg  # noqa: E402
from vodcover_dev import phone_samples  # noqa: E402

CACHE = ROOT / "build" / "bench-cache" / "smart-hdr"
RECIPE_VERSION = 1
FULL = {"seconds": 60, "repeats": 3}
QUICK = {"seconds": 8, "repeats": 1}  # and HLG only: bench-quick stays short
FPS, GOP = 30, 60  # 2 s GOP, as the speed clip and phones
PHOTOS = ("Aqua", "Dune", "FreshFlower", "Garden", "LadyBird")  # mate-backgrounds, or stand-ins
VARIANTS = ("h264", "hevc-hlg", "hevc-pq")
QUICK_VARIANTS = ("h264", "hevc-hlg")
BASELINE = "h264"
COUNT = 5  # candidates, as the smart benchmark asks
TIMEOUT = 900.0
BUCKET = "vodcover-bench-hdr"
ORIGINS = ("moto", "file")  # local S3 with presigned URLs; a plain range server (S3-like cost per request)


# --- the clips -----------------------------------------------------------------------------------
def build_master(seconds: int, directory: Path = CACHE) -> Path:
    """``seconds`` of 1080p30 H.264 at ~8 Mb/s, 2 s GOP: pans over photographs with film grain."""
    target = directory / f"h264-1080p-{seconds}s-v{RECIPE_VERSION}.mp4"
    if target.exists():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    per = seconds / len(PHOTOS)
    args, chains = ["-y"], []
    for i, photo in enumerate(PHOTOS):
        args += ["-loop", "1", "-framerate", str(FPS), "-i", str(smart_corpus.photo_path(photo))]
        chains.append(
            f"[{i}:v]scale=w='max(1920*1.3,1080*1.3*iw/ih)':h=-2:flags=lanczos,"
            f"crop=1920:1080:'(iw-1920)*t/{per}':(ih-1080)/2,trim=duration={per},setpts=PTS-STARTPTS,"
            f"format=yuv420p,setsar=1[s{i}]"
        )
    inputs = "".join(f"[s{i}]" for i in range(len(PHOTOS)))
    graph = ";".join([*chains, f"{inputs}concat=n={len(PHOTOS)}:v=1:a=0,noise=alls=7:allf=t[v]"])
    partial = target.with_suffix(".tmp.mp4")
    args += ["-filter_complex", graph, "-map", "[v]", "-c:v", "libx264", "-preset", "veryfast",
             "-b:v", "8M", "-maxrate", "10M", "-bufsize", "16M", "-g", str(GOP), "-keyint_min", str(GOP),
             "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-r", str(FPS), "-movflags", "+faststart",
             str(partial)]  # fmt: skip
    run_ffmpeg(args, timeout=TIMEOUT, message="Encoding failed.")
    partial.rename(target)
    return target


def build_hdr(master: Path, target: Path, transfer: str) -> Path:
    """``master`` as a phone records HDR, at the master's bitrate and GOP (bytes compare fairly).

    The colour conversion is :func:`vodcover_dev.phone_samples.make_hdr_video`'s (BT.601-matrixed
    source, SDR white at 203 nits); x265's default rate (CRF 28) would make a file 30x smaller.
    """
    trc = phone_samples.HDR_TRANSFERS[transfer]
    partial = target.with_suffix(".tmp.mp4")
    run_ffmpeg(
        ["-y", "-i", str(master), "-map", "0:v:0",
         "-vf", f"zscale=tin=bt709:min=470bg:pin=bt709:rin=tv:t={trc}:m=bt2020nc:p=bt2020:r=tv:npl=203,"
         "format=yuv420p10le",
         "-c:v", "libx265", "-preset", "ultrafast", "-tag:v", "hvc1",
         "-b:v", "8M", "-maxrate", "10M", "-bufsize", "16M", "-g", str(GOP), "-keyint_min", str(GOP),
         "-x265-params",
         f"colorprim=bt2020:transfer={trc}:colormatrix=bt2020nc:scenecut=0:log-level=error",
         "-color_primaries", "bt2020", "-color_trc", trc, "-colorspace", "bt2020nc",
         "-movflags", "+faststart", str(partial)],
        timeout=TIMEOUT,
        message="Encoding failed.",
    )  # fmt: skip
    partial.rename(target)
    return target


def build_clips(seconds: int, variants: tuple[str, ...], progress: Progress | None = None) -> dict[str, Path]:
    """The H.264 master and its HEVC Main 10 HDR copies (cached in ``build/bench-cache``)."""
    if progress:
        progress.step(f"smart_hdr: {seconds} s 1080p clips in {CACHE.relative_to(ROOT)} (encoded once)")
    master = build_master(seconds)
    clips = {BASELINE: master}
    for variant in variants:
        if variant == BASELINE:
            continue
        target = master.with_name(master.name.replace("h264", variant))
        if not target.exists():
            if progress:
                progress.step(f"smart_hdr: encoding {target.name} (x265)")
            build_hdr(master, target, variant.removeprefix("hevc-"))
        clips[variant] = target
    return clips


# --- one run in its own process ------------------------------------------------------------------
def run_worker(url: str) -> dict[str, object]:
    """``select_candidates`` on ``url``: wall and CPU seconds, and the candidates' colourfulness."""
    from PIL import Image

    from vodcover.media.picture_measures import colourfulness
    from vodcover.media.smart import select_candidates

    def cpu() -> float:
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    cpu_before, started = cpu(), time.perf_counter()
    result = select_candidates(url, count=COUNT, timeout=TIMEOUT)
    wall, cpu_used = time.perf_counter() - started, cpu() - cpu_before
    colours = [colourfulness(Image.open(io.BytesIO(c.jpeg)).convert("RGB")) for c in result.candidates]
    return {
        "seconds": wall,
        "cpu_seconds": cpu_used,
        "duration": result.duration,
        "candidates": len(result.candidates),
        "times": [round(c.time, 2) for c in result.candidates],
        "colourfulness": statistics.mean(colours) if colours else None,
        "analysed": len(result.timeline),
        "junk": dict(collections.Counter(str(t.junk) for t in result.timeline if t.junk)),
        "colourfulness_by_time": {
            f"{c.time:.2f}": v for c, v in zip(result.candidates, colours, strict=True)
        },
    }


def run_in_subprocess(url: str) -> dict:
    result, last_line = json_from_worker([sys.executable, __file__, "--worker", url], timeout=TIMEOUT)
    if result is None:
        raise RuntimeError(f"worker failed: {last_line}")
    return result


# --- the measurement -----------------------------------------------------------------------------
def serve(clips: dict[str, Path]) -> tuple[object, dict[str, str]]:
    """A moto S3 holding every clip, and a presigned URL for each."""
    import boto3
    from moto.server import ThreadedMotoServer

    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"})
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    s3 = boto3.client("s3", endpoint_url=f"http://{host}:{port}", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    urls = {}
    for variant, path in clips.items():
        key = f"uploads/bench/{path.name}"
        s3.upload_file(str(path), BUCKET, key)
        urls[variant] = s3.generate_presigned_url(
            "get_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=7200
        )
    return server, urls


def measure(
    clips: dict[str, Path], repeats: int, progress: Progress, origins: tuple[str, ...] = ORIGINS
) -> dict[str, dict[str, list[dict]]]:
    """Interleaved repeats of every origin and variant through counting proxies; raw runs."""
    from urllib.parse import urlsplit

    from bench.snapshot_bytes import start_file_origin
    from tests.support.counting_proxy import CountingProxy

    with contextlib.ExitStack() as stack:
        urls: dict[str, dict[str, str]] = {}
        if "moto" in origins:
            server, urls["moto"] = serve(clips)
            stack.callback(server.stop)  # type: ignore[attr-defined]
        if "file" in origins:
            urls["file"] = {}
            for variant, path in clips.items():
                file_server, urls["file"][variant] = start_file_origin(path)
                stack.callback(file_server.shutdown)
        proxied: dict[tuple[str, str], tuple[CountingProxy, str]] = {}
        for origin, by_variant in urls.items():
            for variant, url in by_variant.items():
                parts = urlsplit(url)
                proxy = stack.enter_context(CountingProxy(parts.hostname or "127.0.0.1", parts.port or 80))
                proxied[origin, variant] = (proxy, proxy.rewrite(url))
        runs: dict[str, dict[str, list[dict]]] = {o: {v: [] for v in clips} for o in urls}
        for repeat in range(repeats):
            for (origin, variant), (proxy, url) in proxied.items():
                proxy.reset()
                run = run_in_subprocess(url)
                time.sleep(0.2)  # let the proxy's threads finish counting
                run |= {"bytes_read": proxy.bytes_sent, "requests": proxy.requests}
                runs[origin][variant].append(run)
                progress.step(
                    f"smart_hdr: {origin} {variant} repeat {repeat + 1}/{repeats}: {run['seconds']:.1f} s, "
                    f"{run['cpu_seconds']:.1f} CPU-s, {run['bytes_read'] / 1e6:.1f} MB read, "
                    f"colourfulness {run['colourfulness']:.1f}"
                )
    return runs


def untreated_colourfulness(path: Path, times: list[float]) -> float:
    """Mean colourfulness of plain ``ffmpeg -ss`` frames at ``times``, no tone mapping: the control."""
    from PIL import Image

    from vodcover.media.picture_measures import colourfulness

    values = []
    for at in times:
        out = run_ffmpeg(
            ["-ss", f"{at:.3f}", "-i", str(path), "-frames:v", "1", "-vf", "scale=480:-2",
             "-pix_fmt", "rgb24", "-f", "image2pipe", "-c:v", "ppm", "-"],
            timeout=120,
        ).stdout  # fmt: skip
        values.append(colourfulness(Image.open(io.BytesIO(out)).convert("RGB")))
    return round(statistics.mean(values), 1)


def summarise(clips: dict[str, Path], runs: dict[str, dict[str, list[dict]]]) -> dict[str, object]:
    """Per origin, medians per variant and each HDR variant's ratios to H.264."""
    first = next(iter(runs.values()))
    return {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "candidates_asked": COUNT,
        "repeats": len(first[BASELINE]),
        "video_seconds": first[BASELINE][0]["duration"],
        "by_origin": {origin: summarise_origin(clips, by_variant) for origin, by_variant in runs.items()},
    }


def same_time_colour_ratio(run: dict, base: dict) -> float | None:
    """Colourfulness ratio over the candidates both picked at the same time (like for like)."""
    ours, theirs = run["colourfulness_by_time"], base["colourfulness_by_time"]
    shared = sorted(set(ours) & set(theirs))
    if not shared:
        return None
    return round(sum(ours[t] for t in shared) / sum(theirs[t] for t in shared), 2)


def summarise_origin(clips: dict[str, Path], runs: dict[str, list[dict]]) -> dict[str, dict]:
    """Medians per variant, and each HDR variant's ratios to H.264 (time, CPU, bytes, colour)."""
    rows: dict[str, dict] = {}
    for variant, repeats in runs.items():
        median = {
            k: statistics.median(r[k] for r in repeats) for k in ("seconds", "cpu_seconds", "bytes_read")
        }
        duration = repeats[0]["duration"]
        size = clips[variant].stat().st_size
        rows[variant] = {
            "file_bytes": size,
            "video_seconds": round(duration, 2),
            "seconds": round(median["seconds"], 2),
            "seconds_all": [round(r["seconds"], 2) for r in repeats],
            "cpu_seconds": round(median["cpu_seconds"], 2),
            "x_realtime": round(duration / median["seconds"], 1),
            "x_realtime_per_cpu": round(duration / median["cpu_seconds"], 1),
            "bytes_read": int(median["bytes_read"]),
            "bytes_ratio": round(median["bytes_read"] / size, 4),
            "requests": int(statistics.median(r["requests"] for r in repeats)),
            "candidates": repeats[0]["candidates"],
            "analysed": repeats[0]["analysed"],
            "junk": repeats[0]["junk"],
            "times": repeats[0]["times"],
            "colourfulness": round(statistics.median(r["colourfulness"] for r in repeats), 1),
            "untreated_colourfulness": untreated_colourfulness(clips[variant], repeats[0]["times"]),
        }
    base = rows[BASELINE]
    for variant, row in rows.items():
        if variant == BASELINE:
            continue
        row["vs_h264"] = {
            "seconds": round(row["seconds"] / base["seconds"], 2),
            "cpu_seconds": round(row["cpu_seconds"] / base["cpu_seconds"], 2),
            "bytes_read": round(row["bytes_read"] / base["bytes_read"], 2),
            "colourfulness": round(row["colourfulness"] / base["colourfulness"], 2),
            "colourfulness_same_times": same_time_colour_ratio(runs[variant][0], runs[BASELINE][0]),
        }
    return rows


def run(progress: Progress, *, quick: bool, repeats: int | None = None) -> dict[str, object]:
    """The ``smart_hdr`` section of ``bench/run.py``: quick is a short clip, one repeat."""
    plan = QUICK if quick else FULL
    clips = build_clips(plan["seconds"], QUICK_VARIANTS if quick else VARIANTS, progress)
    runs = measure(clips, repeats or plan["repeats"], progress)
    return summarise(clips, runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK['seconds']} s clip, one repeat")
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--json", type=Path, help="write the section here")
    parser.add_argument("--merge", type=Path, help="put the section into this saved run (smart_hdr)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        args.worker_out.write_text(json.dumps(run_worker(args.worker)))
        return 0
    section = run(Progress(), quick=args.quick, repeats=args.repeats)
    print(json.dumps(section, indent=2))
    if args.json:
        args.json.write_text(json.dumps(section, indent=2) + "\n")
    if args.merge:
        saved = json.loads(args.merge.read_text())
        saved["smart_hdr"] = section
        args.merge.write_text(json.dumps(saved, indent=2) + "\n")
        print(f"merged into {args.merge}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
