"""Every other action, through both official SDKs, against ``vodcover local``.

Given a processed video of the local owner, when a script refreshes an upload address, pulls a
video from a URL, registers an object already in the bucket, uploads a cover image and uses its
URL as the cover, and asks for smart and animated covers, then each answer has Alibaba's shape
and names what vodcover made (videos that become ``Normal``, images that can be fetched).
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import requests
from PIL import Image

from tests.alibaba.actions.conftest import BOB_KEY, Media, jpeg
from tests.alibaba.actions.vod_steps import decoded, image_bytes, put_file, settled_video
from tests.alibaba.vod_sdks import ClassicVod, Refused, VodSdk
from tests.integration.loopback import FileServer
from vodcover_dev.local.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.media]


def test_refresh_upload_video_signs_a_new_address_for_the_same_video(sdk: VodSdk, media: Media) -> None:
    created = sdk.call("CreateUploadVideo", Title="Later", FileName="later.mp4")

    refreshed = sdk.call("RefreshUploadVideo", VideoId=created["VideoId"])

    assert refreshed["VideoId"] == created["VideoId"]
    old, new = decoded(created["UploadAddress"]), decoded(refreshed["UploadAddress"])
    assert new["FileName"] == old["FileName"] == f"uploads/{created['VideoId']}/later.mp4"
    assert (
        decoded(refreshed["UploadAuth"])["ExpireUTCTime"] >= decoded(created["UploadAuth"])["ExpireUTCTime"]
    )
    put_file(refreshed["UploadAuth"], refreshed["UploadAddress"], media.video.read_bytes()[:1000])


def test_upload_media_by_url_pulls_each_url_into_a_video(
    stack: LocalStack, sdk: VodSdk, media: Media, web: FileServer
) -> None:
    source = web.publish(f"pulled-{sdk.name}.mp4", media.video.read_bytes(), "video/mp4")

    answer = sdk.call(
        "UploadMediaByURL",
        UploadURLs=requests.utils.quote(source, safe=""),
        UploadMetadatas=json.dumps([{"SourceURL": source, "Title": "Pulled", "CoverURL": media.cover_url}]),
    )

    (job,) = answer["UploadJobs"]
    assert job["SourceURL"] == source and job["JobId"]
    video = settled_video(stack, sdk, job["JobId"])
    assert (video["Status"], video["Title"]) == ("Normal", "Pulled")
    assert image_bytes(video["CoverURL"]) == media.cover_jpeg
    missing = "0123456789abcdef0123456789abcdef"
    infos = sdk.call("GetURLUploadInfos", JobIds=f"{job['JobId']},{missing}")
    (info,) = infos["URLUploadInfoList"]
    assert (info["JobId"], info["MediaId"], info["Status"]) == (job["JobId"], job["JobId"], "SUCCESS")
    assert int(info["FileSize"]) == media.video.stat().st_size
    assert infos["NonExists"] == [missing]


def test_a_refused_pull_is_a_failed_upload_job(sdk: VodSdk) -> None:
    source = "https://169.254.169.254/latest/meta-data/video.mp4"  # never fetched: not public
    (job,) = sdk.call("UploadMediaByURL", UploadURLs=requests.utils.quote(source, safe=""))["UploadJobs"]

    (info,) = sdk.call("GetURLUploadInfos", JobIds=job["JobId"])["URLUploadInfoList"]
    assert (info["Status"], info["ErrorCode"]) == ("FAIL", "SourceUrl.Forbidden")


def test_register_media_takes_an_object_already_in_the_bucket(
    stack: LocalStack, sdk: VodSdk, media: Media
) -> None:
    key = f"library/{sdk.name}/clip.mp4"
    stack.client("s3").put_object(Bucket=stack.bucket, Key=key, Body=media.video.read_bytes())
    file_url = f"s3://{stack.bucket}/{key}"

    answer = sdk.call(
        "RegisterMedia",
        RegisterMetadatas=json.dumps(
            [{"FileURL": file_url, "Title": "From the library"}, {"FileURL": "https://example.com/x.mp4"}]
        ),
    )

    (registered,) = answer["RegisteredMediaList"]
    assert registered["FileURL"] == file_url and registered["NewRegister"] is True
    assert answer["FailedFileURLs"] == ["https://example.com/x.mp4"]
    video = settled_video(stack, sdk, registered["MediaId"])
    assert (video["Status"], video["Title"]) == ("Normal", "From the library")


def test_an_uploaded_cover_image_becomes_the_cover_and_only_its_owners(
    sdk: VodSdk, processed_video: str, endpoint: str
) -> None:
    image = sdk.call("CreateUploadImage", ImageType="cover", ImageExt="jpg")
    picture = jpeg(400, 300, (20, 120, 220))
    put_file(image["UploadAuth"], image["UploadAddress"], picture)
    assert image_bytes(image["ImageURL"]) == picture

    sdk.call("UpdateVideoInfo", VideoId=processed_video, CoverURL=image["ImageURL"])

    video = sdk.call("GetVideoInfo", VideoId=processed_video)["Video"]
    assert image_bytes(video["CoverURL"]) == picture
    with pytest.raises(Refused) as refused:  # another owner may not name it
        ClassicVod(endpoint, *BOB_KEY).call(
            "CreateUploadVideo", Title="Bob's", FileName="b.mp4", CoverURL=image["ImageURL"]
        )
    assert (refused.value.code, refused.value.status) == ("CoverUrl.NotOwner", 403)


def test_only_cover_images_can_be_uploaded(sdk: VodSdk) -> None:
    with pytest.raises(Refused) as refused:
        sdk.call("CreateUploadImage", ImageType="watermark")
    assert (refused.value.code, refused.value.status) == ("InvalidParameter", 400)


def test_smart_and_animated_covers_are_listed_once_made(
    stack: LocalStack, sdk: VodSdk, processed_video: str
) -> None:
    job = sdk.call("SubmitAIImageJob", VideoId=processed_video)
    assert job["JobId"] == processed_video
    stack.wait_idle(timeout=180)

    images: list[dict[str, Any]] = sdk.call("ListAIImageInfo", VideoId=processed_video)["AIImageInfoList"]
    assert images and all(item["VideoId"] == processed_video for item in images)
    scores = [float(item["Score"]) for item in images]
    assert scores == sorted(scores, reverse=True)  # best first
    Image.open(io.BytesIO(image_bytes(images[0]["FileURL"]))).verify()

    dynamic = sdk.call("SubmitDynamicImageJob", VideoId=processed_video)
    assert dynamic["DynamicImageJob"]["JobId"] == processed_video
    stack.wait_idle(timeout=180)
    animated = sdk.call("ListDynamicImage", VideoId=processed_video)["DynamicImageList"]
    assert sorted(item["Format"] for item in animated) == ["gif", "webp"]
    assert image_bytes(next(i["FileURL"] for i in animated if i["Format"] == "gif")).startswith(b"GIF8")
