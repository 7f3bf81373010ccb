"""Uploading an image to use as a cover later (Alibaba's ``CreateUploadImage``, ImageType=cover).

The image gets a presigned PUT under its owner's ``images/`` folder and a reading URL; any of
the owner's cover doors then takes that URL as a ``coverUrl`` (checked by content like any
cover image, read from the bucket rather than fetched).
"""

from __future__ import annotations

from dataclasses import dataclass

from vodcover.dal.objects import MediaStore
from vodcover.domain import keys
from vodcover.errors import InvalidParameter
from vodcover.settings import LibrarySettings
from vodcover.usecases.uploads import presigned_upload

CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}


@dataclass(frozen=True)
class ImageTicket:
    image_id: str
    key: str
    upload_url: str
    headers: dict[str, str]
    expires_at: str
    read_url: str


class ImageUploads:
    def __init__(self, *, store: MediaStore, settings: LibrarySettings) -> None:
        self._store = store
        self._settings = settings

    def create(self, caller: str, extension: str) -> ImageTicket:
        extension = extension.lower()
        if extension not in CONTENT_TYPES:
            raise InvalidParameter("ImageExt", "A cover image is a png, jpg or jpeg file.")
        image_id = keys.new_video_id()  # the same random form: 32 hex characters
        key = keys.image_key(caller, image_id, extension)
        url, headers, expires_at = presigned_upload(
            self._store, self._settings, key, CONTENT_TYPES[extension], None
        )
        return ImageTicket(image_id, key, url, headers, expires_at, self._store.viewer_url(key))
