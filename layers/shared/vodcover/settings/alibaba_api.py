"""The Alibaba API function's settings, built only where it runs
(docs/design.md, "Cold start")."""

from __future__ import annotations

from vodcover.settings.sections import (
    AlibabaSettings,
    CoverEditingSettings,
    LibrarySettings,
    Name,
    SnapshotCount,
    WebhookSettings,
)


class AlibabaApiSettings(
    LibrarySettings, CoverEditingSettings, SnapshotCount, AlibabaSettings, WebhookSettings
):
    """Alibaba's RPC actions over the library's and the cover editor's use cases; image checks and
    coverTime frames run in the cover media function, as for the covers API; SubmitSnapshotJob is
    planned against the upload-time defaults, as the videos API's; SetMessageCallback stores a
    webhook subscription of format ``alibaba``."""

    cover_media_function: Name
