"""The command line's own text: a version, and help that reads as plain text and cites
nothing outside the repository."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tests.local.local_process import REPO, vodcover
from vodcover_dev.cli import build_parser

COMMANDS = ("probe", "snapshots", "smart-cover", "local", "console", "keys", "upload")


def test_version_prints_the_projects_version(tmp_path: Path) -> None:
    expected = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    result = vodcover(["--version"], tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"vodcover {expected}"


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_plain_text_citing_nothing_outside_the_repository(command: str | None) -> None:
    parser = build_parser()
    if command is None:
        text = parser.format_help()
    else:
        subparsers = next(a for a in parser._actions if a.dest == "command")
        text = subparsers.choices[command].format_help()  # type: ignore[union-attr]
    assert "``" not in text and "`" not in text  # no reStructuredText or Markdown markup
    assert not re.search(r"DESIGN|FACTS|§", text), text


def test_local_and_cli_code_cite_only_documents_in_the_repository() -> None:
    package = REPO / "dev" / "vodcover_dev"
    sources = [*(package / "local").glob("*.py"), *(package / "cli").glob("*.py")]
    sources += [package / name for name in ("console_proxy.py", "demo.py", "wsgi_server.py", "api_client.py")]
    assert all(source.is_file() for source in sources)
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert not re.search(r"DESIGN §|FACTS\.md", text), source
