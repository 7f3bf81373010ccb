"""The screenshot function's settings, built only where it runs
(docs/design.md, "Cold start")."""

from __future__ import annotations

from pydantic import model_validator

from vodcover.settings.sections import ENV_PREFIX, CoverSettings, FrameSettings, SnapshotCount


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
