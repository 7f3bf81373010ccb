"""``GET /limits``: the limits a client should check before it sends, from the settings.

The console (and any client) reads them instead of copying numbers that an operator can change
with a template parameter; the server still judges every request against the same settings.
"""

from __future__ import annotations

from vodcover.settings import Settings


def limits_view(settings: Settings) -> dict[str, int]:
    """The ``Limits`` answer of openapi.yaml."""
    return {
        "coverMaxBytes": settings.cover_max_bytes,
        "coverMaxLongSide": settings.cover_max_long_side,
        "coverMaxShortSide": settings.cover_max_short_side,
        "batchLimit": settings.batch_limit,
    }
