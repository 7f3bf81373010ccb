"""Hostile inputs, end to end: what strangers can send, through the local stack as deployed.

Every case goes through the same doors as in production: videos are PUT to a presigned URL (or
dropped into ``uploads/``) and reach the screenshot function through the S3 ObjectCreated
event; images, JSON and signatures go through the SigV4-checking HTTP front to the API
functions. Each case asserts the exact outcome: a refusal names its stable code, never a 5xx,
and leaves the stored record and objects exactly as they were; an acceptance says why it is
right. Nothing binary is committed: every file is made at test time (``media_corpus``).

The figures for the closing note come from here: ``pytest tests/reliability -q -rA`` lists the
cases (ids) one by one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.reliability import media_corpus as corpus
from tests.support.sigv4 import SigV4Auth
from vodcover import dependencies
from vodcover.dal.videos import DynamoVideoRepository
from vodcover.domain import keys
from vodcover.models import VideoRecord
from vodcover_dev.local.stack import LocalStack, find_template

pytestmark = [pytest.mark.media, pytest.mark.integration]

USERS = {"local": "local-secret", "bob": "bob-secret"}
SNAPSHOT_COUNT = 3
OUTPUT_PREFIXES = ("snapshots/", "covers/", "smart/", "animated/", "uploads/")
ONE_MIB = 1_048_576


@pytest.fixture(autouse=True)
def fake_aws_environment() -> Iterator[None]:
    """The stack owns the process environment (its endpoint, fake credentials) while it runs."""
    dependencies.reset()
    yield
    dependencies.reset()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    console = tmp_path_factory.mktemp("console")
    (console / "index.html").write_text("<!doctype html><title>vodcover</title>", encoding="utf-8")
    with LocalStack(
        find_template(),
        users=USERS,
        parameter_overrides={"SnapshotCount": str(SNAPSHOT_COUNT)},
        retry_delays=(0.0, 0.0),
        console_dir=console,
    ) as running:
        yield running


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


# --- talking to the stack ------------------------------------------------------------------------
@dataclass
class Answer:
    status: int
    body: dict[str, Any]

    @property
    def code(self) -> str | None:
        error = self.body.get("error") if isinstance(self.body, dict) else None
        return error.get("code") if isinstance(error, dict) else None


class Client:
    def __init__(self, stack: LocalStack, user: str = "local", **auth: Any) -> None:
        self.stack = stack
        self.session = requests.Session()
        self.session.auth = SigV4Auth(user, USERS.get(user, "nobody"), **auth)

    def call(self, method: str, path: str, **kwargs: Any) -> Answer:
        response = self.session.request(method, self.stack.api_endpoint + path, timeout=60, **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = {"raw": response.text}
        return Answer(response.status_code, body)


def repository() -> DynamoVideoRepository:
    return dependencies.video_repository()


def stored_state(stack: LocalStack, video_id: str) -> tuple[VideoRecord | None, dict[str, str]]:
    """The record and every object vodcover keeps for the video (key → ETag)."""
    s3 = stack.client("s3")
    objects: dict[str, str] = {}
    for prefix in OUTPUT_PREFIXES:
        for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=stack.bucket, Prefix=f"{prefix}{video_id}/"
        ):
            objects.update({item["Key"]: item["ETag"] for item in page.get("Contents", [])})
    return repository().get(video_id), objects


def object_exists(stack: LocalStack, key: str) -> bool:
    try:
        stack.client("s3").head_object(Bucket=stack.bucket, Key=key)
    except Exception:
        return False
    return True


def upload(stack: LocalStack, data: bytes, file_name: str, *, title: str = "clip") -> str:
    """Create-upload through the API, PUT the bytes to the presigned URL, wait for the job."""
    created = Client(stack).call("POST", "/videos", json={"title": title, "fileName": file_name})
    assert created.status == 201, created.body
    ticket = created.body["upload"]
    put = requests.put(
        ticket["url"], data=data, headers=ticket["headers"] | {"Content-Length": str(len(data))}, timeout=60
    )
    assert put.status_code == 200, put.text
    stack.wait_idle(120)
    return str(created.body["videoId"])


def drop_into_uploads(stack: LocalStack, key: str, data: bytes) -> str:
    """An object that lands in ``uploads/`` without the API (a tool, a sync): its id comes from its key."""
    stack.client("s3").put_object(Bucket=stack.bucket, Key=key, Body=data)
    stack.wait_idle(120)
    return keys.orphan_video_id(key)


@pytest.fixture(scope="module")
def good_clip(scratch: Path) -> bytes:
    return corpus.plain_clip(scratch / "good.mp4").read_bytes()


@pytest.fixture(scope="module")
def video(stack: LocalStack, good_clip: bytes) -> str:
    """Alice's processed video (status Normal, snapshots, default cover), the target of cover changes."""
    video_id = upload(stack, good_clip, "good.mp4", title="target")
    record = repository().get(video_id)
    assert record is not None and record.status == "Normal", record
    return video_id


# --- videos ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Refused:
    code: str
    why: str


@dataclass(frozen=True)
class Accepted:
    width: int
    height: int
    rotation: int
    min_snapshots: int
    why: str


Maker = Callable[[Path, Path], Path | bytes]

VIDEO_CASES: dict[str, tuple[str, Maker, Refused | Accepted]] = {
    "zero-bytes": ("empty.mp4", lambda d, s: b"", Refused("Media.Empty", "nothing to decode")),
    "truncated-moov-missing": (
        "cut.mp4",
        lambda d, s: corpus.moov_missing(d / "cut.mp4", s),
        Refused("Media.Corrupt", "without the index no frame can be located"),
    ),
    "truncated-mdat-cut": (
        "cut-late.mp4",
        lambda d, s: corpus.mdat_cut(d / "cut-late.mp4", s),
        Accepted(320, 240, 0, 1, "the index and the first half of the frames arrived: they make snapshots"),
    ),
    "random-bytes-mp4-header": (
        "noise.mp4",
        lambda d, s: corpus.samples.make_corrupt(d / "noise.mp4"),
        Refused("Media.Corrupt", "an ftyp box followed by noise"),
    ),
    "image-named-mp4": (
        "photo.mp4",
        lambda d, s: corpus.samples.make_still_image(d / "photo.mp4"),
        Refused("Media.NoVideoStream", "a still picture is not a video"),
    ),
    "text-named-mp4": (
        "notes.mp4",
        lambda d, s: b"#!/bin/sh\necho this is not a video\n" * 40,
        Refused("Media.Corrupt", "no container ffmpeg accepts"),
    ),
    "audio-only": (
        "memo.m4a",
        lambda d, s: corpus.samples.make_audio_only(d / "memo.m4a"),
        Refused("Media.NoVideoStream", "sound without pictures"),
    ),
    "huge-declared-resolution": (
        "huge.mov",
        lambda d, s: corpus.huge_declared_resolution(d / "huge.mov", s),
        Refused("Media.Corrupt", "16000x16000 declared, 320x240 of data: decoding fails fast"),
    ),
    "rotation-180": (
        "upside-down.mp4",
        lambda d, s: corpus.samples.make_sample_video(
            d / "r180.mp4", duration=2, width=320, height=240, fps=10, rotation=180
        ),
        Accepted(320, 240, 180, SNAPSHOT_COUNT, "a phone held upside down: same size, turned"),
    ),
    "rotation-270": (
        "sideways.mp4",
        lambda d, s: corpus.samples.make_sample_video(
            d / "r270.mp4", duration=2, width=320, height=240, fps=10, rotation=270
        ),
        Accepted(240, 320, 270, SNAPSHOT_COUNT, "portrait: displayed height x width"),
    ),
    "hevc-mp4": (
        "hevc.mp4",
        lambda d, s: corpus.codec_clip(d / "hevc.mp4", "hevc"),
        Accepted(320, 240, 0, SNAPSHOT_COUNT, "ffmpeg decodes HEVC"),
    ),
    "hevc-mkv": (
        "hevc.mkv",
        lambda d, s: corpus.codec_clip(d / "hevc.mkv", "hevc"),
        Accepted(320, 240, 0, SNAPSHOT_COUNT, "ffmpeg decodes HEVC"),
    ),
    "vp9-webm": (
        "vp9.webm",
        lambda d, s: corpus.codec_clip(d / "vp9.webm", "vp9"),
        Accepted(320, 240, 0, SNAPSHOT_COUNT, "ffmpeg decodes VP9"),
    ),
    "vp9-mp4": (
        "vp9.mp4",
        lambda d, s: corpus.codec_clip(d / "vp9.mp4", "vp9"),
        Accepted(320, 240, 0, SNAPSHOT_COUNT, "ffmpeg decodes VP9"),
    ),
    "av1-mkv": (
        "av1.mkv",
        lambda d, s: corpus.codec_clip(d / "av1.mkv", "av1"),
        Accepted(320, 240, 0, SNAPSHOT_COUNT, "dav1d decodes AV1"),
    ),
    "av1-mp4": (
        "av1.mp4",
        lambda d, s: corpus.codec_clip(d / "av1.mp4", "av1"),
        Accepted(320, 240, 0, SNAPSHOT_COUNT, "dav1d decodes AV1"),
    ),
    "variable-frame-rate": (
        "vfr.mp4",
        lambda d, s: corpus.variable_frame_rate(d / "vfr.mp4"),
        Accepted(320, 240, 0, SNAPSHOT_COUNT, "times come from timestamps, not from frame counts"),
    ),
    "negative-start-time": (
        "negative.flv",
        lambda d, s: corpus.negative_start(d / "negative.flv"),
        # the last slice lies past the final frame once the wrapped start is undone; the retry rule drops it
        Accepted(320, 240, 0, 2, "seeking is relative to the stream's own start"),
    ),
    "key-with-spaces": (
        "my holiday clip.mp4",
        lambda d, s: corpus.plain_clip(d / "a.mp4"),
        Accepted(320, 240, 0, SNAPSHOT_COUNT, "S3 events encode spaces as +"),
    ),
    "key-with-plus": (
        "a+b=c.mp4",
        lambda d, s: corpus.plain_clip(d / "b.mp4"),
        Accepted(320, 240, 0, SNAPSHOT_COUNT, "a literal + arrives as %2B"),
    ),
    "key-with-unicode": (
        "vidéo 视频 🎬.mp4",
        lambda d, s: corpus.plain_clip(d / "c.mp4"),
        Accepted(320, 240, 0, SNAPSHOT_COUNT, "UTF-8, percent-encoded in the event"),
    ),
}


def check_refused(stack: LocalStack, video_id: str, expected: Refused) -> None:
    record, objects = stored_state(stack, video_id)
    assert record is not None
    assert record.status == "ProcessFail", record
    assert record.error is not None and record.error.code == expected.code, (record.error, expected.why)
    # nothing was made of it: no media facts, no snapshots, no cover, no objects besides the upload
    assert (record.media, record.snapshots, record.cover) == (None, [], None)
    assert [key for key in objects if not key.startswith("uploads/")] == []


def check_accepted(stack: LocalStack, video_id: str, expected: Accepted) -> None:
    record, objects = stored_state(stack, video_id)
    assert record is not None
    assert record.status == "Normal", (record.status, record.error, expected.why)
    assert record.media is not None
    assert (record.media.width, record.media.height, record.media.rotation) == (
        expected.width,
        expected.height,
        expected.rotation,
    ), expected.why
    snapshot_keys = [s.key for s in record.snapshots]
    assert expected.min_snapshots <= len(snapshot_keys) <= SNAPSHOT_COUNT
    assert len(set(snapshot_keys)) == len(snapshot_keys)
    assert record.cover is not None and record.cover.source == "snapshot"
    # the record names exactly the objects that exist
    assert sorted(k for k in objects if k.startswith("snapshots/")) == sorted(snapshot_keys)
    assert record.cover.key in snapshot_keys
    for snapshot in record.snapshots:  # upright: portrait clips give portrait snapshots
        assert (snapshot.width > snapshot.height) == (expected.width > expected.height)


@pytest.mark.parametrize("case", list(VIDEO_CASES))
def test_hostile_video(stack: LocalStack, scratch: Path, case: str) -> None:
    file_name, make, expected = VIDEO_CASES[case]
    folder = scratch / case
    folder.mkdir()
    made = make(folder, folder)
    data = made if isinstance(made, bytes) else made.read_bytes()
    parked = len(stack.failures)

    video_id = upload(stack, data, file_name, title=case)

    assert len(stack.failures) == parked, "the screenshot function crashed instead of deciding"
    record = repository().get(video_id)
    assert record is not None and record.source is not None
    assert record.source.key == keys.upload_key(video_id, file_name)  # the event's key decoded exactly
    if isinstance(expected, Refused):
        check_refused(stack, video_id, expected)
    else:
        check_accepted(stack, video_id, expected)


@pytest.mark.parametrize(
    "name",
    ["n" * 996 + ".mp4", "a+b c%2B.mp4", "dir/sub dir/ünï+cødé.mp4"],
    ids=["1000-byte-name", "plus-space-percent", "nested-unicode"],
)
def test_objects_dropped_into_uploads_with_awkward_keys_are_processed(
    stack: LocalStack, good_clip: bytes, name: str
) -> None:
    """Accepted: the key is decoded exactly (``unquote_plus``) and names a record of its own."""
    key = "uploads/" + name
    assert len(key.encode()) <= 1024  # S3's limit

    video_id = drop_into_uploads(stack, key, good_clip)

    record, objects = stored_state(stack, video_id)
    assert record is not None and record.source is not None
    assert record.source.key == key
    assert record.status == "Normal" and record.owner is None  # owned by nobody until registered
    assert sorted(k for k in objects if k.startswith("snapshots/")) == sorted(s.key for s in record.snapshots)


def test_a_1000_byte_file_name_is_refused_by_create_upload(stack: LocalStack) -> None:
    """Refused: file names are at most 255 characters (a key must stay under S3's 1,024 bytes)."""
    answer = Client(stack).call("POST", "/videos", json={"title": "t", "fileName": "n" * 996 + ".mp4"})

    assert (answer.status, answer.code) == (400, "InvalidParameter.FileName")


# --- cover images ----------------------------------------------------------------------------------
def put_cover(
    stack: LocalStack, video_id: str, data: bytes, content_type: str = "image/jpeg", user: str = "local"
) -> Answer:
    return Client(stack, user).call(
        "PUT", f"/videos/{video_id}/cover", data=data, headers={"Content-Type": content_type}
    )


REFUSED_IMAGES: dict[str, tuple[Callable[[], bytes], int, str]] = {
    "png-decompression-bomb": (corpus.png_bomb, 400, "InvalidImage.Dimensions"),
    "jpeg-decompression-bomb": (corpus.jpeg_bomb, 400, "InvalidImage.Dimensions"),
    "polyglot-jpeg-zip": (lambda: corpus.jpeg() + corpus.zip_archive(), 400, "InvalidImage.Format"),
    "polyglot-png-zip": (lambda: corpus.png() + corpus.zip_archive(), 400, "InvalidImage.Format"),
    "polyglot-jpeg-html": (
        lambda: corpus.jpeg() + b"<html><script>alert(1)</script>",
        400,
        "InvalidImage.Format",
    ),
    "animated-png": (corpus.animated_png, 400, "InvalidImage.Format"),
    "truncated-jpeg": (lambda: corpus.jpeg()[:3000], 400, "InvalidImage.Corrupt"),
    "truncated-png": (lambda: corpus.png()[:3000], 400, "InvalidImage.Corrupt"),
    "jpeg-header-only": (lambda: b"\xff\xd8\xff", 400, "InvalidImage.Corrupt"),
    "empty-body": (lambda: b"", 400, "InvalidImage.Corrupt"),
    "svg-as-jpeg": (corpus.svg, 400, "InvalidImage.Format"),
    "gif-as-jpeg": (corpus.gif, 400, "InvalidImage.Format"),
    "webp-as-jpeg": (corpus.webp, 400, "InvalidImage.Format"),
    "heic-header-as-jpeg": (corpus.heic_header, 400, "InvalidImage.Format"),
    "one-mib-plus-one-byte": (lambda: corpus.jpeg_of_exactly(ONE_MIB + 1), 413, "InvalidImage.TooLarge"),
    "1921x1080": (lambda: corpus.flat_png(1921, 1080), 400, "InvalidImage.Dimensions"),
    "1080x1921": (lambda: corpus.jpeg(1080, 1921), 400, "InvalidImage.Dimensions"),
}


@pytest.mark.parametrize("case", list(REFUSED_IMAGES))
def test_hostile_cover_image_is_refused_and_nothing_changes(stack: LocalStack, video: str, case: str) -> None:
    make, status, code = REFUSED_IMAGES[case]
    before = stored_state(stack, video)

    answer = put_cover(stack, video, make())

    assert (answer.status, answer.code) == (status, code), answer.body
    assert stored_state(stack, video) == before


def test_a_real_heic_sent_as_jpeg_is_refused(stack: LocalStack, video: str) -> None:
    data = corpus.real_heic()
    if data is None:
        pytest.skip("pillow-heif is not installed, so Pillow cannot write a HEIC (the header case runs)")
    before = stored_state(stack, video)

    answer = put_cover(stack, video, data)

    assert (answer.status, answer.code) == (400, "InvalidImage.Format")
    assert stored_state(stack, video) == before


ACCEPTED_IMAGES: dict[str, tuple[Callable[[], bytes], tuple[int, int], str]] = {
    "cmyk-jpeg": (corpus.cmyk_jpeg, (640, 360), "a JPEG by content that decodes; print workflows make them"),
    "progressive-jpeg": (corpus.progressive_jpeg, (640, 360), "the web's usual JPEG"),
    "16-bit-png": (corpus.png_16_bit, (640, 360), "a PNG by content that decodes"),
    "palette-png": (corpus.palette_png, (640, 360), "a PNG by content that decodes"),
    "exif-rotated-jpeg": (
        corpus.exif_rotated_jpeg,
        (640, 360),
        "stored 360x640, shown turned: the displayed size counts",
    ),
    "exactly-one-mib": (lambda: corpus.jpeg_of_exactly(ONE_MIB), (640, 360), "the limit is inclusive"),
    "1920x1080": (lambda: corpus.jpeg(1920, 1080), (1920, 1080), "the largest landscape cover"),
}


@pytest.mark.parametrize("case", list(ACCEPTED_IMAGES))
def test_unusual_but_valid_cover_images_are_accepted(stack: LocalStack, video: str, case: str) -> None:
    make, (width, height), why = ACCEPTED_IMAGES[case]
    data = make()
    version = repository().get(video).version  # type: ignore[union-attr]

    answer = put_cover(
        stack, video, data, content_type="image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    )

    assert answer.status == 200, (answer.body, why)
    cover = answer.body["cover"]
    assert (cover["source"], cover["width"], cover["height"]) == ("user", width, height), why
    record, objects = stored_state(stack, video)
    assert record is not None and record.version == version + 1 and record.cover is not None
    # stored exactly as sent, under its content digest; the replaced cover's renditions are gone
    # (issue 16) and only its image stays, named by the cover history (issue 14)
    stored_covers = {k for k in objects if k.startswith("covers/")}
    assert stored_covers == {k for k in record.derived_keys if k.startswith("covers/")}
    assert stored_covers - set(record.cover.keys) <= {e.key for e in record.cover_history}
    assert hashlib.sha256(data).hexdigest()[:32] in record.cover.key
    body = stack.client("s3").get_object(Bucket=stack.bucket, Key=record.cover.key)["Body"].read()
    assert body == data


def test_a_cover_for_a_video_that_failed_processing_is_refused(stack: LocalStack) -> None:
    video_id = upload(stack, b"", "empty.mp4")
    before = stored_state(stack, video_id)

    answer = put_cover(stack, video_id, corpus.jpeg())

    assert (answer.status, answer.code) == (403, "Forbidden.IllegalStatus")
    assert stored_state(stack, video_id) == before


# --- cover URLs (every SSRF class is in tests/unit/test_outbound_fetch.py; here, end to end) -----------
HOSTILE_COVER_URLS = {
    "loopback": "https://127.0.0.1/c.jpg",
    "loopback-short": "https://127.1/c.jpg",
    "loopback-hex": "https://0x7f000001/c.jpg",
    "loopback-decimal": "https://2130706433/c.jpg",
    "this-host": "https://0.0.0.0/c.jpg",
    "rfc1918": "https://192.168.1.1/c.jpg",
    "metadata": "https://169.254.169.254/latest/meta-data/",
    "metadata-ipv6": "https://[fd00:ec2::254]/",
    "cgnat": "https://100.64.0.1/c.jpg",
    "ipv4-mapped": "https://[::ffff:127.0.0.1]/c.jpg",
    "name-resolving-to-loopback": "https://localhost/c.jpg",
    "userinfo-trick": "https://example.com@127.0.0.1/c.jpg",
    "file": "file:///etc/passwd",
    "gopher": "gopher://127.0.0.1:6379/_FLUSHALL",
    "data": "data:image/png;base64,iVBORw0KGgo=",
    "other-bucket": "s3://someone-elses-bucket/c.jpg",
}


@pytest.mark.parametrize("case", list(HOSTILE_COVER_URLS))
def test_hostile_cover_url_is_forbidden_and_nothing_changes(stack: LocalStack, video: str, case: str) -> None:
    before = stored_state(stack, video)

    answer = Client(stack).call("PATCH", f"/videos/{video}", json={"coverUrl": HOSTILE_COVER_URLS[case]})

    assert (answer.status, answer.code) == (400, "CoverUrl.Forbidden"), answer.body
    assert stored_state(stack, video) == before


# --- JSON bodies and parameters ----------------------------------------------------------------------
def raw_json(text: str | bytes) -> dict[str, Any]:
    return {"data": text, "headers": {"Content-Type": "application/json"}}


REFUSED_REQUESTS: dict[str, tuple[str, str, Callable[[str], dict[str, Any]], int, str]] = {
    # name: (method, path with {id}, request kwargs, status, code)
    "malformed-json": ("PATCH", "/videos/{id}", lambda v: raw_json('{"title": "x",'), 400, "InvalidJson"),
    "deeply-nested-json": (
        "PATCH",
        "/videos/{id}",
        lambda v: raw_json("[" * 100_000 + "]" * 100_000),
        400,
        "InvalidJson",
    ),
    "deeply-nested-object": (
        "PATCH",
        "/videos/{id}",
        lambda v: raw_json('{"a":' * 50_000 + "1" + "}" * 50_000),
        400,
        "InvalidJson",
    ),
    "ten-mib-body": (
        "PATCH",
        "/videos/{id}",
        lambda v: raw_json(b'{"title": "' + b"x" * (10 * ONE_MIB - 14) + b'"}'),
        400,
        "InvalidJson",
    ),
    "over-ten-mib-body": (
        "PATCH",
        "/videos/{id}",
        lambda v: raw_json(b" " * (10 * ONE_MIB + 1)),
        413,
        "Request.TooLarge",
    ),
    "json-not-an-object": (
        "PATCH",
        "/videos/{id}",
        lambda v: {"json": ["title", "x"]},
        400,
        "InvalidParameter.Body",
    ),
    "batch-item-not-an-object": (
        "PATCH",
        "/videos",
        lambda v: {"json": {"updates": [{"videoId": v}, "x"]}},
        400,
        "InvalidParameter.Updates",
    ),
    "wrong-type-title": (
        "PATCH",
        "/videos/{id}",
        lambda v: {"json": {"title": 5}},
        400,
        "InvalidParameter.Title",
    ),
    "wrong-type-tags": (
        "PATCH",
        "/videos/{id}",
        lambda v: {"json": {"tags": "a,b"}},
        400,
        "InvalidParameter.Tags",
    ),
    "wrong-type-cover-snapshot": (
        "PATCH",
        "/videos/{id}",
        lambda v: {"json": {"coverSnapshot": "one"}},
        400,
        "InvalidParameter.CoverSnapshot",
    ),
    "negative-cover-time": (
        "PATCH",
        "/videos/{id}",
        lambda v: {"json": {"coverTime": -1}},
        400,
        "InvalidParameter.CoverTime",
    ),
    "nan-cover-time": (
        "PATCH",
        "/videos/{id}",
        lambda v: raw_json('{"coverTime": NaN}'),
        400,
        "InvalidParameter.CoverTime",
    ),
    "two-cover-choices": (
        "PATCH",
        "/videos/{id}",
        lambda v: {"json": {"coverSnapshot": 0, "coverTime": 1}},
        400,
        "InvalidParameter.Cover",
    ),
    "missing-snapshot": (
        "PATCH",
        "/videos/{id}",
        lambda v: {"json": {"coverSnapshot": 99}},
        400,
        "InvalidParameter.CoverSnapshot",
    ),
    "unknown-field": (
        "PATCH",
        "/videos/{id}",
        lambda v: {"json": {"colour": "red"}},
        400,
        "InvalidParameter.Colour",
    ),
    "owner-is-not-a-field": (
        "PATCH",
        "/videos/{id}",
        lambda v: {"json": {"owner": "bob"}},
        400,
        "InvalidParameter.Owner",
    ),
    "version-is-not-a-field": (
        "PATCH",
        "/videos/{id}",
        lambda v: {"json": {"version": 1}},
        400,
        "InvalidParameter.Version",
    ),
    "batch-not-a-list": (
        "PATCH",
        "/videos",
        lambda v: {"json": {"updates": {"videoId": v}}},
        400,
        "InvalidParameter.Updates",
    ),
    "empty-batch": ("PATCH", "/videos", lambda v: {"json": {"updates": []}}, 400, "InvalidParameter.Updates"),
    "21-item-batch": (
        "PATCH",
        "/videos",
        lambda v: {"json": {"updates": [{"videoId": v, "title": f"t{i}"} for i in range(21)]}},
        400,
        "Batch.TooLarge",
    ),
    "21-id-read": (
        "GET",
        "/videos",
        lambda v: {"params": {"ids": ",".join([v] * 21)}},
        400,
        "Batch.TooLarge",
    ),
    "empty-id-list": ("GET", "/videos", lambda v: {"params": {"ids": ","}}, 400, "InvalidParameter.Ids"),
    "21-item-register": (
        "POST",
        "/videos/register",
        lambda v: {"json": {"items": [{"key": f"uploads/{i}.mp4"} for i in range(21)]}},
        400,
        "Batch.TooLarge",
    ),
    "21-item-pull": (
        "POST",
        "/videos/pull",
        lambda v: {"json": {"items": [{"url": "https://example.com/a.mp4"}] * 21}},
        400,
        "Batch.TooLarge",
    ),
    # ids no route can hold: no function sees them (404), as API Gateway answers an unknown path
    "id-path-traversal": ("GET", "/videos/..%2F..%2Fetc%2Fpasswd", lambda v: {}, 404, "NotFound"),
    "id-nul": ("GET", "/videos/abc%00def", lambda v: {}, 404, "NotFound"),
    "id-newline": ("PATCH", "/videos/abc%0Adef", lambda v: {"json": {"title": "x"}}, 404, "NotFound"),
    # ids that reach the function are checked against the id pattern
    "id-dot-dot": (
        "PATCH",
        "/videos/%2E%2E",
        lambda v: {"json": {"title": "x"}},
        400,
        "InvalidParameter.VideoId",
    ),
    "id-dot-dot-slash-cover": (
        "PUT",
        "/videos/%2E%2E/cover",
        lambda v: {"data": b"x"},
        400,
        "InvalidParameter.VideoId",
    ),
    "id-with-space": ("GET", "/videos/abc%20def", lambda v: {}, 400, "InvalidParameter.VideoId"),
    "id-too-long": ("GET", "/videos/" + "a" * 65, lambda v: {}, 400, "InvalidParameter.VideoId"),
    "limit-not-a-number": (
        "GET",
        "/videos",
        lambda v: {"params": {"limit": "ten"}},
        400,
        "InvalidParameter.Limit",
    ),
    "forged-next-token": (
        "GET",
        "/videos",
        lambda v: {"params": {"nextToken": "eyJvd25lciI6ImJvYiJ9"}},
        400,
        "InvalidParameter.NextToken",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED_REQUESTS))
def test_hostile_request_is_refused_with_its_code_and_nothing_changes(
    stack: LocalStack, video: str, case: str
) -> None:
    method, path, kwargs, status, code = REFUSED_REQUESTS[case]
    before = stored_state(stack, video)

    answer = Client(stack).call(method, path.format(id=video), **kwargs(video))

    assert (answer.status, answer.code) == (status, code), answer.body
    assert answer.body["error"]["requestId"]
    assert stored_state(stack, video) == before


def test_a_batch_item_with_a_hostile_id_or_field_fails_alone(stack: LocalStack, video: str) -> None:
    before = stored_state(stack, video)
    updates = [
        {"videoId": "../" + video, "title": "x"},
        {"videoId": video + "\n", "title": "x"},
        {"videoId": video, "colour": "red"},
        {"videoId": video, "title": 7},
        {"title": "no id"},
    ]

    answer = Client(stack).call("PATCH", "/videos", json={"updates": updates})

    assert answer.status == 200, answer.body
    assert (answer.body["updated"], answer.body["nonExistVideoIds"], answer.body["forbiddenVideoIds"]) == (
        [],
        [],
        [],
    )
    assert [f["code"] for f in answer.body["failed"]] == [
        "InvalidParameter.VideoId",
        "InvalidParameter.VideoId",
        "InvalidParameter.Colour",
        "InvalidParameter.Title",
        "InvalidParameter.VideoId",
    ]
    assert stored_state(stack, video) == before


def test_duplicate_ids_in_a_batch_apply_once(stack: LocalStack, video: str) -> None:
    """Accepted for the first occurrence, refused for the repeat: the outcome never depends on order."""
    version = repository().get(video).version  # type: ignore[union-attr]

    answer = Client(stack).call(
        "PATCH",
        "/videos",
        json={"updates": [{"videoId": video, "title": "first"}, {"videoId": video, "title": "second"}]},
    )

    assert answer.status == 200
    assert answer.body["updated"] == [video]
    assert [(f["videoId"], f["code"]) for f in answer.body["failed"]] == [(video, "InvalidParameter.VideoId")]
    record = repository().get(video)
    assert record is not None and (record.title, record.version) == ("first", version + 1)


def test_reading_ids_with_traversal_or_unknown_values_finds_nothing(stack: LocalStack, video: str) -> None:
    """Accepted: ids in a batch read are only ever DynamoDB keys; strange ones simply do not exist."""
    answer = Client(stack).call("GET", "/videos", params={"ids": f"../{video},{video}%00,{video}"})

    assert answer.status == 200
    assert [v["videoId"] for v in answer.body["videos"]] == [video]
    assert answer.body["nonExistVideoIds"] == [f"../{video}", f"{video}%00"]


# --- signatures ----------------------------------------------------------------------------------------
def unsigned(stack: LocalStack, method: str, path: str, **kwargs: Any) -> Answer:
    response = requests.request(method, stack.api_endpoint + path, timeout=30, **kwargs)
    return Answer(response.status_code, response.json())


SIGNATURE_CASES: dict[str, tuple[Callable[[LocalStack, str], Answer], int, str]] = {
    "missing": (lambda s, v: unsigned(s, "PATCH", f"/videos/{v}", json={"title": "x"}), 401, "Auth.Missing"),
    "garbled": (
        lambda s, v: unsigned(
            s,
            "PATCH",
            f"/videos/{v}",
            json={"title": "x"},
            headers={"Authorization": "AWS4-HMAC-SHA256 garbage"},
        ),
        403,
        "Auth.Invalid",
    ),
    "wrong-algorithm": (
        lambda s, v: unsigned(
            s, "GET", f"/videos/{v}", headers={"Authorization": "Basic bG9jYWw6bG9jYWwtc2VjcmV0"}
        ),
        403,
        "Auth.Invalid",
    ),
    "expired": (
        lambda s, v: Client(s, at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)).call(
            "PATCH", f"/videos/{v}", json={"title": "x"}
        ),
        403,
        "Auth.Invalid",
    ),
    "from-the-future": (
        lambda s, v: Client(s, at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20)).call(
            "PATCH", f"/videos/{v}", json={"title": "x"}
        ),
        403,
        "Auth.Invalid",
    ),
    "wrong-secret": (
        lambda s, v: Client(s, "mallory").call("PATCH", f"/videos/{v}", json={"title": "x"}),
        403,
        "Auth.Invalid",
    ),
    "other-service": (
        lambda s, v: Client(s, service="s3").call("PATCH", f"/videos/{v}", json={"title": "x"}),
        403,
        "Auth.Invalid",
    ),
}


@pytest.mark.parametrize("case", list(SIGNATURE_CASES))
def test_bad_signatures_are_refused_before_any_function_runs(
    stack: LocalStack, video: str, case: str
) -> None:
    send, status, code = SIGNATURE_CASES[case]
    before = stored_state(stack, video)

    answer = send(stack, video)

    assert (answer.status, answer.code) == (status, code), answer.body
    assert stored_state(stack, video) == before


def test_a_body_swapped_after_signing_is_refused(stack: LocalStack, video: str) -> None:
    before = stored_state(stack, video)
    request = requests.Request("PATCH", f"{stack.api_endpoint}/videos/{video}", json={"title": "signed"})
    prepared = SigV4Auth("local", USERS["local"])(request.prepare())
    prepared.body = json.dumps({"title": "swapped"}).encode()
    prepared.headers["Content-Length"] = str(len(prepared.body))

    response = requests.Session().send(prepared, timeout=30)

    assert (response.status_code, response.json()["error"]["code"]) == (403, "Auth.Invalid")
    assert stored_state(stack, video) == before


# --- someone else's videos ------------------------------------------------------------------------------
FOREIGN_CASES: dict[str, tuple[str, str, Callable[[str], dict[str, Any]], int, str | None]] = {
    "get": ("GET", "/videos/{id}", lambda v: {}, 403, "Forbidden.NotOwner"),
    "patch-info": (
        "PATCH",
        "/videos/{id}",
        lambda v: {"json": {"title": "mine now"}},
        403,
        "Forbidden.NotOwner",
    ),
    "patch-cover": (
        "PATCH",
        "/videos/{id}",
        lambda v: {"json": {"coverSnapshot": 0}},
        403,
        "Forbidden.NotOwner",
    ),
    "put-cover": (
        "PUT",
        "/videos/{id}/cover",
        lambda v: {"data": corpus.jpeg(), "headers": {"Content-Type": "image/jpeg"}},
        403,
        "Forbidden.NotOwner",
    ),
    "smart-cover": ("POST", "/videos/{id}/smart-cover", lambda v: {}, 403, "Forbidden.NotOwner"),
}


@pytest.mark.parametrize("case", list(FOREIGN_CASES))
def test_another_owners_video_cannot_be_read_or_changed(stack: LocalStack, video: str, case: str) -> None:
    method, path, kwargs, status, code = FOREIGN_CASES[case]
    before = stored_state(stack, video)

    answer = Client(stack, "bob").call(method, path.format(id=video), **kwargs(video))

    assert (answer.status, answer.code) == (status, code), answer.body
    assert stored_state(stack, video) == before


def test_another_owners_ids_in_batches_are_reported_forbidden(stack: LocalStack, video: str) -> None:
    before = stored_state(stack, video)
    bob = Client(stack, "bob")

    read = bob.call("GET", "/videos", params={"ids": video})
    changed = bob.call("PATCH", "/videos", json={"updates": [{"videoId": video, "title": "mine"}]})
    registered = bob.call("POST", "/videos/register", json={"items": [{"key": before[0].source.key}]})  # type: ignore[union-attr]
    listed = bob.call("GET", "/videos")

    assert (read.status, read.body["videos"], read.body["forbiddenVideoIds"]) == (200, [], [video])
    assert (changed.status, changed.body["updated"], changed.body["forbiddenVideoIds"]) == (200, [], [video])
    assert registered.status == 200 and [f["code"] for f in registered.body["failed"]] == [
        "Register.AlreadyRegistered"
    ]
    assert video not in [v["videoId"] for v in listed.body["videos"]]
    assert stored_state(stack, video) == before


def test_concurrent_callers_never_get_each_others_answers(stack: LocalStack, video: str) -> None:
    """Found by the soak: handlers keep the current event in module state, so the local stack runs
    one event at a time per function, as one Lambda execution environment does. Without that,
    a batch PATCH was answered from a concurrent single PATCH's body, and a caller could be
    answered as another."""
    from concurrent.futures import ThreadPoolExecutor

    alice, bob = Client(stack), Client(stack, "bob")

    def one(number: int) -> tuple[str, int, str | None]:
        kind = ("bob-patch", "alice-patch", "alice-batch", "bob-get")[number % 4]
        if kind == "bob-patch":
            answer = bob.call("PATCH", f"/videos/{video}", json={"description": f"bob{number}"})
        elif kind == "alice-patch":
            answer = alice.call("PATCH", f"/videos/{video}", json={"description": f"d{number}"})
        elif kind == "alice-batch":
            answer = alice.call(
                "PATCH", "/videos", json={"updates": [{"videoId": video, "tags": [f"t{number}"]}]}
            )
        else:
            answer = bob.call("GET", f"/videos/{video}")
        return kind, answer.status, answer.code

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(one, range(160)))

    expected = {
        "bob-patch": (403, "Forbidden.NotOwner"),
        "alice-patch": (200, None),
        "alice-batch": (200, None),
    }
    expected["bob-get"] = (403, "Forbidden.NotOwner")
    record = repository().get(video)
    assert record is not None and not record.description.startswith("bob")
    assert [o for o in outcomes if (o[1], o[2]) != expected[o[0]]] == []
