"""The yardstick for cold starts: the smallest powertools REST handler with validation on.

One route, ``APIGatewayRestResolver(enable_validation=True)`` as vodcover's API functions use;
``bench/cold_start.py`` imports it exactly as it imports every ``functions/*/app.py``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

app = APIGatewayRestResolver(enable_validation=True)


@app.get("/hello/<name>")
def hello(name: str) -> dict[str, str]:
    return {"message": f"hello, {name}"}


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
