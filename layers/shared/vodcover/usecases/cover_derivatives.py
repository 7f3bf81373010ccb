"""What follows a cover: its renditions and placeholder, the embed copy, and tidying up.

Every place that sets a cover (a person through the API, the uploader's ``coverUrl``, the default
snapshot, the best smart candidate) goes through :class:`CoverDerivatives`:

1. :meth:`~CoverDerivatives.derive` before the record write: renditions are made (by
   ``vodcover.media.renditions.derive_cover``, in-process or in the media function) and stored
   under content-addressed keys, so the one conditional write names the cover and all of them.
2. :meth:`~CoverDerivatives.landed` after the write: ``embed/{videoId}`` becomes a copy of the
   new cover (``cover.embedUrl``), and the images the replaced record named that the new one does
   not are deleted. :meth:`~CoverDerivatives.refused` removes what a refused write had stored.

docs/design.md, "Embedding" says why ``embedUrl`` is a copy in the bucket.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from vodcover.cover_media.protocol import Derived
from vodcover.dal.objects import MediaStore
from vodcover.dal.videos import Mutation, UpdateOutcome, VideoRepository
from vodcover.domain import keys
from vodcover.models import CoverPlaceholder, CoverSource, StoredCover, StoredRendition, VideoRecord

logger = logging.getLogger(__name__)

# cover bytes -> renditions with their bytes and the placeholder (``CoverMedia.derive``: the
# cover media function for the covers API, in-process where the media layer is)
DeriveCover = Callable[[bytes], Derived]
_CONTENT_TYPES = {"jpeg": "image/jpeg", "webp": "image/webp", "avif": "image/avif"}
_EXTENSIONS = {"jpeg": "jpg", "webp": "webp", "avif": "avif"}

# Rival cover changes can interleave with our copy; after this many re-checks the newest write
# re-points embed/ itself (each landed write does), so giving up loses nothing.
_EMBED_ATTEMPTS = 3


@dataclass(frozen=True)
class Derivatives:
    renditions: list[StoredRendition] = field(default_factory=list)
    placeholder: CoverPlaceholder | None = None

    @property
    def keys(self) -> list[str]:
        return [r.key for r in self.renditions]

    def cover(self, key: str, width: int, height: int, source: CoverSource, now: str) -> StoredCover:
        return StoredCover(
            key=key,
            source=source,
            width=width,
            height=height,
            updated_at=now,
            renditions=self.renditions,
            placeholder=self.placeholder,
        )


NO_DERIVATIVES = Derivatives()


def derive_in_process(data: bytes) -> Derived:
    """The default :data:`DeriveCover`: Pillow here (functions with the media layer)."""
    from vodcover.cover_media.service import InProcessCoverMedia

    return InProcessCoverMedia().derive(data)


class CoverDerivatives:
    def __init__(
        self, *, store: MediaStore, videos: VideoRepository, derive: DeriveCover | None = derive_in_process
    ) -> None:
        self._store = store
        self._videos = videos
        self._derive = derive

    def derive(self, video_id: str, cover_key: str, data: bytes) -> Derivatives:
        """Make and store the renditions of the cover ``data`` (stored at ``cover_key``)."""
        if self._derive is None:
            return NO_DERIVATIVES
        stored: list[StoredRendition] = []
        try:
            return self._derive_and_store(video_id, cover_key, data, stored)
        except Exception:
            # A bonus, like the animated cover: the cover is set without its renditions rather
            # than not at all. What was stored before the failure is removed again.
            logger.warning("video %s: no renditions for %s", video_id, cover_key, exc_info=True)
            self._delete({r.key for r in stored})
            return NO_DERIVATIVES

    def _derive_and_store(
        self, video_id: str, cover_key: str, data: bytes, stored: list[StoredRendition]
    ) -> Derivatives:
        derived = self._derive(data)  # type: ignore[misc]  # checked by derive()
        for rendition in derived.renditions:
            key = keys.rendition_key(video_id, cover_key, rendition.data, _EXTENSIONS[rendition.format])
            self._store.put_derived(key, rendition.data, _CONTENT_TYPES[rendition.format])
            stored.append(
                StoredRendition(
                    width=rendition.width,
                    height=rendition.height,
                    format=rendition.format,
                    aspect=rendition.aspect,
                    key=key,
                )
            )
        return Derivatives(stored, CoverPlaceholder(blurhash=derived.blurhash, data_uri=derived.data_uri))

    def derive_stored(self, video_id: str, cover_key: str) -> Derivatives:
        """:meth:`derive` for a cover already in the bucket (a copied snapshot or candidate)."""
        if self._derive is None:
            return NO_DERIVATIVES
        data = self._store.get_bytes(cover_key)
        return NO_DERIVATIVES if data is None else self.derive(video_id, cover_key, data)

    def write(self, video_id: str, mutate: Mutation) -> UpdateOutcome:
        """The repository's conditional write; once it lands, :meth:`landed` on the record version
        it replaced (the last one ``mutate`` saw: a rival's, written between our read and our
        write, is replaced too)."""
        replaced: list[VideoRecord | None] = [None]

        def remembering(current: VideoRecord | None) -> VideoRecord | None:
            replaced[0] = current
            return mutate(current)

        outcome = self._videos.update(video_id, remembering)
        if outcome.written and outcome.record is not None:
            self.landed(replaced[0], outcome.record)
        return outcome

    def landed(self, previous: VideoRecord | None, current: VideoRecord) -> None:
        """A write landed: embed/ follows the cover; images only ``previous`` named are deleted."""
        before = previous.cover.key if previous is not None and previous.cover is not None else None
        if current.cover is not None and current.cover.key != before:
            self.point_embed(current.video_id, current.cover)
        gone = (previous.derived_keys if previous is not None else set()) - current.derived_keys
        self._delete(gone)

    def refused(self, video_id: str, written: Iterable[str]) -> None:
        """A write did not land (or may not have): remove what we stored that nothing names."""
        try:
            current = self._videos.get(video_id)
            named = current.derived_keys if current is not None else set()
            self._delete(set(written) - named)
        except Exception:  # a leaked object is better than a dangling cover
            logger.warning("video %s: could not tidy up after a refused write", video_id, exc_info=True)

    def keep_named(self, video_id: str, written: Iterable[str], record: VideoRecord) -> None:
        """A write landed as ``record``: what we stored that it does not name goes (a person's
        cover won meanwhile, say, and our renditions are unused)."""
        unused = [k for k in written if k not in record.derived_keys]
        if unused:
            self.refused(video_id, unused)

    def point_embed(self, video_id: str, cover: StoredCover) -> None:
        """Copy ``cover`` to ``embed/{videoId}``, then re-read: a rival change may have landed
        between our write and our copy, and the copy must end up showing the newest cover."""
        for _ in range(_EMBED_ATTEMPTS):
            try:
                self._store.copy_as_embed(cover.key, video_id, content_type_of(cover.key))
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in {"NoSuchKey", "404", "NotFound"}:
                    raise
                # Replaced and deleted by a newer write already: that write points embed/.
            fresh = self._videos.get(video_id)
            if fresh is None or fresh.cover is None or fresh.cover.key == cover.key:
                return
            cover = fresh.cover

    def _delete(self, gone: set[str]) -> None:
        derived = sorted(k for k in gone if keys.is_derived_key(k))
        if derived:
            self._store.delete(derived)


def content_type_of(key: str) -> str:
    return mimetypes.guess_type(key)[0] or "application/octet-stream"
