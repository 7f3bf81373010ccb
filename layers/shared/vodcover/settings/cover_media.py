"""The cover media function's settings, built only where it runs
(docs/design.md, "Cold start")."""

from __future__ import annotations

from vodcover.settings.sections import VodcoverSettings


class CoverMediaSettings(VodcoverSettings):
    """The cover media function needs no variable: limits and sizes come with each request."""
