"""Changing many videos at once: each item validated and applied on its own, a result per item.

One bad item never spoils the others: it is reported in ``failed`` with its code, while the
rest are applied, four at a time, through the same :class:`~vodcover.usecases.edit.VideoEditor`
as a single change.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from vodcover.commands import BatchItem, RefusedItem, VideoChanges, parse_batch_item
from vodcover.dal.videos import VideoRepository
from vodcover.domain.videos import partition_by_owner
from vodcover.errors import InternalError, InvalidParameter, NotOwner, VideoNotFound, VodcoverError
from vodcover.usecases.edit import VideoEditor

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ItemFailure:
    video_id: str | None  # None: the item named no video id one could read
    error: VodcoverError


@dataclass(frozen=True)
class BatchUpdateResult:
    updated: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    failed: list[ItemFailure] = field(default_factory=list)


class BatchEditor:
    def __init__(self, *, videos: VideoRepository, editor: VideoEditor) -> None:
        self._videos = videos
        self._editor = editor

    def batch_update(self, caller: str, raw_updates: Sequence[object]) -> BatchUpdateResult:
        """``raw_updates``: the wire's items as decoded JSON, each checked on its own (any shape)."""
        result = BatchUpdateResult()
        items: list[BatchItem] = []
        seen: set[str] = set()
        for raw in raw_updates:
            item = parse_batch_item(raw)
            if isinstance(item, RefusedItem):
                result.failed.append(ItemFailure(item.video_id, item.error))
            elif item.video_id in seen:
                duplicate = InvalidParameter("VideoId", "The video appears more than once in the batch.")
                result.failed.append(ItemFailure(item.video_id, duplicate))
            else:
                seen.add(item.video_id)
                items.append(item)

        records = self._videos.get_many([item.video_id for item in items])
        split = partition_by_owner((item.video_id for item in items), records, caller)
        result.missing.extend(split.missing)
        result.forbidden.extend(split.forbidden)
        owned = set(split.owned)
        runnable = [item for item in items if item.video_id in owned]

        with ThreadPoolExecutor(max_workers=4) as pool:
            outcomes = list(pool.map(lambda item: self._try_update(caller, item), runnable))
        for item, error in zip(runnable, outcomes, strict=True):
            if error is None:
                result.updated.append(item.video_id)
            elif isinstance(error, VideoNotFound):
                result.missing.append(item.video_id)
            elif isinstance(error, NotOwner):
                result.forbidden.append(item.video_id)
            else:
                result.failed.append(ItemFailure(item.video_id, error))
        return result

    def _try_update(self, caller: str, item: BatchItem) -> VodcoverError | None:
        changes = VideoChanges.model_validate(
            item.model_dump(by_alias=True, exclude={"video_id"}, exclude_unset=True)
        )
        try:
            self._editor.update(caller, item.video_id, changes)
        except VodcoverError as exc:
            return exc
        except Exception:  # one item's surprise must not spoil the others
            logger.exception("batch item %s failed unexpectedly", item.video_id)
            return InternalError("The change could not be made; try again.")
        return None
