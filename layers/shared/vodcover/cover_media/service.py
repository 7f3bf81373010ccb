"""The cover media function's side: one function per operation, run with Pillow and ffmpeg.

:func:`handle` turns an invocation (:mod:`vodcover.cover_media.protocol`) into a call of the
operation it names and its answer (or refusal) back into JSON. :class:`InProcessCoverMedia`
offers the same operations to code that already runs with the media layer (the screenshot job
applying a ``coverUrl`` given at creation), so the rules live here once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from vodcover.cover_media.headers import CheckedImage, CoverLimits
from vodcover.cover_media.protocol import (
    CheckImage,
    Derive,
    Derived,
    Frame,
    FrameAt,
    ImageChecked,
    ProtocolError,
    Request,
    decode,
    encode,
    error_answer,
)
from vodcover.errors import VodcoverError

R = TypeVar("R", bound=Request[Any])
Operation = Callable[[Any], Any]
OPERATIONS: dict[str, tuple[type[Request[Any]], Operation]] = {}


def operation(request_type: type[R]) -> Callable[[Callable[[R], Any]], Callable[[R], Any]]:
    """Register the function that answers ``request_type`` (one per operation)."""

    def register(function: Callable[[R], Any]) -> Callable[[R], Any]:
        OPERATIONS[request_type.operation] = (request_type, function)
        return function

    return register


@operation(CheckImage)
def check_image(request: CheckImage) -> ImageChecked:
    from vodcover.media.cover_image import check_cover_image

    checked = check_cover_image(request.image, request.limits)
    return ImageChecked(checked.format, checked.width, checked.height)


@operation(FrameAt)
def frame_at(request: FrameAt) -> Frame:
    from vodcover.media.snapshots import capture_frame_at

    jpeg, width, height = capture_frame_at(
        request.url, request.seconds, width=request.width, quality=request.quality, timeout=request.timeout
    )
    return Frame(jpeg, width, height)


@operation(Derive)
def derive(request: Derive) -> Derived:
    from vodcover.cover_media.protocol import RenditionImage
    from vodcover.media.renditions import derive_cover

    made = derive_cover(request.image)
    return Derived(
        renditions=[RenditionImage(r.width, r.height, r.format, r.aspect, r.data) for r in made.renditions],
        blurhash=made.placeholder.blurhash,
        data_uri=made.placeholder.data_uri,
    )


def handle(event: Any) -> dict[str, Any]:
    """One invocation: ``{"operation", "request"}`` → ``{"answer"}`` or ``{"error"}``."""
    name = event.get("operation") if isinstance(event, dict) else None
    if name not in OPERATIONS:
        raise ProtocolError(f"unknown operation {name!r}; known: {', '.join(sorted(OPERATIONS))}")
    request_type, function = OPERATIONS[name]
    request = decode(request_type, event.get("request"))
    try:
        return {"answer": encode(function(request))}
    except VodcoverError as exc:
        return error_answer(exc)


class InProcessCoverMedia:
    """The operations called directly, for functions that carry the media layer themselves."""

    def check_image(self, data: bytes, limits: CoverLimits) -> CheckedImage:
        from vodcover.media.cover_image import check_cover_image

        return check_cover_image(data, limits)

    def frame_at(self, url: str, seconds: float, width: int, quality: int, timeout: float) -> Frame:
        return frame_at(FrameAt(url, seconds, width, quality, timeout))

    def derive(self, data: bytes) -> Derived:
        return derive(Derive(data))
