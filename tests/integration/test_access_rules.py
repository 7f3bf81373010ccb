"""Who may do what: signatures, ownership, and the statuses in which a cover may change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests

from tests.integration.api_client import Api, stored_state
from tests.integration.conftest import create_upload
from tests.integration.pictures import solid
from tests.support.sigv4 import SigV4Auth
from vodcover_dev.local.stack import LocalStack

pytestmark = pytest.mark.integration

UNKNOWN_ID = "0123456789abcdef0123456789abcdef"
PNG = solid(64, 36, (200, 0, 0))

# Every route of docs/design.md, "HTTP API" with a request that would otherwise be fine.
ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/videos", {"json": {"title": "t", "fileName": "a.mp4"}}),
    ("POST", "/videos/pull", {"json": {"items": [{"url": "https://example.com/a.mp4"}]}}),
    ("POST", "/videos/register", {"json": {"items": [{"key": "library/a.mp4"}]}}),
    ("GET", "/videos/{videoId}", {}),
    ("GET", "/videos", {"params": {"ids": UNKNOWN_ID}}),
    ("GET", "/videos", {"params": {"limit": "5"}}),
    ("PATCH", "/videos/{videoId}", {"json": {"title": "t"}}),
    ("PATCH", "/videos", {"json": {"updates": [{"videoId": UNKNOWN_ID, "title": "t"}]}}),
    ("PUT", "/videos/{videoId}/cover", {"data": PNG, "headers": {"Content-Type": "image/png"}}),
    ("POST", "/videos/{videoId}/smart-cover", {}),
    ("GET", "/limits", {}),
]
ROUTE_IDS = [f"{method} {route}{'?' + next(iter(kw.get('params', {})), '')}" for method, route, kw in ROUTES]


@pytest.mark.parametrize(("method", "route", "request_kwargs"), ROUTES, ids=ROUTE_IDS)
def test_an_unsigned_request_is_401_auth_missing_on_every_route(
    stack: LocalStack, method: str, route: str, request_kwargs: dict[str, Any]
) -> None:
    anonymous = Api(stack.api_endpoint, auth=None)

    anonymous.expect_error(401, "Auth.Missing", method, route, videoId=UNKNOWN_ID, **request_kwargs)


@pytest.mark.parametrize(("method", "route", "request_kwargs"), ROUTES, ids=ROUTE_IDS)
def test_a_wrong_secret_is_403_auth_invalid_on_every_route(
    stack: LocalStack, method: str, route: str, request_kwargs: dict[str, Any]
) -> None:
    impostor = Api.signed(stack.api_endpoint, "alice", "not-alices-secret")

    impostor.expect_error(403, "Auth.Invalid", method, route, videoId=UNKNOWN_ID, **request_kwargs)


@pytest.mark.parametrize(
    "auth",
    [
        SigV4Auth("mallory", "mallory-secret"),
        SigV4Auth("alice", "alice-secret", at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)),
        SigV4Auth("alice", "alice-secret", service="s3"),
    ],
    ids=["unknown-key", "expired", "wrong-service"],
)
def test_other_bad_signatures_are_403_auth_invalid(stack: LocalStack, auth: SigV4Auth) -> None:
    Api(stack.api_endpoint, auth).expect_error(403, "Auth.Invalid", "GET", "/videos")


def test_a_body_changed_after_signing_is_refused(stack: LocalStack, alice: Api) -> None:
    request = requests.Request(
        "POST", f"{stack.api_endpoint}/videos", json={"title": "t", "fileName": "a.mp4"}
    ).prepare()
    alice.session.auth(request)  # type: ignore[misc,operator]
    request.body = b'{"title": "tampered", "fileName": "a.mp4"}'
    request.headers["Content-Length"] = str(len(request.body))

    response = requests.Session().send(request, timeout=30)

    assert (response.status_code, response.json()["error"]["code"]) == (403, "Auth.Invalid")


# --- ownership --------------------------------------------------------------------------------
def test_bob_can_neither_read_nor_change_alices_video(alice: Api, bob: Api, processed_video: dict) -> None:
    video_id = processed_video["videoId"]
    before = alice.video(video_id)

    bob.expect_error(403, "Forbidden.NotOwner", "GET", "/videos/{videoId}", videoId=video_id)
    bob.expect_error(
        403, "Forbidden.NotOwner", "PATCH", "/videos/{videoId}", videoId=video_id, json={"title": "Mine"}
    )
    bob.expect_error(
        403,
        "Forbidden.NotOwner",
        "PATCH",
        "/videos/{videoId}",
        videoId=video_id,
        json={"coverSnapshot": 0},
    )
    bob.expect_error(
        403,
        "Forbidden.NotOwner",
        "PUT",
        "/videos/{videoId}/cover",
        videoId=video_id,
        data=PNG,
        headers={"Content-Type": "image/png"},
    )
    bob.expect_error(403, "Forbidden.NotOwner", "POST", "/videos/{videoId}/smart-cover", videoId=video_id)

    assert stored_state(alice.video(video_id)) == stored_state(before)
    library: dict[str, Any] = bob.expect(200, "GET", "/videos", params={"limit": "100"})
    assert video_id not in [video["videoId"] for video in library["videos"]]


@pytest.mark.parametrize(
    ("method", "route", "request_kwargs"),
    [(m, r, kw) for m, r, kw in ROUTES if "{videoId}" in r],
    ids=[i for i, (_, r, _) in zip(ROUTE_IDS, ROUTES, strict=True) if "{videoId}" in r],
)
def test_a_video_that_does_not_exist_is_404(
    alice: Api, method: str, route: str, request_kwargs: dict[str, Any]
) -> None:
    alice.expect_error(404, "InvalidVideo.NotFound", method, route, videoId=UNKNOWN_ID, **request_kwargs)


# --- status gating ----------------------------------------------------------------------------
def test_the_cover_cannot_change_while_the_video_is_still_uploading(alice: Api) -> None:
    # Given a video created but not uploaded yet
    video_id = create_upload(alice, title="Not yet")["videoId"]
    before = alice.video(video_id)
    assert before["status"] == "Uploading"

    # Then every cover change is Forbidden.IllegalStatus, and so is smart cover
    for changes in ({"coverSnapshot": 0}, {"coverTime": 1.0}, {"coverUrl": "s3://vodcover-media/x.png"}):
        alice.expect_error(
            403, "Forbidden.IllegalStatus", "PATCH", "/videos/{videoId}", videoId=video_id, json=changes
        )
    alice.expect_error(
        403,
        "Forbidden.IllegalStatus",
        "PUT",
        "/videos/{videoId}/cover",
        videoId=video_id,
        data=PNG,
        headers={"Content-Type": "image/png"},
    )
    alice.expect_error(
        403, "Forbidden.IllegalStatus", "POST", "/videos/{videoId}/smart-cover", videoId=video_id
    )
    assert stored_state(alice.video(video_id)) == stored_state(before)

    # But its info may change
    renamed = alice.expect(200, "PATCH", "/videos/{videoId}", videoId=video_id, json={"title": "Renamed"})
    assert (renamed["title"], renamed["version"]) == ("Renamed", before["version"] + 1)
