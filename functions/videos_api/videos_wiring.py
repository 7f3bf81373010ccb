"""What the videos API's routes are built from: its settings, the use cases wired to
``dependencies``, and the views that answer with this stack's URLs.

One place per use case, so every route module (``videos_*_routes.py``) builds it alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from vodcover import dependencies
from vodcover.api.http import rest_views
from vodcover.dal.webhooks import DynamoWebhookStore
from vodcover.net.url_policy import webhook_url_policy
from vodcover.settings import VideosApiSettings, settings_for
from vodcover.usecases.deletion import VideoDeletion
from vodcover.usecases.media_jobs import MediaJobs
from vodcover.usecases.pull import Pulls
from vodcover.usecases.read import Reads
from vodcover.usecases.register import Registrations
from vodcover.usecases.smart_cover import SmartCoverStarts
from vodcover.usecases.uploads import Uploads
from vodcover.usecases.webhook_subscriptions import WebhookSubscriptions

if TYPE_CHECKING:
    from vodcover.api.rest_views import RestViews

IntakeT = TypeVar("IntakeT", Pulls, Registrations)


def settings() -> VideosApiSettings:
    return settings_for(VideosApiSettings)


def views() -> RestViews:
    store = dependencies.media_store()
    return rest_views().from_settings(store.viewer_url, settings(), public_url_for=store.public_url)


def batch_context() -> dict[str, Any]:
    """The batch limit for the body's validators (they never read settings themselves)."""
    return {"batch_limit": settings().batch_limit}


def uploads() -> Uploads:
    return Uploads(
        videos=dependencies.video_repository(), store=dependencies.media_store(), settings=settings()
    )


def intake(kind: type[IntakeT]) -> IntakeT:
    """Pulls and Registrations both record videos and start their jobs: wired alike."""
    return kind(
        videos=dependencies.video_repository(),
        store=dependencies.media_store(),
        jobs=dependencies.job_starter(),
        settings=settings(),
    )


def reads() -> Reads:
    return Reads(videos=dependencies.video_repository())


def smart_cover_starts() -> SmartCoverStarts:
    return SmartCoverStarts(
        videos=dependencies.video_repository(), jobs=dependencies.job_starter(), settings=settings()
    )


def media_jobs() -> MediaJobs:
    return MediaJobs(
        videos=dependencies.video_repository(), jobs=dependencies.job_starter(), settings=settings()
    )


def deletion() -> VideoDeletion:
    return VideoDeletion(
        videos=dependencies.video_repository(),
        store=dependencies.media_store(),
        events=dependencies.event_publisher(),
    )


def webhook_subscriptions() -> WebhookSubscriptions:
    return WebhookSubscriptions(
        webhooks=DynamoWebhookStore(settings().webhooks_table), policy=webhook_url_policy(settings())
    )
