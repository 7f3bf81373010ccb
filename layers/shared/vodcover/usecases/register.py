"""Registering objects already in the media bucket as videos, without copying them.

Each item is judged on its own: a refused item (``Register.*``, ``CoverUrl.*``) is reported
with its code and never spoils the others.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from vodcover.commands import RegisterItem
from vodcover.domain import keys
from vodcover.errors import (
    RegisterAlreadyRegistered,
    RegisterInvalidKey,
    RegisterNotFound,
    VodcoverError,
)
from vodcover.models import SourceObject, VideoRecord, VideoStatus, utc_now
from vodcover.usecases.intake import VideoIntake


@dataclass(frozen=True)
class Registered:
    video_id: str
    key: str


@dataclass(frozen=True)
class RegisterFailure:
    key: str
    error: VodcoverError


@dataclass(frozen=True)
class RegisterResult:
    registered: list[Registered]
    failed: list[RegisterFailure]


class Registrations(VideoIntake):
    def register(self, caller: str, items: Sequence[RegisterItem]) -> RegisterResult:
        registered: list[Registered] = []
        failed: list[RegisterFailure] = []
        for item in items:
            try:
                video_id = self._register_one(caller, item)
            except VodcoverError as exc:
                failed.append(RegisterFailure(item.key, exc))
            else:
                registered.append(Registered(video_id, item.key))
        return RegisterResult(registered=registered, failed=failed)

    def _register_one(self, caller: str, item: RegisterItem) -> str:
        key = item.key
        if key.startswith(keys.DERIVED_PREFIXES) or key.endswith("/"):  # what vodcover writes is no video
            raise RegisterInvalidKey("That key holds vodcover's own output, not a video.")
        if item.cover_url:
            self._cover_urls.check(caller, item.cover_url)
        found = self._store.head(key)
        if found is None:
            raise RegisterNotFound(f"No object {key} in the media bucket.")
        video_id = self._existing_id_for(key) or keys.orphan_video_id(key)
        source = SourceObject(key=key, size=found.size, etag=found.etag)
        now = utc_now()
        file_name = posixpath.basename(key)

        def claim(current: VideoRecord | None) -> VideoRecord | None:
            if current is not None and current.owner is not None:
                raise RegisterAlreadyRegistered(f"{key} is already registered.")
            if current is not None:  # processed already, owned by nobody until now
                return current.changed(
                    owner=caller,
                    title=item.title or current.title,
                    pending_cover_url=item.cover_url,
                    updated_at=now,
                )
            return self._new_record(
                video_id,
                caller,
                title=item.title,
                file_name=file_name,
                cover_url=item.cover_url,
                status=VideoStatus.UPLOAD_SUCC,
                now=now,
                source=source,
            )

        outcome = self._videos.update(video_id, claim)
        record = outcome.record
        if record is not None and record.status == VideoStatus.UPLOAD_SUCC:
            self._jobs.start(
                self._settings.screenshot_function, {"register": {"videoId": video_id, "key": key}}
            )
        return video_id

    def _existing_id_for(self, key: str) -> str | None:
        claimed = keys.parse_upload_key(key).claimed_video_id if keys.is_upload_key(key) else None
        if not claimed:
            return None
        record = self._videos.get(claimed)
        if record is None:
            return None
        if record.owner is not None:
            # The folder is that video's, uploaded or still being uploaded: never a second owner's.
            raise RegisterAlreadyRegistered(f"{key} belongs to a video already.")
        if record.source is not None and record.source.key == key:
            return claimed
        return None
