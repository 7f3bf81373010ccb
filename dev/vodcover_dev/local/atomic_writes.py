"""Make the emulator's DynamoDB writes atomic, as real DynamoDB's conditional writes are.

moto checks a condition and then writes without a lock, so two threads can both pass
``version = :expected`` and one update is lost — something real DynamoDB never allows. The
local stack (and tests that run writers in threads) serialise moto's write operations with
one lock so the emulator keeps the guarantee vodcover's optimistic concurrency relies on.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

_LOCK = threading.RLock()
_WRITE_OPERATIONS = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
_PATCHED_MARK = "_vodcover_atomic"


def make_moto_dynamodb_writes_atomic() -> None:
    """Idempotent: wraps moto's DynamoDB backend write methods in one process-wide lock."""
    from moto.dynamodb.models import DynamoDBBackend

    for name in _WRITE_OPERATIONS:
        original = getattr(DynamoDBBackend, name, None)
        if original is None or getattr(original, _PATCHED_MARK, False):
            continue
        setattr(DynamoDBBackend, name, _locked(original))


def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    setattr(locked, _PATCHED_MARK, True)
    return locked
