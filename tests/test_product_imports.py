"""The product never imports the development world.

Lambda loads `vodcover` (the shared layer) and `functions/*/*.py`; neither may import
`vodcover_dev` (the CLI, local stack, console, demo, samples) nor what only the development world
installs (moto, waitress, PyYAML), or a deployed function would fail on import. Every import is
read from the source with ast, lazy ones inside functions included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT_SOURCES = sorted(
    [*(ROOT / "layers" / "shared" / "vodcover").rglob("*.py"), *(ROOT / "functions").glob("*/*.py")]
)
DEV_ONLY_TOP_LEVEL = {"vodcover_dev", "moto", "waitress", "yaml"}


def imported_modules(source: str) -> list[str]:
    """Every module an ``import`` or ``from … import`` names (absolute imports only)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def dev_only_imports(source: str) -> list[str]:
    return [name for name in imported_modules(source) if name.split(".")[0] in DEV_ONLY_TOP_LEVEL]


def test_the_walk_sees_every_kind_of_import() -> None:
    """Given imports at top level, inside a function and as from-imports, all are flagged."""
    source = (
        "import os\n"
        "from vodcover_dev.local.stack import LocalStack\n"
        "def later():\n"
        "    import yaml\n"
        "    from moto import mock_aws\n"
        "    import waitress.server\n"
        "from . import sibling\n"
    )
    assert dev_only_imports(source) == ["vodcover_dev.local.stack", "yaml", "moto", "waitress.server"]


def test_the_product_sources_are_found() -> None:
    relative = {str(p.relative_to(ROOT)) for p in PRODUCT_SOURCES}
    assert "layers/shared/vodcover/dependencies.py" in relative
    assert "functions/videos_api/app.py" in relative
    assert "functions/videos_api/videos_wiring.py" in relative
    assert not any("vodcover_dev" in name for name in relative)


@pytest.mark.parametrize("path", PRODUCT_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_product_module_imports_the_development_world(path: Path) -> None:
    assert dev_only_imports(path.read_text(encoding="utf-8")) == []
