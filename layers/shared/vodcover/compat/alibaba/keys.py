"""Access keys for Alibaba-signed callers: what one is and how a new one is made (pure rules).

An access key is an id (public, Alibaba's ``LTAI…`` form) and a secret (shown once, stored
only encrypted) bound to one owner, the same principal a SigV4 caller would be: an
Alibaba-signed caller sees and changes exactly its owner's videos. Secrets travel as
:class:`pydantic.SecretStr`, whose ``repr`` and ``str`` never show the value, so a stray log
line or traceback cannot leak one.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass
from datetime import datetime

from pydantic import SecretStr

from vodcover.compat.alibaba.errors import InvalidParameter

ID_PREFIX = "LTAI"  # what Alibaba's ids start with; some clients check it
ID_RANDOM_LENGTH = 20  # Alibaba's ids are 24 characters
SECRET_LENGTH = 30  # as Alibaba's secrets
ACCESS_KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9]{4,64}$")
SECRET_PATTERN = re.compile(r"^[\x21-\x7e]{8,128}$")  # printable ASCII, no spaces
OWNER_PATTERN = re.compile(r"^[^\x00-\x1f\x7f]{1,2048}$")  # a principal ARN or a local name
_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class AccessKey:
    """An access key as listed: everything but the secret."""

    access_key_id: str
    owner: str
    created_at: datetime


class AccessKeyExists(Exception):
    """A key with that AccessKeyId is already stored (raised by stores)."""


@dataclass(frozen=True)
class SigningKey:
    """What verifying a signature needs: whose key it is and its secret."""

    owner: str
    secret: SecretStr


def new_access_key_id() -> str:
    return ID_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(ID_RANDOM_LENGTH))


def new_access_key_secret() -> SecretStr:
    return SecretStr("".join(secrets.choice(_ALPHABET) for _ in range(SECRET_LENGTH)))


def checked_access_key_id(value: str) -> str:
    if not ACCESS_KEY_ID_PATTERN.fullmatch(value):
        raise InvalidParameter("An AccessKeyId is 4 to 64 letters and digits.")
    return value


def checked_secret(value: SecretStr) -> SecretStr:
    if not SECRET_PATTERN.fullmatch(value.get_secret_value()):
        raise InvalidParameter("An AccessKeySecret is 8 to 128 printable ASCII characters without spaces.")
    return value


def checked_owner(value: str) -> str:
    if not OWNER_PATTERN.fullmatch(value) or value != value.strip():
        raise InvalidParameter("An owner is 1 to 2048 characters without control characters or edge spaces.")
    return value


@dataclass(frozen=True)
class GivenKeyPair:
    """A pair named on a command line (``vodcover local --alibaba-key ID:SECRET[:OWNER]``)."""

    access_key_id: str
    secret: SecretStr
    owner: str


def parse_key_pair(text: str, *, default_owner: str = "local") -> GivenKeyPair:
    """``ID:SECRET[:OWNER]``; the owner may hold colons (IAM ARNs do), the id and secret may not."""
    access_key_id, _, rest = text.partition(":")
    secret, _, owner = rest.partition(":")
    if not access_key_id or not secret:
        raise InvalidParameter("An Alibaba key is given as ID:SECRET or ID:SECRET:OWNER.")
    return GivenKeyPair(
        checked_access_key_id(access_key_id),
        checked_secret(SecretStr(secret)),
        checked_owner(owner or default_owner),
    )
