"""``python -m vodcover_dev.demo`` (``make demo``): the whole story on this machine, in well under a minute.

Starts the local stack and then talks to it only as any client would, through the SigV4-signed
HTTP API: create an upload (``POST /videos``), PUT a generated 12 s sample (2 s black intro,
then distinct scenes) to the presigned URL, wait for ``Normal``, show the record and write the
snapshots, the cover and a contact sheet (cover outlined) to ``demo-output/``; then change the
cover by picking a snapshot (``PATCH``) and by uploading an image (``PUT .../cover``), and
batch-update more videos (``PATCH /videos``). No AWS account, no Docker.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vodcover_dev.api_client import ApiCallFailed, SignedApi
from vodcover_dev.local.stack import DEFAULT_USERS, LocalStack

SAMPLE = {"duration": 12.0, "width": 1280, "height": 720, "black_intro": 2.0, "gop": 25}  # 1 s keyframes
SAMPLE_SCENES = ("testsrc2", "mandelbrot", "smptebars", "zoneplate", "gradients")
PROCESSING_TIMEOUT_SECONDS = 300.0
COVER_OUTLINE = (255, 45, 149)  # hot pink: visible on black, bars and fractals alike
SHEET_COLUMNS = 4
THUMB_WIDTH = 320
NO_SUCH_VIDEO = "0000000000000000000000000000dead"


class DemoFailed(Exception):
    """The story did not end as told; the message says where it stopped."""


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


def show(label: str, value: Any) -> None:
    print(f"    {label:<18} {value}", flush=True)


def readable(value: Any) -> Any:
    """Presigned URLs shortened to their path: the signature is noise on a terminal."""
    if isinstance(value, dict):
        return {key: readable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [readable(item) for item in value]
    if isinstance(value, str) and value.startswith("http") and "X-Amz-Signature" in value:
        return value.split("?", 1)[0] + "?…(presigned)"
    return value


def cover_line(video: dict[str, Any]) -> str:
    cover = video.get("cover")
    if not cover:
        return "none"
    object_key = cover["url"].split("?", 1)[0].split("/", 4)[-1]
    return f"{cover['source']:<9} {cover['width']}x{cover['height']}  {object_key}"


# --- media -----------------------------------------------------------------------------
def make_sample(path: Path) -> Path:
    """A clip the default-cover rule must handle: black first, then distinct scenes."""
    from vodcover_dev.samples import make_sample_video

    return make_sample_video(path, scenes=SAMPLE_SCENES, **SAMPLE)  # type: ignore[arg-type]


def make_cover_image() -> bytes:
    """A 1280x720 PNG poster, as someone might design a cover."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1280, 720))
    draw = ImageDraw.Draw(image)
    for y in range(720):  # a dusk gradient
        draw.line([(0, y), (1279, y)], fill=(40 + y // 6, 30 + y // 12, 90 + y // 10))
    draw.ellipse((520, 260, 760, 500), fill=(255, 170, 60))
    draw.text(
        (80, 580),
        "vodcover demo · a cover I made",
        fill=(255, 255, 255),
        font=ImageFont.load_default(size=48),
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


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


def download_snapshots(api: SignedApi, video: dict[str, Any], out: Path) -> tuple[list[Snapshot], Path]:
    cover_object = video["cover"]["url"].split("?", 1)[0]
    snapshots = []
    for item in video["snapshots"]:
        path = api.download(item["url"], out / "snapshots" / f"{item['index']:02d}.jpg")
        is_cover = item["url"].split("?", 1)[0] == cover_object
        snapshots.append(Snapshot(item["index"], float(item["time"]), path, is_cover))
    cover = api.download(video["cover"]["url"], out / f"cover{Path(cover_object).suffix}")
    return snapshots, cover


# --- the story -------------------------------------------------------------------------
def wait_for_normal(api: SignedApi, stack: LocalStack, video_id: str) -> dict[str, Any]:
    """Poll GET /videos/{id}, printing each status the video passes through."""
    deadline = time.monotonic() + PROCESSING_TIMEOUT_SECONDS
    seen = ""
    while True:
        video: dict[str, Any] = api.call("GET", f"/videos/{video_id}")
        if video["status"] != seen:
            seen = video["status"]
            print(f"    status  {seen}", flush=True)
        if seen == "Normal":
            return video
        if seen in ("ProcessFail", "UploadFail"):
            raise DemoFailed(f"processing ended in {seen}: {video.get('error')}")
        if time.monotonic() > deadline:
            raise DemoFailed(f"still {seen} after {PROCESSING_TIMEOUT_SECONDS:.0f}s")
        for failure in stack.failures:
            raise DemoFailed(f"{failure.function} failed {failure.attempts}x: {failure.error}")
        time.sleep(0.2)


def run(out: Path) -> int:
    started_all = time.monotonic()
    heading("vodcover demo: the whole story through the signed API, on this machine")
    started = step("Starting the local stack (embedded S3/DynamoDB, functions from template.yaml)…")
    with LocalStack(parameter_overrides={"LogLevel": "WARNING"}) as stack:
        done(started)
        access_key, secret = next(iter(DEFAULT_USERS.items()))
        api = SignedApi(stack.api_endpoint, access_key, secret, stack.region)
        show("API", f"{stack.api_endpoint}  (SigV4, service execute-api, as {access_key}:{secret})")
        show("S3", f"{stack.s3_endpoint}  (bucket {stack.bucket})")

        with tempfile.TemporaryDirectory(prefix="vodcover-demo-") as scratch:
            started = step(
                f"Generating a {SAMPLE['duration']:.0f} s {SAMPLE['width']}x{SAMPLE['height']} sample "
                f"({SAMPLE['black_intro']:.0f} s black intro, {len(SAMPLE_SCENES)} scenes)…"
            )
            sample = make_sample(Path(scratch) / "sample.mp4").read_bytes()
            done(started, f"{len(sample) / 1e6:.1f} MB")

        heading("1. Create an upload — POST /videos")
        ticket = api.call(
            "POST",
            "/videos",
            json_body={"title": "Demo: a day of test patterns", "fileName": "sample.mp4", "tags": ["demo"]},
            expect=201,
        )
        video_id = ticket["videoId"]
        show("videoId", video_id)
        show("upload", f"{ticket['upload']['method']} {readable(ticket['upload']['url'])}")
        show("headers", ticket["upload"]["headers"])

        heading("2. Upload the file to the presigned URL, wait for Normal")
        started = step(f"PUT {len(sample) / 1e6:.1f} MB (plain HTTP, as a browser would)…")
        api.upload(ticket, sample)
        done(started)
        started = step("The upload triggered the screenshot function; polling GET /videos/{id}…")
        video = wait_for_normal(api, stack, video_id)
        done(started)

        heading(f"3. The video — GET /videos/{video_id}")
        record = {key: value for key, value in video.items() if key != "snapshots"}
        print(json.dumps(readable(record), indent=2, ensure_ascii=False))
        print(f"    {len(video['snapshots'])} snapshots (index, time, size):")
        for item in video["snapshots"]:
            print(f"      #{item['index']}  {item['time']:6.2f}s  {item['width']}x{item['height']}")
        snapshots, cover = download_snapshots(api, video, out)
        sheet = contact_sheet(
            snapshots, out / "contact-sheet.jpg", f"vodcover demo · {video_id} · cover outlined"
        )
        chosen = next((s for s in snapshots if s.is_cover), None)
        if chosen is not None:
            show(
                "default cover",
                f"snapshot #{chosen.index} at {chosen.time:.2f}s (the black intro is skipped)",
            )

        heading("4. Pick another snapshot as the cover — PATCH /videos/{id} {coverSnapshot}")
        pick = next(s.index for s in reversed(snapshots) if not s.is_cover)
        before = video
        video = api.call("PATCH", f"/videos/{video_id}", json_body={"coverSnapshot": pick})
        show("before", f"v{before['version']}  {cover_line(before)}")
        show("after", f"v{video['version']}  {cover_line(video)}")
        picked = api.download(video["cover"]["url"], out / "cover-picked.jpg")

        heading("5. Upload your own image as the cover — PUT /videos/{id}/cover")
        poster = make_cover_image()
        before = video
        video = api.call("PUT", f"/videos/{video_id}/cover", data=poster, content_type="image/png")
        show("sent", f"a {len(poster) / 1024:.0f} KB PNG (JPG/PNG, ≤ 1 MB, ≤ 1920x1080)")
        show("before", f"v{before['version']}  {cover_line(before)}")
        show("after", f"v{video['version']}  {cover_line(video)}")
        uploaded = api.download(video["cover"]["url"], out / "cover-uploaded.png")

        heading("6. Change several videos at once — PATCH /videos")
        others = [
            api.call(
                "POST", "/videos", json_body={"title": f"Draft {n}", "fileName": f"draft-{n}.mp4"}, expect=201
            )["videoId"]
            for n in (1, 2)
        ]
        show("created", ", ".join(others) + "  (two more uploads, files not sent yet)")
        updates = [
            {"videoId": others[0], "title": "Harbour at dawn", "tags": ["sea", "demo"]},
            {"videoId": others[1], "title": "Market day", "description": "Batch-updated"},
            {"videoId": NO_SUCH_VIDEO, "title": "Nobody's video"},
        ]
        for update in updates:
            show("update", json.dumps(update))
        result = api.call("PATCH", "/videos", json_body={"updates": updates})
        for key in ("updated", "nonExistVideoIds", "forbiddenVideoIds", "failed"):
            show(key, result[key])
        read = api.call("GET", "/videos", query={"ids": ",".join(others)})
        for item in read["videos"]:
            show("now", f"{item['videoId']}  v{item['version']}  {item['title']!r}  tags={item['tags']}")

        heading("Your library — GET /videos (newest first)")
        for item in api.call("GET", "/videos", query={"limit": "10"})["videos"]:
            title, status, version = item["title"], item["status"], item["version"]
            print(f"    {title:<30} {status:<10} v{version:<3} cover: {cover_line(item)}")

    heading("Files")
    print(f"  snapshots      {out / 'snapshots'}/ ({len(snapshots)} files)")
    print(f"  default cover  {cover}")
    print(f"  picked cover   {picked}")
    print(f"  uploaded cover {uploaded}")
    print(f"  contact sheet  {sheet}")
    took = time.monotonic() - started_all
    print(f"\n  The whole story took {took:.0f}s. Try it by hand: `vodcover local`, then docs/api.md.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vodcover_dev.demo", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path("demo-output"), help="where to write (default demo-output/)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show the stack's and functions' logs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)
    try:
        return run(args.out.resolve())
    except (DemoFailed, ApiCallFailed) as exc:
        print(f"\ndemo failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
