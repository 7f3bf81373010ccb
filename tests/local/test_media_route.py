"""``<api>/media/<key>``: derived images without a signature, never an upload (issue 16).

Objects are put straight into the embedded S3 with the headers the product writes, then read the
way a browser or a CDN-fronted page would: plain unsigned GETs on the API port.
"""

from __future__ import annotations

import pytest
import requests

from vodcover.dal.objects import EMBED_CACHE_CONTROL, IMMUTABLE_CACHE_CONTROL
from vodcover.domain import keys
from vodcover_dev.local.stack import LocalStack

WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 fake but stored as is"


@pytest.fixture(scope="module")
def stored(stack: LocalStack) -> dict[str, str]:
    s3 = stack.client("s3")
    cover = keys.cover_key("v1", "c" * 32 + "-0011223344556677", "jpg")
    rendition = keys.rendition_key("v1", cover, WEBP, "webp")
    put = {
        "rendition": (rendition, WEBP, "image/webp", IMMUTABLE_CACHE_CONTROL),
        "embed": (keys.embed_key("v1"), b"\xff\xd8\xff embed", "image/jpeg", EMBED_CACHE_CONTROL),
        "upload": (keys.upload_key("v1", "holiday.mp4"), b"video", "video/mp4", ""),
        "registered": ("library/registered.mp4", b"video", "video/mp4", ""),
    }
    for key, body, content_type, cache in put.values():
        extra = {"CacheControl": cache} if cache else {}
        s3.put_object(Bucket=stack.bucket, Key=key, Body=body, ContentType=content_type, **extra)
    return {name: key for name, (key, *_rest) in put.items()}


def test_a_derived_image_is_served_unsigned_with_the_headers_it_was_stored_with(
    stack: LocalStack, stored: dict[str, str]
) -> None:
    response = requests.get(f"{stack.api_endpoint}/media/{stored['rendition']}", timeout=10)

    assert response.status_code == 200
    assert response.content == WEBP
    assert response.headers["Content-Type"] == "image/webp"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["ETag"].strip('"')


def test_the_embed_copy_is_cached_briefly(stack: LocalStack, stored: dict[str, str]) -> None:
    response = requests.get(f"{stack.api_endpoint}/media/{stored['embed']}", timeout=10)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=30"
    assert response.headers["Content-Type"] == "image/jpeg"


def test_a_browser_revalidating_gets_304(stack: LocalStack, stored: dict[str, str]) -> None:
    url = f"{stack.api_endpoint}/media/{stored['rendition']}"
    etag = requests.get(url, timeout=10).headers["ETag"]

    again = requests.get(url, headers={"If-None-Match": etag}, timeout=10)

    assert again.status_code == 304 and again.content == b""


def test_head_answers_headers_only(stack: LocalStack, stored: dict[str, str]) -> None:
    response = requests.head(f"{stack.api_endpoint}/media/{stored['rendition']}", timeout=10)

    assert response.status_code == 200 and response.content == b""
    assert response.headers["Content-Length"] == str(len(WEBP))


@pytest.mark.parametrize("name", ["upload", "registered"])
def test_uploads_and_registered_videos_are_never_served(
    stack: LocalStack, stored: dict[str, str], name: str
) -> None:
    response = requests.get(f"{stack.api_endpoint}/media/{stored[name]}", timeout=10)

    assert response.status_code == 404
    assert b"video" not in response.content


@pytest.mark.parametrize(
    "path",
    [
        "covers/v1/../../uploads/v1/holiday.mp4",
        "covers/v1/%2e%2e/%2e%2e/uploads/v1/holiday.mp4",
        "covers%2fv1%2f..%2f..%2fuploads%2fv1%2fholiday.mp4",
        "snapshots//v1/x.jpg",
        "",
    ],
)
def test_paths_that_climb_out_of_the_derived_prefixes_are_not_found(
    stack: LocalStack, stored: dict[str, str], path: str
) -> None:
    response = requests.get(f"{stack.api_endpoint}/media/{path}", timeout=10)

    assert response.status_code == 404


def test_a_missing_image_is_not_found_and_writes_are_refused(
    stack: LocalStack, stored: dict[str, str]
) -> None:
    missing = requests.get(f"{stack.api_endpoint}/media/covers/v1/nothing.jpg", timeout=10)
    put = requests.put(f"{stack.api_endpoint}/media/{stored['rendition']}", data=b"x", timeout=10)

    assert missing.status_code == 404
    assert put.status_code == 405 and put.headers["Allow"] == "GET, HEAD"
