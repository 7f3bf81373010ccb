"""Imports point one way between the rooms of ``vodcover`` (docs/design.md, "Layout").

Each room may import only what the design's table lets it: use cases and the domain never see
a wire format (``api/``, ``compat/``), the domain sees no AWS and no HTTP, data access and media
never reach back into use cases or jobs. Every import is read from the source with ast, lazy
ones and ``TYPE_CHECKING`` ones included: a type is a dependency too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_product_imports import imported_modules

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "layers" / "shared" / "vodcover"
DESIGN = ROOT / "docs" / "design.md"
AWS = ("boto3", "botocore", "aws_lambda_powertools")
WIRES = ("vodcover.api", "vodcover.compat")

# room → module prefixes it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "vodcover.domain": (
        *AWS,
        *WIRES,
        "vodcover.dal",
        "vodcover.usecases",
        "vodcover.jobs",
        "vodcover.media",
        "vodcover.net",
        "vodcover.dependencies",
        "vodcover.settings",
        "vodcover.commands",
    ),
    "vodcover.models": (
        *AWS,
        *WIRES,
        "vodcover.dal",
        "vodcover.domain",
        "vodcover.usecases",
        "vodcover.jobs",
    ),
    "vodcover.errors": ("vodcover.",),
    "vodcover.commands": (
        *AWS,
        *WIRES,
        "vodcover.dal",
        "vodcover.usecases",
        "vodcover.jobs",
        "vodcover.media",
    ),
    "vodcover.validation": (*AWS, *WIRES, "vodcover.dal", "vodcover.usecases", "vodcover.jobs"),
    "vodcover.usecases": (
        "aws_lambda_powertools",
        *WIRES,
        "vodcover.jobs",
        "vodcover.dependencies",
        "vodcover.media",  # frames and images through cover_media, never the decoder itself
    ),
    "vodcover.jobs": ("aws_lambda_powertools", *WIRES, "vodcover.dependencies", "vodcover.media"),
    "vodcover.dal": (
        *WIRES,
        "vodcover.usecases",
        "vodcover.jobs",
        "vodcover.media",
        "vodcover.net",
        "vodcover.commands",
    ),
    "vodcover.media": (*WIRES, "vodcover.dal", "vodcover.usecases", "vodcover.jobs", "vodcover.net"),
    "vodcover.net": (*WIRES, "vodcover.usecases", "vodcover.jobs", "vodcover.media", "vodcover.domain"),
    "vodcover.api": (
        "vodcover.compat",
        "vodcover.jobs",
        "vodcover.media",
        "vodcover.cover_media",
        "vodcover.net",
        "vodcover.dependencies",
    ),
    "vodcover.compat": (
        "vodcover.api",
        "vodcover.jobs",
        "vodcover.media",
        "vodcover.cover_media",
        "vodcover.net",
        "vodcover.dependencies",
    ),
    "vodcover.cover_media": (
        *WIRES,
        "vodcover.usecases",
        "vodcover.jobs",
        "vodcover.net",
        "vodcover.commands",
        "vodcover.dependencies",
    ),
    "vodcover.settings": (*AWS, "vodcover."),
    "vodcover.deadline": ("vodcover.",),
    "vodcover.observability": ("vodcover.",),
    "vodcover.dependencies": (*WIRES, "vodcover.jobs", "vodcover.media", "vodcover.commands"),
}


# exceptions a room's column allows within a banned prefix
ALLOWED: dict[str, tuple[str, ...]] = {
    "vodcover.jobs": ("vodcover.media.cover_image",),
    "vodcover.media": ("vodcover.net", "vodcover.net.http_get"),  # the one outbound HTTP door
    "vodcover.net": ("vodcover.domain.file_names",),
    "vodcover.compat": ("vodcover.net.url_policy",),  # the action's own URL check
    "vodcover.deadline": ("vodcover.errors",),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def room_of(module: str) -> str | None:
    return next((room for room in FORBIDDEN if module == room or module.startswith(room + ".")), None)


def violations(module: str, source: str) -> list[str]:
    room = room_of(module)
    if room is None:
        return []
    return [
        name
        for name in imported_modules(source)
        if any(
            name == banned.rstrip(".") or name.startswith(banned.rstrip(".") + ".")
            for banned in FORBIDDEN[room]
        )
        and not name.startswith(room + ".")  # a room may import itself
        and name not in ALLOWED.get(room, ())
    ]


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_a_banned_import_is_seen_wherever_it_is() -> None:
    source = "from vodcover.api.http import answer\ndef later():\n    import boto3\n"
    assert violations("vodcover.domain.videos", source) == ["vodcover.api.http", "boto3"]
    assert violations("vodcover.usecases.read", "from vodcover.api import rest_views\n") == ["vodcover.api"]
    assert violations("vodcover.api.http", "from vodcover.api.statuses import status_of\n") == []
    assert violations("vodcover.usecases.edit", "from vodcover.media import probe\n") == ["vodcover.media"]
    assert violations("vodcover.compat.alibaba.actions", "import vodcover.net.http_get\n") == [
        "vodcover.net.http_get"
    ]
    assert violations("vodcover.compat.alibaba.actions", "import vodcover.net.url_policy\n") == []


def test_every_room_of_the_design_holds_modules() -> None:
    rooms = {room_of(module_name(path)) for path in SOURCES}
    assert set(FORBIDDEN) <= rooms


def test_every_module_lives_in_a_room_of_the_design() -> None:
    """A new package or top-level module must be given a column here, and a row in the design."""
    homeless = sorted({module_name(path) for path in SOURCES if room_of(module_name(path)) is None})
    assert homeless == ["vodcover"]  # the package's own __init__


def test_the_design_names_every_room() -> None:
    layout = DESIGN.read_text(encoding="utf-8").split("### Layout", 1)[1].split("\n### ", 1)[0]
    assert [room for room in FORBIDDEN if f"`{room.removeprefix('vodcover.')}`" not in layout] == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_each_module_imports_only_what_its_room_may(path: Path) -> None:
    assert violations(module_name(path), path.read_text(encoding="utf-8")) == []
