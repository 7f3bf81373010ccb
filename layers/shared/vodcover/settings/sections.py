"""The base of every settings class, the sections a knob is declared in once, and the cache.

The function classes built from these live in ``vodcover.settings.<function>`` (see the
package's docstring).
"""

from __future__ import annotations

import os
from functools import cache
from typing import Annotated, TypeVar

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


# --- shared by several functions' classes (vodcover.settings.<function>) ---------------------
class LibrarySettings(CoverSettings, RequestLimits, CdnSigningSettings):
    """Create-upload, pull, register, reads, smart-cover start: starts the three jobs."""

    screenshot_function: Name
    pull_worker_function: Name
    smart_cover_function: Name


class CoverEditingSettings(CoverSettings, FrameSettings, RequestLimits):
    """Cover changes (one or a batch): images, coverTime frames."""


class AlibabaSettings(StorageSettings):
    """Alibaba-signed callers (docs/alibaba.md): their access keys (secrets KMS-encrypted under
    this key) and the nonces seen within the last signature window."""

    alibaba_keys_table: Name = "vodcover-alibaba-keys"
    alibaba_keys_kms_key: Name = "alias/vodcover-alibaba-keys"
    alibaba_nonces_table: Name = "vodcover-alibaba-nonces"


@cache
def settings_for(cls: type[S]) -> S:
    """The settings of ``cls``, read once per process (until :func:`reset_settings`)."""
    return cls.load()


def reset_settings() -> None:
    """Forget the cached settings (tests and the local stack change the environment)."""
    settings_for.cache_clear()
