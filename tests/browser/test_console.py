"""The console, used as a person would: in Chromium, against the local stack, through the
signing proxy, with presigned uploads and images going straight to the embedded S3."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser.conftest import (
    PROCESSING_TIMEOUT_MS,
    Console,
    noise_png,
    plain_png,
    seed_video,
    signed_session,
    truncated_png,
)
from vodcover_dev.local.stack import LocalStack

pytestmark = pytest.mark.browser
TIMES = "\N{MULTIPLICATION SIGN}"  # how the page writes sizes
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
WIDER_THAN_VIEWPORT = """() => [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
    .slice(0, 5)
    .map((e) => `${e.tagName.toLowerCase()}.${e.className} right=${e.getBoundingClientRect().right}`)"""


def assert_no_sideways_scroll(page: Any, what: str) -> None:
    """Once the page has settled (images, polling), nothing is wider than the screen."""
    try:
        page.wait_for_function(f"{SIDEWAYS} <= 0", timeout=3000)
    except Exception:
        raise AssertionError(f"{what} scrolls sideways: {page.evaluate(WIDER_THAN_VIEWPORT)}") from None


CENTRE_COLOUR = """img => {
  const canvas = document.createElement("canvas");
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const context = canvas.getContext("2d");
  context.drawImage(img, 0, 0);
  return [...context.getImageData(img.naturalWidth >> 1, img.naturalHeight >> 1, 1, 1).data].slice(0, 3);
}"""


FILE_WIDTH = "async img => (await createImageBitmap(await (await fetch(img.currentSrc)).blob())).width"


def centre_colour(image: Any) -> tuple[int, int, int]:
    red, green, blue = image.evaluate(CENTRE_COLOUR)
    return red, green, blue


def assert_colour_near(found: tuple[int, int, int], expected: tuple[int, int, int]) -> None:
    assert max(abs(a - b) for a, b in zip(found, expected, strict=True)) <= 12, (found, expected)


def cover_key(page: Any) -> str:
    return page.locator("#current-cover").get_attribute("data-key")


# --- upload ---------------------------------------------------------------------------------
def test_upload_a_video_with_its_cover_and_watch_it_become_ready(
    console: Console, sample_video: Path, write_file
) -> None:
    # Given the upload page
    page = console.open("#/upload")

    # When a video is chosen, titled and uploaded
    page.set_input_files("#video-file", str(sample_video))
    expect(page.locator(".dropzone-chosen")).to_contain_text("harbour.mp4")
    page.fill("#upload-title", "Uploaded through the console")
    page.fill("#upload-tags", "harbour, test")
    page.get_by_label("Upload an image").check()
    page.set_input_files("#upload-cover-file", str(write_file("poster.png", plain_png(640, 360))))
    expect(page.locator(".cover-option .hint.ok")).to_contain_text("PNG")
    page.get_by_role("button", name="Upload", exact=True).click()

    # Then the progress bar fills, and the video turns Ready without a reload
    item = page.locator(".upload-item").first
    expect(item.locator(".upload-percent")).to_have_text("100%", timeout=PROCESSING_TIMEOUT_MS)
    expect(item).to_have_attribute("data-status", "Normal", timeout=PROCESSING_TIMEOUT_MS)
    expect(item.get_by_role("link", name="Open the video →")).to_be_visible()
    expect(item.locator(".upload-detail")).to_contain_text("Cover image poster.png applied")

    # And the library shows it with its cover, status and duration
    video_id = item.get_attribute("data-video-id")
    page.get_by_role("link", name="Library", exact=True).click()
    card = page.locator(f'.card[data-video-id="{video_id}"]')
    expect(card.locator(".card-title")).to_have_text("Uploaded through the console")
    expect(card.locator(".badge")).to_have_text("Ready")
    expect(card.locator(".duration")).to_have_text("0:05")
    expect(card.locator("img")).to_have_js_property("complete", True)
    # the uploaded image (640x360, one colour), shown through its srcset: a 320-px rendition fits
    # the card (issue 16)
    # (naturalWidth is scaled by the srcset density: the file's own width is what counts)
    assert card.locator("img").evaluate(FILE_WIDTH) == 320
    assert "/media/covers/" in card.locator("img").evaluate("img => img.currentSrc")
    assert_colour_near(centre_colour(card.locator("img")), (40, 90, 200))


def test_the_library_refreshes_a_processing_video_by_itself(
    console: Console, stack: LocalStack, api: requests.Session, sample_video: Path
) -> None:
    # Given a video created but not yet uploaded, shown in the library
    created = api.post(
        f"{stack.api_endpoint}/videos",
        json={"title": "Arrives later", "fileName": "later.mp4", "fileSize": sample_video.stat().st_size},
    ).json()
    page = console.open("#/")
    card = page.locator(f'.card[data-video-id="{created["videoId"]}"]')
    expect(card.locator(".badge")).to_have_text("Uploading")

    # When the file lands in S3 (another client uploads it)
    upload = created["upload"]
    requests.put(upload["url"], data=sample_video.read_bytes(), headers=upload["headers"]).raise_for_status()

    # Then the card turns Ready and gets its cover, without a reload
    expect(card.locator(".badge")).to_have_text("Ready", timeout=PROCESSING_TIMEOUT_MS)
    expect(card.locator("img")).to_be_visible()


def test_search_filters_loaded_videos_by_title(
    console: Console, stack: LocalStack, api: requests.Session
) -> None:
    for title in ("Searchable kestrel", "Searchable heron"):
        api.post(
            f"{stack.api_endpoint}/videos", json={"title": title, "fileName": "a.mp4"}
        ).raise_for_status()
    page = console.open("#/")
    expect(page.locator(".card", has_text="Searchable heron")).to_be_visible()

    page.get_by_label("Search videos by title").fill("KESTREL")

    expect(page.locator(".card:visible")).to_have_count(1)
    expect(page.locator(".card:visible .card-title")).to_have_text("Searchable kestrel")
    expect(page.locator("#search-note")).to_contain_text("1 match")


def test_the_library_pages_with_load_more(console: Console, stack: LocalStack, api: requests.Session) -> None:
    # Given more videos than one page holds (24)
    created = [
        api.post(f"{stack.api_endpoint}/videos", json={"title": f"Paged {n:02d}", "fileName": "p.mp4"}).json()
        for n in range(26)
    ]
    try:
        page = console.open("#/")
        expect(page.locator(".card")).to_have_count(24)
        expect(page.locator(".card").first.locator(".card-title")).to_have_text("Paged 25")

        # When the next page is asked for
        page.get_by_role("button", name="Load more").click()

        # Then older videos follow the first page
        expect(page.locator(".card", has_text="Paged 00")).to_be_visible()
        assert page.locator(".card").count() > 26 - 1
    finally:
        table = stack.client("dynamodb")
        for video in created:  # keep the other tests' libraries short
            table.delete_item(TableName=stack.table, Key={"videoId": {"S": video["videoId"]}})


# --- the video page ---------------------------------------------------------------------------
def test_pick_a_snapshot_as_cover_with_the_keyboard(console: Console, ready_video: dict) -> None:
    # Given a processed video with its automatic cover
    page = console.open(f"#/videos/{ready_video['videoId']}")
    expect(page.locator("#current-cover")).to_have_attribute("data-source", "snapshot")
    before = cover_key(page)
    snapshots = page.locator('input[name="snapshot"]')
    expect(snapshots).to_have_count(len(ready_video["snapshots"]))

    # When the first snapshot is picked, the arrow key moves to the second, and it is set
    snapshots.first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    expect(snapshots.nth(1)).to_be_checked()
    page.locator("#snapshots-heading").locator("xpath=../..").get_by_role(
        "button", name="Set as cover"
    ).click()

    # Then the current cover changes, chosen by the user, and it is said so
    expect(page.locator("#current-cover")).to_have_attribute("data-source", "user")
    assert cover_key(page) != before
    expect(page.locator(".cover-figure figcaption")).to_contain_text("Chosen by you")
    expect(page.locator("#announcer")).to_contain_text("snapshot #1")  # the second, index 1


def test_cover_from_the_current_player_time(console: Console, ready_video: dict) -> None:
    page = console.open(f"#/videos/{ready_video['videoId']}")
    video = page.locator("video")
    page.wait_for_function("document.querySelector('video')?.readyState >= 1")
    video.evaluate("v => { v.currentTime = 3.2; }")
    page.wait_for_function("Math.abs(document.querySelector('video').currentTime - 3.2) < 0.05")

    page.get_by_role("button", name="Use this frame as cover").click()

    expect(page.locator("#current-cover")).to_have_attribute("data-source", "user")
    expect(page.locator("#announcer")).to_contain_text("0:03.2")


def test_edit_title_description_and_tags(console: Console, shared_video: dict, api, stack) -> None:
    page = console.open(f"#/videos/{shared_video['videoId']}")
    expect(page.locator("#video-title")).to_have_value(shared_video["title"])

    page.fill("#video-title", "Harbour at dawn")
    page.fill("#video-description", "Boats leaving before sunrise.")
    page.fill("#video-tags", "harbour, dawn, harbour")
    page.get_by_role("button", name="Save details").click()

    expect(page.locator("h1")).to_have_text("Harbour at dawn")
    expect(page.locator("#video-tags")).to_have_value("harbour, dawn")
    stored = api.get(f"{stack.api_endpoint}/videos/{shared_video['videoId']}").json()
    assert (stored["title"], stored["description"], stored["tags"]) == (
        "Harbour at dawn",
        "Boats leaving before sunrise.",
        ["harbour", "dawn"],
    )


def test_upload_a_cover_image(console: Console, ready_video: dict, write_file) -> None:
    page = console.open(f"#/videos/{ready_video['videoId']}")
    before = cover_key(page)

    page.set_input_files("#cover-file", str(write_file("cover.png", plain_png(640, 360))))
    expect(page.locator(".file-check")).to_contain_text(f"640{TIMES}360")
    page.get_by_role("button", name="Upload as cover").click()

    expect(page.locator("#current-cover")).to_have_attribute("data-source", "user")
    assert cover_key(page) != before
    expect(page.locator(".cover-figure figcaption")).to_contain_text(f"640{TIMES}360")


def test_a_too_big_image_is_refused_before_it_is_sent(
    console: Console, shared_video: dict, write_file
) -> None:
    page = console.open(f"#/videos/{shared_video['videoId']}")
    big = noise_png(700, 700)
    assert len(big) > 1_048_576

    page.set_input_files("#cover-file", str(write_file("big.png", big)))

    problem = page.locator('.problems li[data-code="InvalidImage.TooLarge"]')
    expect(problem).to_contain_text("at most 1 MB")
    expect(page.get_by_role("button", name="Upload as cover")).to_be_disabled()

    # Too wide, though small: the dimensions are checked by decoding the image
    page.set_input_files("#cover-file", str(write_file("wide.png", plain_png(2400, 600))))
    expect(page.locator('.problems li[data-code="InvalidImage.Dimensions"]')).to_contain_text(
        f"2400{TIMES}600"
    )
    expect(page.get_by_role("button", name="Upload as cover")).to_be_disabled()


def test_the_servers_refusal_is_shown_with_its_code(console: Console, shared_video: dict, write_file) -> None:
    # Given a PNG whose header passes the page's checks but whose pixels cannot be decoded
    page = console.open(f"#/videos/{shared_video['videoId']}")
    page.set_input_files("#cover-file", str(write_file("broken.png", truncated_png())))
    expect(page.locator(".file-check")).to_contain_text(f"64{TIMES}64")
    send = page.get_by_role("button", name="Upload as cover")
    expect(send).to_be_enabled()

    # When it is sent
    send.click()

    # Then the server's code and message are shown, and the cover is unchanged
    alert = page.locator('[role="alert"][data-code="InvalidImage.Corrupt"]')
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(re.compile("could not be decoded|truncated"))
    expect(page.locator("#current-cover")).to_have_attribute("data-source", "snapshot")


# --- batch -------------------------------------------------------------------------------------
def test_batch_update_two_videos_from_the_library(
    console: Console, stack: LocalStack, api: requests.Session, sample_video: Path
) -> None:
    first = seed_video(stack, api, sample_video, "Batch one")
    second = seed_video(stack, api, sample_video, "Batch two")
    page = console.open("#/")

    # Given two videos selected in the library
    for video in (first, second):
        page.get_by_label(f"Select “{video['title']}”").check()
    expect(page.locator(".selection-bar")).to_contain_text("2 selected")
    page.get_by_role("button", name="Edit selected").click()

    # When the same snapshot becomes every cover and one title changes
    expect(page.locator(".batch-row")).to_have_count(2)
    page.get_by_label("Cover for every video").select_option(
        label="Snapshot #2"
    )  # the API's index, as coverSnapshot takes it
    page.get_by_role("button", name="Use for every video").click()
    page.locator(f'.batch-row[data-video-id="{second["videoId"]}"]').get_by_label("Title").fill(
        "Batch two, renamed"
    )
    page.get_by_role("button", name="Apply changes").click()

    # Then each row says it was updated
    expect(page.locator(".batch-summary")).to_have_text("2 updated.")
    for video in (first, second):
        row = page.locator(f'.batch-row[data-video-id="{video["videoId"]}"]')
        expect(row.locator(".batch-result")).to_have_attribute("data-result", "updated")
    stored = api.get(
        f"{stack.api_endpoint}/videos", params={"ids": f"{first['videoId']},{second['videoId']}"}
    )
    by_id = {v["videoId"]: v for v in stored.json()["videos"]}
    assert by_id[second["videoId"]]["title"] == "Batch two, renamed"
    assert {v["cover"]["source"] for v in by_id.values()} == {"user"}


def test_batch_results_name_missing_forbidden_and_failed_videos(
    console: Console, stack: LocalStack, api: requests.Session, ready_video: dict
) -> None:
    # Given a batch with the caller's video, someone else's, and one that never existed
    alice = signed_session("alice")
    theirs = alice.post(f"{stack.api_endpoint}/videos", json={"title": "Alice's", "fileName": "a.mp4"}).json()
    pending = api.post(
        f"{stack.api_endpoint}/videos", json={"title": "Not uploaded", "fileName": "b.mp4"}
    ).json()
    missing = "0" * 32
    ids = [ready_video["videoId"], pending["videoId"], theirs["videoId"], missing]
    page = console.open("#/batch/" + ",".join(ids))

    # Then the unreadable ones are named at once
    expect(page.locator(f'.batch-row[data-video-id="{missing}"] .batch-result')).to_have_attribute(
        "data-result", "missing"
    )
    expect(page.locator(f'.batch-row[data-video-id="{theirs["videoId"]}"] .batch-result')).to_have_attribute(
        "data-result", "forbidden"
    )

    # When every cover is set to the first snapshot
    mine = page.locator(f'.batch-row[data-video-id="{ready_video["videoId"]}"]')
    mine.get_by_label("Cover").select_option(index=1)
    not_uploaded = page.locator(f'.batch-row[data-video-id="{pending["videoId"]}"]')
    not_uploaded.get_by_label("Title").fill("Renamed while uploading")
    page.get_by_role("button", name="Apply changes").click()

    # Then the processed video is updated and the title change on the other too
    expect(mine.locator(".batch-result")).to_have_attribute("data-result", "updated")
    expect(not_uploaded.locator(".batch-result")).to_have_attribute("data-result", "updated")
    expect(page.locator(".batch-summary")).to_have_text("2 updated.")


# --- small screens ---------------------------------------------------------------------------------
def test_phone_width_layout(phone: Console, shared_video: dict) -> None:
    page = phone.open("#/")
    expect(page.locator(".card").first).to_be_visible()
    assert_no_sideways_scroll(page, "the library")
    columns = page.locator(".video-grid").evaluate(
        "g => getComputedStyle(g).gridTemplateColumns.split(' ').length"
    )
    assert columns == 2

    page.goto(phone.url + f"#/videos/{shared_video['videoId']}")
    expect(page.locator("#current-cover")).to_be_visible()
    assert_no_sideways_scroll(page, "the video page")
    player, cover = (page.locator(sel).bounding_box() for sel in (".player-frame", "#current-cover"))
    assert player and cover and cover["y"] > player["y"], "one column: the cover comes below the player"
    assert player["width"] <= 375


def test_console_api_refuses_calls_from_other_sites(stack: LocalStack) -> None:
    # The proxy signs for whoever reaches it: only the console's own calls may.
    url = f"{stack.console_url}api/videos"
    assert requests.get(url).status_code == 403
    foreign = requests.get(url, headers={"X-Vodcover-Console": "1", "Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert foreign.json()["error"]["code"] == "Console.Forbidden"
    assert requests.get(url, headers={"X-Vodcover-Console": "1"}).status_code == 200


def test_the_readme_screenshots_can_be_taken(
    browser, stack: LocalStack, shared_video: dict, tmp_path: Path
) -> None:
    """``scripts/console_screenshots.py`` makes docs/images/console-*.png with this same code."""
    import importlib.util

    from PIL import Image

    script = Path(__file__).resolve().parents[2] / "scripts" / "console_screenshots.py"
    spec = importlib.util.spec_from_file_location("console_screenshots", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    paths = module.capture(browser, stack.console_url, shared_video["videoId"], tmp_path)

    assert [p.name for p in paths] == ["console-library.png", "console-video.png"]
    for path in paths:
        with Image.open(path) as image:
            assert image.width == 1280 and image.height >= 800
        assert path.stat().st_size < 600_000


# --- embedding (issue 16) ----------------------------------------------------------------------
def test_the_cover_comes_with_renditions_a_placeholder_and_an_embed_url_to_copy(
    console: Console, shared_video: dict
) -> None:
    # Given a processed video's page
    page = console.open(f"#/videos/{shared_video['videoId']}")
    cover = page.locator("#current-cover")
    expect(cover).to_have_js_property("complete", True)

    # Then the cover picks its size from the renditions, WebP/AVIF where the browser takes them,
    # with the inline placeholder painted behind it
    jpeg_srcset = cover.get_attribute("srcset") or ""
    assert "320w" in jpeg_srcset and ".jpg" in jpeg_srcset
    sources = page.locator("picture source")
    types = {sources.nth(i).get_attribute("type") for i in range(sources.count())}
    assert "image/webp" in types
    assert "/media/covers/" in cover.evaluate("img => img.currentSrc")
    assert cover.get_attribute("data-placeholder") == "inline"
    assert "data:image/" in (cover.get_attribute("style") or "")

    # When the embed URL is copied
    embed_url = shared_video["cover"]["embedUrl"]
    expect(page.locator("#embed-url")).to_have_value(embed_url)
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=console.url.split("/console")[0]
    )
    page.get_by_role("button", name="Copy embed URL").click()

    # Then the clipboard holds it, and it shows the cover
    expect(page.get_by_text("Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == embed_url
    assert (
        requests.get(embed_url, timeout=30).content
        == requests.get(shared_video["cover"]["url"], timeout=30).content
    )
