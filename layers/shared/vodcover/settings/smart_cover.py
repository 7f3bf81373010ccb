"""The smart-cover function's settings, built only where it runs
(docs/design.md, "Cold start")."""

from __future__ import annotations

from vodcover.settings.sections import CandidateCount, CoverLimitSettings, FrameSettings, StorageSettings


class SmartCoverSettings(StorageSettings, CoverLimitSettings, FrameSettings, CandidateCount):
    """Smart-cover candidates and the animated cover."""
