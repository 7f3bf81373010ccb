"""A phone's HDR upload and a song with cover art through the S3 flow (issue 17's "done when").

moto runs as a real HTTP server: the screenshot function reads the upload through a presigned
URL as on Lambda, so the keyframe fast path and the tone map run exactly as in production.
Colours are judged as in ``test_phone_footage``: colourfulness within 20 % and mean luma within
8 % of the SDR reference's cover.
"""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
from PIL import Image, ImageStat

from tests.conftest import TEST_BUCKET
from tests.support.apigw import FakeContext, load_function
from vodcover import dependencies
from vodcover.media.picture_measures import colourfulness
from vodcover.models import VideoRecord, VideoStatus
from vodcover_dev import phone_samples

pytestmark = pytest.mark.media

EVENT_FIXTURE = Path(__file__).resolve().parents[2] / "events" / "s3-put-uploads.json"


@pytest.fixture(scope="module")
def uploads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("phone-uploads")
    reference = phone_samples.make_sdr_reference(folder / "reference.mp4", duration=3, width=480, height=270)
    phone = phone_samples.make_hdr_video(reference, folder / "IMG_0001.MOV.mp4", transfer="hlg", gop=25)
    return {
        "reference": reference,
        "phone": phone_samples.tag_dolby_vision(phone, folder / "IMG_0001.mp4"),
        "song": phone_samples.make_audio_with_art(folder / "song.m4a", art=(300, 300)),
    }


def upload(key: str, path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    answer = boto3.client("s3").put_object(Bucket=TEST_BUCKET, Key=key, Body=data)
    event = copy.deepcopy(json.loads(EVENT_FIXTURE.read_text()))
    record = event["Records"][0]
    record["s3"]["bucket"]["name"] = TEST_BUCKET
    record["s3"]["object"].update(key=quote_plus(key), size=len(data), eTag=answer["ETag"].strip('"'))
    return event


def processed(key: str, path: Path) -> VideoRecord:
    answer = load_function("screenshot").lambda_handler(upload(key, path), FakeContext())
    video_id = answer["results"][0]["videoId"]
    record = dependencies.video_repository().get(video_id)
    assert record is not None
    return record


def cover_image(record: VideoRecord) -> Image.Image:
    assert record.cover is not None
    body = boto3.client("s3").get_object(Bucket=TEST_BUCKET, Key=record.cover.key)["Body"].read()
    return Image.open(io.BytesIO(body)).convert("RGB")


@pytest.mark.usefixtures("aws_server")
def test_a_phone_hdr_upload_becomes_normal_with_a_cover_in_the_references_colours(
    uploads: dict[str, Path],
) -> None:
    sdr = processed("uploads/sdr-copy.mp4", uploads["reference"])
    phone = processed("uploads/IMG_0001.mp4", uploads["phone"])

    assert phone.status == VideoStatus.NORMAL and len(phone.snapshots) == len(sdr.snapshots)
    assert phone.media is not None
    assert (phone.media.hdr, phone.media.dolby_vision, phone.media.bit_depth) == ("hlg", "8.4", 10)
    cover, reference = cover_image(phone), cover_image(sdr)
    assert cover.size == reference.size
    colour, ref_colour = colourfulness(cover), colourfulness(reference)
    light, ref_light = (ImageStat.Stat(i.convert("L")).mean[0] for i in (cover, reference))
    assert abs(colour - ref_colour) <= 0.20 * ref_colour, (colour, ref_colour)
    assert abs(light - ref_light) <= 0.08 * ref_light, (light, ref_light)


@pytest.mark.usefixtures("aws_server")
def test_a_song_with_cover_art_gets_the_art_as_its_cover(uploads: dict[str, Path]) -> None:
    record = processed("uploads/song.m4a", uploads["song"])

    assert record.status == VideoStatus.NORMAL and record.error is None
    assert record.media is not None and record.media.has_video is False and record.media.has_audio
    assert len(record.snapshots) == 1 and record.cover is not None
    assert cover_image(record).size == (300, 300)
