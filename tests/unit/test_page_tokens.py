"""Library page tokens are signed and every field is checked: a forged one is a 400, never a 500."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.support.apigw import api_event, call, load_function
from vodcover.dal.page_tokens import PageTokens
from vodcover.dal.videos import DynamoVideoRepository
from vodcover.errors import InvalidParameter
from vodcover.models import VideoRecord, VideoStatus

ALICE = "arn:aws:iam::123456789012:user/alice"
NOW = "2026-11-20T10:00:00.000Z"
KEY = {"owner": ALICE, "createdAt": NOW, "videoId": "v1"}


def unsigned(document: Any) -> str:
    """A token as the API made them before they were signed: base64url of JSON."""
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


def signed_with(tokens: PageTokens, document: Any) -> str:
    """A token carrying ``document`` under a valid MAC: what a holder of the secret could make."""
    payload = json.dumps(document, separators=(",", ":")).encode()
    mac = tokens._mac(ALICE, payload)  # forging needs the signer's own MAC
    return f"{b64(payload)}.{b64(mac)}"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_a_token_round_trips_for_its_owner_and_only_for_it() -> None:
    tokens = PageTokens(b"stack-a")
    token = tokens.encode(KEY)

    assert tokens.decode(token, ALICE) == KEY
    with pytest.raises(InvalidParameter):
        tokens.decode(token, "arn:aws:iam::123456789012:user/bob")


def test_a_token_is_valid_in_every_instance_with_the_same_secret_and_no_other() -> None:
    token = PageTokens(b"stack-a").encode(KEY)

    assert PageTokens(b"stack-a").decode(token, ALICE) == KEY  # another Lambda instance
    with pytest.raises(InvalidParameter):
        PageTokens(b"stack-b").decode(token, ALICE)  # another stack


FORGED_FIELDS = {
    "number-created-at": {**KEY, "createdAt": 5},
    "float-video-id": {**KEY, "videoId": 1.5},
    "object-created-at": {**KEY, "createdAt": {"S": NOW}},
    "list-video-id": {**KEY, "videoId": ["v1"]},
    "bool-owner": {**KEY, "owner": True},
    "null-video-id": {**KEY, "videoId": None},
    "video-id-pattern": {**KEY, "videoId": "../v1"},
    "created-at-text": {**KEY, "createdAt": "yesterday"},
    "extra-field": {**KEY, "status": "Normal"},
    "missing-field": {"owner": ALICE, "createdAt": NOW},
    "not-an-object": [ALICE, NOW, "v1"],
}


@pytest.mark.parametrize("case", list(FORGED_FIELDS))
def test_unsigned_forgeries_are_refused(case: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        PageTokens(b"stack-a").decode(unsigned(FORGED_FIELDS[case]), ALICE)

    assert caught.value.code == "InvalidParameter.NextToken"


@pytest.mark.parametrize("case", list(FORGED_FIELDS))
def test_every_field_is_checked_even_under_a_valid_signature(case: str) -> None:
    tokens = PageTokens(b"stack-a")

    with pytest.raises(InvalidParameter) as caught:
        tokens.decode(signed_with(tokens, FORGED_FIELDS[case]), ALICE)

    assert caught.value.code == "InvalidParameter.NextToken"


@pytest.mark.parametrize(
    "token",
    [
        "",
        ".",
        "abc.",
        ".abc",
        "a.b.c",
        "!!!.???",
        "é.é",
        "x" * 5000,
        PageTokens(b"stack-a").encode(KEY)[:-2],  # a truncated MAC
        PageTokens(b"stack-a").encode(KEY).replace(".", "A."),  # a changed payload
    ],
    ids=[
        "empty",
        "dot",
        "no-mac",
        "no-payload",
        "three-parts",
        "not-base64",
        "unicode",
        "huge",
        "short-mac",
        "tampered",
    ],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidParameter):
        PageTokens(b"stack-a").decode(token, ALICE)


# --- through the function ---------------------------------------------------------------------
def record(video_id: str, created_at: str) -> VideoRecord:
    return VideoRecord(
        video_id=video_id,
        owner=ALICE,
        status=VideoStatus.UPLOADING,
        created_at=created_at,
        updated_at=created_at,
    )


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize(
    "case", ["number-created-at", "float-video-id", "object-created-at", "list-video-id"]
)
def test_the_forged_tokens_of_issue_11_answer_400(case: str) -> None:
    videos_api = load_function("videos_api")

    status, answer = call(
        videos_api, api_event("GET", "/videos", query={"nextToken": unsigned(FORGED_FIELDS[case])})
    )

    assert (status, answer["error"]["code"]) == (400, "InvalidParameter.NextToken")


@pytest.mark.usefixtures("aws")
def test_pages_follow_each_other_with_the_tokens_the_api_gives() -> None:
    from tests.conftest import TEST_TABLE

    repository = DynamoVideoRepository(TEST_TABLE)
    for n in range(3):
        repository.update(f"v{n}", lambda _current, n=n: record(f"v{n}", f"2026-11-2{n}T00:00:00.000Z"))
    videos_api = load_function("videos_api")

    status, first = call(videos_api, api_event("GET", "/videos", query={"limit": "2"}))
    assert status == 200 and "." in first["nextToken"]
    status, second = call(
        videos_api, api_event("GET", "/videos", query={"limit": "2", "nextToken": first["nextToken"]})
    )

    assert status == 200
    assert [v["videoId"] for v in first["videos"] + second["videos"]] == ["v2", "v1", "v0"]
    assert "nextToken" not in second
