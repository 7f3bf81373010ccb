"""The seam between the jobs and the media tools: what a job reads of a capture's answer.

Jobs may not import media (docs/design.md, "Rooms"); the handler passes the tools in, and these
protocols say what the job relies on (``vodcover.media.snapshots.SnapshotSet`` fits them).
``media_info`` turns a probe into the record's ``MediaInfo``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from vodcover.models import MediaInfo


class CapturedColour(Protocol):
    @property
    def transfer(self) -> str: ...
    @property
    def dolby_vision(self) -> str: ...
    @property
    def bit_depth(self) -> int: ...


class CapturedMedia(Protocol):
    @property
    def duration(self) -> float: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def rotation(self) -> int: ...
    @property
    def fps(self) -> float: ...
    @property
    def video_codec(self) -> str: ...
    @property
    def has_audio(self) -> bool: ...
    @property
    def has_video(self) -> bool: ...
    @property
    def duration_source(self) -> str: ...
    @property
    def colour(self) -> CapturedColour: ...
    @property
    def crop(self) -> object | None: ...


class CapturedPicture(Protocol):
    @property
    def time(self) -> float: ...
    @property
    def jpeg(self) -> bytes: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...


class CapturedSnapshots(Protocol):
    @property
    def probe(self) -> CapturedMedia: ...
    @property
    def snapshots(self) -> Sequence[CapturedPicture]: ...
    @property
    def cover_index(self) -> int: ...


class SnapshotCapture(Protocol):
    """What the job needs from the media tools (``vodcover.media.snapshots.capture_snapshots``)."""

    def __call__(
        self,
        source: str,
        *,
        count: int,
        width: int,
        quality: int,
        timeout: float,
        times: Sequence[float] | None = None,
        exact: bool = False,
    ) -> CapturedSnapshots: ...


def media_info(probe: CapturedMedia, *, size: int) -> MediaInfo:
    return MediaInfo(
        duration=round(float(probe.duration), 3),
        width=int(probe.width),
        height=int(probe.height),
        rotation=int(probe.rotation),
        fps=round(float(probe.fps), 3),
        size=size,
        video_codec=str(probe.video_codec),
        has_audio=bool(probe.has_audio),
        **picture_facts(probe),
    )


def picture_facts(probe: CapturedMedia) -> dict[str, Any]:
    """How the images were made: cover art, a scanned duration, HDR tone-mapped, bars cut.

    Read with defaults: a probe of an older shape (the reliability tests' stand-in) lacks them."""
    colour = getattr(probe, "colour", None)
    hdr = {"arib-std-b67": "hlg", "smpte2084": "pq"}.get(getattr(colour, "transfer", ""))
    return {
        "has_video": bool(getattr(probe, "has_video", True)),
        "duration_source": str(getattr(probe, "duration_source", "container")),
        "hdr": hdr,
        "dolby_vision": getattr(colour, "dolby_vision", "") or None,
        "bit_depth": int(getattr(colour, "bit_depth", 8)),
        "bars_cropped": getattr(probe, "crop", None) is not None,
    }


# The smart-cover job's seam (``vodcover.media.smart.SmartResult``, ``media.animated``).
class FoundCandidate(CapturedPicture, Protocol):
    """A frame the analysis found, with how good a cover it makes."""

    @property
    def score(self) -> float: ...


class SafeMoment(Protocol):
    """A candidate's time and the stretch of good video around it, which the animation may use."""

    @property
    def time(self) -> float: ...
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...


class FoundCandidates(Protocol):
    @property
    def candidates(self) -> Sequence[FoundCandidate]: ...  # best first
    @property
    def moments(self) -> Sequence[SafeMoment]: ...  # one per candidate, same order


class MadeAnimation(Protocol):
    @property
    def gif(self) -> bytes: ...
    @property
    def webp(self) -> bytes: ...


# The storyboard job's seam (``vodcover.media.storyboard.StoryboardImages``).
class MadeStoryboard(Protocol):
    @property
    def sheets(self) -> Sequence[bytes]: ...  # JPEG sprite sheets, in order
    @property
    def tile_width(self) -> int: ...
    @property
    def tile_height(self) -> int: ...
    @property
    def tile_times(self) -> Sequence[float]: ...
    @property
    def duration(self) -> float: ...
