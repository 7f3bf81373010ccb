"""Answers as Alibaba's RPC gateway writes them: JSON or XML, errors as
``{RequestId, HostId, Code, Message}``.

The format follows the request, not the outcome, so even a request that fails verification
is answered in the format its SDK can read: JSON for ACS3 (the Tea SDK parses every success as
JSON) and whenever ``Format=JSON`` or ``Accept: application/json``; XML where a classic request
asks for it or names no usable ``Format``. XML errors go out as ``text/xml;charset=utf-8``
exactly: the Tea SDK compares the header with that string before parsing XML.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from xml.etree import ElementTree

from vodcover.compat.alibaba.errors import status_of
from vodcover.compat.alibaba.request import ReceivedRequest, SigningScheme, parameter_pairs, signing_scheme
from vodcover.errors import VodcoverError

JSON_CONTENT_TYPE = "application/json;charset=utf-8"
XML_CONTENT_TYPE = "text/xml;charset=utf-8"
XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>"
# Characters XML 1.0 cannot carry at all (escaping does not help); a parameter name echoed in a
# message may hold them, and the answer must stay parseable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ResponseFormat(StrEnum):
    JSON = "JSON"
    XML = "XML"


@dataclass(frozen=True)
class RpcAnswer:
    """An HTTP answer, ready for any front (a WSGI server, an API Gateway proxy result)."""

    status: int
    content_type: str
    body: bytes

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": self.content_type, "Content-Length": str(len(self.body))}


def new_request_id() -> str:
    """Alibaba's request ids are upper-case UUIDs."""
    return str(uuid.uuid4()).upper()


def response_format(request: ReceivedRequest) -> ResponseFormat:
    try:
        query = dict(parameter_pairs(request.raw_query))
    except VodcoverError:
        query = {}
    if signing_scheme(request, query) is SigningScheme.ACS3:
        return ResponseFormat.JSON
    asked = query.get("Format", "").upper()
    if asked in ResponseFormat.__members__:
        return ResponseFormat(asked)
    if "application/json" in (request.header("accept") or "").lower():
        return ResponseFormat.JSON
    return ResponseFormat.XML


def error_answer(error: VodcoverError, fmt: ResponseFormat, *, request_id: str, host_id: str) -> RpcAnswer:
    """Any vodcover error in Alibaba's shape (its ``code``, ``status`` and ``message``)."""
    fields = {"RequestId": request_id, "HostId": host_id, "Code": error.code, "Message": error.message}
    return _answer(status_of(error), "Error", fields, fmt)


def result_answer(
    action: str, result: Mapping[str, Any], fmt: ResponseFormat, *, request_id: str
) -> RpcAnswer:
    """A successful action: ``RequestId`` first, then the result; XML's root is ``<Action>Response``."""
    return _answer(200, f"{action}Response", {"RequestId": request_id, **result}, fmt)


def _answer(status: int, root: str, fields: Mapping[str, Any], fmt: ResponseFormat) -> RpcAnswer:
    if fmt is ResponseFormat.JSON:
        body = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()
        return RpcAnswer(status, JSON_CONTENT_TYPE, body)
    return RpcAnswer(status, XML_CONTENT_TYPE, to_xml(root, fields))


def to_xml(root: str, fields: Mapping[str, Any]) -> bytes:
    """Alibaba's XML: a list repeats its element (``<Ids>a</Ids><Ids>b</Ids>``), a mapping
    nests, booleans are ``true``/``false``, None is left out."""
    element = ElementTree.Element(root)
    _append(element, fields)
    return (XML_DECLARATION + ElementTree.tostring(element, encoding="unicode")).encode()


def _append(parent: ElementTree.Element, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            if item is None:
                continue
            child = ElementTree.SubElement(parent, name)
            if isinstance(item, Mapping):
                _append(child, item)
            elif isinstance(item, bool):
                child.text = "true" if item else "false"
            else:
                child.text = _NOT_XML.sub("\ufffd", str(item))
