"""Request bodies and parameters are judged strictly, at the lowest layer that can tell.

``vodcover.api.bodies`` turns bytes into a JSON document (content type, UTF-8, JSON shape);
the commands in ``vodcover.commands`` then hold every field to the type openapi.yaml
states (a bool is not an integer, a string is not a number, null is never a value). The
functions' answers to the same inputs are checked in ``tests/unit/test_hostile_api_events.py``
and end to end in ``tests/integration/test_hostile_api.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from vodcover.api.bodies import MAX_JSON_BYTES, body_bytes, parse_json, require_json_media_type
from vodcover.api.statuses import status_of
from vodcover.commands import (
    BatchItem,
    CreateUploadRequest,
    PullRequest,
    RegisterRequest,
    VideoChanges,
)
from vodcover.errors import InvalidJson, UnsupportedMediaType
from vodcover.validation import refusal_of


# --- content type -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content_types",
    [[], ["application/json"], ["application/json; charset=utf-8"], ["Application/JSON; Charset=UTF8"]],
)
def test_json_and_a_missing_content_type_are_accepted(content_types: list[str]) -> None:
    require_json_media_type(content_types)


@pytest.mark.parametrize(
    "content_types",
    [
        ["text/plain"],
        ["text/plain; charset=utf-8"],
        ["application/x-www-form-urlencoded"],
        ["multipart/form-data; boundary=x"],
        ["application/json; charset=latin-1"],
        ["application/jsonp"],
        ["application/json", "text/plain"],
        ["garbage"],
    ],
)
def test_other_content_types_are_unsupported_media_types(content_types: list[str]) -> None:
    with pytest.raises(UnsupportedMediaType) as caught:
        require_json_media_type(content_types)

    assert (status_of(caught.value), caught.value.code) == (415, "Request.UnsupportedMediaType")


# --- bytes and JSON -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"title": "\xff"}', "not UTF-8"),
        (b'{"title": "\xc3"}', "not UTF-8"),  # a truncated two-byte sequence
        (b"\xef\xbb\xbf{}", "not valid JSON"),  # a byte-order mark
        (b'{"title": "a", "title": "b"}', "repeats the key"),
        (b'{"a": {"b": 1, "b": 2}}', "repeats the key"),
        (b'{"fileSize": 1' + b"0" * 5000 + b"}", "out of range"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"a":' * 40 + b"1" + b"}" * 40, "nested deeper"),
        (b'{"title": "\\ud800"}', "not valid Unicode"),
        (b'{"\\udfff": 1}', "not valid Unicode"),
        (b" " * (MAX_JSON_BYTES + 1), "larger than"),
        (b"{'title': 'x'}", "not valid JSON"),
    ],
    ids=[
        "invalid-utf8",
        "truncated-utf8",
        "bom",
        "duplicate-key",
        "nested-duplicate-key",
        "5000-digit-integer",
        "depth-bomb",
        "depth-40",
        "lone-surrogate-value",
        "lone-surrogate-key",
        "oversized",
        "single-quotes",
    ],
)
def test_bodies_that_are_not_plain_json_are_invalid_json(data: bytes, reason: str) -> None:
    with pytest.raises(InvalidJson) as caught:
        parse_json(data)

    assert caught.value.code == "InvalidJson"
    assert reason in caught.value.message


def test_plain_json_parses_to_the_document() -> None:
    assert parse_json('{"title": "Été", "tags": ["a"], "n": 1.5}'.encode()) == {
        "title": "Été",
        "tags": ["a"],
        "n": 1.5,
    }


def test_base64_bodies_are_decoded_strictly() -> None:
    assert body_bytes("e30=", is_base64=True) == b"{}"
    with pytest.raises(InvalidJson):
        body_bytes("e30=!!", is_base64=True)


# --- strict fields ------------------------------------------------------------------------------
def code_for(model: type[BaseModel], document: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(document)
    return refusal_of(caught.value.errors()).code


CREATE = {"title": "t", "fileName": "a.mp4"}


@pytest.mark.parametrize(
    ("model", "document", "code"),
    [
        # the defects of issue 11: coerced values that changed the cover
        (VideoChanges, {"coverSnapshot": True}, "InvalidParameter.CoverSnapshot"),
        (VideoChanges, {"coverSnapshot": "1"}, "InvalidParameter.CoverSnapshot"),
        (VideoChanges, {"coverTime": True}, "InvalidParameter.CoverTime"),
        # their siblings, field by field
        (VideoChanges, {"coverSnapshot": 1.0}, "InvalidParameter.CoverSnapshot"),
        (VideoChanges, {"coverSnapshot": float("inf")}, "InvalidParameter.CoverSnapshot"),
        (VideoChanges, {"coverCandidate": False}, "InvalidParameter.CoverCandidate"),
        (VideoChanges, {"coverCandidate": "0"}, "InvalidParameter.CoverCandidate"),
        (VideoChanges, {"coverTime": "2.5"}, "InvalidParameter.CoverTime"),
        (VideoChanges, {"coverTime": float("nan")}, "InvalidParameter.CoverTime"),
        (VideoChanges, {"coverTime": float("inf")}, "InvalidParameter.CoverTime"),
        (VideoChanges, {"coverTime": [1]}, "InvalidParameter.CoverTime"),
        (VideoChanges, {"title": 5}, "InvalidParameter.Title"),
        (VideoChanges, {"title": True}, "InvalidParameter.Title"),
        (VideoChanges, {"title": ["t"]}, "InvalidParameter.Title"),
        (VideoChanges, {"description": 1}, "InvalidParameter.Description"),
        (VideoChanges, {"tags": "a,b"}, "InvalidParameter.Tags"),
        (VideoChanges, {"tags": [1]}, "InvalidParameter.Tags"),
        (VideoChanges, {"tags": {"a": 1}}, "InvalidParameter.Tags"),
        (VideoChanges, {"coverUrl": 7}, "InvalidParameter.CoverUrl"),
        (VideoChanges, {"coverUrl": {"url": "https://x.test/a.jpg"}}, "InvalidParameter.CoverUrl"),
        # null is never a value: leave a field out to leave it unchanged
        (VideoChanges, {"title": None}, "InvalidParameter.Title"),
        (VideoChanges, {"tags": None}, "InvalidParameter.Tags"),
        (VideoChanges, {"coverSnapshot": None}, "InvalidParameter.CoverSnapshot"),
        (VideoChanges, {"coverUrl": None}, "InvalidParameter.CoverUrl"),
        (BatchItem, {"videoId": 5}, "InvalidParameter.VideoId"),
        (BatchItem, {"videoId": None}, "InvalidParameter.VideoId"),
        (BatchItem, {"videoId": "v1", "coverSnapshot": True}, "InvalidParameter.CoverSnapshot"),
        (CreateUploadRequest, {**CREATE, "fileSize": True}, "InvalidParameter.FileSize"),
        (CreateUploadRequest, {**CREATE, "fileSize": "5"}, "InvalidParameter.FileSize"),
        (CreateUploadRequest, {**CREATE, "fileSize": 5.0}, "InvalidParameter.FileSize"),
        (CreateUploadRequest, {**CREATE, "fileSize": None}, "InvalidParameter.FileSize"),
        (CreateUploadRequest, {**CREATE, "fileSize": 5 * 1024**3 + 1}, "InvalidParameter.FileSize"),
        (CreateUploadRequest, {"title": 1, "fileName": "a.mp4"}, "InvalidParameter.Title"),
        (CreateUploadRequest, {"title": "t", "fileName": 1}, "InvalidParameter.FileName"),
        (CreateUploadRequest, {"title": "t", "fileName": "é" * 200}, "InvalidParameter.FileName"),
        (CreateUploadRequest, {**CREATE, "description": None}, "InvalidParameter.Description"),
        (CreateUploadRequest, {**CREATE, "tags": None}, "InvalidParameter.Tags"),
        (CreateUploadRequest, {**CREATE, "coverUrl": None}, "InvalidParameter.CoverUrl"),
        (PullRequest, {"items": [{"url": 1}]}, "InvalidParameter.Url"),
        (PullRequest, {"items": [{"url": "https://x.test/a.mp4", "title": None}]}, "InvalidParameter.Title"),
        (PullRequest, {"items": {"url": "https://x.test/a.mp4"}}, "InvalidParameter.Items"),
        (PullRequest, {"items": None}, "InvalidParameter.Items"),
        (RegisterRequest, {"items": [{"key": 1}]}, "InvalidParameter.Key"),
        (RegisterRequest, {"items": [{"key": "é" * 513}]}, "InvalidParameter.Key"),
        (RegisterRequest, {"items": [{"key": "a\x00b.mp4"}]}, "InvalidParameter.Key"),
        (RegisterRequest, {"items": [{"key": "a.mp4", "coverUrl": None}]}, "InvalidParameter.CoverUrl"),
    ],
    ids=lambda value: None if isinstance(value, (dict, type)) else str(value),
)
def test_wrong_types_are_refused_never_coerced(model: type[BaseModel], document: Any, code: str) -> None:
    assert code_for(model, document) == code


def test_integers_are_numbers_and_fields_left_out_stay_unset() -> None:
    changes = VideoChanges.model_validate({"coverTime": 2})

    assert changes.cover_time == 2.0
    assert changes.model_fields_set == {"cover_time"}
    assert VideoChanges.model_validate({}).is_empty()


# --- the models and openapi.yaml agree ---------------------------------------------------------
SCHEMA_OF = {
    VideoChanges: "VideoChanges",
    CreateUploadRequest: "CreateUploadRequest",
    PullRequest: "PullRequest",
    RegisterRequest: "RegisterRequest",
}


def openapi_accepts(schema_name: str, document: Any) -> bool:
    from openapi_schema_validator import OAS31Validator

    from tests.support.openapi import spec

    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec()["components"]}
    return bool(OAS31Validator(schema).is_valid(document))


@pytest.mark.parametrize(
    ("model", "document"),
    [
        (VideoChanges, {"coverSnapshot": True}),
        (VideoChanges, {"coverSnapshot": "1"}),
        (VideoChanges, {"coverSnapshot": 1.5}),
        (VideoChanges, {"coverTime": True}),
        (VideoChanges, {"coverTime": "2.5"}),
        (VideoChanges, {"title": None}),
        (VideoChanges, {"tags": [1]}),
        (VideoChanges, {"colour": "red"}),
        (CreateUploadRequest, {**CREATE, "fileSize": True}),
        (CreateUploadRequest, {**CREATE, "fileSize": "5"}),
        (CreateUploadRequest, {**CREATE, "coverUrl": None}),
        (PullRequest, {"items": [{"url": 1}]}),
        (RegisterRequest, {"items": [{"key": ""}]}),
    ],
    ids=str,
)
def test_what_the_models_refuse_openapi_refuses_too(model: type[BaseModel], document: Any) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(document)
    assert not openapi_accepts(SCHEMA_OF[model], document)


@pytest.mark.parametrize(
    ("model", "document"),
    [
        (VideoChanges, {"coverSnapshot": 3}),
        (VideoChanges, {"coverTime": 2}),
        (VideoChanges, {"coverTime": 2.5, "title": "t", "tags": ["a"], "description": ""}),
        (CreateUploadRequest, {**CREATE, "fileSize": 10, "tags": ["a"]}),
        (PullRequest, {"items": [{"url": "https://example.com/a.mp4", "title": "t"}]}),
        (RegisterRequest, {"items": [{"key": "library/a.mp4"}]}),
    ],
    ids=str,
)
def test_what_openapi_accepts_the_models_accept(model: type[BaseModel], document: Any) -> None:
    assert openapi_accepts(SCHEMA_OF[model], document)
    model.model_validate(document)
