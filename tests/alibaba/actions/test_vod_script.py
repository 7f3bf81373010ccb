"""The script an Alibaba VOD user already has, run unmodified through each official SDK.

Given ``vodcover local`` and an SDK changed only in endpoint, protocol and keys, when the script
creates an upload with a ``CoverURL``, PUTs the file to the address it was given, reads the
video, changes it one by one and in a batch and reads several videos, then every answer is the
one Alibaba's API documents: the chosen cover and the snapshots show, changes stick, and ids
that do not exist (or are another owner's) are named.
"""

from __future__ import annotations

import json

import pytest

from tests.alibaba.actions.conftest import BOB_KEY, Media
from tests.alibaba.actions.vod_steps import image_bytes, put_file, settled_video
from tests.alibaba.vod_sdks import ClassicVod, TeaVod, VodSdk
from vodcover_dev.local.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.media]


@pytest.fixture(scope="package")
def bobs_video(endpoint: str) -> str:
    answer = TeaVod(endpoint, *BOB_KEY).call("CreateUploadVideo", Title="Bob's", FileName="bob.mp4")
    return str(answer["VideoId"])


def test_an_unmodified_vod_script_works(
    stack: LocalStack, sdk: VodSdk, media: Media, bobs_video: str
) -> None:
    data = media.video.read_bytes()
    created = sdk.call(
        "CreateUploadVideo",
        Title="Holiday",
        FileName="holiday.mp4",
        FileSize=len(data),
        Description="At the sea",
        Tags="sea,summer",
        CoverURL=media.cover_url,
        CateId=1000,  # Alibaba's categories: accepted, not kept
    )
    video_id = created["VideoId"]
    assert created["RequestId"] and created["UploadAddress"] and created["UploadAuth"]

    put_file(created["UploadAuth"], created["UploadAddress"], data)
    video = settled_video(stack, sdk, video_id)

    assert video["Status"] == "Normal"
    assert (video["Title"], video["Description"], video["Tags"]) == ("Holiday", "At the sea", "sea,summer")
    assert video["Duration"] == pytest.approx(4.0, abs=0.2)
    assert video["CreationTime"].endswith("Z") and "." not in video["CreationTime"]
    snapshots = video["Snapshots"]["Snapshot"]
    assert len(snapshots) == 8
    assert image_bytes(video["CoverURL"]) == media.cover_jpeg  # the uploader's cover, as given

    # A snapshot URL handed back as the cover: recognised as the video's own and copied.
    sdk.call("UpdateVideoInfo", VideoId=video_id, Title="Holiday 2026", CoverURL=snapshots[3])
    video = sdk.call("GetVideoInfo", VideoId=video_id)["Video"]
    assert video["Title"] == "Holiday 2026"
    assert video["CoverURL"] != snapshots[3]  # a copy of its own under covers/
    assert image_bytes(video["CoverURL"]) == image_bytes(snapshots[3])

    missing = "0123456789abcdef0123456789abcdef"
    batch = sdk.call(
        "UpdateVideoInfos",
        UpdateContent=json.dumps(
            [
                {"VideoId": video_id, "Title": "Best of", "CoverURL": snapshots[5]},
                {"VideoId": missing, "Title": "Nobody's"},
                {"VideoId": bobs_video, "Title": "Not mine"},
            ]
        ),
    )
    assert batch["NonExistVideoIds"] == [missing]
    assert batch["ForbiddenVideoIds"] == [bobs_video]

    read = sdk.call("GetVideoInfos", VideoIds=f"{video_id},{missing}")
    assert [v["VideoId"] for v in read["VideoList"]] == [video_id]
    assert read["NonExistVideoIds"] == [missing]
    (listed,) = read["VideoList"]
    assert listed["Title"] == "Best of"
    # a plain list in VideoList, as Alibaba answers (URLs presigned afresh: compare the objects)
    assert [url.split("?")[0] for url in listed["Snapshots"]] == [url.split("?")[0] for url in snapshots]
    assert image_bytes(listed["CoverURL"]) == image_bytes(snapshots[5])


def test_the_classic_sdk_reads_answers_in_xml_too(endpoint: str, bobs_video: str) -> None:
    """``get_response`` sends no Format: Alibaba (and vodcover) answer XML then."""
    status, headers, body = ClassicVod(endpoint, *BOB_KEY).raw("GetVideoInfo", VideoId=bobs_video)

    assert status == 200
    assert headers["Content-Type"] == "text/xml;charset=utf-8"
    assert b"<GetVideoInfoResponse><RequestId>" in body
    assert f"<Video><VideoId>{bobs_video}</VideoId>".encode() in body
    assert b"<Status>Uploading</Status>" in body
