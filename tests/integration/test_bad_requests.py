"""Malformed and out-of-bounds requests get a stable 400 code and change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api_client import Api, stored_state
from tests.integration.conftest import create_upload

pytestmark = pytest.mark.integration

JSON = {"Content-Type": "application/json"}
SOME_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def uploading_video(alice: Api) -> dict[str, Any]:
    video_id = create_upload(alice, title="Target")["videoId"]
    return alice.video(video_id)


@pytest.mark.parametrize(
    ("method", "route", "raw"),
    [
        ("POST", "/videos", '{"title": "t", "fileName": '),
        ("POST", "/videos/pull", "items: [https://example.com/a.mp4]"),
        ("POST", "/videos/register", '{"items": [{"key": "a.mp4"}]'),
        ("PATCH", "/videos/{videoId}", "{'title': 'single quotes'}"),
        ("PATCH", "/videos", '{"updates": [1, 2,]}'),
    ],
)
def test_malformed_json_is_invalid_json(
    alice: Api, uploading_video: dict, method: str, route: str, raw: str
) -> None:
    video_id = uploading_video["videoId"]

    alice.expect_error(400, "InvalidJson", method, route, videoId=video_id, data=raw, headers=JSON)

    assert stored_state(alice.video(video_id)) == stored_state(uploading_video)


@pytest.mark.parametrize(
    ("method", "route", "body", "code"),
    [
        ("POST", "/videos", {"title": "t", "fileName": "a.mp4", "colour": "red"}, "InvalidParameter.Colour"),
        ("PATCH", "/videos/{videoId}", {"coverFrame": 3}, "InvalidParameter.CoverFrame"),
        (
            "POST",
            "/videos/pull",
            {"items": [{"url": "https://x.test/a.mp4", "tags": []}]},
            "InvalidParameter.Tags",
        ),
        (
            "POST",
            "/videos/register",
            {"items": [{"key": "a.mp4"}], "dryRun": True},
            "InvalidParameter.DryRun",
        ),
        ("PATCH", "/videos", {"updates": [{"videoId": SOME_ID}], "atomic": True}, "InvalidParameter.Atomic"),
    ],
    ids=["create", "update", "pull-item", "register", "batch"],
)
def test_an_unknown_field_is_invalid_parameter_named_after_it(
    alice: Api, uploading_video: dict, method: str, route: str, body: Any, code: str
) -> None:
    video_id = uploading_video["videoId"]

    alice.expect_error(400, code, method, route, videoId=video_id, json=body)

    assert stored_state(alice.video(video_id)) == stored_state(uploading_video)


@pytest.mark.parametrize(
    ("method", "route", "request_kwargs", "code"),
    [
        ("POST", "/videos", {"json": {"fileName": "a.mp4"}}, "InvalidParameter.Title"),
        ("POST", "/videos", {"json": {"title": "t", "fileName": "../a.mp4"}}, "InvalidParameter.FileName"),
        (
            "POST",
            "/videos",
            {"json": {"title": "t", "fileName": "a.mp4", "fileSize": 0}},
            "InvalidParameter.FileSize",
        ),
        (
            "POST",
            "/videos",
            {"json": {"title": "t", "fileName": "a.mp4", "tags": ["x"] * 21}},
            "InvalidParameter.Tags",
        ),
        ("PATCH", "/videos/{videoId}", {"json": {"title": ""}}, "InvalidParameter.Title"),
        ("PATCH", "/videos/{videoId}", {"json": {"coverSnapshot": -1}}, "InvalidParameter.CoverSnapshot"),
        (
            "PATCH",
            "/videos/{videoId}",
            {"json": {"coverSnapshot": 1, "coverTime": 2}},
            "InvalidParameter.Cover",
        ),
        ("GET", "/videos", {"params": {"limit": "0"}}, "InvalidParameter.Limit"),
        ("GET", "/videos", {"params": {"nextToken": "not-a-token"}}, "InvalidParameter.NextToken"),
        ("GET", "/videos", {"params": {"ids": ","}}, "InvalidParameter.Ids"),
        ("POST", "/videos/pull", {"json": {"items": []}}, "InvalidParameter.Items"),
        ("PATCH", "/videos", {"json": {"updates": []}}, "InvalidParameter.Updates"),
    ],
    ids=[
        "no-title",
        "path-in-file-name",
        "empty-file",
        "21-tags",
        "empty-title",
        "negative-snapshot",
        "two-cover-choices",
        "limit-0",
        "bad-next-token",
        "no-ids",
        "no-pull-items",
        "no-updates",
    ],
)
def test_out_of_bounds_values_are_invalid_parameter(
    alice: Api, uploading_video: dict, method: str, route: str, request_kwargs: dict, code: str
) -> None:
    video_id = uploading_video["videoId"]

    alice.expect_error(400, code, method, route, videoId=video_id, **request_kwargs)

    assert stored_state(alice.video(video_id)) == stored_state(uploading_video)


def test_a_malformed_video_id_is_invalid_parameter(alice: Api) -> None:
    alice.expect_error(400, "InvalidParameter.VideoId", "GET", "/videos/{videoId}", videoId="-not-an-id")


@pytest.mark.parametrize(
    ("method", "route", "request_kwargs"),
    [
        ("PATCH", "/videos", {"json": {"updates": [{"videoId": f"v{n}", "title": "t"} for n in range(21)]}}),
        (
            "POST",
            "/videos/pull",
            {"json": {"items": [{"url": f"https://x.test/{n}.mp4"} for n in range(21)]}},
        ),
        ("POST", "/videos/register", {"json": {"items": [{"key": f"library/{n}.mp4"} for n in range(21)]}}),
        ("GET", "/videos", {"params": {"ids": ",".join(f"v{n}" for n in range(21))}}),
    ],
    ids=["batch-update", "pull", "register", "get-by-ids"],
)
def test_21_items_are_batch_too_large_and_nothing_happens(
    alice: Api, method: str, route: str, request_kwargs: dict
) -> None:
    before: dict[str, Any] = alice.expect(200, "GET", "/videos", params={"limit": "100"})

    alice.expect_error(400, "Batch.TooLarge", method, route, **request_kwargs)

    after: dict[str, Any] = alice.expect(200, "GET", "/videos", params={"limit": "100"})
    assert [stored_state(v) for v in after["videos"]] == [stored_state(v) for v in before["videos"]]


def test_an_unknown_route_is_a_json_404(alice: Api) -> None:
    response = alice.session.get(f"{alice.endpoint}/videos/{SOME_ID}/no-such-route", timeout=30)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NotFound"
