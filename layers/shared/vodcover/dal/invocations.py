"""Starting background work: an asynchronous Lambda invocation (``InvocationType=Event``).

The same boto3 call works locally: the local stack points ``AWS_ENDPOINT_URL_LAMBDA`` at its
in-process Lambda endpoint, which runs the named function's handler.
"""

from __future__ import annotations

import json
from typing import Any

from vodcover.dal.aws import client
from vodcover.errors import FunctionNotConfigured


class JobStarter:
    def start(self, function_name: str, payload: dict[str, Any]) -> None:
        if not function_name:
            raise FunctionNotConfigured(
                "No function is configured for this job (check the template's environment)."
            )
        client("lambda").invoke(
            FunctionName=function_name,
            InvocationType="Event",
            Payload=json.dumps(payload, separators=(",", ":")).encode(),
        )
