"""File names that come from strangers (URL paths, Content-Disposition, S3 keys, API bodies).

One place decides what a name may look like, because a name ends up in an S3 key
(``uploads/{videoId}/{fileName}``) and in a download's ``Content-Disposition``: nothing in
it may act as a path (``/``, ``\\``, ``..``) or a control character.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from urllib.parse import unquote, urlsplit

MAX_PLAIN_BYTES = 255  # what S3 key segments and file systems take
MAX_RECORDED_CHARS = 200
MAX_SAFE_CHARS = 120
PULLED_VIDEO_FALLBACK = "video.mp4"


def safe_file_name(raw: str, *, fallback: str = "download") -> str:
    """A strict name: last path part, letters, digits, ``._-`` only, at most 120 chars."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)
    name = re.sub(r"_{2,}", "_", name).strip("._-")  # no hidden files, no "..", no empty stems
    if len(name) > MAX_SAFE_CHARS:
        stem, dot, extension = name.rpartition(".")
        fits = dot and len(extension) <= 10
        name = f"{stem[: MAX_SAFE_CHARS - 1 - len(extension)]}.{extension}" if fits else name[:MAX_SAFE_CHARS]
    return name or fallback


def is_plain_file_name(name: str) -> bool:
    """True when ``name`` can be used as it is: one path segment, printable, not too long."""
    return (
        bool(name)
        and name not in {".", ".."}
        and len(name.encode()) <= MAX_PLAIN_BYTES
        and not any(ch in "/\\" or not ch.isprintable() for ch in name)
    )


def file_name_from_url(url: str) -> str:
    """The name to record for a pulled video: the URL path's last part as written, else a safe one.

    Spaces and non-Latin letters are kept (it is also the default title); anything that could
    act as a path is made plain; a URL with no name in its path gives ``video.mp4``.
    """
    path = urlsplit(url).path if "://" in url else ""
    name = posixpath.basename(unquote(path)).strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in "/\\")[:MAX_RECORDED_CHARS]
    if not name:
        return PULLED_VIDEO_FALLBACK
    return name if is_plain_file_name(name) else safe_file_name(name, fallback=PULLED_VIDEO_FALLBACK)


def upload_file_name(recorded: str, from_source: str) -> str:
    """The name the API recorded when it is a plain file name, else a sanitised one.

    Keeping the recorded name keeps ``uploads/{id}/{fileName}`` and the record in agreement;
    anything that could act as a path (``/``, ``..``, control characters) is made plain.
    """
    if is_plain_file_name(recorded):
        return recorded
    return safe_file_name(recorded or from_source, fallback=from_source or "video")
