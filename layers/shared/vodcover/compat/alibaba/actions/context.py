"""What every action gets: the caller's owner, the use cases, and command validation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from vodcover.compat.alibaba.errors import InvalidParameter
from vodcover.compat.alibaba.views import upload_documents
from vodcover.dal.objects import MediaStore
from vodcover.dal.webhooks import WebhookStore
from vodcover.domain.expiry import Deadlines, as_seen
from vodcover.models import VideoRecord
from vodcover.settings import AlibabaApiSettings
from vodcover.usecases.batch_edit import BatchEditor
from vodcover.usecases.deletion import VideoDeletion
from vodcover.usecases.edit import VideoEditor
from vodcover.usecases.image_uploads import ImageUploads
from vodcover.usecases.media_jobs import MediaJobs
from vodcover.usecases.pull import Pulls
from vodcover.usecases.read import Reads
from vodcover.usecases.register import Registrations
from vodcover.usecases.smart_cover import SmartCoverStarts
from vodcover.usecases.uploads import Uploads
from vodcover.validation import refusal_of

Command = TypeVar("Command", bound=BaseModel)


@dataclass(frozen=True)
class UseCases:
    """The use cases an Alibaba call may reach, wired by the function (or a test)."""

    uploads: Uploads
    pulls: Pulls
    registrations: Registrations
    reads: Reads
    smart_covers: SmartCoverStarts
    editor: VideoEditor
    batch: BatchEditor
    images: ImageUploads
    deletion: VideoDeletion
    media_jobs: MediaJobs
    webhooks: WebhookStore
    store: MediaStore
    settings: AlibabaApiSettings

    def url_for(self, key: str) -> str:
        return self.store.viewer_url(key)

    def as_seen(self, record: VideoRecord) -> VideoRecord:
        """A record as it stands now: an overdue wait as the sweeper will store it."""
        return as_seen(record, datetime.now(UTC), Deadlines.for_url_ttl(self.settings.url_ttl_seconds))


@dataclass(frozen=True)
class ActionCall:
    """One verified call: whose it is and what it asks, with the use cases to answer it."""

    owner: str
    cases: UseCases

    def upload_documents(
        self, *, url: str, key: str, headers: dict[str, str], expires_at: str
    ) -> dict[str, str]:
        """``UploadAddress`` and ``UploadAuth`` for a presigned PUT of ``key``."""
        return upload_documents(
            url=url,
            key=key,
            bucket=self.cases.store.bucket,
            headers=headers,
            expires_at=expires_at,
            ttl_seconds=self.cases.settings.url_ttl_seconds,
        )


def command(model: type[Command], fields: dict[str, Any]) -> Command:
    """vodcover's command model from Alibaba's fields; its refusals become ``InvalidParameter``."""
    try:
        return model.model_validate({name: value for name, value in fields.items() if value is not None})
    except ValidationError as exc:
        raise InvalidParameter(refusal_of(exc.errors()).message) from exc
