"""boto3 clients, created once per process and only when first used.

boto3 honours ``AWS_ENDPOINT_URL`` (the local stack sets it), so the same code talks to AWS
and to the embedded emulator.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, signature_version="s3v4")


@cache
def client(service: str) -> Any:
    return boto3.session.Session().client(service, config=_CONFIG)


def reset_clients() -> None:
    """Forget cached clients (tests switch endpoints and credentials)."""
    client.cache_clear()
