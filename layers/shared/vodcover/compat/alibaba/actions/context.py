"""What every action gets: the caller's owner, the use cases, and command validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from vodcover.api.validation import describe_validation_error
from vodcover.compat.alibaba.errors import InvalidParameter
from vodcover.compat.alibaba.views import upload_documents
from vodcover.dal.objects import MediaStore
from vodcover.settings import Settings
from vodcover.usecases.covers import CoverEditor
from vodcover.usecases.image_uploads import ImageUploads
from vodcover.usecases.library import Library

Command = TypeVar("Command", bound=BaseModel)


@dataclass(frozen=True)
class UseCases:
    """The use cases an Alibaba call may reach, wired by the function (or a test)."""

    library: Library
    editor: CoverEditor
    images: ImageUploads
    store: MediaStore
    settings: Settings

    def url_for(self, key: str) -> str:
        return self.store.read_url(key)


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
        _code, message = describe_validation_error(exc.errors())
        raise InvalidParameter(message) from exc
