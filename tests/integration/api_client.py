"""A signed API client for the integration tests: every answer is checked against openapi.yaml.

Each call names the route as openapi.yaml does (``"/videos/{videoId}"``), so the client can
check the answer against the document and record the latency per route for the summary
printed at the end of the run.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import requests

from tests.support.openapi import assert_matches_spec, resolve_ref, spec
from tests.support.sigv4 import SigV4Auth

_LATENCIES: dict[str, list[float]] = defaultdict(list)
_LATENCIES_LOCK = threading.Lock()


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: requests.structures.CaseInsensitiveDict[str]

    @property
    def error_code(self) -> str:
        return str(self.body["error"]["code"])


class Api:
    """One caller of the local API: ``api.call("PATCH", "/videos/{videoId}", videoId=..., json=...)``."""

    def __init__(self, endpoint: str, auth: requests.auth.AuthBase | None, name: str = "") -> None:
        self.endpoint = endpoint.rstrip("/")
        self.name = name
        self.latency_tag = ""  # e.g. " (contended)": reported apart from ordinary calls
        self.session = requests.Session()
        self.session.auth = auth

    @classmethod
    def signed(cls, endpoint: str, access_key: str, secret: str) -> Api:
        return cls(endpoint, SigV4Auth(access_key, secret), name=access_key)

    def call(
        self,
        method: str,
        route: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        data: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        **path: str,
    ) -> Answer:
        """Send the request; the answer must be JSON and exactly what openapi.yaml says."""
        url = self.endpoint + route.format(**path)
        started = time.perf_counter()
        response = self.session.request(
            method, url, params=params, json=json, data=data, headers=headers, timeout=60
        )
        elapsed = time.perf_counter() - started
        if response.status_code < 300:  # the latency of real work, not of refusals
            with _LATENCIES_LOCK:
                _LATENCIES[f"{method} {route}{self.latency_tag}"].append(elapsed)
        body = response.json() if response.content else None
        documented = spec()["paths"][route][method.lower()]["responses"]
        assert str(response.status_code) in documented, (
            f"{method} {route} answered {response.status_code}, which openapi.yaml does not document: {body}"
        )
        if body is not None or "content" in resolve_ref(documented[str(response.status_code)]):
            assert_matches_spec(method, route, response.status_code, body)
        return Answer(response.status_code, body, response.headers)

    def expect(self, status: int, method: str, route: str, **kwargs: Any) -> Any:
        """:meth:`call`, asserting the status; returns the body."""
        answer = self.call(method, route, **kwargs)
        assert answer.status == status, f"{method} {route}: {answer.status} {answer.body}"
        return answer.body

    def expect_error(self, status: int, code: str, method: str, route: str, **kwargs: Any) -> Any:
        """:meth:`call`, asserting the error status and code; returns the error object."""
        answer = self.call(method, route, **kwargs)
        assert (answer.status, answer.body.get("error", {}).get("code")) == (status, code), answer.body
        assert answer.body["error"]["message"] and answer.body["error"]["requestId"]
        return answer.body["error"]

    def video(self, video_id: str) -> dict[str, Any]:
        body: dict[str, Any] = self.expect(200, "GET", "/videos/{videoId}", videoId=video_id)
        return body


def stored_state(video: dict[str, Any]) -> dict[str, Any]:
    """What a video *is*, without the presigned URLs' signatures (they change on every read)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v) for v in value]
        if isinstance(value, str) and value.startswith("http") and "?" in value:
            return value.split("?", 1)[0]
        return value

    return dict(strip(video))


def latency_report() -> list[str]:
    """p50/p99 (ms) per route, slowest p50 first."""
    with _LATENCIES_LOCK:
        samples = {route: sorted(values) for route, values in _LATENCIES.items()}
    lines = []
    for route, values in sorted(samples.items(), key=lambda item: -statistics.median(item[1])):
        p99 = values[min(len(values) - 1, round(0.99 * (len(values) - 1)))]
        lines.append(
            f"  {route:<36} n={len(values):<4} p50={statistics.median(values) * 1000:7.1f} ms"
            f"  p99={p99 * 1000:7.1f} ms"
        )
    return lines
