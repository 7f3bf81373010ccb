"""What the console says about snapshots and failures (issue 11, console rough edges).

- Snapshots carry the API's index (``coverSnapshot`` takes it), not a count from 1.
- A failed video's card shows its whole date and why it failed (code and message).
- An upload that never arrived shows as such: ``Upload expired`` / ``Upload.Expired``.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.browser.conftest import PROCESSING_TIMEOUT_MS, Console
from vodcover.domain import expiry
from vodcover.settings import StorageSettings, settings_for
from vodcover_dev.local.stack import LocalStack

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

# Whether an element's text is cut off (ellipsis, overflow) or leaves the box of its card.
CUT_OFF = """(element) => {
  const card = element.closest(".card").getBoundingClientRect();
  const box = element.getBoundingClientRect();
  const cut = element.scrollWidth > element.clientWidth + 0.5;
  return cut || box.width === 0 || box.right > card.right + 0.5 || box.left < card.left - 0.5;
}"""


def wait_for_status(stack: LocalStack, api: requests.Session, video_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + PROCESSING_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        video: dict[str, Any] = api.get(f"{stack.api_endpoint}/videos/{video_id}").json()
        if video["status"] in {"Normal", "ProcessFail", "UploadFail"}:
            return video
        time.sleep(0.2)
    raise AssertionError(f"{video_id} did not settle in time")


@pytest.fixture
def failed_video(stack: LocalStack, api: requests.Session) -> dict[str, Any]:
    """An upload of bytes that are no video: ProcessFail with a Media.* code."""
    created = api.post(
        f"{stack.api_endpoint}/videos", json={"title": "Not a video at all", "fileName": "broken.mp4"}
    ).json()
    put = requests.put(
        created["upload"]["url"], data=os.urandom(64 * 1024), headers=created["upload"]["headers"], timeout=30
    )
    assert put.status_code == 200
    video = wait_for_status(stack, api, created["videoId"])
    assert video["status"] == "ProcessFail" and video["error"]["code"].startswith("Media."), video
    return video


@pytest.fixture
def expired_upload(stack: LocalStack, api: requests.Session) -> dict[str, Any]:
    """An upload nobody finished, created longer ago than its URL lives plus the margin."""
    created = api.post(
        f"{stack.api_endpoint}/videos", json={"title": "Never sent", "fileName": "never.mp4"}
    ).json()
    long_ago = datetime.now(UTC) - timedelta(
        seconds=settings_for(StorageSettings).url_ttl_seconds + expiry.UPLOAD_MARGIN_SECONDS + 60
    )
    stack.client("dynamodb").update_item(
        TableName=stack.table,
        Key={"videoId": {"S": created["videoId"]}},
        UpdateExpression="SET createdAt = :t, updatedAt = :t, version = version + :one",
        ExpressionAttributeValues={":t": {"S": expiry.timestamp(long_ago)}, ":one": {"N": "1"}},
    )
    video: dict[str, Any] = api.get(f"{stack.api_endpoint}/videos/{created['videoId']}").json()
    assert (video["status"], video["error"]["code"]) == ("UploadFail", "Upload.Expired")
    return video


def card_of(page: Any, video: dict[str, Any]) -> Any:
    return page.locator(f'.card[data-video-id="{video["videoId"]}"]')


def test_snapshots_are_numbered_with_the_apis_index(console: Console, shared_video: dict[str, Any]) -> None:
    page = console.open(f"#/videos/{shared_video['videoId']}")
    captions = page.locator(".section-snapshots .frame-caption")
    expect(captions).to_have_count(len(shared_video["snapshots"]))
    for position, snapshot in enumerate(shared_video["snapshots"]):
        expect(captions.nth(position)).to_contain_text(f"#{snapshot['index']} ")
    expect(captions.first).to_contain_text("#0 ")


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 860}, {"width": 375, "height": 812}], ids=["desktop", "phone"]
)
def test_a_failed_videos_card_shows_its_whole_date_and_why_it_failed(
    console: Console, failed_video: dict[str, Any], viewport: dict[str, int]
) -> None:
    console.page.set_viewport_size(viewport)
    page = console.open("#/")
    card = card_of(page, failed_video)
    expect(card.locator(".badge")).to_have_text("Processing failed")
    reason = card.locator(".failure-reason")
    expect(reason).to_have_attribute("data-code", failed_video["error"]["code"])
    expect(reason).to_contain_text(failed_video["error"]["code"])
    expect(reason).to_contain_text(failed_video["error"]["message"])
    date = card.locator(".card-date")
    expect(date).to_contain_text(str(datetime.now(UTC).year))
    assert not date.evaluate(CUT_OFF), f"the date is cut off: {date.inner_text()!r}"
    assert not reason.evaluate(CUT_OFF), "the reason is cut off"


def test_an_expired_upload_says_so_in_the_library_and_on_its_page(
    console: Console, expired_upload: dict[str, Any]
) -> None:
    page = console.open("#/")
    card = card_of(page, expired_upload)
    expect(card.locator(".badge")).to_have_text("Upload expired")
    expect(card.locator(".badge")).to_have_attribute("data-code", "Upload.Expired")
    expect(card.locator(".failure-reason")).to_contain_text("Upload.Expired")

    card.locator(".card-link").click()
    alert = page.locator(".alert-error")
    expect(alert).to_have_attribute("data-code", "Upload.Expired")
    expect(alert).to_contain_text("The upload never arrived")
    expect(alert).to_contain_text(expired_upload["error"]["message"])
