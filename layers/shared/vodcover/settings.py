"""Typed settings per function, read and validated once at cold start from the template's variables.

Each function reads only what it needs: ``functions/<name>/app.py`` calls :func:`settings_for`
with its own class (e.g. :class:`CoversApiSettings`) when its module is imported, so a missing
or out-of-range variable fails the init with a message naming the variable
(:class:`SettingsError`), never a request later. The classes are built from small sections
(storage, cover images, frames, ...) so a knob is declared once. Nothing else in vodcover reads
``os.environ``; tests call :func:`reset_settings` after changing the environment.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

ENV_PREFIX = "VODCOVER_"
# A resource name the template always passes (a table, a function): empty is as bad as missing.
Name = Annotated[str, Field(min_length=1)]
S = TypeVar("S", bound="VodcoverSettings")


class SettingsError(RuntimeError):
    """A variable the function needs is missing or invalid: the function cannot start."""


class VodcoverSettings(BaseModel):
    """Base of every settings class: field ``x`` is the variable ``VODCOVER_X``.

    Plain pydantic (text converted the lax way: "8" is 8, "true" is True); the schema of a
    class is built when it is first loaded, so a function pays only for its own.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    @classmethod
    def load(cls: type[S]) -> S:
        """Read and validate now; :class:`SettingsError` names each variable that is wrong."""
        values = {
            name: os.environ[variable]
            for name in cls.model_fields
            if (variable := f"{ENV_PREFIX}{name.upper()}") in os.environ
        }
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise SettingsError(describe(cls, exc)) from None


def describe(cls: type[BaseModel], exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error.get("loc") else ""
        variable = f"{ENV_PREFIX}{field.upper()}" if field in cls.model_fields else field or "settings"
        if error.get("type") == "missing":
            problems.append(f"{variable} is not set")
        else:
            problems.append(f"{variable}={error.get('input')!r}: {error.get('msg')}")
    return (
        f"{cls.__name__}: " + "; ".join(problems) + " (see template.yaml and docs/design.md, 'Configuration')"
    )


# --- sections: one declaration per knob (docs/design.md, "Configuration") ---------------------
class StorageSettings(VodcoverSettings):
    """The bucket, the table and the bus, and how answers name stored objects: every function."""

    media_bucket: Name
    videos_table: Name
    event_bus: Name = "default"
    url_ttl_seconds: int = Field(default=3600, ge=60, le=604_800)
    cdn_base_url: str = ""  # when set, answers carry CDN URLs instead of presigned ones
    # Signs library page tokens (vodcover.dal.page_tokens). The template sets the stack's id;
    # empty derives a key from the table name (the local stack, tests).
    page_token_key: str = ""

    @property
    def page_token_secret(self) -> bytes | None:
        return self.page_token_key.encode() if self.page_token_key else None


class CdnSigningSettings(VodcoverSettings):
    """A private library (docs/embedding.md, "Private libraries"): CDN URLs signed with the key
    group's public key id and the private key in this Secrets Manager secret. Both or neither;
    only the functions that hand out URLs get them (the API functions, webhook delivery)."""

    cdn_signing_key_pair_id: str = ""
    cdn_signing_private_key_secret: str = ""  # the secret's ARN; its value is the PEM private key

    @model_validator(mode="after")
    def _both_or_neither(self) -> CdnSigningSettings:
        if bool(self.cdn_signing_key_pair_id) != bool(self.cdn_signing_private_key_secret):
            raise ValueError(
                f"{ENV_PREFIX}CDN_SIGNING_KEY_PAIR_ID and {ENV_PREFIX}CDN_SIGNING_PRIVATE_KEY_SECRET "
                "go together: set both to sign CDN URLs, or neither"
            )
        return self

    @property
    def signs_urls(self) -> bool:
        return bool(self.cdn_signing_key_pair_id)


class CoverLimitSettings(VodcoverSettings):
    """How big a cover may be (uploaded, fetched, or a smart-cover candidate)."""

    cover_max_bytes: int = Field(default=1_048_576, ge=1)
    cover_max_long_side: int = Field(default=1920, ge=1)
    cover_max_short_side: int = Field(default=1080, ge=1)


class CoverSettings(StorageSettings, CoverLimitSettings):
    """Cover images (uploaded, fetched from a URL) and which cover URLs a caller may give."""

    cover_url_allow_hosts: str = ""  # comma-separated host:port exempt from the address check
    # Comma-separated key prefixes of the media bucket any caller may name as a coverUrl (e.g.
    # "stock/"); otherwise a coverUrl of the bucket must name an object of the caller's videos.
    cover_url_public_prefixes: str = ""
    cover_fetch_timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    @property
    def public_cover_prefixes(self) -> tuple[str, ...]:
        prefixes = (p.strip().lstrip("/") for p in self.cover_url_public_prefixes.split(","))
        return tuple(p if p.endswith("/") else f"{p}/" for p in prefixes if p)

    @property
    def allowed_cover_hosts(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.cover_url_allow_hosts.split(",") if h.strip())


class FrameSettings(VodcoverSettings):
    """How frames become JPEGs (snapshots, coverTime, candidates) and how long ffmpeg may take."""

    snapshot_width: int = Field(default=1280, ge=0, le=7680)  # 0 keeps the source width
    jpeg_quality: int = Field(default=85, ge=30, le=100)
    # Handlers pass the Lambda's remaining time; this is a backstop.
    ffmpeg_timeout_seconds: float = Field(default=120.0, gt=0)


class RequestLimits(VodcoverSettings):
    batch_limit: int = Field(default=20, ge=1, le=100)


class SnapshotCount(VodcoverSettings):
    snapshot_count: int = Field(default=8, ge=1, le=32)


class CandidateCount(VodcoverSettings):
    candidate_count: int = Field(default=5, ge=1, le=16)


class WebhookSettings(VodcoverSettings):
    """Webhooks (docs/design.md, "Webhooks"): the subscriptions' table, and which private
    ``host:port``s a receiver may use."""

    webhooks_table: Name = "vodcover-webhooks"
    webhook_allow_hosts: str = ""  # comma-separated host:port exempt from the address check

    @property
    def allowed_webhook_hosts(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.webhook_allow_hosts.split(",") if h.strip())


# --- one class per function ------------------------------------------------------------------
class LibrarySettings(CoverSettings, RequestLimits, CdnSigningSettings):
    """Create-upload, pull, register, reads, smart-cover start: starts the three jobs."""

    screenshot_function: Name
    pull_worker_function: Name
    smart_cover_function: Name


class CoverEditingSettings(CoverSettings, FrameSettings, RequestLimits):
    """Cover changes (one or a batch): images, coverTime frames."""


class VideosApiSettings(LibrarySettings, FrameSettings, SnapshotCount, WebhookSettings):
    """The videos API: the library's use cases; snapshot jobs on demand are planned against the
    upload-time defaults (``SnapshotCount``, ``SnapshotWidth``); the owner's webhooks."""


class CoversApiSettings(CoverEditingSettings, CdnSigningSettings):
    """Cover changes: image checks and coverTime frames run in the cover media function."""

    cover_media_function: Name


class ScreenshotSettings(CoverSettings, FrameSettings, SnapshotCount):
    """Snapshots and the default cover; starts the smart-cover job when ``SmartCoverOnUpload``."""

    smart_cover_on_upload: bool = False
    storyboard_on_upload: bool = True
    smart_cover_function: str = ""

    @model_validator(mode="after")
    def _smart_cover_function_when_on_upload(self) -> ScreenshotSettings:
        if self.smart_cover_on_upload and not self.smart_cover_function:
            raise ValueError(
                f"{ENV_PREFIX}SMART_COVER_FUNCTION is not set, and {ENV_PREFIX}SMART_COVER_ON_UPLOAD "
                "is true: the screenshot function cannot start the smart-cover job"
            )
        return self


class SmartCoverSettings(StorageSettings, CoverLimitSettings, FrameSettings, CandidateCount):
    """Smart-cover candidates and the animated cover."""


class PullWorkerSettings(CoverSettings):
    """Pull-upload (POST /videos/pull): the biggest source accepted (S3's single-object limit is
    5 TiB; 5 GiB keeps one Lambda run well inside 15 minutes), the multipart part size (S3's
    minimum is 5 MiB; memory holds about two parts) and how long a source may stall."""

    pull_max_bytes: int = Field(default=5 * 1024**3, ge=1)
    pull_part_bytes: int = Field(default=8 * 1024**2, ge=5 * 1024**2, le=64 * 1024**2)
    pull_stall_timeout_seconds: float = Field(default=30.0, gt=0, le=300)


class UploadSweeperSettings(StorageSettings):
    """Ends records that waited too long; the deadlines follow ``url_ttl_seconds``."""


class WebhookDeliverySettings(StorageSettings, WebhookSettings, CdnSigningSettings):
    """Delivers the bus's events to the owners' webhook subscriptions (Alibaba callbacks carry
    cover and snapshot URLs: signed in a private library)."""


class AlibabaSettings(StorageSettings):
    """Alibaba-signed callers (docs/alibaba.md): their access keys (secrets KMS-encrypted under
    this key) and the nonces seen within the last signature window."""

    alibaba_keys_table: Name = "vodcover-alibaba-keys"
    alibaba_keys_kms_key: Name = "alias/vodcover-alibaba-keys"
    alibaba_nonces_table: Name = "vodcover-alibaba-nonces"


class AlibabaApiSettings(
    LibrarySettings, CoverEditingSettings, SnapshotCount, AlibabaSettings, WebhookSettings
):
    """Alibaba's RPC actions over the library's and the cover editor's use cases; image checks and
    coverTime frames run in the cover media function, as for the covers API; SubmitSnapshotJob is
    planned against the upload-time defaults, as the videos API's; SetMessageCallback stores a
    webhook subscription of format ``alibaba``."""

    cover_media_function: Name


class CoverMediaSettings(VodcoverSettings):
    """The cover media function needs no variable: limits and sizes come with each request."""


class MediaToolSettings(FrameSettings, SnapshotCount, CandidateCount):
    """The media commands of the CLI (snapshots, smart covers of a local file): no AWS at all."""


# Each function folder's settings (tests/test_template.py checks the template sets what they need).
FUNCTION_SETTINGS: dict[str, type[VodcoverSettings]] = {
    "videos_api": VideosApiSettings,
    "covers_api": CoversApiSettings,
    "screenshot": ScreenshotSettings,
    "smart_cover": SmartCoverSettings,
    "pull_worker": PullWorkerSettings,
    "upload_sweeper": UploadSweeperSettings,
    "cover_media": CoverMediaSettings,
    "alibaba_api": AlibabaApiSettings,
    "webhook_delivery": WebhookDeliverySettings,
}


@cache
def settings_for(cls: type[S]) -> S:
    """The settings of ``cls``, read once per process (until :func:`reset_settings`)."""
    return cls.load()


def reset_settings() -> None:
    """Forget the cached settings (tests and the local stack change the environment)."""
    settings_for.cache_clear()


def all_fields() -> dict[str, Any]:
    """Every knob of every class, by field name (the template tests compare them to parameters)."""
    fields: dict[str, Any] = {}
    classes: list[type[VodcoverSettings]] = [
        *FUNCTION_SETTINGS.values(),
        AlibabaSettings,
        MediaToolSettings,
    ]
    for cls in classes:
        fields.update(cls.model_fields)
    return fields
