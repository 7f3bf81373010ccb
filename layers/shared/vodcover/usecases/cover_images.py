"""Putting cover images into ``covers/``: from bytes, from a URL, or copied from a generated frame.

One place for the rule "a cover is a checked JPG/PNG stored under a key of its own", shared by
the covers API (its images checked by the cover media function) and by the snapshot job (which
applies a ``coverUrl`` given at creation, checking it in process).

Every prepared image gets a fresh key (its content digest, then a random part), even when the
very same image is stored already. Sharing one object between writes is what let two Lambdas
leave a record pointing at a deleted cover: A replaced image X and deleted its object while B,
having found X stored, wrote X back as the cover. With a key per write, the object a write
replaces is named by no later record version, so deleting it after the conditional write
succeeded is safe, and so is discarding an image whose write was refused (issue 11 item 10,
``tests/unit/test_cover_races.py``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from vodcover.cover_media.headers import CoverLimits
from vodcover.cover_media.protocol import CoverMedia
from vodcover.dal.objects import MediaStore
from vodcover.domain import keys
from vodcover.errors import VideoNotFound
from vodcover.net.url_policy import UrlPolicy
from vodcover.settings import CoverSettings


@dataclass(frozen=True)
class PreparedCover:
    key: str  # fresh: no record names it until this write lands
    width: int
    height: int
    data: bytes | None = field(default=None, repr=False)  # None: copied in the bucket, not read


class CoverImages:
    def __init__(self, *, store: MediaStore, settings: CoverSettings, media: CoverMedia) -> None:
        self._store = store
        self._settings = settings
        self._media = media  # checks images by content: in process, or the cover media function

    @property
    def limits(self) -> CoverLimits:
        s = self._settings
        return CoverLimits(s.cover_max_bytes, s.cover_max_long_side, s.cover_max_short_side)

    def url_policy(self) -> UrlPolicy:
        return UrlPolicy(
            allow_hosts=self._settings.allowed_cover_hosts, media_bucket=self._settings.media_bucket
        )

    def from_bytes(self, video_id: str, data: bytes) -> PreparedCover:
        checked = self._media.check_image(data, self.limits)
        key = keys.cover_key(video_id, unique_name(checked.digest), checked.extension)
        self._store.put_derived(key, checked.data, checked.content_type)
        return PreparedCover(key, checked.width, checked.height, checked.data)

    def from_url(self, video_id: str, url: str) -> PreparedCover:
        """A URL of the media bucket (a snapshot, candidate or cover URL handed back, an uploaded
        image; callers checked it is the caller's) is read from the bucket itself, never fetched
        over HTTP; any other URL goes through the safe fetch. Either way the bytes are checked."""
        # The outbound HTTP door (urllib3) loads with the first coverUrl, not at every cold start.
        from vodcover.net.fetch import fetch_bytes

        key = self._store.key_of_url(url)
        fetched = fetch_bytes(
            url if key is None else f"s3://{self._store.bucket}/{key}",
            self.url_policy(),
            max_bytes=self.limits.max_bytes,
            timeout=self._settings.cover_fetch_timeout_seconds,
        )
        return self.from_bytes(video_id, fetched.data)

    def from_frame(self, video_id: str, jpeg: bytes, width: int, height: int) -> PreparedCover:
        key = keys.cover_key(video_id, unique_name(hashlib.sha256(jpeg).hexdigest()), "jpg")
        self._store.put_derived(key, jpeg, "image/jpeg")
        return PreparedCover(key, width, height, jpeg)

    def copy_generated(self, video_id: str, source_key: str, width: int, height: int) -> PreparedCover:
        """A person picked a snapshot or candidate: keep a copy, so re-processing never changes it."""
        found = self._store.head(source_key)
        if found is None:
            raise VideoNotFound("That image is no longer stored; reload the video and pick again.")
        digest = found.etag or hashlib.sha256(source_key.encode()).hexdigest()
        key = keys.cover_key(video_id, unique_name(digest), "jpg")
        try:
            self._store.copy(source_key, key)
        except ClientError as exc:  # re-processing removed it between the look and the copy
            if exc.response.get("Error", {}).get("Code") not in {"NoSuchKey", "404", "NotFound"}:
                raise
            raise VideoNotFound("That image is no longer stored; reload the video and pick again.") from exc
        return PreparedCover(key, width, height)

    def discard(self, prepared: PreparedCover) -> None:
        """Remove an image whose record write did not land: its key is its own, nobody names it."""
        self._store.delete([prepared.key])


def unique_name(digest: str) -> str:
    """The digest (to recognise an image) and a random part (so no two writes share an object)."""
    return f"{digest[:32]}-{secrets.token_hex(8)}"
