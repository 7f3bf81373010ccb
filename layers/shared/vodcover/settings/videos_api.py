"""The videos API function's settings, built only where it runs
(docs/design.md, "Cold start")."""

from __future__ import annotations

from vodcover.settings.sections import FrameSettings, LibrarySettings, SnapshotCount, WebhookSettings


class VideosApiSettings(LibrarySettings, FrameSettings, SnapshotCount, WebhookSettings):
    """The videos API: the library's use cases; snapshot jobs on demand are planned against the
    upload-time defaults (``SnapshotCount``, ``SnapshotWidth``); the owner's webhooks."""
