"""Library page tokens: DynamoDB's ``LastEvaluatedKey``, signed, so a caller cannot forge one.

A token is ``base64url(key JSON) "." base64url(HMAC-SHA256(secret, owner, key JSON)[:16])``.
The MAC binds the token to the caller it was given to; on the way back every field is checked
again anyway (an owner, an ISO timestamp, a video id, each a string), so even a token made with
a leaked secret can only page through the caller's own videos.

The secret is ``Settings.page_token_key``: the template sets it to the unique part of the
stack's id (a UUID: one per stack, the same in every Lambda instance, never shown to API callers;
``vodcover local`` resolves it to ``local``, so local tokens survive restarts). Where it is not
set (tests, a bare process) it is derived from the table name. It is not a credential: readers
of the stack can see it, which is why the fields are checked as well.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from vodcover.domain.keys import VIDEO_ID_PATTERN
from vodcover.errors import InvalidParameter

MAX_TOKEN_CHARS = 2048
_MAC_BYTES = 16
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+$")
_TIMESTAMP = r"^[0-9][0-9T:.+Z-]{0,63}$"  # ISO-8601 as utc_now() writes it, and nothing else


class PageKey(BaseModel):
    """The ``byOwner`` index's key of the last video on a page, exactly as DynamoDB gives it."""

    model_config = ConfigDict(
        strict=True, extra="forbid", frozen=True, populate_by_name=True, defer_build=True
    )

    owner: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    created_at: Annotated[str, StringConstraints(pattern=_TIMESTAMP)] = Field(alias="createdAt")
    video_id: Annotated[str, StringConstraints(pattern=VIDEO_ID_PATTERN.pattern)] = Field(alias="videoId")


def default_secret(table_name: str) -> bytes:
    """The secret when none is configured: stable for a table, so tokens outlive restarts."""
    return hashlib.sha256(f"vodcover-page-tokens:{table_name}".encode()).digest()


def _refused() -> InvalidParameter:
    return InvalidParameter("NextToken", "nextToken is not a token this API gave out.")


class PageTokens:
    def __init__(self, secret: bytes) -> None:
        if not secret:
            raise ValueError("page tokens need a secret")
        self._secret = secret

    def encode(self, last_key: dict[str, Any]) -> str:
        payload = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64(payload)}.{_b64(self._mac(str(last_key['owner']), payload))}"

    def decode(self, token: str, owner: str) -> dict[str, Any]:
        """The start key ``token`` names, if this API gave it to ``owner``; else NextToken refused."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
            raise _refused()
        payload_text, dot, mac_text = token.partition(".")
        if not dot or not _BASE64URL.match(payload_text) or not _BASE64URL.match(mac_text):
            raise _refused()
        payload, mac = _unb64(payload_text), _unb64(mac_text)
        if not hmac.compare_digest(mac, self._mac(owner, payload)):
            raise _refused()
        try:
            key = PageKey.model_validate(json.loads(payload))
        except (ValueError, ValidationError, RecursionError) as exc:
            raise _refused() from exc
        if key.owner != owner:
            raise _refused()
        return key.model_dump(by_alias=True)

    def _mac(self, owner: str, payload: bytes) -> bytes:
        message = b"vodcover-page-token-v1\n" + owner.encode("utf-8", "surrogatepass") + b"\n" + payload
        return hmac.new(self._secret, message, hashlib.sha256).digest()[:_MAC_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise _refused() from exc
