"""The cover media function's contract: one typed request and answer per operation, as JSON.

An invocation's payload is ``{"operation": "<name>", "request": {...}}``; the function answers
``{"answer": {...}}`` or, for a refusal with a stable code, ``{"error": {"code", "message"}}``,
which the caller raises again as the same :class:`~vodcover.errors.VodcoverError` (so the API
answers exactly the status and code it would have answered running Pillow itself). Fields are
plain JSON values, ``bytes`` travel as base64, nested dataclasses as objects.

Adding an operation: a request dataclass naming its ``operation`` and ``answer`` type here, and
one function in :mod:`vodcover.cover_media.service` decorated with ``@operation``.
"""

from __future__ import annotations

import base64
import dataclasses
from functools import cache
from typing import Any, ClassVar, Generic, Protocol, TypeVar, get_args, get_origin, get_type_hints

from vodcover.cover_media.headers import CheckedImage, CoverLimits
from vodcover.errors import VodcoverError

A = TypeVar("A")


class Request(Generic[A]):
    """Base of every request: its operation name and the type of its answer."""

    operation: ClassVar[str]
    answer: ClassVar[type]


# --- the operations ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ImageChecked:
    format: str  # "jpeg" or "png"
    width: int  # as displayed (after the EXIF orientation)
    height: int


@dataclasses.dataclass(frozen=True)
class CheckImage(Request[ImageChecked]):
    """Is this a cover image we accept (JPG/PNG by content, within the limits, decodable)?"""

    operation: ClassVar[str] = "check_image"
    answer: ClassVar[type] = ImageChecked
    image: bytes
    limits: CoverLimits


@dataclasses.dataclass(frozen=True)
class Frame:
    jpeg: bytes
    width: int
    height: int


@dataclasses.dataclass(frozen=True)
class FrameAt(Request[Frame]):
    """The frame a video shows at ``seconds`` (a ``coverTime``), read from a presigned URL."""

    operation: ClassVar[str] = "frame_at"
    answer: ClassVar[type] = Frame
    url: str
    seconds: float
    width: int
    quality: int
    timeout: float


@dataclasses.dataclass(frozen=True)
class RenditionImage:
    """One rendition (``vodcover.media.renditions``): its size, format, crop and bytes."""

    width: int
    height: int
    format: str  # jpeg, webp, avif
    aspect: str  # original, 1:1, 9:16
    data: bytes


@dataclasses.dataclass(frozen=True)
class Derived:
    renditions: list[RenditionImage]
    blurhash: str
    data_uri: str  # at most 2 KB


@dataclasses.dataclass(frozen=True)
class Derive(Request[Derived]):
    """The renditions and placeholder of a checked cover image (issue 16; docs/embedding.md).

    The answer carries every rendition's bytes (~600 KB of base64 for a 1080p cover, well inside
    Lambda's 6 MB synchronous payload); the caller stores them, as the function touches no AWS.
    """

    operation: ClassVar[str] = "derive"
    answer: ClassVar[type] = Derived
    image: bytes


class CoverMedia(Protocol):
    """What cover use cases need from the media tools, wherever those run."""

    def check_image(self, data: bytes, limits: CoverLimits) -> CheckedImage: ...

    def frame_at(self, url: str, seconds: float, width: int, quality: int, timeout: float) -> Frame: ...

    def derive(self, data: bytes) -> Derived: ...


# --- the JSON form -----------------------------------------------------------------------------
def encode(value: Any) -> Any:
    """A dataclass (or field value) as JSON values: bytes as base64, dataclasses as objects."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [encode(v) for v in value]
    return value


def decode(cls: type[A], document: Any) -> A:
    """``document`` as an instance of the dataclass ``cls`` (the inverse of :func:`encode`)."""
    if not isinstance(document, dict):
        raise ProtocolError(f"{cls.__name__}: expected an object, got {type(document).__name__}")
    hints = _field_types(cls)  # type: ignore[arg-type]
    try:
        values = {name: _decode_field(hints[name], document[name]) for name in hints}
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError(f"{cls.__name__}: {exc!r}") from exc
    return cls(**values)


def _decode_field(kind: Any, value: Any) -> Any:
    if get_origin(kind) is list:
        (item,) = get_args(kind)
        if not isinstance(value, list):
            raise TypeError(f"expected a list, got {value!r}")
        return [_decode_field(item, v) for v in value]
    if kind is bytes:
        return base64.b64decode(value, validate=True)
    if dataclasses.is_dataclass(kind):
        return decode(kind, value)  # type: ignore[arg-type]
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind in (int, str, bool, float) and type(value) is not kind:
        raise TypeError(f"expected {kind.__name__}, got {value!r}")
    return value


@cache
def _field_types(cls: type) -> dict[str, Any]:
    hints = get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def invocation(request: Request[Any]) -> dict[str, Any]:
    return {"operation": request.operation, "request": encode(request)}


def error_answer(error: VodcoverError) -> dict[str, Any]:
    return {"error": {"code": error.code, "message": error.message}}


def answer_of(request: Request[A], document: Any) -> A:
    """The typed answer, or the refusal raised again as the error class of its code."""
    if isinstance(document, dict) and isinstance(document.get("error"), dict):
        raise error_for(str(document["error"].get("code", "")), str(document["error"].get("message", "")))
    if not isinstance(document, dict) or "answer" not in document:
        raise ProtocolError(f"{request.operation}: no answer in {str(document)[:200]!r}")
    return decode(request.answer, document["answer"])


def error_for(code: str, message: str) -> VodcoverError:
    """The named error class whose code this is (e.g. ``InvalidImage.Corrupt``), with the message."""
    error_class = _error_classes().get(code)
    return (
        error_class(message)
        if error_class is not None
        else VodcoverError(message, detail=f"unknown code {code}")
    )


@cache
def _error_classes() -> dict[str, type[VodcoverError]]:
    found: dict[str, type[VodcoverError]] = {}
    pending: list[type[VodcoverError]] = [VodcoverError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        code = cls.__dict__.get("code")
        if isinstance(code, str) and _takes_message_only(cls):
            found.setdefault(code, cls)
    return found


def _takes_message_only(cls: type) -> bool:
    """Classes whose code comes from their arguments (``InvalidParameter(name, …)``) are skipped."""
    return "__init__" not in cls.__dict__ or cls is VodcoverError


class ProtocolError(VodcoverError):
    """A payload that is not what the contract says: a bug between the two functions, not the user's."""

    code = "Internal.Error"
