"""The pull worker function's settings, built only where it runs
(docs/design.md, "Cold start")."""

from __future__ import annotations

from pydantic import Field

from vodcover.settings.sections import CoverSettings


class PullWorkerSettings(CoverSettings):
    """Pull-upload (POST /videos/pull): the biggest source accepted (S3's single-object limit is
    5 TiB; 5 GiB keeps one Lambda run well inside 15 minutes), the multipart part size (S3's
    minimum is 5 MiB; memory holds about two parts) and how long a source may stall."""

    pull_max_bytes: int = Field(default=5 * 1024**3, ge=1)
    pull_part_bytes: int = Field(default=8 * 1024**2, ge=5 * 1024**2, le=64 * 1024**2)
    pull_stall_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
