"""``python -m vodcover.demo`` (``make demo``): the whole story on this machine, in a minute.

Starts the local stack, makes a 12 s sample video with a 2 s black intro and several distinct
scenes, uploads it under ``uploads/`` like any client would, waits for the screenshot function
the upload triggers, then shows the video record and writes the snapshots, the cover and a
contact sheet (cover outlined) to ``demo-output/``. No AWS account, no Docker.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vodcover.local.stack import LocalStack, StackNotIdle

SAMPLE = {"duration": 12.0, "width": 1280, "height": 720, "black_intro": 2.0, "gop": 25}  # 1 s keyframes
SAMPLE_SCENES = ("testsrc2", "mandelbrot", "smptebars", "zoneplate", "gradients")
PROCESSING_TIMEOUT_SECONDS = 300.0
COVER_OUTLINE = (255, 45, 149)  # hot pink: visible on black, bars and fractals alike
SHEET_COLUMNS = 4
THUMB_WIDTH = 320


class DemoFailed(Exception):
    """The story did not end with a cover; the message says where it stopped."""


@dataclass(frozen=True)
class Snapshot:
    index: int
    time: float
    path: Path
    is_cover: bool


# --- output ----------------------------------------------------------------------------
def heading(title: str) -> None:
    print(f"\n== {title} " + "=" * max(3, 72 - len(title)), flush=True)


def step(message: str) -> float:
    print(f"  • {message}", flush=True)
    return time.monotonic()


def done(started: float, note: str = "") -> None:
    print(f"    done in {time.monotonic() - started:.1f}s{f' — {note}' if note else ''}", flush=True)


# --- the story -------------------------------------------------------------------------
def make_sample(path: Path) -> Path:
    """A clip the default-cover rule must handle: black first, then distinct scenes."""
    from vodcover.media.samples import make_sample_video

    return make_sample_video(path, scenes=SAMPLE_SCENES, **SAMPLE)  # type: ignore[arg-type]


def find_record(video_id: str, key: str) -> Any:
    """The record the screenshot job wrote: by the folder's id, else the key-derived one.

    Without a ``POST /videos`` first, the job names the video after its key (an "orphan"
    upload), so both ids are tried.
    """
    from vodcover import dependencies
    from vodcover.domain.keys import orphan_video_id

    repository = dependencies.video_repository()
    return repository.get(video_id) or repository.get(orphan_video_id(key))


def video_json(record: Any) -> dict[str, Any]:
    """The record as ``GET /videos/{id}`` answers it (presigned URLs on the local S3)."""
    from vodcover import dependencies
    from vodcover.api.views import video_view

    return video_view(record, dependencies.media_store().read_url)


def download(stack: LocalStack, record: Any, out: Path) -> tuple[list[Snapshot], Path | None]:
    s3 = stack.client("s3")
    cover_key = record.cover.key if record.cover else None
    snapshots = []
    for item in record.snapshots:
        path = out / "snapshots" / f"{item.index:02d}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(stack.bucket, item.key, str(path))
        snapshots.append(Snapshot(item.index, float(item.time), path, item.key == cover_key))
    cover_path = None
    if cover_key:
        cover_path = out / f"cover{Path(cover_key).suffix}"
        s3.download_file(stack.bucket, cover_key, str(cover_path))
    return snapshots, cover_path


def contact_sheet(snapshots: Sequence[Snapshot], path: Path, title: str) -> Path:
    """The snapshots in a grid with their times; the default cover outlined."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=18)
    title_font = ImageFont.load_default(size=22)
    thumbs = []
    for snapshot in snapshots:
        with Image.open(snapshot.path) as opened:
            image = opened.convert("RGB")
        height = round(image.height * THUMB_WIDTH / image.width)
        thumbs.append(image.resize((THUMB_WIDTH, height)))
    cell_h = max((t.height for t in thumbs), default=180)
    gap, caption, header = 16, 30, 52
    rows = (len(thumbs) + SHEET_COLUMNS - 1) // SHEET_COLUMNS
    columns = min(SHEET_COLUMNS, len(thumbs)) or 1
    sheet = Image.new(
        "RGB", (gap + columns * (THUMB_WIDTH + gap), header + rows * (cell_h + caption + gap)), (24, 24, 28)
    )
    draw = ImageDraw.Draw(sheet)
    draw.text((gap, 14), title, fill=(235, 235, 235), font=title_font)
    for position, (snapshot, thumb) in enumerate(zip(snapshots, thumbs, strict=True)):
        x = gap + (position % SHEET_COLUMNS) * (THUMB_WIDTH + gap)
        y = header + (position // SHEET_COLUMNS) * (cell_h + caption + gap)
        sheet.paste(thumb, (x, y))
        label = f"#{snapshot.index}  t = {snapshot.time:.2f}s"
        if snapshot.is_cover:
            draw.rectangle(
                (x - 5, y - 5, x + THUMB_WIDTH + 4, y + thumb.height + 4), outline=COVER_OUTLINE, width=5
            )
            label += "  · COVER"
        draw.text(
            (x, y + thumb.height + 6),
            label,
            fill=COVER_OUTLINE if snapshot.is_cover else (200, 200, 200),
            font=font,
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path, quality=90)
    return path


def run(out: Path) -> int:
    heading("vodcover demo: upload a video, get a cover — all on this machine")
    started = step("Starting the local stack (embedded S3/DynamoDB, functions from template.yaml)…")
    with LocalStack(parameter_overrides={"LogLevel": "WARNING"}) as stack:
        done(started)
        print(f"    API {stack.api_endpoint}   S3 {stack.s3_endpoint}   bucket {stack.bucket}")
        if "ScreenshotFunction" not in stack.template.functions:
            raise DemoFailed("template.yaml has no ScreenshotFunction")

        video_id = uuid.uuid4().hex
        key = f"uploads/{video_id}/sample.mp4"
        with tempfile.TemporaryDirectory(prefix="vodcover-demo-") as scratch:
            started = step(
                f"Generating a {SAMPLE['duration']:.0f} s {SAMPLE['width']}x{SAMPLE['height']} sample "
                f"({SAMPLE['black_intro']:.0f} s black intro, {len(SAMPLE_SCENES)} scenes)…"
            )
            sample = make_sample(Path(scratch) / "sample.mp4")
            done(started, f"{sample.stat().st_size / 1e6:.1f} MB")

            started = step(f"Uploading to s3://{stack.bucket}/{key} …")
            stack.client("s3").upload_file(
                str(sample), stack.bucket, key, ExtraArgs={"ContentType": "video/mp4"}
            )
            done(started)

        started = step("Waiting for the screenshot function the upload triggered…")
        try:
            stack.wait_idle(PROCESSING_TIMEOUT_SECONDS)
        except StackNotIdle as exc:
            raise DemoFailed(f"the screenshot function did not finish: {exc}") from exc
        done(started)
        for failure in stack.failures:
            print(f"    ! {failure.function} failed {failure.attempts}x: {failure.error}")

        record = find_record(video_id, key)
        if record is None:
            raise DemoFailed("no video record was written (see the log lines above)")
        heading(f"The video record (GET /videos/{record.video_id})")
        if record.video_id != video_id:
            print("  (no POST /videos came first, so the video is named after its key)")
        print(json.dumps(video_json(record), indent=2, ensure_ascii=False))
        if record.error is not None or not record.snapshots:
            raise DemoFailed(f"processing ended in {record.status}")

        heading("Files")
        snapshots, cover = download(stack, record, out)
        sheet = contact_sheet(
            snapshots, out / "contact-sheet.jpg", f"vodcover demo · {record.video_id} · cover outlined"
        )
    print(f"  snapshots      {out / 'snapshots'}/ ({len(snapshots)} files)")
    if cover is not None:
        print(f"  cover          {cover}")
    print(f"  contact sheet  {sheet}")
    chosen = next((s for s in snapshots if s.is_cover), None)
    if chosen is not None:
        print(f"\n  The default cover is snapshot #{chosen.index}, taken at {chosen.time:.2f}s.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vodcover.demo", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path("demo-output"), help="where to write (default demo-output/)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show the stack's and functions' logs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)
    try:
        return run(args.out.resolve())
    except DemoFailed as exc:
        print(f"\ndemo failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
