"""The video page's cover history, used as a person would: the covers listed newest first, and an
earlier one restored with a click (PATCH {coverHistory}), in Chromium against the local stack."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.browser.conftest import Console, plain_png
from vodcover_dev.local.stack import LocalStack

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def test_the_history_lists_each_cover_and_restores_an_earlier_one(
    console: Console, ready_video: dict, write_file: Any, api: requests.Session, stack: LocalStack
) -> None:
    # Given a processed video whose automatic cover alice replaced with an uploaded image
    video_id = ready_video["videoId"]
    page = console.open(f"#/videos/{video_id}")
    entries = page.locator("#cover-history li")
    expect(entries).to_have_count(1)
    page.set_input_files("#cover-file", str(write_file("history.png", plain_png(640, 360))))
    page.get_by_role("button", name="Upload as cover").click()
    expect(page.locator("#current-cover")).to_have_attribute("data-source", "user")

    # Then the history shows both, newest first, the upload current
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_have_attribute("data-source", "user")
    expect(entries.nth(0)).to_contain_text("Current")
    expect(entries.nth(1)).to_have_attribute("data-source", "snapshot")

    # When the automatic cover is restored
    entries.nth(1).get_by_role("button", name="Restore").click()

    # Then it is the cover again, as a new entry chosen by a person, and the API agrees
    expect(entries).to_have_count(3)
    expect(page.locator("#announcer")).to_contain_text("Cover #1 restored")
    expect(page.locator("#current-cover")).to_have_attribute("data-source", "user")
    stored = api.get(f"{stack.api_endpoint}/videos/{video_id}/covers").json()
    assert [c["source"] for c in stored["covers"]] == ["user", "user", "snapshot"]
    assert (stored["covers"][0]["width"], stored["covers"][0]["height"]) == (
        ready_video["cover"]["width"],
        ready_video["cover"]["height"],
    )
    assert console.errors == []
