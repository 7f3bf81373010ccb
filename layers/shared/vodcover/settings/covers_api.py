"""The covers API function's settings, built only where it runs
(docs/design.md, "Cold start")."""

from __future__ import annotations

from vodcover.settings.sections import CdnSigningSettings, CoverEditingSettings, Name


class CoversApiSettings(CoverEditingSettings, CdnSigningSettings):
    """Cover changes: image checks and coverTime frames run in the cover media function."""

    cover_media_function: Name
