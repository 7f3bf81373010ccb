"""Screenshots of the console for the README: ``python scripts/console_screenshots.py``.

Starts the local stack, fills a small library (a few generated clips, one still uploading, one
with a smart cover and a cover picked by hand), opens the console in Debian's Chromium and writes
``docs/images/console-library.png`` and ``docs/images/console-video.png`` (palette PNGs, so
they stay small enough to commit). ``tests/browser`` runs :func:`capture` too, so this script
keeps working.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "docs" / "images"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 820}
LIBRARY_FILE = "console-library.png"
VIDEO_FILE = "console-video.png"
# Titles and the generated scenes each clip shows (vodcover_dev.samples.SCENE_SOURCES).
CLIPS = (
    ("Harbour at dawn", ("mandelbrot", "testsrc2", "smptebars")),
    ("Test card, studio B", ("smptebars",)),
    ("Cellular automaton", ("cellauto",)),
    ("Colour spectrum sweep", ("colorspectrum",)),
    ("Zone plate calibration", ("zoneplate",)),
)


def seed_library(api_endpoint: str, session: requests.Session, work: Path) -> str:
    """Upload the clips, leave one video waiting for its upload; return the featured video's id."""
    from vodcover_dev.samples import make_sample_video

    session.post(
        f"{api_endpoint}/videos", json={"title": "Interview, raw footage", "fileName": "interview.mp4"}
    ).raise_for_status()
    ids = []
    for title, scenes in reversed(CLIPS):  # newest first in the library: the first clip leads
        path = make_sample_video(
            work / f"{len(ids)}.mp4", duration=8.0, width=640, height=360, scenes=scenes, gop=25
        )
        created = session.post(
            f"{api_endpoint}/videos",
            json={"title": title, "fileName": path.name, "fileSize": path.stat().st_size, "tags": ["demo"]},
        )
        created.raise_for_status()
        ticket = created.json()
        upload = ticket["upload"]
        requests.put(
            upload["url"], data=path.read_bytes(), headers=upload["headers"], timeout=60
        ).raise_for_status()
        ids.append(ticket["videoId"])
    for video_id in ids:
        wait_for(session, f"{api_endpoint}/videos/{video_id}", lambda v: v["status"] == "Normal")
    featured = ids[-1]
    session.post(f"{api_endpoint}/videos/{featured}/smart-cover").raise_for_status()
    wait_for(
        session,
        f"{api_endpoint}/videos/{featured}",
        lambda v: (v.get("smartCover") or {}).get("status") in {"Done", "Failed"},
    )
    session.patch(
        f"{api_endpoint}/videos/{featured}", json={"description": "Boats leaving before sunrise."}
    ).raise_for_status()
    return featured


def wait_for(session: requests.Session, url: str, done: Callable[[dict], bool], timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        video = session.get(url).json()
        if done(video):
            return video
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url}: still {video.get('status')} after {timeout}s")
        time.sleep(0.3)


def capture(browser: Any, console_url: str, video_id: str, out_dir: Path) -> list[Path]:
    """The library and one video's page, as a person first sees them."""
    out_dir.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1, reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto(f"{console_url}#/")
        page.locator(".card img").first.wait_for()
        page.wait_for_function("[...document.querySelectorAll('.card img')].every(i => i.complete)")
        boxes = page.get_by_role("checkbox")
        boxes.nth(min(1, boxes.count() - 1)).check()  # shows the batch selection bar too
        library = out_dir / LIBRARY_FILE
        _save(page.screenshot(), library)

        page.goto(f"{console_url}#/videos/{video_id}")
        page.locator("#current-cover").wait_for()
        page.wait_for_function("[...document.querySelectorAll('main img')].every(i => i.complete)")
        # The player's own loading spinner must be gone: metadata read, the network idle.
        page.wait_for_function(
            "(v => v && v.readyState >= 1 && v.networkState === 1)(document.querySelector('video'))"
        )
        page.locator(".frame-choice").nth(2).click()
        page.wait_for_timeout(1500)  # the player's controls fade their loading spinner out
        # The scrub preview: the storyboard tile for the time under the pointer.
        scrub = page.locator("#storyboard-scrub")
        scrub.wait_for()
        box = scrub.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] / 2)
        page.locator("#storyboard-tile").wait_for()  # visible, with its sheet as background
        page.wait_for_timeout(300)  # the sheet's picture
        video = out_dir / VIDEO_FILE
        _save(page.screenshot(full_page=True), video)
        return [library, video]
    finally:
        context.close()


def _save(png: bytes, path: Path) -> None:
    """A palette PNG: a third of the size, and screenshots of a UI lose nothing that shows."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        ).save(path, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"folder (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: run scripts/install_browser.sh", file=sys.stderr)
        return 2
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from playwright.sync_api import sync_playwright

    from vodcover_dev.local.stack import LocalStack

    class Signed(requests.auth.AuthBase):
        def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
            body = request.body.encode() if isinstance(request.body, str) else (request.body or b"")
            headers = (
                {"Content-Type": request.headers["Content-Type"]} if "Content-Type" in request.headers else {}
            )
            signed = AWSRequest(method=request.method, url=request.url, headers=headers, data=body)
            SigV4Auth(Credentials("local", "local-secret"), "execute-api", "us-east-1").add_auth(signed)
            request.headers.update(dict(signed.headers.items()))
            return request

    with LocalStack() as stack, tempfile.TemporaryDirectory() as work, sync_playwright() as playwright:
        session = requests.Session()
        session.auth = Signed()
        print("seeding the library…", file=sys.stderr)
        featured = seed_library(stack.api_endpoint, session, Path(work))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for path in capture(browser, stack.console_url, featured, args.out):
                print(f"{path}  {path.stat().st_size // 1024} KB")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
