"""The live wiring: repositories and jobs built from settings, once per process, on first use.

Handlers ask here instead of constructing clients themselves; tests call :func:`reset` after
changing the environment (moto, a local endpoint) so the next call builds fresh objects. What
is built here needs only :class:`~vodcover.settings.StorageSettings`, which every function's
settings include; a function's own knobs come from its own settings class.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from vodcover.dal.aws import reset_clients
from vodcover.dal.cdn_signing import CdnUrlSigner
from vodcover.dal.events import EventPublisher
from vodcover.dal.invocations import JobStarter
from vodcover.dal.objects import MediaStore
from vodcover.dal.videos import DynamoVideoRepository
from vodcover.settings import CdnSigningSettings, StorageSettings, reset_settings, settings_for

if TYPE_CHECKING:  # built only where the media layer is: the API functions never load it
    from vodcover.usecases.cover_derivatives import CoverDerivatives


def storage() -> StorageSettings:
    return settings_for(StorageSettings)


@lru_cache(maxsize=1)
def video_repository() -> DynamoVideoRepository:
    settings = storage()
    return DynamoVideoRepository(settings.videos_table, page_token_secret=settings.page_token_secret)


@lru_cache(maxsize=1)
def media_store() -> MediaStore:
    settings = storage()
    return MediaStore(
        settings.media_bucket,
        url_ttl_seconds=settings.url_ttl_seconds,
        cdn_base_url=settings.cdn_base_url,
        signer=url_signer(),
    )


def url_signer() -> CdnUrlSigner | None:
    """The private library's URL signer (the API functions); None where nothing is signed."""
    signing = settings_for(CdnSigningSettings)
    if not signing.signs_urls:
        return None
    return CdnUrlSigner(
        signing.cdn_signing_key_pair_id,
        signing.cdn_signing_private_key_secret,
        ttl_seconds=storage().url_ttl_seconds,
    )


@lru_cache(maxsize=1)
def event_publisher() -> EventPublisher:
    return EventPublisher(storage().event_bus)


@lru_cache(maxsize=1)
def job_starter() -> JobStarter:
    return JobStarter()


@lru_cache(maxsize=1)
def cover_derivatives() -> CoverDerivatives:
    """Renditions made in this process: only functions with the media layer (Pillow) call it."""
    from vodcover.usecases.cover_derivatives import CoverDerivatives

    return CoverDerivatives(store=media_store(), videos=video_repository())


def reset() -> None:
    for factory in (video_repository, media_store, event_publisher, job_starter, cover_derivatives):
        factory.cache_clear()
    reset_settings()
    reset_clients()
