"""``<api>/media/<key>``: the local stand-in for the CDN (docs/design.md, "Embedding").

Deployed, CloudFront reads the derived prefixes of the media bucket and nothing else; locally,
this route does the same from the emulator: no signature, never ``uploads/`` or a registered
video (any key outside ``vodcover.domain.keys.DERIVED_PREFIXES`` is a 404, as S3 answers the CDN
403), and the object's own ``Content-Type``, ``Cache-Control`` and ``ETag``, so a page sees the
headers a deployed stack sends. ``If-None-Match`` gets a 304, as from CloudFront.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from vodcover.domain import keys

MEDIA_PREFIX = "/media/"

# What the CDN's response-headers policy adds (template.yaml, MediaResponseHeadersPolicy).
_POLICY_HEADERS = (
    ("Access-Control-Allow-Origin", "*"),
    ("X-Content-Type-Options", "nosniff"),
)
_PASSED_HEADERS = (("ContentType", "Content-Type"), ("CacheControl", "Cache-Control"), ("ETag", "ETag"))


@dataclass(frozen=True)
class MediaAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def is_media_path(raw_path: str) -> bool:
    return raw_path.startswith(MEDIA_PREFIX)


class MediaRoute:
    """Serves derived objects of ``bucket`` through the emulator's S3 client."""

    def __init__(self, s3: Callable[[], Any], bucket: str) -> None:
        self._s3 = s3
        self._bucket = bucket

    def answer(self, method: str, raw_path: str, if_none_match: str | None = None) -> MediaAnswer:
        if method not in {"GET", "HEAD"}:
            return _error(405, "Only GET and HEAD read media.", [("Allow", "GET, HEAD")])
        key = unquote(raw_path[len(MEDIA_PREFIX) :]) if is_media_path(raw_path) else ""
        if not keys.is_derived_key(key):
            return _error(404, "No such media.")
        try:
            found = self._s3().get_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
                return _error(404, "No such media.")
            raise
        headers = [(header, str(found[field])) for field, header in _PASSED_HEADERS if found.get(field)]
        headers.extend(_POLICY_HEADERS)
        if "LastModified" in found:
            headers.append(("Last-Modified", found["LastModified"].strftime("%a, %d %b %Y %H:%M:%S GMT")))
        if if_none_match and found.get("ETag") and if_none_match.strip() == found["ETag"]:
            return MediaAnswer(304, headers, b"")
        return MediaAnswer(200, headers, found["Body"].read())


def _error(status: int, message: str, extra: list[tuple[str, str]] | None = None) -> MediaAnswer:
    body = f"{status} {message}\n".encode()
    return MediaAnswer(status, [("Content-Type", "text/plain; charset=utf-8"), *(extra or [])], body)
