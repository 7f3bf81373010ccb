"""Reading and changing many videos at once: GET ?ids=, the library listing, batch PATCH."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api_client import Api, stored_state
from tests.integration.conftest import create_upload

pytestmark = pytest.mark.integration

MISSING_ID = "ffffffffffffffffffffffffffffffff"


def test_reading_several_ids_splits_mine_missing_and_forbidden(alice: Api, bob: Api) -> None:
    mine = [create_upload(alice, title=f"Mine {n}")["videoId"] for n in range(2)]
    bobs = create_upload(bob, title="Bob's")["videoId"]

    answer = alice.expect(
        200, "GET", "/videos", params={"ids": ",".join([mine[0], MISSING_ID, bobs, mine[1], mine[0]])}
    )

    assert [video["videoId"] for video in answer["videos"]] == mine
    assert [video["title"] for video in answer["videos"]] == ["Mine 0", "Mine 1"]
    assert answer["nonExistVideoIds"] == [MISSING_ID]
    assert answer["forbiddenVideoIds"] == [bobs]


def test_the_library_lists_my_videos_newest_first_in_pages(alice: Api, bob: Api) -> None:
    # Given three new videos of alice's (and one of bob's in between)
    created = []
    for n in range(3):
        created.append(create_upload(alice, title=f"Library {n}")["videoId"])
        create_upload(bob, title="not alice's")

    # When she pages through her library two at a time
    pages, token = [], None
    while True:
        params = {"limit": "2", **({"nextToken": token} if token else {})}
        page: dict[str, Any] = alice.expect(200, "GET", "/videos", params=params)
        pages.append(page["videos"])
        token = page.get("nextToken")
        if token is None:
            break
        assert len(pages) < 200, "paging never ends"

    # Then every page has at most two videos, all hers, newest first, none twice
    listed = [video for page in pages for video in page]
    assert all(len(page) <= 2 for page in pages)
    assert {video["owner"] for video in listed} == {"alice"}
    ids = [video["videoId"] for video in listed]
    assert len(ids) == len(set(ids))
    created_at = [video["createdAt"] for video in listed]
    assert created_at == sorted(created_at, reverse=True)
    assert ids[:3] == created[::-1], "the three just created are the newest"


def test_a_batch_update_reports_each_item_and_one_bad_item_spoils_nothing(alice: Api, bob: Api) -> None:
    # Given three of alice's videos and one of bob's
    ids = [create_upload(alice, title=f"Batch {n}")["videoId"] for n in range(3)]
    bobs = create_upload(bob, title="Bob keeps this")["videoId"]
    before = {video_id: alice.video(video_id) for video_id in ids}
    bob_before = bob.video(bobs)

    # When alice updates them all at once, with one missing id, bob's video and two bad items
    answer = alice.expect(
        200,
        "PATCH",
        "/videos",
        json={
            "updates": [
                {"videoId": ids[0], "title": "Batch zero", "tags": ["a"]},
                {"videoId": ids[1], "description": "Second"},
                {"videoId": MISSING_ID, "title": "Ghost"},
                {"videoId": bobs, "title": "Stolen"},
                {"videoId": ids[2], "coverSnapshot": 0},  # still Uploading: no cover yet
                {"videoId": ids[2], "title": ""},  # and an invalid title
            ]
        },
    )

    # Then each item has its own result
    assert answer["updated"] == ids[:2]
    assert answer["nonExistVideoIds"] == [MISSING_ID]
    assert answer["forbiddenVideoIds"] == [bobs]
    failures = {(item["videoId"], item["code"]) for item in answer["failed"]}
    assert failures == {(ids[2], "Forbidden.IllegalStatus"), (ids[2], "InvalidParameter.Title")}
    assert all(item["message"] for item in answer["failed"])

    # And exactly the updated videos changed, each by one version
    zero, one, two = (alice.video(video_id) for video_id in ids)
    assert (zero["title"], zero["tags"], zero["version"]) == (
        "Batch zero",
        ["a"],
        before[ids[0]]["version"] + 1,
    )
    assert (one["description"], one["version"]) == ("Second", before[ids[1]]["version"] + 1)
    assert stored_state(two) == stored_state(before[ids[2]])
    assert stored_state(bob.video(bobs)) == stored_state(bob_before)


def test_a_batch_update_changes_covers_of_processed_videos(alice: Api, processed_video: dict) -> None:
    video_id = processed_video["videoId"]
    before = alice.video(video_id)

    answer = alice.expect(
        200,
        "PATCH",
        "/videos",
        json={"updates": [{"videoId": video_id, "coverSnapshot": 1, "title": "Batch cover"}]},
    )

    assert answer == {"updated": [video_id], "nonExistVideoIds": [], "forbiddenVideoIds": [], "failed": []}
    after = alice.video(video_id)
    assert (after["title"], after["cover"]["source"]) == ("Batch cover", "user")
    assert after["version"] == before["version"] + 1
