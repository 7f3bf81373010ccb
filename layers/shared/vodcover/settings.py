"""Typed settings, read once at cold start from the environment the template sets.

Nothing else in vodcover reads ``os.environ``: handlers call :func:`get_settings`, tests call
:func:`reset_settings` after changing the environment.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of docs/design.md, "Configuration", with the defaults the template uses."""

    model_config = SettingsConfigDict(env_prefix="VODCOVER_", extra="ignore")

    media_bucket: str = "vodcover-media"
    videos_table: str = "vodcover-videos"
    event_bus: str = "default"
    smart_cover_function: str = ""
    pull_worker_function: str = ""
    screenshot_function: str = ""

    snapshot_count: int = Field(default=8, ge=1, le=32)
    snapshot_width: int = Field(default=1280, ge=0, le=7680)  # 0 keeps the source width
    jpeg_quality: int = Field(default=85, ge=30, le=100)
    smart_cover_on_upload: bool = False
    candidate_count: int = Field(default=5, ge=1, le=16)

    cover_max_bytes: int = Field(default=1_048_576, ge=1)
    cover_max_long_side: int = Field(default=1920, ge=1)
    cover_max_short_side: int = Field(default=1080, ge=1)
    batch_limit: int = Field(default=20, ge=1, le=100)
    url_ttl_seconds: int = Field(default=3600, ge=60, le=604_800)
    cover_url_allow_hosts: str = ""  # comma-separated host:port exempt from the address check
    cdn_base_url: str = ""  # when set, answers carry CDN URLs instead of presigned ones
    # Comma-separated key prefixes of the media bucket any caller may name as a coverUrl (e.g.
    # "stock/"); otherwise a coverUrl of the bucket must name an object of the caller's videos.
    cover_url_public_prefixes: str = ""
    # Signs library page tokens (vodcover.dal.page_tokens). The template sets the stack's id;
    # empty derives a key from the table name (the local stack, tests).
    page_token_key: str = ""

    ffmpeg_timeout_seconds: float = Field(default=120.0, gt=0)
    cover_fetch_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    # Pull-upload (POST /videos/pull): the biggest source accepted (S3's single-object limit
    # is 5 TiB; 5 GiB keeps one Lambda run well inside 15 minutes), the multipart part size
    # (S3's minimum is 5 MiB; memory holds about two parts) and how long a source may stall.
    pull_max_bytes: int = Field(default=5 * 1024**3, ge=1)
    pull_part_bytes: int = Field(default=8 * 1024**2, ge=5 * 1024**2, le=64 * 1024**2)
    pull_stall_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    # Alibaba-signed callers (docs/alibaba.md): their access keys (secrets KMS-encrypted under
    # this key) and the nonces seen within the last signature window.
    alibaba_keys_table: str = "vodcover-alibaba-keys"
    alibaba_keys_kms_key: str = "alias/vodcover-alibaba-keys"
    alibaba_nonces_table: str = "vodcover-alibaba-nonces"

    @property
    def page_token_secret(self) -> bytes | None:
        return self.page_token_key.encode() if self.page_token_key else None

    @property
    def public_cover_prefixes(self) -> tuple[str, ...]:
        prefixes = (p.strip().lstrip("/") for p in self.cover_url_public_prefixes.split(","))
        return tuple(p if p.endswith("/") else f"{p}/" for p in prefixes if p)

    @property
    def allowed_cover_hosts(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.cover_url_allow_hosts.split(",") if h.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()
