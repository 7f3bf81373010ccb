"""Typed settings per function, read and validated once at cold start from the template's variables.

Each function reads only what it needs: ``functions/<name>/app.py`` calls :func:`settings_for`
with its own class (e.g. :class:`CoversApiSettings`) when its module is imported, so a missing
or out-of-range variable fails the init with a message naming the variable
(:class:`SettingsError`), never a request later. The classes are built from small sections
(storage, cover images, frames, ...) so a knob is declared once. Nothing else in vodcover reads
``os.environ``; tests call :func:`reset_settings` after changing the environment.

Each function's class is in its own module (``vodcover.settings.covers_api``, ...) and is
imported when first named, ``from vodcover.settings import CoversApiSettings`` included: a
function builds its own class and the sections it is made of, not the other functions'
(pydantic class building is most of this package's import; docs/design.md, "Cold start").
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from vodcover.settings.sections import (
    ENV_PREFIX,
    AlibabaSettings,
    CandidateCount,
    CdnSigningSettings,
    CoverEditingSettings,
    CoverLimitSettings,
    CoverSettings,
    FrameSettings,
    LibrarySettings,
    Name,
    RequestLimits,
    SettingsError,
    SnapshotCount,
    StorageSettings,
    VodcoverSettings,
    WebhookSettings,
    describe,
    reset_settings,
    settings_for,
)

if TYPE_CHECKING:
    from vodcover.settings.alibaba_api import AlibabaApiSettings as AlibabaApiSettings
    from vodcover.settings.cover_media import CoverMediaSettings as CoverMediaSettings
    from vodcover.settings.covers_api import CoversApiSettings as CoversApiSettings
    from vodcover.settings.media_tools import MediaToolSettings as MediaToolSettings
    from vodcover.settings.pull_worker import PullWorkerSettings as PullWorkerSettings
    from vodcover.settings.screenshot import ScreenshotSettings as ScreenshotSettings
    from vodcover.settings.smart_cover import SmartCoverSettings as SmartCoverSettings
    from vodcover.settings.upload_sweeper import UploadSweeperSettings as UploadSweeperSettings
    from vodcover.settings.videos_api import VideosApiSettings as VideosApiSettings
    from vodcover.settings.webhook_delivery import WebhookDeliverySettings as WebhookDeliverySettings

__all__ = [
    "ENV_PREFIX",
    "FUNCTION_SETTINGS",
    "AlibabaApiSettings",
    "AlibabaSettings",
    "CandidateCount",
    "CdnSigningSettings",
    "CoverEditingSettings",
    "CoverLimitSettings",
    "CoverMediaSettings",
    "CoverSettings",
    "CoversApiSettings",
    "FrameSettings",
    "LibrarySettings",
    "MediaToolSettings",
    "Name",
    "PullWorkerSettings",
    "RequestLimits",
    "ScreenshotSettings",
    "SettingsError",
    "SmartCoverSettings",
    "SnapshotCount",
    "StorageSettings",
    "UploadSweeperSettings",
    "VideosApiSettings",
    "VodcoverSettings",
    "WebhookDeliverySettings",
    "WebhookSettings",
    "all_fields",
    "describe",
    "reset_settings",
    "settings_for",
]

# class name → the module of vodcover.settings that defines it: a function folder's class lives in
# the module of the folder's name; MediaToolSettings is the media functions' shared part
_FUNCTION_CLASSES = {
    "VideosApiSettings": "videos_api",
    "CoversApiSettings": "covers_api",
    "ScreenshotSettings": "screenshot",
    "SmartCoverSettings": "smart_cover",
    "PullWorkerSettings": "pull_worker",
    "UploadSweeperSettings": "upload_sweeper",
    "WebhookDeliverySettings": "webhook_delivery",
    "AlibabaApiSettings": "alibaba_api",
    "CoverMediaSettings": "cover_media",
    "MediaToolSettings": "media_tools",
}
_SHARED_CLASSES = {"MediaToolSettings"}
# Each function folder's settings (tests/test_template.py checks the template sets what they need).
_FOLDERS = {module: name for name, module in _FUNCTION_CLASSES.items() if name not in _SHARED_CLASSES}


def __getattr__(name: str) -> Any:
    """A function's settings class, imported the first time it is named."""
    module = _FUNCTION_CLASSES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    found = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = found
    return found


class _FunctionSettings(Mapping[str, type[VodcoverSettings]]):
    """Function folder → its settings class, each imported when looked up."""

    def __getitem__(self, folder: str) -> type[VodcoverSettings]:
        found: type[VodcoverSettings] = __getattr__(_FOLDERS[folder])
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(_FOLDERS)

    def __len__(self) -> int:
        return len(_FOLDERS)


FUNCTION_SETTINGS: Mapping[str, type[VodcoverSettings]] = _FunctionSettings()


def all_fields() -> dict[str, Any]:
    """Every knob of every class, by field name (the template tests compare them to parameters)."""
    fields: dict[str, Any] = {}
    classes: list[type[VodcoverSettings]] = [
        *FUNCTION_SETTINGS.values(),
        AlibabaSettings,
        __getattr__("MediaToolSettings"),
    ]
    for cls in classes:
        fields.update(cls.model_fields)
    return fields
