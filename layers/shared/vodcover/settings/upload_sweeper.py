"""The upload sweeper function's settings, built only where it runs
(docs/design.md, "Cold start")."""

from __future__ import annotations

from vodcover.settings.sections import StorageSettings


class UploadSweeperSettings(StorageSettings):
    """Ends records that waited too long; the deadlines follow ``url_ttl_seconds``."""
