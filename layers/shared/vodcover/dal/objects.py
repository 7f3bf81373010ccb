"""The media bucket: stored objects and presigned URLs, behind one small class."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from botocore.exceptions import ClientError

from vodcover.dal.aws import client
from vodcover.dal.cdn_signing import CdnUrlSigner
from vodcover.domain import keys

# Every derived key changes with its bytes (vodcover.domain.keys), so caches may keep it forever.
IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"
# embed/{videoId} is rewritten on every cover change: browsers and the CDN keep it this long, so
# an embedded cover follows a change within a minute (docs/design.md, "Embedding").
EMBED_CACHE_SECONDS = 30
EMBED_CACHE_CONTROL = f"public, max-age={EMBED_CACHE_SECONDS}"
# Every public S3 host form: s3.amazonaws.com, s3.eu-west-1.amazonaws.com, s3-eu-west-1…,
# s3.dualstack.…, s3-accelerate…, and .cn; virtual-hosted ones start with "<bucket>.".
_AWS_S3_HOST = re.compile(
    r"^(?:(?P<bucket>[a-z0-9][a-z0-9.-]*)\.)?s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$"
)


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    etag: str
    content_type: str


class MediaStore:
    def __init__(
        self,
        bucket: str,
        *,
        url_ttl_seconds: int,
        cdn_base_url: str = "",
        signer: CdnUrlSigner | None = None,
    ) -> None:
        self.bucket = bucket
        self._ttl = url_ttl_seconds
        self._cdn = cdn_base_url.rstrip("/")
        self._signer = signer  # a private library: every CDN URL signed (docs/embedding.md)

    @property
    def _s3(self) -> Any:
        return client("s3")

    def put(self, key: str, body: bytes, content_type: str, *, cache_control: str = "") -> None:
        extra = {"CacheControl": cache_control} if cache_control else {}
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, **extra)

    def put_derived(self, key: str, body: bytes, content_type: str) -> None:
        """An image vodcover made or checked, under a content-addressed key: cached for a year."""
        self.put(key, body, content_type, cache_control=IMMUTABLE_CACHE_CONTROL)

    def get_bytes(self, key: str) -> bytes | None:
        try:
            answer = self._s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise
        return bytes(answer["Body"].read())

    def head(self, key: str) -> ObjectInfo | None:
        try:
            answer = self._s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise
        return ObjectInfo(
            key=key,
            size=int(answer.get("ContentLength", 0)),
            etag=str(answer.get("ETag", "")).strip('"'),
            content_type=str(answer.get("ContentType", "")),
        )

    def copy(self, source_key: str, target_key: str) -> None:
        """Server-side copy, headers included: a person's chosen snapshot survives the snapshots
        being redone."""
        self._s3.copy_object(
            Bucket=self.bucket, Key=target_key, CopySource={"Bucket": self.bucket, "Key": source_key}
        )

    def copy_as_embed(self, source_key: str, video_id: str, content_type: str) -> None:
        """``embed/{videoId}`` becomes a copy of the cover, with the short cache it needs."""
        self._s3.copy_object(
            Bucket=self.bucket,
            Key=keys.embed_key(video_id),
            CopySource={"Bucket": self.bucket, "Key": source_key},
            MetadataDirective="REPLACE",
            ContentType=content_type,
            CacheControl=EMBED_CACHE_CONTROL,
        )

    def list_keys(self, prefix: str) -> list[str]:
        keys: list[str] = []
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return keys

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            chunk = [{"Key": key} for key in keys[start : start + 1000]]
            self._s3.delete_objects(Bucket=self.bucket, Delete={"Objects": chunk, "Quiet": True})

    def erase(self, prefix: str, *, exact: bool = False) -> int:
        """Every version (and delete marker) of every object under ``prefix``: a deleted video's
        objects must not linger as noncurrent versions for the lifecycle rule's 7-30 days."""
        versions: list[dict[str, str]] = []
        paginator = self._s3.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for entry in (*page.get("Versions", []), *page.get("DeleteMarkers", [])):
                if exact and entry["Key"] != prefix:
                    continue  # ``exact``: that one key, not the keys it is a prefix of
                versions.append({"Key": entry["Key"], "VersionId": entry["VersionId"]})
        for start in range(0, len(versions), 1000):
            chunk = versions[start : start + 1000]
            self._s3.delete_objects(Bucket=self.bucket, Delete={"Objects": chunk, "Quiet": True})
        return len(versions)

    def key_of_url(self, url: str) -> str | None:
        """The media-bucket key ``url`` names, in any form a URL of it can take; else None.

        ``s3://bucket/key``; S3's https hosts, virtual-hosted or path-style, presigned or not;
        the configured endpoint (the local emulator); the CDN. Lenient on purpose: whatever
        might reach one of our objects is judged as that object.
        """
        try:
            parts = urlsplit(url.strip())
            host = (parts.hostname or "").rstrip(".")
            port = parts.port
        except ValueError:
            return None
        if self._cdn and url.startswith(self._cdn + "/"):
            return unquote(urlsplit(url[len(self._cdn) :]).path.lstrip("/"))
        path = unquote(parts.path)
        scheme = parts.scheme.lower()
        if scheme == "s3":
            return path.lstrip("/") if host == self.bucket else None
        if scheme not in {"http", "https"}:
            return None
        endpoint = urlsplit(str(self._s3.meta.endpoint_url or ""))
        endpoint_host = (endpoint.hostname or "").rstrip(".")
        virtual_bucket: str | None
        if endpoint_host and host == endpoint_host and port == endpoint.port:
            virtual_bucket = None  # path-style on the endpoint
        elif endpoint_host and host.endswith("." + endpoint_host) and port == endpoint.port:
            virtual_bucket = host[: -len(endpoint_host) - 1]
        elif aws := _AWS_S3_HOST.match(host):
            virtual_bucket = aws["bucket"]
        else:
            return None
        if virtual_bucket is not None:
            return path.lstrip("/") if virtual_bucket == self.bucket else None
        bucket, _, key = path.lstrip("/").partition("/")
        return key if bucket == self.bucket else None

    def viewer_url(self, key: str) -> str:
        """The URL answers show for the object: under the public base (the CDN, or
        ``<api>/media`` locally) for derived images, unsigned or, in a private library, signed for
        ``UrlTtlSeconds``; else a presigned GET (always for uploads)."""
        if not (self._cdn and keys.is_derived_key(key)):
            return self.presigned_get(key)
        url = f"{self._cdn}/{key}"
        if self._signer is None:
            return url
        video_id = keys.video_id_of_key(key)
        return self._signer.sign(url, scope=f"{self._cdn}/*/{video_id}/*" if video_id else url)

    def public_url(self, key: str) -> str | None:
        """The unsigned, never-expiring URL of a derived image; None when nothing serves one, and
        in a private library, whose CDN serves signed URLs only (so no ``cover.embedUrl``)."""
        if self._signer is not None or not (self._cdn and keys.is_derived_key(key)):
            return None
        return f"{self._cdn}/{key}"

    def job_read_url(self, key: str, *, for_seconds: float) -> str:
        """A presigned GET a media job reads through: it outlives a job of ``for_seconds``
        (``UrlTtlSeconds`` may be shorter), and never goes through the CDN."""
        return self.presigned_get(key, max(self._ttl, int(for_seconds) + 60))

    def presigned_get(self, key: str, ttl_seconds: int | None = None) -> str:
        """A presigned GET valid ``ttl_seconds`` (default ``UrlTtlSeconds``): what the two above use."""
        return str(
            self._s3.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=ttl_seconds or self._ttl
            )
        )

    def presigned_put(
        self, key: str, *, content_type: str | None = None, content_length: int | None = None
    ) -> str:
        """A PUT URL bound to the content type (and size, when known): S3 refuses anything else."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if content_type:
            params["ContentType"] = content_type
        if content_length:
            params["ContentLength"] = content_length
        return str(self._s3.generate_presigned_url("put_object", Params=params, ExpiresIn=self._ttl))
