"""Check real answers against openapi.yaml, so the document and the API cannot drift apart."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS31Validator

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"


@lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return loaded


def resolve_ref(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def response_schema(method: str, path_template: str, status: int) -> dict[str, Any]:
    operation = spec()["paths"][path_template][method.lower()]
    answer = resolve_ref(operation["responses"][str(status)])
    return answer["content"]["application/json"]["schema"]  # type: ignore[no-any-return]


def assert_matches_spec(method: str, path_template: str, status: int, body: Any) -> None:
    """Raise if ``body`` is not what openapi.yaml promises for this route and status."""
    # The components travel with the schema, so its "#/components/..." references resolve.
    schema = {**response_schema(method, path_template, status), "components": spec()["components"]}
    OAS31Validator(schema).validate(body)
