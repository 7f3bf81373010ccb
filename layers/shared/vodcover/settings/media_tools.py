"""The media commands' settings (the CLI), built only where they run
(docs/design.md, "Cold start")."""

from __future__ import annotations

from vodcover.settings.sections import CandidateCount, FrameSettings, SnapshotCount


class MediaToolSettings(FrameSettings, SnapshotCount, CandidateCount):
    """The media commands of the CLI (snapshots, smart covers of a local file): no AWS at all."""
