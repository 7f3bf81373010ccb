"""Request bodies as JSON documents: the one place the API turns bytes into values.

Every route that takes JSON reads its body through :func:`json_document`, so every route refuses
the same things the same way, before any model sees them:

- a media type other than ``application/json`` (or a charset other than UTF-8), or two
  ``Content-Type`` headers: 415 ``Request.UnsupportedMediaType``. Forms and multipart bodies are
  never parsed into fields;
- bytes that are not UTF-8, broken base64, duplicate keys, numbers Python cannot hold, nesting
  deeper than any request needs, strings that are not Unicode, bodies over the size bound:
  400 ``InvalidJson``.

What remains is a plain document (dicts, lists, str, int, float, bool, None) that the request
models validate strictly.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from email.message import Message
from typing import Any

from vodcover.errors import InvalidJson, UnsupportedMediaType

JSON_MEDIA_TYPE = "application/json"
MAX_JSON_BYTES = 256 * 1024  # the largest valid body (a 20-item batch) is far below this
MAX_JSON_DEPTH = 32  # the deepest valid body ({"updates": [{"tags": [...]}]}) has 4 levels
_UTF8_NAMES = frozenset({"utf-8", "utf8"})


def require_json_media_type(content_types: Sequence[str]) -> None:
    """No ``Content-Type`` (a bare client) or exactly one ``application/json``, UTF-8 if it says."""
    values = {value.strip() for value in content_types if value.strip()}
    if not values:
        return
    if len(values) > 1:
        raise UnsupportedMediaType("The request has more than one Content-Type; send application/json.")
    message = Message()
    message["Content-Type"] = values.pop()
    media_type = message.get_content_type()
    charset = message.get_param("charset")
    if media_type != JSON_MEDIA_TYPE:
        raise UnsupportedMediaType(f"The body must be {JSON_MEDIA_TYPE}, not {media_type}.")
    if charset is not None and (not isinstance(charset, str) or charset.strip().lower() not in _UTF8_NAMES):
        raise UnsupportedMediaType("JSON bodies are UTF-8; the Content-Type names another charset.")


def body_bytes(body: str | None, *, is_base64: bool) -> bytes:
    """The bytes the client sent (API Gateway base64-encodes bodies it treats as binary)."""
    if not body:
        return b""
    if is_base64:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidJson("The request body is not valid base64.") from exc
    try:
        return body.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates a front end let through
        raise InvalidJson("The request body is not UTF-8.") from exc


def parse_json(data: bytes) -> Any:
    """The document in ``data``: strict UTF-8, no duplicate keys, bounded in size and depth."""
    if len(data) > MAX_JSON_BYTES:
        raise InvalidJson(f"The request body is larger than {MAX_JSON_BYTES} bytes.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidJson(f"The request body is not UTF-8 (byte {exc.start} is invalid).") from exc
    try:
        document = json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise InvalidJson(f"The request body is not valid JSON: {exc.msg} (at character {exc.pos}).") from exc
    except _DuplicateKey as exc:
        raise InvalidJson(f"The request body repeats the key {exc.key!r}.") from exc
    except RecursionError as exc:
        raise InvalidJson("The request body is nested too deeply.") from exc
    except ValueError as exc:  # e.g. an integer longer than Python converts (4300 digits)
        raise InvalidJson("The request body holds a number out of range.") from exc
    _require_plain(document)
    return document


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Parsers disagree on which duplicate wins, so a body that has one means nothing sure."""
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise _DuplicateKey(key)
        document[key] = value
    return document


def _require_plain(document: Any) -> None:
    """Walk without recursion: depth within bounds, every string encodable as UTF-8."""
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            _require_unicode(value)
            continue
        if not isinstance(value, Mapping | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise InvalidJson(f"The request body is nested deeper than {MAX_JSON_DEPTH} levels.")
        if isinstance(value, Mapping):
            for key, item in value.items():
                _require_unicode(key)
                pending.append((item, depth + 1))
        else:
            pending.extend((item, depth + 1) for item in value)


def _require_unicode(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # "\ud800": JSON can escape what Unicode cannot hold
        raise InvalidJson("The request body holds a string that is not valid Unicode.") from exc
