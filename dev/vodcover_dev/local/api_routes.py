"""The local API Gateway's routing: the template's ``Type: Api`` events, matched as API Gateway does.

Literal segments before ``{param}`` before ``{proxy+}``, an exact method before ``ANY``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from vodcover_dev.local.template import SamTemplate

_LITERAL, _PARAM, _GREEDY = 0, 1, 2


@dataclass(frozen=True)
class Route:
    """One ``Type: Api`` event: its method, path template and function."""

    method: str
    path: str
    function: str

    @property
    def segments(self) -> tuple[str, ...]:
        return _split(self.path)

    @property
    def specificity(self) -> tuple[tuple[int, ...], int]:
        """Smaller is more specific: literal < {param} < {proxy+}, then exact method < ANY."""
        ranks = tuple(_segment_rank(s) for s in self.segments)
        return ranks, int(self.method == "ANY")

    def match(self, method: str, segments: Sequence[str]) -> dict[str, str] | None:
        """Path parameters (decoded) when ``method segments`` reach this route, else None."""
        if self.method not in {"ANY", method}:
            return None
        params: dict[str, str] = {}
        template = self.segments
        for index, pattern in enumerate(template):
            rank = _segment_rank(pattern)
            if rank == _GREEDY:
                rest = segments[index:]
                if not rest:
                    return None
                params[pattern[1:-2]] = "/".join(unquote(s) for s in rest)
                return params
            if index >= len(segments):
                return None
            if rank == _PARAM:
                params[pattern[1:-1]] = unquote(segments[index])
            elif pattern != unquote(segments[index]):
                return None
        return params if len(segments) == len(template) else None


def _segment_rank(segment: str) -> int:
    if segment.startswith("{") and segment.endswith("+}"):
        return _GREEDY
    if segment.startswith("{") and segment.endswith("}"):
        return _PARAM
    return _LITERAL


def _split(path: str) -> tuple[str, ...]:
    return tuple(s for s in path.strip("/").split("/") if s)


class Router:
    """Every API route in the template, most specific first."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = sorted(routes, key=lambda r: r.specificity)

    @classmethod
    def from_template(cls, template: SamTemplate) -> Router:
        return cls(Route(e.method, e.path, spec.logical_id) for spec, e in template.api_routes())

    def match(self, method: str, raw_path: str) -> tuple[Route, dict[str, str]] | None:
        segments = _split(raw_path)
        for route in self.routes:
            params = route.match(method.upper(), segments)
            if params is not None:
                return route, params
        return None
