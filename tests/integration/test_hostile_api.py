"""Hostile and odd requests through the real signed HTTP stack: a stable 4xx, never a 500, nothing changed.

Issue 11 items 2, 3, 4 and 9 and their siblings, on every route of openapi.yaml that can take
them. Each request is signed by botocore's SigV4 signer, goes through the local HTTP front
(as API Gateway would pass it on) to the real function; the client checks every answer against
openapi.yaml, and each case checks the record stayed exactly as it was.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.integration.api_client import Api, stored_state
from tests.integration.conftest import create_upload

pytestmark = pytest.mark.integration

JSON_ROUTES = [
    ("POST", "/videos"),
    ("POST", "/videos/pull"),
    ("POST", "/videos/register"),
    ("PATCH", "/videos/{videoId}"),
    ("PATCH", "/videos"),
]
ROUTE_IDS = ["create", "pull", "register", "update", "batch-update"]
VALID_BODY = {
    "/videos": {"POST": {"title": "t", "fileName": "a.mp4"}, "PATCH": {"updates": [{"videoId": "v1"}]}},
    "/videos/pull": {"POST": {"items": [{"url": "https://example.com/a.mp4"}]}},
    "/videos/register": {"POST": {"items": [{"key": "library/a.mp4"}]}},
    "/videos/{videoId}": {"PATCH": {"title": "changed"}},
}


@pytest.fixture(scope="module")
def target(alice: Api) -> dict[str, Any]:
    """One of alice's videos, shared (the package's stack is shared too: alice's library stays
    small); every case asserts it is unchanged afterwards."""
    video_id = create_upload(alice, title="Hostile target")["videoId"]
    return alice.video(video_id)


def library_of(api: Api) -> list[dict[str, Any]]:
    body: dict[str, Any] = api.expect(200, "GET", "/videos", params={"limit": "100"})
    return [stored_state(video) for video in body["videos"]]


def assert_nothing_changed(alice: Api, target: dict[str, Any], library: list[dict[str, Any]]) -> None:
    assert stored_state(alice.video(target["videoId"])) == stored_state(target)
    assert library_of(alice) == library


# --- item 2: bodies that are not UTF-8 JSON -------------------------------------------------------
NOT_JSON_TYPES = [
    "text/plain",
    "text/plain; charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "application/json; charset=iso-8859-1",
]


@pytest.mark.parametrize("content_type", NOT_JSON_TYPES)
@pytest.mark.parametrize(("method", "route"), JSON_ROUTES, ids=ROUTE_IDS)
def test_a_json_body_under_another_content_type_is_415(
    alice: Api, target: dict, method: str, route: str, content_type: str
) -> None:
    library = library_of(alice)
    body = json.dumps(VALID_BODY[route][method])

    alice.expect_error(
        415,
        "Request.UnsupportedMediaType",
        method,
        route,
        videoId=target["videoId"],
        data=body,
        headers={"Content-Type": content_type},
    )

    assert_nothing_changed(alice, target, library)


def test_a_form_that_would_create_a_video_is_refused_not_parsed(alice: Api, target: dict) -> None:
    library = library_of(alice)

    alice.expect_error(
        415,
        "Request.UnsupportedMediaType",
        "POST",
        "/videos",
        data="title=Form&fileName=form.mp4",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert_nothing_changed(alice, target, library)


NOT_JSON_BYTES = {
    "invalid-utf8": b'{"title": "\xff\xfe"}',
    "latin1-text": '{"title": "Café"}'.encode("latin-1"),
    "truncated-utf8": b'{"title": "\xe2\x82"}',
    "utf16": '{"title": "t"}'.encode("utf-16"),
    "bom": b'\xef\xbb\xbf{"title": "t"}',
    "duplicate-key": b'{"title": "a", "title": "b"}',
    "5000-digit-number": b'{"fileSize": ' + b"9" * 5000 + b"}",
    "depth-bomb": b"[" * 50_000 + b"]" * 50_000,
    "depth-40": b'{"a":' * 40 + b"1" + b"}" * 40,
    "lone-surrogate": b'{"title": "\\ud800"}',
    "truncated": b'{"title": ',
    "nul-byte": b'{"title": "a"}\x00',
}


@pytest.mark.parametrize("case", list(NOT_JSON_BYTES))
@pytest.mark.parametrize(("method", "route"), JSON_ROUTES, ids=ROUTE_IDS)
def test_bytes_that_are_not_utf8_json_are_invalid_json(
    alice: Api, target: dict, method: str, route: str, case: str
) -> None:
    library = library_of(alice)

    alice.expect_error(
        400,
        "InvalidJson",
        method,
        route,
        videoId=target["videoId"],
        data=NOT_JSON_BYTES[case],
        headers={"Content-Type": "application/json"},
    )

    assert_nothing_changed(alice, target, library)


@pytest.mark.parametrize("raw", ["[]", "[{}]", "5", '"text"', "null", "true", "", "   "])
@pytest.mark.parametrize(("method", "route"), JSON_ROUTES, ids=ROUTE_IDS)
def test_json_that_is_not_an_object_or_no_body_is_invalid_parameter_body(
    alice: Api, target: dict, method: str, route: str, raw: str
) -> None:
    alice.expect_error(
        400,
        "InvalidParameter.Body",
        method,
        route,
        videoId=target["videoId"],
        data=raw,
        headers={"Content-Type": "application/json"},
    )

    assert stored_state(alice.video(target["videoId"])) == stored_state(target)


# --- item 4: wrong JSON types, never coerced ---------------------------------------------------------
COERCIONS = {
    "snapshot-true": ({"coverSnapshot": True}, "InvalidParameter.CoverSnapshot"),
    "snapshot-string": ({"coverSnapshot": "1"}, "InvalidParameter.CoverSnapshot"),
    "snapshot-float": ({"coverSnapshot": 1.0}, "InvalidParameter.CoverSnapshot"),
    "time-true": ({"coverTime": True}, "InvalidParameter.CoverTime"),
    "time-string": ({"coverTime": "1.5"}, "InvalidParameter.CoverTime"),
    "candidate-false": ({"coverCandidate": False}, "InvalidParameter.CoverCandidate"),
    "title-number": ({"title": 7}, "InvalidParameter.Title"),
    "title-null": ({"title": None}, "InvalidParameter.Title"),
    "tags-null": ({"tags": None}, "InvalidParameter.Tags"),
    "tags-numbers": ({"tags": [1, 2]}, "InvalidParameter.Tags"),
    "cover-url-object": ({"coverUrl": {"href": "https://example.com/a.jpg"}}, "InvalidParameter.CoverUrl"),
}


@pytest.mark.parametrize("case", list(COERCIONS))
def test_wrong_types_do_not_change_a_processed_videos_cover(
    alice: Api, processed_video: dict, case: str
) -> None:
    body, code = COERCIONS[case]
    video_id = processed_video["videoId"]
    before = alice.video(video_id)

    alice.expect_error(400, code, "PATCH", "/videos/{videoId}", videoId=video_id, json=body)

    assert stored_state(alice.video(video_id)) == stored_state(before)


def test_wrong_types_in_a_batch_fail_per_item(alice: Api, processed_video: dict) -> None:
    video_id = processed_video["videoId"]
    before = alice.video(video_id)
    updates = [{"videoId": video_id, **body} for body, _code in list(COERCIONS.values())[:3]]
    updates[1]["videoId"] = create_upload(alice)["videoId"]
    updates[2]["videoId"] = create_upload(alice)["videoId"]

    answer = alice.expect(200, "PATCH", "/videos", json={"updates": updates})

    assert answer["updated"] == []
    assert [f["code"] for f in answer["failed"]] == ["InvalidParameter.CoverSnapshot"] * 3
    assert stored_state(alice.video(video_id)) == stored_state(before)


@pytest.mark.parametrize(
    ("field", "value"),
    [("fileSize", True), ("fileSize", "100"), ("fileSize", 100.0), ("title", ["t"]), ("description", None)],
)
def test_create_upload_takes_no_coerced_value(alice: Api, target: dict, field: str, value: Any) -> None:
    library = library_of(alice)
    body = {"title": "t", "fileName": "a.mp4", field: value}
    code = f"InvalidParameter.{field[0].upper()}{field[1:]}"

    alice.expect_error(400, code, "POST", "/videos", json=body)

    assert_nothing_changed(alice, target, library)


# --- item 3 and query strings ------------------------------------------------------------------------
def unsigned_token(document: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


FORGED_TOKENS = {
    "numbers": {"owner": "alice", "createdAt": 1, "videoId": 2},
    "floats": {"owner": "alice", "createdAt": 1.5, "videoId": 2.5},
    "objects": {"owner": "alice", "createdAt": {"S": "x"}, "videoId": {"S": "y"}},
    "lists": {"owner": "alice", "createdAt": ["x"], "videoId": ["y"]},
    "strings": {"owner": "alice", "createdAt": "2026-01-01T00:00:00.000Z", "videoId": "v1"},
    "other-owner": {"owner": "bob", "createdAt": "2026-01-01T00:00:00.000Z", "videoId": "v1"},
}


@pytest.mark.parametrize("case", list(FORGED_TOKENS))
def test_forged_page_tokens_are_invalid_parameter(alice: Api, case: str) -> None:
    alice.expect_error(
        400,
        "InvalidParameter.NextToken",
        "GET",
        "/videos",
        params={"nextToken": unsigned_token(FORGED_TOKENS[case])},
    )


def test_a_real_token_pages_and_a_tampered_one_does_not(
    alice: Api, target: dict, processed_video: dict
) -> None:
    first = alice.expect(200, "GET", "/videos", params={"limit": "1"})
    token = first["nextToken"]
    alice.expect(200, "GET", "/videos", params={"limit": "1", "nextToken": token})

    payload, _, mac = token.partition(".")
    alice.expect_error(
        400, "InvalidParameter.NextToken", "GET", "/videos", params={"nextToken": f"{payload}.{mac[::-1]}"}
    )


def test_a_page_token_cannot_be_used_by_another_caller(
    alice: Api, bob: Api, target: dict, processed_video: dict
) -> None:
    token = alice.expect(200, "GET", "/videos", params={"limit": "1"})["nextToken"]

    bob.expect_error(400, "InvalidParameter.NextToken", "GET", "/videos", params={"nextToken": token})


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("limit=%2B5", "InvalidParameter.Limit"),
        ("limit=5_0", "InvalidParameter.Limit"),
        ("limit=%205", "InvalidParameter.Limit"),
        ("limit=1e1", "InvalidParameter.Limit"),
        ("limit=true", "InvalidParameter.Limit"),
        ("limit=%EF%BC%95", "InvalidParameter.Limit"),  # a full-width 5
        ("limit=" + "9" * 5000, "InvalidParameter.Limit"),
        ("limit=101", "InvalidParameter.Limit"),
        ("limit=", "InvalidParameter.Limit"),
        ("limit=5&limit=6", "InvalidParameter.Limit"),
        ("nextToken=a&nextToken=b", "InvalidParameter.NextToken"),
        ("ids=a&ids=b", "InvalidParameter.Ids"),
        ("nextToken=" + "x" * 3000, "InvalidParameter.NextToken"),
        ("ids=" + "a" * 3000, "InvalidParameter.Ids"),
    ],
)
def test_odd_query_strings_are_invalid_parameters(alice: Api, query: str, code: str) -> None:
    response = alice.session.get(f"{alice.endpoint}/videos?{query}", timeout=30)

    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == code


PATH_ROUTES = [
    ("GET", "/videos/{videoId}"),
    ("PATCH", "/videos/{videoId}"),
    ("PUT", "/videos/{videoId}/cover"),
    ("POST", "/videos/{videoId}/smart-cover"),
]


@pytest.mark.parametrize("video_id", ["é", "%F0%9F%98%80", "a" * 65, "a" * 5000, "-a", "_a", "a.b", "%2E%2E"])
@pytest.mark.parametrize(("method", "route"), PATH_ROUTES, ids=["get", "update", "cover", "smart"])
def test_odd_path_ids_are_refused(alice: Api, method: str, route: str, video_id: str) -> None:
    kwargs: dict[str, Any] = {"json": {"title": "x"}} if method == "PATCH" else {}
    response = alice.session.request(
        method, alice.endpoint + route.format(videoId=video_id), timeout=30, **kwargs
    )

    assert response.status_code in (400, 404), response.text
    assert response.json()["error"]["code"] in {"InvalidParameter.VideoId", "NotFound"}


def test_unknown_fields_and_batches_over_the_limit_stay_refused(alice: Api, target: dict) -> None:
    alice.expect_error(
        400,
        "InvalidParameter.Owner",
        "PATCH",
        "/videos/{videoId}",
        videoId=target["videoId"],
        json={"owner": "bob"},
    )
    alice.expect_error(
        400,
        "InvalidParameter.Tags",
        "PATCH",
        "/videos/{videoId}",
        videoId=target["videoId"],
        json={"tags": [f"t{n}" for n in range(21)]},
    )
    assert stored_state(alice.video(target["videoId"])) == stored_state(target)


# --- item 9: bucket objects of other owners ------------------------------------------------------------
def test_another_owners_frames_cannot_be_named_at_any_door(
    alice: Api, bob: Api, processed_video: dict, stack: Any, cdn: Any
) -> None:
    video_id = processed_video["videoId"]
    frame_key = f"snapshots/{video_id}/0.jpg"
    urls = [
        f"s3://{stack.bucket}/{frame_key}",
        alice.video(video_id)["snapshots"][0]["url"],  # a presigned URL of the emulator's endpoint
    ]
    bobs_library = library_of(bob)
    stack.client("s3").put_object(Bucket=stack.bucket, Key="library/bobs.mp4", Body=b"not yet a video")

    for url in urls:
        bob.expect_error(
            403,
            "CoverUrl.NotOwner",
            "POST",
            "/videos",
            json={"title": "t", "fileName": "a.mp4", "coverUrl": url},
        )
        pulled = bob.expect(
            202,
            "POST",
            "/videos/pull",
            json={"items": [{"url": f"http://{cdn.authority}/a.mp4", "coverUrl": url}]},
        )
        assert pulled["items"][0]["error"]["code"] == "CoverUrl.NotOwner"
        registered = bob.expect(
            200, "POST", "/videos/register", json={"items": [{"key": "library/bobs.mp4", "coverUrl": url}]}
        )
        assert [f["code"] for f in registered["failed"]] == ["CoverUrl.NotOwner"]
        pulled = bob.expect(202, "POST", "/videos/pull", json={"items": [{"url": url}]})
        assert pulled["items"][0]["error"]["code"] == "SourceUrl.Forbidden"

    assert [v for v in library_of(bob) if v["status"] != "UploadFail"] == bobs_library


def snapshot_key(url: str) -> str:
    """The stored key inside a snapshot's URL (content-addressed: it names the image's digest)."""
    path = urlsplit(url).path
    return path[path.index("snapshots/") :]


def test_my_own_frame_by_s3_url_becomes_my_cover(alice: Api, processed_video: dict, stack: Any) -> None:
    video_id = processed_video["videoId"]

    after = alice.expect(
        200,
        "PATCH",
        "/videos/{videoId}",
        videoId=video_id,
        json={"coverUrl": f"s3://{stack.bucket}/{snapshot_key(processed_video['snapshots'][1]['url'])}"},
    )

    assert after["cover"]["source"] == "user"
    assert f"/covers/{video_id}/" in after["cover"]["url"]
