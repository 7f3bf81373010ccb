"""No module of the product or the development world grows past the size one reader can hold.

Issue 12's rule (docs/design.md, "Layout"): a module over ~400 lines mixes concerns and is split
by concern, not trimmed. This catches the growth when it happens, not a session later.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 400
SOURCES = sorted(
    path for folder in ("layers", "functions", "dev") for path in (ROOT / folder).rglob("*.py")
    if ".venv" not in path.parts and "build" not in path.parts
)  # fmt: skip


def test_the_sources_are_found() -> None:
    assert any(path.name == "frame_features.py" for path in SOURCES)
    assert any(path.parts[-3:] == ("functions", "videos_api", "app.py") for path in SOURCES)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_module_is_at_most_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by concern"
