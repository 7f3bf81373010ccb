"""Covers people can embed (issue 16), through ``vodcover local`` as a user starts it, with URLs
at their shortest lifetime (``VODCOVER_URL_TTL_SECONDS=60``).

The local S3 emulator does not enforce presigned expiry, so nothing here leans on it: the answer's
image URLs must carry no signature at all, and they must still load in Chromium after the
lifetime has passed. ``embedUrl`` must follow a cover change within 60 s in a browser whose cache
already holds the old cover.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import blurhash
import pytest
import requests
from PIL import features

from tests.browser.conftest import plain_png
from tests.local.local_process import LocalProcess, local_stack_process, wait_until_answering
from tests.support.sigv4 import SigV4Auth
from vodcover.media.renditions import target_widths

pytestmark = [pytest.mark.browser, pytest.mark.media]

TTL_SECONDS = 60  # the minimum the settings allow
AUTH = SigV4Auth("local", "local-secret")
NEW_COVER = plain_png(640, 360, (220, 120, 20))

LOAD_ALL = """async (urls) => {
  const load = (url) => new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve([url, img.naturalWidth, img.naturalHeight]);
    img.onerror = () => resolve([url, 0, 0]);
    img.src = url;
  });
  return Promise.all(urls.map(load));
}"""
# What the browser would show for the URL now, through its HTTP cache (fetch's default mode).
DIGEST_OF = """async (url) => {
  const bytes = await (await fetch(url)).arrayBuffer();
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}"""


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalProcess]:
    home = tmp_path_factory.mktemp("embed-home")
    with local_stack_process(home, environment={"VODCOVER_URL_TTL_SECONDS": str(TTL_SECONDS)}) as running:
        wait_until_answering(running, AUTH)
        yield running


def processed_video(local: LocalProcess, path: Path) -> dict[str, Any]:
    created = requests.post(
        f"{local.endpoint}/videos",
        json={"title": "Embed me", "fileName": path.name, "fileSize": path.stat().st_size},
        auth=AUTH,
        timeout=30,
    )
    assert created.status_code == 201, created.text
    ticket = created.json()
    put = requests.put(ticket["upload"]["url"], data=path.read_bytes(), headers=ticket["upload"]["headers"])
    assert put.status_code == 200, put.text
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        video = requests.get(f"{local.endpoint}/videos/{ticket['videoId']}", auth=AUTH, timeout=30).json()
        if video["status"] in {"Normal", "ProcessFail", "UploadFail"}:
            assert video["status"] == "Normal", video
            return dict(video)
        time.sleep(0.3)
    raise AssertionError("the video was not processed in time")


def image_urls(video: dict[str, Any]) -> list[str]:
    cover = video["cover"]
    return [cover["url"], cover["embedUrl"], *(r["url"] for r in cover["renditions"])] + [
        s["url"] for s in video["snapshots"]
    ]


def expected_renditions(width: int, height: int) -> set[tuple[str, int, str]]:
    formats = ["jpeg", "webp"] + (["avif"] if features.check("avif") else [])
    crops = {"original": width, "1:1": min(width, height), "9:16": min(width, round(height * 9 / 16))}
    return {
        (aspect, w, fmt)
        for aspect, available in crops.items()
        for w in target_widths(available, (320, 640, 1280))
        for fmt in formats
    }


def assert_stable_urls(local: LocalProcess, video: dict[str, Any]) -> None:
    media = f"{local.endpoint}/media/"
    for url in image_urls(video):
        assert url.startswith(media), url
        assert "?" not in url and "X-Amz-" not in url, f"{url} is signed"
    assert video["cover"]["embedUrl"] == f"{media}embed/{video['videoId']}"
    # the video itself is never served unsigned
    assert "X-Amz-Signature" in video["sourceUrl"] and "/media/" not in video["sourceUrl"]


def assert_cache_headers(video: dict[str, Any]) -> None:
    embed = video["cover"]["embedUrl"]
    for url in image_urls(video):
        answer = requests.head(url, timeout=30)
        assert answer.status_code == 200, url
        if url == embed:
            assert answer.headers["Cache-Control"] == "public, max-age=30"
        else:
            assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable", url


def loaded(page: Any, urls: list[str]) -> dict[str, tuple[int, int]]:
    return {url: (w, h) for url, w, h in page.evaluate(LOAD_ALL, urls)}


def expected_sizes(video: dict[str, Any]) -> dict[str, tuple[int, int]]:
    cover = video["cover"]
    size = (cover["width"], cover["height"])
    sizes = {cover["url"]: size, cover["embedUrl"]: size}
    sizes |= {r["url"]: (r["width"], r["height"]) for r in cover["renditions"]}
    sizes |= {s["url"]: (s["width"], s["height"]) for s in video["snapshots"]}
    return sizes


def test_cover_urls_never_expire_and_embed_follows_a_change(
    local: LocalProcess, browser: Any, sample_video: Path
) -> None:
    # Given a processed video, answered with image URLs
    video = processed_video(local, sample_video)
    cover = video["cover"]

    # Then every image URL is unsigned under <api>/media/, cached for a year (embed: 30 s)
    assert_stable_urls(local, video)
    assert_cache_headers(video)
    # the renditions are the promised widths (never upscaled), formats and crops
    made = {(r["aspect"], r["width"], r["format"]) for r in cover["renditions"]}
    assert made == expected_renditions(cover["width"], cover["height"])
    for r in cover["renditions"]:
        ratio = {"original": cover["width"] / cover["height"], "1:1": 1.0, "9:16": 9 / 16}[r["aspect"]]
        assert abs(r["width"] / r["height"] - ratio) < 0.02, r
    # the placeholder decodes (reference algorithm, maintained package) and fits inline
    placeholder = cover["placeholder"]
    pixels = blurhash.decode(placeholder["blurhash"], 8, 6)
    assert len(pixels) == 6 and len(pixels[0]) == 8
    assert placeholder["dataUri"].startswith("data:image/") and len(placeholder["dataUri"]) <= 2048
    base64.b64decode(placeholder["dataUri"].split(",", 1)[1], validate=True)

    # And they load in Chromium, each at the size the answer gives
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{local.endpoint}/console/")  # an http page of the stack: a secure context
    assert loaded(page, image_urls(video)) == expected_sizes(video)
    assert (
        page.evaluate(DIGEST_OF, cover["embedUrl"])
        == hashlib.sha256(requests.get(cover["url"], timeout=30).content).hexdigest()
    )

    # When the cover changes
    changed = requests.put(
        f"{local.endpoint}/videos/{video['videoId']}/cover",
        data=NEW_COVER,
        headers={"Content-Type": "image/png"},
        auth=AUTH,
        timeout=60,
    )
    assert changed.status_code == 200, changed.text
    changed_at = time.monotonic()
    after = changed.json()

    # Then embedUrl is the same URL, and the browser (old cover in its cache) shows the new one
    # within 60 s
    assert after["cover"]["embedUrl"] == cover["embedUrl"]
    new_digest = hashlib.sha256(NEW_COVER).hexdigest()
    while page.evaluate(DIGEST_OF, cover["embedUrl"]) != new_digest:
        assert time.monotonic() - changed_at < 60, "embedUrl still showed the old cover after 60 s"
        time.sleep(2)
    # and the replaced cover's renditions are gone (nothing names them any more)
    for r in cover["renditions"]:
        assert requests.get(r["url"], timeout=30).status_code == 404
    context.close()

    # When the URL lifetime has passed
    time.sleep(max(0.0, changed_at + TTL_SECONDS + 2 - time.monotonic()))

    # Then every URL of the answer still loads, in a browser with nothing cached
    fresh = browser.new_context()
    page = fresh.new_page()
    page.goto(f"{local.endpoint}/console/")
    assert_stable_urls(local, after)
    assert loaded(page, image_urls(after)) == expected_sizes(after)
    assert loaded(page, [after["cover"]["embedUrl"]])[after["cover"]["embedUrl"]] == (640, 360)
    fresh.close()
