"""Deleting videos: the record becomes a tombstone, then every object of the video is erased.

Order matters (docs/design.md, "Deleting a video"): the tombstone lands first, by a conditional
write, so no job can write the record again; then the video's folders are erased, every version.
A job still running when the tombstone lands finds its own record write refused and erases what
it stored itself (:func:`erase_if_deleted`), so nothing it wrote outlives the video.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from vodcover.dal.events import EventPublisher, EventType
from vodcover.dal.objects import MediaStore
from vodcover.dal.videos import VideoRepository
from vodcover.domain import keys
from vodcover.domain.videos import require_readable
from vodcover.errors import ConcurrentUpdate, NotOwner, VideoNotFound, VodcoverError
from vodcover.models import VideoRecord, utc_now

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class FailedDeletion:
    video_id: str
    code: str
    message: str


@dataclass
class BatchDeletion:
    deleted: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    failed: list[FailedDeletion] = field(default_factory=list)


class VideoDeletion:
    def __init__(self, *, videos: VideoRepository, store: MediaStore, events: EventPublisher) -> None:
        self._videos = videos
        self._store = store
        self._events = events

    def delete(self, caller: str, video_id: str) -> None:
        """Delete the caller's video; deleting it again succeeds and does nothing more.

        Another owner's video is ``Forbidden.NotOwner``; an unknown id (or another owner's
        deleted one) ``InvalidVideo.NotFound``.
        """
        for _ in range(MAX_ATTEMPTS):
            record = self._videos.get(video_id)
            if record is None:
                if self._videos.deleted_by(video_id) == caller:
                    erase_video_objects(self._store, video_id)  # a repeat finishes an interrupted erase
                    return
                raise VideoNotFound(f"No video {video_id}.")
            require_readable(record, video_id, caller)
            deleted_at = utc_now()
            if self._videos.bury(record, deleted_at=deleted_at, now_epoch=int(time.time())):
                erase_video_objects(self._store, video_id, record)
                self._events.publish(
                    EventType.VIDEO_DELETED,
                    {"videoId": video_id, "title": record.title, "deletedAt": deleted_at},
                )
                return
        raise ConcurrentUpdate("The video is being changed by others; try again.")

    def delete_many(self, caller: str, video_ids: Sequence[str]) -> BatchDeletion:
        """Each id on its own, answered like the batch update (docs/design.md, "Routes")."""
        result = BatchDeletion()
        for video_id in dict.fromkeys(video_ids):
            try:
                self.delete(caller, video_id)
            except VideoNotFound:
                result.missing.append(video_id)
            except NotOwner:
                result.forbidden.append(video_id)
            except VodcoverError as exc:
                result.failed.append(FailedDeletion(video_id, exc.code, exc.message))
            else:
                result.deleted.append(video_id)
        return result


def erase_video_objects(store: MediaStore, video_id: str, record: VideoRecord | None = None) -> int:
    """Every version of every object under the video's folders, and its upload outside them.

    A registered video's object outside ``uploads/`` is the operator's and stays (it was never
    copied); an ownerless upload elsewhere under ``uploads/`` goes with its record.
    """
    erased = sum(store.erase(prefix) for prefix in keys.video_prefixes(video_id))
    erased += store.erase(keys.embed_key(video_id), exact=True)
    source = record.source.key if record is not None and record.source is not None else None
    if source and keys.is_upload_key(source) and keys.video_id_of_key(source) != video_id:
        erased += store.erase(source)
    logger.info("video %s: erased %d object versions", video_id, erased)
    return erased


def erase_if_deleted(
    videos: VideoRepository, store: MediaStore, video_id: str, folders: tuple[str, ...]
) -> bool:
    """For a job whose record write was refused: if the video was deleted meanwhile, erase the
    video's objects under the job's own ``folders`` (the deletion's erase may have run before
    the job's objects landed; each job may write, and so erase, only its own folders)."""
    if not videos.is_deleted(video_id):
        return False
    logger.info("video %s was deleted while a job ran; erasing what it stored", video_id)
    for prefix in keys.video_prefixes(video_id, folders):
        store.erase(prefix)
    return True
