"""What an API function loads at cold start, and what it leaves for the request that needs it.

Lambda's init of an API function is mostly the import of its ``app.py`` (BENCHMARKS.md, "Cold
start"; docs/design.md, "Cold start"). These tests import each API function's handler in a new
interpreter with the environment Lambda gives it and check what that import loaded: no AWS SDK
machinery beyond botocore's exceptions (clients are made on first use), no outbound HTTP door
(urllib3 comes with the first fetched URL), no answer models (routes name them; the first
answer imports its views), nothing of the media tools, and no vodcover model
schema built except the function's own settings, which are validated at cold start on purpose.
Behaviour, not timing: each check fails when a module or a schema build creeps back onto the
import path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.test_template import TEMPLATE_PATH, check_build, function_environment, functions

ROOT = Path(__file__).resolve().parents[1]
API_EVENTS = {"Api", "HttpApi"}
# Loaded on first use, never by the import of an API handler.
NOT_AT_COLD_START = (
    "boto3",
    "s3transfer",
    "botocore.session",
    "botocore.client",
    "urllib3",
    "vodcover.net.http_get",
    "vodcover.net.fetch",
    "vodcover.media",
    "vodcover.jobs",
    "vodcover.cover_media.service",
    "vodcover.api.rest_views",
    "vodcover.api.video_views",
    "vodcover.api.batch_views",
    "vodcover_dev",
)

_REPORT_IMPORT = """
import importlib.util, json, sys
from pydantic import BaseModel
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)

def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)

built = sorted(
    {f"{c.__module__}.{c.__qualname__}" for c in subclasses(BaseModel)
     if c.__module__.startswith("vodcover") and c.__pydantic_complete__}
)
print(json.dumps({"modules": sorted(sys.modules), "built": built}))
"""


def _api_functions() -> dict[str, dict[str, Any]]:
    template = check_build.load_template(TEMPLATE_PATH)
    return {
        props["CodeUri"].rstrip("/").split("/")[-1]: props
        for props in functions(template["Resources"]).values()
        if API_EVENTS & {event.get("Type") for event in props.get("Events", {}).values()}
    }


API_FUNCTIONS = _api_functions()


def loaded_at_import(folder: str) -> dict[str, list[str]]:
    """The modules and the built vodcover model schemas after importing ``functions/<folder>/app.py``."""
    template = check_build.load_template(TEMPLATE_PATH)
    env = {
        **function_environment(template, API_FUNCTIONS[folder]),
        "PATH": os.environ.get("PATH", ""),
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
    app = ROOT / "functions" / folder / "app.py"
    result = subprocess.run(
        [sys.executable, "-c", _REPORT_IMPORT, str(app)],
        capture_output=True,
        text=True,
        env=env,
        cwd=app.parent,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report: dict[str, list[str]] = json.loads(result.stdout.splitlines()[-1])
    return report


@pytest.fixture(scope="module", params=sorted(API_FUNCTIONS))
def api_import(request: pytest.FixtureRequest) -> tuple[str, dict[str, list[str]]]:
    return request.param, loaded_at_import(request.param)


def test_the_api_functions_are_found() -> None:
    assert {"videos_api", "covers_api", "alibaba_api"} <= set(API_FUNCTIONS)


def test_an_api_handler_import_leaves_aws_clients_http_and_media_for_first_use(
    api_import: tuple[str, dict[str, list[str]]],
) -> None:
    folder, report = api_import
    early = [
        name
        for name in report["modules"]
        if any(name == later or name.startswith(later + ".") for later in NOT_AT_COLD_START)
    ]
    assert early == [], f"{folder} loads at cold start what only a request needs: {early}"


def test_an_api_handler_import_builds_no_model_schema_but_its_settings(
    api_import: tuple[str, dict[str, list[str]]],
) -> None:
    """Schemas are built by the first request that validates or answers with a model."""
    folder, report = api_import
    built = [name for name in report["built"] if not name.startswith("vodcover.settings.")]
    assert built == [], f"{folder} builds model schemas at import: {built}"
    settings = [name for name in report["built"] if name.startswith("vodcover.settings.")]
    assert len(settings) == 1, f"{folder} should validate exactly its own settings at cold start: {settings}"


def test_an_api_handler_builds_only_its_own_settings_class(
    api_import: tuple[str, dict[str, list[str]]],
) -> None:
    """The other functions' settings classes (vodcover.settings.<function>) stay unbuilt."""
    folder, report = api_import
    settings_modules = {m for m in report["modules"] if m.startswith("vodcover.settings.")}
    assert settings_modules == {"vodcover.settings.sections", f"vodcover.settings.{folder}"}
