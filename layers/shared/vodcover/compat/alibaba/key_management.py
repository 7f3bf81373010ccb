"""Creating, listing and revoking access keys: the use case behind ``vodcover keys``.

A created key's secret is answered once and never again (it is stored only encrypted).
Importing a given pair (``add_access_key``) serves fixed local keys such as ``LTAIlocal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from pydantic import SecretStr

from vodcover.compat.alibaba.errors import AccessKeyNotFound, InvalidParameter
from vodcover.compat.alibaba.keys import (
    AccessKey,
    AccessKeyExists,
    checked_access_key_id,
    checked_owner,
    checked_secret,
    new_access_key_id,
    new_access_key_secret,
)

_NEW_ID_ATTEMPTS = 3  # 62^20 ids: a collision is a broken random source, not bad luck


class AccessKeyStore(Protocol):
    def add(self, key: AccessKey, secret: SecretStr) -> None: ...
    def list(self, owner: str | None = None) -> list[AccessKey]: ...
    def remove(self, access_key_id: str) -> bool: ...


@dataclass(frozen=True)
class CreatedAccessKey:
    key: AccessKey
    secret: SecretStr  # the only time it is seen


def create_access_key(store: AccessKeyStore, owner: str, *, now: datetime | None = None) -> CreatedAccessKey:
    owner = checked_owner(owner)
    for _ in range(_NEW_ID_ATTEMPTS):
        key = AccessKey(new_access_key_id(), owner, now or datetime.now(UTC))
        secret = new_access_key_secret()
        try:
            store.add(key, secret)
        except AccessKeyExists:
            continue
        return CreatedAccessKey(key, secret)
    raise RuntimeError("could not draw an unused AccessKeyId")


def add_access_key(
    store: AccessKeyStore, access_key_id: str, secret: SecretStr, owner: str, *, now: datetime | None = None
) -> AccessKey:
    key = AccessKey(checked_access_key_id(access_key_id), checked_owner(owner), now or datetime.now(UTC))
    try:
        store.add(key, checked_secret(secret))
    except AccessKeyExists:
        raise InvalidParameter(f"The AccessKeyId {access_key_id} exists already.") from None
    return key


def list_access_keys(store: AccessKeyStore, owner: str | None = None) -> list[AccessKey]:
    return store.list(None if owner is None else checked_owner(owner))


def revoke_access_key(store: AccessKeyStore, access_key_id: str) -> None:
    if not store.remove(access_key_id):
        raise AccessKeyNotFound()
