"""openapi.yaml is generated from the routes and models: the committed file must be current."""

from __future__ import annotations

from openapi_spec_validator import validate

from tests.support.openapi import SPEC_PATH, spec
from vodcover_dev.openapi import render


def test_the_committed_openapi_yaml_is_what_the_routes_and_models_generate() -> None:
    assert SPEC_PATH.read_text(encoding="utf-8") == render(), "openapi.yaml is stale: run `make openapi`"


def test_the_document_is_valid_openapi_and_documents_every_route_with_sigv4() -> None:
    validate(spec())
    routes = {(method, path) for path, operations in spec()["paths"].items() for method in operations}

    assert routes == {
        ("post", "/videos"),
        ("get", "/videos"),
        ("patch", "/videos"),
        ("post", "/videos/pull"),
        ("post", "/videos/register"),
        ("get", "/videos/{videoId}"),
        ("get", "/videos/{videoId}/covers"),
        ("patch", "/videos/{videoId}"),
        ("put", "/videos/{videoId}/cover"),
        ("post", "/videos/{videoId}/smart-cover"),
        ("get", "/limits"),
        ("delete", "/videos/{videoId}"),
        ("post", "/videos/delete"),
        ("post", "/videos/{videoId}/snapshots"),
        ("post", "/videos/{videoId}/storyboard"),
        ("post", "/webhooks"),
        ("get", "/webhooks"),
        ("delete", "/webhooks/{webhookId}"),
    }
    assert spec()["security"] == [{"sigv4": []}]


def test_a_cover_time_patch_documents_what_a_frame_that_cannot_be_taken_answers() -> None:
    answers = spec()["paths"]["/videos/{videoId}"]["patch"]["responses"]

    assert {"422", "502", "504"} <= set(answers)
    assert all(
        answers[status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
        for status in ("400", "403", "404", "422", "502", "504")
    )
