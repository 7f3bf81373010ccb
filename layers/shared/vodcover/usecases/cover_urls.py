"""Which cover URLs a caller may give: public https images, or objects of the caller's own videos.

A ``coverUrl`` naming the media bucket (``s3://``, an S3 https URL, presigned or not, the
emulator's endpoint, the CDN) would otherwise copy any object of the bucket into the caller's
video, e.g. ``snapshots/<someone else's video>/0.jpg`` (issue 11 item 9). So such a URL must
name an object of a video the caller owns (its folders under ``uploads/``, ``snapshots/``,
``covers/``, ``smart/``, ``animated/``, the object a registered video was made from, or an image
the caller uploaded under its ``images/`` folder), or lie
under a prefix the operator made public (``VODCOVER_COVER_URL_PUBLIC_PREFIXES``). Anything else
is 403 ``CoverUrl.NotOwner``, whether or not the object exists.

Every door a cover URL comes in by calls :meth:`CoverUrls.check`: create-upload, pull and
register items, ``PATCH /videos/{id}`` and every item of ``PATCH /videos``.
"""

from __future__ import annotations

from vodcover.dal.objects import MediaStore
from vodcover.dal.videos import VideoRepository
from vodcover.domain import keys
from vodcover.errors import CoverUrlNotOwner
from vodcover.net.url_policy import UrlPolicy, check_url, cover_url_policy
from vodcover.settings import CoverSettings


class CoverUrls:
    def __init__(self, *, videos: VideoRepository, store: MediaStore, settings: CoverSettings) -> None:
        self._videos = videos
        self._store = store
        self._settings = settings

    @property
    def policy(self) -> UrlPolicy:
        return cover_url_policy(self._settings)

    def check(self, caller: str, url: str) -> None:
        """Refuse now what fetching would refuse, and any bucket object that is not the caller's."""
        key = self._store.key_of_url(url)
        if key is not None:
            self.require_usable_key(caller, key)
            return  # read from the bucket itself (CoverImages.from_url), never fetched over HTTP
        check_url(url, self.policy)

    def require_usable_key(self, caller: str, key: str) -> None:
        if not keys.is_plain_key(key):
            raise CoverUrlNotOwner("The URL names no single object of the media bucket.")
        if any(key.startswith(prefix) for prefix in self._settings.public_cover_prefixes):
            return
        if key.startswith(keys.image_folder(caller)):  # an image the caller uploaded to use as a cover
            return
        folder_video = keys.video_id_of_key(key)
        orphan_video = keys.orphan_video_id(key)  # a registered object outside the video folders
        records = self._videos.get_many([video for video in (folder_video, orphan_video) if video])
        owned_folder = records.get(folder_video) if folder_video else None
        if owned_folder is not None and owned_folder.owner == caller:
            return
        registered = records.get(orphan_video)
        if (
            registered is not None
            and registered.owner == caller
            and registered.source is not None
            and registered.source.key == key
        ):
            return
        raise CoverUrlNotOwner("A cover URL of the media bucket must name an object of one of your videos.")
