"""botocore clients, created once per process and only when first used.

botocore alone, not boto3 (its resources and s3transfer are never used), and imported with the
first client, not with the handler module: a route that needs no AWS call (a refused request)
never pays for it, and the import stays out of the init (BENCHMARKS.md, "Cold start"). botocore
honours ``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>`` (the
local stack sets them), so the same code talks to AWS and to the embedded emulator.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

CLIENT_CONFIG: dict[str, Any] = {
    "retries": {"max_attempts": 5, "mode": "standard"},
    "signature_version": "s3v4",
}
# A session is not thread-safe while it creates clients; the clients it made are.
_LOCK = threading.Lock()


@cache
def _session() -> Any:
    import botocore.session

    return botocore.session.get_session()


@cache
def client(service: str) -> Any:
    from botocore.config import Config

    with _LOCK:
        return _session().create_client(service, config=Config(**CLIENT_CONFIG))


def reset_clients() -> None:
    """Forget cached clients and the session (tests switch endpoints and credentials)."""
    client.cache_clear()
    _session.cache_clear()
