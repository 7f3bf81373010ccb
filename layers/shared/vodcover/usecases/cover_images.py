"""Putting cover images into ``covers/``: from bytes, from a URL, or copied from a generated frame.

One place for the rule "a cover is a checked JPG/PNG stored under its content digest", shared
by the covers API and by the snapshot job (which applies a ``coverUrl`` given at creation).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from vodcover.dal.objects import MediaStore
from vodcover.domain import keys
from vodcover.errors import VideoNotFound
from vodcover.media.cover_image import CoverLimits, check_cover_image
from vodcover.net.safe_fetch import UrlPolicy, fetch_bytes
from vodcover.settings import Settings

IMMUTABLE = "max-age=31536000, immutable"


@dataclass(frozen=True)
class PreparedCover:
    key: str
    width: int
    height: int
    newly_stored: bool  # False when the very same image was stored already


class CoverImages:
    def __init__(self, *, store: MediaStore, settings: Settings) -> None:
        self._store = store
        self._settings = settings

    @property
    def limits(self) -> CoverLimits:
        s = self._settings
        return CoverLimits(s.cover_max_bytes, s.cover_max_long_side, s.cover_max_short_side)

    def url_policy(self) -> UrlPolicy:
        return UrlPolicy(
            allow_hosts=self._settings.allowed_cover_hosts, media_bucket=self._settings.media_bucket
        )

    def from_bytes(self, video_id: str, data: bytes) -> PreparedCover:
        checked = check_cover_image(data, self.limits)
        key = keys.cover_key(video_id, checked.digest, checked.extension)
        return self._put_once(key, checked.data, checked.content_type, checked.width, checked.height)

    def from_url(self, video_id: str, url: str) -> PreparedCover:
        fetched = fetch_bytes(
            url,
            self.url_policy(),
            max_bytes=self.limits.max_bytes,
            timeout=self._settings.cover_fetch_timeout_seconds,
        )
        return self.from_bytes(video_id, fetched.data)

    def from_frame(self, video_id: str, jpeg: bytes, width: int, height: int) -> PreparedCover:
        key = keys.cover_key(video_id, hashlib.sha256(jpeg).hexdigest()[:32], "jpg")
        return self._put_once(key, jpeg, "image/jpeg", width, height)

    def copy_generated(self, video_id: str, source_key: str, width: int, height: int) -> PreparedCover:
        """A person picked a snapshot or candidate: keep a copy, so re-processing never changes it."""
        found = self._store.head(source_key)
        if found is None:
            raise VideoNotFound("That image is no longer stored; reload the video and pick again.")
        digest = found.etag or hashlib.sha256(source_key.encode()).hexdigest()[:32]
        key = keys.cover_key(video_id, digest, "jpg")
        existed = self._store.head(key) is not None
        if not existed:
            self._store.copy(source_key, key)
        return PreparedCover(key, width, height, newly_stored=not existed)

    def discard(self, prepared: PreparedCover) -> None:
        """Remove an image no record will point at (its record write was refused)."""
        if prepared.newly_stored:
            self._store.delete([prepared.key])

    def _put_once(self, key: str, data: bytes, content_type: str, width: int, height: int) -> PreparedCover:
        existed = self._store.head(key) is not None
        if not existed:
            self._store.put(key, data, content_type, cache_control=IMMUTABLE)
        return PreparedCover(key, width, height, newly_stored=not existed)
