"""What the endpoint refuses, in Alibaba's codes and statuses, through both official SDKs.

Given ``vodcover local``, when a call has a wrong secret, an unknown key, a stale time, a used
nonce, names another owner's video, exceeds a batch limit, lacks a parameter or asks for an
action vodcover does not have, then it is refused with the code and HTTP status Alibaba uses,
in a body the SDK reads (JSON, or XML when a classic call asks for no format).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.alibaba.actions.conftest import BOB_KEY, LOCAL_KEY
from tests.alibaba.actions.vod_steps import refusal
from tests.alibaba.signed_requests import classic_request
from tests.alibaba.vod_sdks import ClassicVod, Refused, TeaVod, VodSdk

pytestmark = [pytest.mark.integration, pytest.mark.media]


@pytest.fixture(params=["classic", "tea"])
def sdk_kind(request: pytest.FixtureRequest) -> type[ClassicVod] | type[TeaVod]:
    return ClassicVod if request.param == "classic" else TeaVod


@pytest.fixture
def sdk(sdk_kind: type[VodSdk], endpoint: str) -> VodSdk:
    return sdk_kind(endpoint, *LOCAL_KEY)  # type: ignore[call-arg]


@pytest.fixture(scope="package")
def bobs_uploading_video(endpoint: str) -> str:
    answer = ClassicVod(endpoint, *BOB_KEY).call("CreateUploadVideo", Title="Bob", FileName="b.mp4")
    return str(answer["VideoId"])


def sent_raw(endpoint: str, **options: Any) -> requests.Response:
    """A classic call signed by the SDK's own composer, with a chosen time, nonce or action."""
    signed = classic_request(*LOCAL_KEY, **options)
    return requests.post(f"http://{endpoint}/?{signed.raw_query}", timeout=10)


def test_a_wrong_secret_is_signature_does_not_match(sdk_kind: type[VodSdk], endpoint: str) -> None:
    code, status = refusal(sdk_kind(endpoint, LOCAL_KEY[0], "not-the-secret"), "GetVideoInfo", VideoId="v1")  # type: ignore[call-arg]
    # The classic SDK renames it when the server's string to sign equals its own: proof that both
    # sides signed the same string, and only the secret differs.
    assert (code, status) == (
        "InvalidAccessKeySecret" if sdk_kind is ClassicVod else "SignatureDoesNotMatch",
        400,
    )


def test_an_unknown_key_is_not_found(sdk_kind: type[VodSdk], endpoint: str) -> None:
    unknown = sdk_kind(endpoint, "LTAInobodyhasthiskey0000", "whatever-secret")  # type: ignore[call-arg]
    assert refusal(unknown, "GetVideoInfo", VideoId="v1") == ("InvalidAccessKeyId.NotFound", 404)


def test_a_stale_timestamp_and_a_used_nonce_are_refused(endpoint: str) -> None:
    stale = sent_raw(endpoint, at=datetime.now(UTC) - timedelta(minutes=16), nonce="stale-1")
    assert (stale.status_code, stale.json()["Code"]) == (400, "InvalidTimeStamp.Expired")

    first = sent_raw(endpoint, nonce="replayed-once", extra={"Format": "JSON"})
    again = sent_raw(endpoint, nonce="replayed-once", extra={"Format": "JSON"})
    assert first.json()["Code"] == "InvalidVideo.NotFound"  # signature fine; no video v1
    assert (again.status_code, again.json()["Code"]) == (400, "SignatureNonceUsed")


def test_another_owners_video_is_forbidden(sdk: VodSdk, bobs_uploading_video: str) -> None:
    assert refusal(sdk, "GetVideoInfo", VideoId=bobs_uploading_video) == ("Forbidden", 403)
    assert refusal(sdk, "UpdateVideoInfo", VideoId=bobs_uploading_video, Title="Mine") == ("Forbidden", 403)
    assert refusal(sdk, "SubmitAIImageJob", VideoId=bobs_uploading_video) == ("Forbidden", 403)
    read = sdk.call("GetVideoInfos", VideoIds=bobs_uploading_video)
    assert not read.get("VideoList") and read["NonExistVideoIds"] == []
    if isinstance(sdk, ClassicVod):  # the Tea SDK's model has no field for it and drops it
        assert read["ForbiddenVideoIds"] == [bobs_uploading_video]


def test_an_unknown_video_is_not_found(sdk: VodSdk) -> None:
    assert refusal(sdk, "GetVideoInfo", VideoId="0123456789abcdef0123456789abcdef") == (
        "InvalidVideo.NotFound",
        404,
    )


def test_batches_over_twenty_are_count_exceeded_max(sdk: VodSdk) -> None:
    ids = [f"{n:032x}" for n in range(21)]
    assert refusal(sdk, "GetVideoInfos", VideoIds=",".join(ids)) == ("CountExceededMax", 400)
    content = json.dumps([{"VideoId": video_id, "Title": "x"} for video_id in ids])
    assert refusal(sdk, "UpdateVideoInfos", UpdateContent=content) == ("CountExceededMax", 400)
    assert sdk.call("GetVideoInfos", VideoIds=",".join(ids[:20]))["NonExistVideoIds"] == ids[:20]


def test_a_missing_parameter_is_named(sdk: VodSdk) -> None:
    with pytest.raises(Refused) as refused:
        sdk.call("CreateUploadVideo", FileName="a.mp4")
    assert (refused.value.code, refused.value.status) == ("MissingParameter", 400)
    assert "Title" in refused.value.message


def test_a_cover_change_before_the_video_exists_is_illegal_status(sdk: VodSdk, endpoint: str) -> None:
    video_id = sdk.call("CreateUploadVideo", Title="Soon", FileName="soon.mp4")["VideoId"]
    code = refusal(sdk, "UpdateVideoInfo", VideoId=video_id, CoverURL="https://example.com/a.jpg")
    assert code == ("Forbidden.IllegalStatus", 400)


def test_an_action_vodcover_lacks_is_not_found(endpoint: str) -> None:
    answer = sent_raw(
        endpoint, nonce="no-such-action", extra={"Action": "DescribePlayUserTotal", "Format": "JSON"}
    )
    assert (answer.status_code, answer.json()["Code"]) == (404, "InvalidAction.NotFound")


def test_refusals_come_in_xml_when_a_classic_call_names_no_format(endpoint: str) -> None:
    status, headers, body = ClassicVod(endpoint, *LOCAL_KEY).raw("GetVideoInfo", VideoId="nope")
    assert (status, headers["Content-Type"]) == (404, "text/xml;charset=utf-8")
    assert b"<Error><RequestId>" in body and b"<Code>InvalidVideo.NotFound</Code>" in body
