"""Alibaba Cloud VOD's RPC endpoint: the root path of the second API (docs/alibaba.md).

API Gateway does no authentication here; every call's Alibaba signature is verified by
:class:`~vodcover.compat.alibaba.verifier.AlibabaVerifier`, and its actions run the same use
cases as the videos and covers APIs, with the access key's owner as the caller. No media layer:
like the covers API, it has cover images checked and ``coverTime`` frames taken by the cover media
function (``vodcover.cover_media.remote``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from vodcover import dependencies
from vodcover.compat.alibaba.actions.context import UseCases
from vodcover.compat.alibaba.endpoint import RpcEndpoint
from vodcover.compat.alibaba.http_api import request_of, result_of
from vodcover.compat.alibaba.key_store import KmsAccessKeyStore
from vodcover.compat.alibaba.nonce_store import DynamoNonceStore
from vodcover.compat.alibaba.verifier import AlibabaVerifier
from vodcover.cover_media.remote import RemoteCoverMedia
from vodcover.dal.webhooks import DynamoWebhookStore
from vodcover.observability import logger, observed
from vodcover.settings import AlibabaApiSettings, settings_for
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

settings_for(AlibabaApiSettings)  # at cold start: a missing variable fails the init, named


def use_cases() -> UseCases:
    settings = settings_for(AlibabaApiSettings)
    store = dependencies.media_store()
    videos = dependencies.video_repository()
    jobs = dependencies.job_starter()
    editor = VideoEditor(
        videos=videos,
        store=store,
        events=dependencies.event_publisher(),
        settings=settings,
        media=RemoteCoverMedia(settings.cover_media_function),
    )
    return UseCases(
        uploads=Uploads(videos=videos, store=store, settings=settings),
        pulls=Pulls(videos=videos, store=store, jobs=jobs, settings=settings),
        registrations=Registrations(videos=videos, store=store, jobs=jobs, settings=settings),
        reads=Reads(videos=videos),
        smart_covers=SmartCoverStarts(videos=videos, jobs=jobs, settings=settings),
        editor=editor,
        batch=BatchEditor(videos=videos, editor=editor),
        images=ImageUploads(store=store, settings=settings),
        deletion=VideoDeletion(videos=videos, store=store, events=dependencies.event_publisher()),
        media_jobs=MediaJobs(videos=videos, jobs=jobs, settings=settings),
        webhooks=DynamoWebhookStore(settings.webhooks_table),
        store=store,
        settings=settings,
    )


@lru_cache(maxsize=4)
def verifier(keys_table: str, kms_key: str, nonces_table: str) -> AlibabaVerifier:
    """One per process and tables: the key store caches decrypted secrets (KMS once per key)."""
    return AlibabaVerifier(KmsAccessKeyStore(keys_table, kms_key), DynamoNonceStore(nonces_table))


def endpoint() -> RpcEndpoint:
    s = settings_for(AlibabaApiSettings)
    return RpcEndpoint(
        verifier(s.alibaba_keys_table, s.alibaba_keys_kms_key, s.alibaba_nonces_table), use_cases
    )


@logger.inject_lambda_context(clear_state=True)
@observed()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return result_of(endpoint().answer(request_of(event)))
