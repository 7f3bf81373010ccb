"""The console's media-library jobs, used as a person would in Chromium against the local stack:
deleting (one video with a confirmation, several from the library), scrub previews from the
storyboard, and snapshots taken again with other settings."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser.conftest import PROCESSING_TIMEOUT_MS, Console, seed_video
from vodcover_dev.local.stack import LocalStack

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect
webvtt = pytest.importorskip("webvtt", reason="webvtt-py is not installed")


def video_answer(stack: LocalStack, api: requests.Session, video_id: str) -> requests.Response:
    return api.get(f"{stack.api_endpoint}/videos/{video_id}")


# --- delete ---------------------------------------------------------------------------------
def test_delete_from_the_video_page_asks_first_and_cancel_keeps_the_video(
    console: Console, stack: LocalStack, api: requests.Session, ready_video: dict
) -> None:
    video_id = ready_video["videoId"]
    page = console.open(f"#/videos/{video_id}")
    delete = page.get_by_role("button", name="Delete video")

    # When delete is asked for, a dialog names the video and starts on Cancel
    delete.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_accessible_name(f"Delete “{ready_video['title']}”?")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()

    # Then Cancel closes it, focus comes back, and the video is still there
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(delete).to_be_focused()
    assert video_answer(stack, api, video_id).status_code == 200

    # And Escape cancels as well
    delete.click()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert video_answer(stack, api, video_id).status_code == 200


def test_delete_from_the_video_page_removes_it_everywhere(
    console: Console, stack: LocalStack, api: requests.Session, ready_video: dict
) -> None:
    video_id = ready_video["videoId"]
    page = console.open(f"#/videos/{video_id}")

    page.get_by_role("button", name="Delete video").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete", exact=True).click()

    # Then the library is shown without it, and the API no longer knows it
    expect(page).to_have_url(f"{console.url}#/")
    expect(page.locator("h1")).to_have_text("Media library")
    expect(page.locator("#announcer")).to_contain_text(f"Deleted “{ready_video['title']}”")
    expect(page.locator(".video-grid .card").first).to_be_visible()
    expect(page.locator(f'.card[data-video-id="{video_id}"]')).to_have_count(0)
    gone = video_answer(stack, api, video_id)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "InvalidVideo.NotFound"


def test_a_refused_delete_shows_its_code_in_the_dialog(
    console: Console, stack: LocalStack, api: requests.Session, ready_video: dict
) -> None:
    video_id = ready_video["videoId"]
    page = console.open(f"#/videos/{video_id}")
    # Given the API refuses this delete (too many writers at once: the API's 409)
    refusal = {"error": {"code": "Conflict.ConcurrentUpdate", "message": "Retry.", "requestId": "r1"}}
    page.route(
        "**/api/videos/*",
        lambda route: (
            route.fulfill(status=409, json=refusal) if route.request.method == "DELETE" else route.continue_()
        ),
    )

    page.get_by_role("button", name="Delete video").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Delete", exact=True).click()

    # Then the dialog stays, says why with the code, and the video stays
    expect(dialog.get_by_role("alert")).to_have_attribute("data-code", "Conflict.ConcurrentUpdate")
    expect(dialog.get_by_role("button", name="Delete", exact=True)).to_be_focused()
    dialog.get_by_role("button", name="Cancel").click()
    assert video_answer(stack, api, video_id).status_code == 200


def test_batch_delete_from_the_library_shows_each_videos_result(
    console: Console, stack: LocalStack, api: requests.Session, sample_video: Path
) -> None:
    first = seed_video(stack, api, sample_video, "Delete one")
    second = seed_video(stack, api, sample_video, "Delete two")
    kept = seed_video(stack, api, sample_video, "Keep me")
    page = console.open("#/")

    # Given two videos selected in the library
    for video in (first, second):
        page.get_by_label(f"Select “{video['title']}”").check()
    page.get_by_role("button", name="Delete selected").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_accessible_name("Delete 2 videos?")
    expect(dialog.locator(".delete-row")).to_have_text([re.compile("Delete one"), re.compile("Delete two")])

    # When they are deleted
    dialog.get_by_role("button", name="Delete", exact=True).click()

    # Then each row says so, the dialog stays for the results, and the cards are gone
    expect(dialog.locator(".batch-summary")).to_have_text("2 deleted.")
    for video in (first, second):
        row = dialog.locator(f'.delete-row[data-video-id="{video["videoId"]}"]')
        expect(row.locator(".batch-result")).to_have_attribute("data-result", "deleted")
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    dialog.get_by_role("button", name="Close").click()
    expect(page.locator(".selection-bar")).to_be_hidden()
    for video in (first, second):
        expect(page.locator(f'.card[data-video-id="{video["videoId"]}"]')).to_have_count(0)
        assert video_answer(stack, api, video["videoId"]).status_code == 404
    expect(page.locator(f'.card[data-video-id="{kept["videoId"]}"]')).to_have_count(1)
    assert video_answer(stack, api, kept["videoId"]).status_code == 200


# --- storyboard -----------------------------------------------------------------------------
def cue_seconds(stamp: str) -> float:
    hours, minutes, rest = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def storyboard_cues(board: dict[str, Any]) -> list[tuple[float, float, int, tuple[int, int, int, int]]]:
    """(start, end, sheet, xywh) of each cue, read with webvtt-py as a player would."""
    text = requests.get(board["vtt"], timeout=30).text
    found = []
    for cue in webvtt.from_buffer(io.StringIO(text)):
        name, _, fragment = cue.text.partition("#xywh=")
        x, y, w, h = (int(v) for v in fragment.split(","))
        found.append(
            (cue_seconds(cue.start), cue_seconds(cue.end), int(name.removesuffix(".jpg")), (x, y, w, h))
        )
    return found


def test_the_scrub_preview_shows_the_storyboard_tile_of_the_hovered_time(
    console: Console, stack: LocalStack, api: requests.Session, shared_video: dict
) -> None:
    video_id = shared_video["videoId"]
    page = console.open(f"#/videos/{video_id}")
    scrub = page.get_by_label("Scrub with previews")
    expect(scrub).to_be_visible(timeout=PROCESSING_TIMEOUT_MS)  # once the storyboard is Done
    video = video_answer(stack, api, video_id).json()
    board, duration = video["storyboard"], video["media"]["duration"]
    cues = storyboard_cues(board)
    tile = page.locator("#storyboard-tile")

    for fraction in (0.1, 0.55, 0.9):
        # When the pointer rests over the slider at that fraction of its width
        box = scrub.bounding_box()
        page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2)
        expect(tile).to_be_visible()
        shown = float(tile.get_attribute("data-time"))
        assert shown == pytest.approx(fraction * duration, abs=duration * 0.02)

        # Then the tile is the region of the cue for that time, drawn from its sheet
        _, _, sheet, (x, y, w, h) = next(c for c in cues if c[0] <= shown < c[1])
        style = tile.evaluate(
            "t => ({pos: getComputedStyle(t).backgroundPosition, image: getComputedStyle(t).backgroundImage,"
            " width: t.offsetWidth, height: t.offsetHeight})"
        )
        assert style["pos"] == f"{-x}px {-y}px"
        assert board["sheets"][sheet].split("?")[0] in style["image"]
        assert (style["width"], style["height"]) == (w, h)

    # And by keyboard: the slider moves the player, and the preview follows its value
    scrub.focus()
    page.keyboard.press("End")
    expect(tile).to_have_attribute("data-xywh", ",".join(map(str, cues[-1][3])))
    page.wait_for_function(f"Math.abs(document.querySelector('video').currentTime - {duration}) < 0.5")


def test_a_video_without_a_storyboard_offers_to_make_one_and_shows_progress(
    console: Console, stack: LocalStack, api: requests.Session, ready_video: dict
) -> None:
    # Given a video recorded before storyboards were made (its record has none)
    video_id = ready_video["videoId"]
    stack.wait_idle(60)
    stack.client("dynamodb").update_item(
        TableName=stack.table, Key={"videoId": {"S": video_id}}, UpdateExpression="REMOVE storyboard"
    )
    assert video_answer(stack, api, video_id).json().get("storyboard") is None
    page = console.open(f"#/videos/{video_id}")
    expect(page.get_by_label("Scrub with previews")).to_be_hidden()

    # When the storyboard is asked for
    page.get_by_role("button", name="Make storyboard").click()

    # Then its progress shows, and then the scrub previews
    expect(page.locator(".storyboard-status")).to_contain_text("Making the storyboard")
    expect(page.get_by_label("Scrub with previews")).to_be_visible(timeout=PROCESSING_TIMEOUT_MS)
    expect(page.locator(".storyboard-status")).to_be_empty()
    board = video_answer(stack, api, video_id).json()["storyboard"]
    assert board["status"] == "Done"
    expect(page.locator(".storyboard-scrubber")).to_have_attribute(
        "data-cues", str(len(storyboard_cues(board)))
    )


# --- snapshot jobs ----------------------------------------------------------------------------
def test_snapshots_again_with_count_12_gives_12_snapshots(
    console: Console, stack: LocalStack, api: requests.Session, ready_video: dict
) -> None:
    video_id = ready_video["videoId"]
    page = console.open(f"#/videos/{video_id}")
    page.get_by_text("Take snapshots again").click()

    page.get_by_label("Count", exact=True).fill("12")
    page.get_by_label("Width (px)").fill("320")
    page.get_by_role("button", name="Take snapshots", exact=True).click()

    # Then the job's progress ends in 12 new snapshots on the page
    expect(page.locator(".snapshot-job-progress")).to_have_attribute(
        "data-status", "Done", timeout=PROCESSING_TIMEOUT_MS
    )
    expect(page.locator(".snapshot-job-progress")).to_contain_text("12 new snapshots taken.")
    expect(page.locator('input[name="snapshot"]')).to_have_count(12)
    stored = video_answer(stack, api, video_id).json()
    assert len(stored["snapshots"]) == 12 and {s["width"] for s in stored["snapshots"]} == {320}


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"Count": "3", "Offsets (s)": "1, 2"}, "InvalidParameter.Offsets"),  # offsets with a count
        ({"Offsets (s)": "1, 99"}, "InvalidParameter.Offsets"),  # past the end of a 5 s video
        ({"Interval (s)": "60"}, "InvalidParameter.Interval"),  # no instant within the video
        ({"Offsets (s)": "one"}, "InvalidParameter.Offsets"),  # not a number: said before sending
    ],
)
def test_a_bad_snapshot_combination_shows_its_code(
    console: Console, stack: LocalStack, api: requests.Session, shared_video: dict, fields: dict, code: str
) -> None:
    page = console.open(f"#/videos/{shared_video['videoId']}")
    before = [
        s["url"].split("?")[0] for s in video_answer(stack, api, shared_video["videoId"]).json()["snapshots"]
    ]
    page.get_by_text("Take snapshots again").click()
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Take snapshots", exact=True).click()

    alert = page.locator(".section-snapshot-job").get_by_role("alert")
    expect(alert).to_have_attribute("data-code", code)
    expect(alert).to_contain_text(code)
    after = [
        s["url"].split("?")[0] for s in video_answer(stack, api, shared_video["videoId"]).json()["snapshots"]
    ]
    assert after == before
