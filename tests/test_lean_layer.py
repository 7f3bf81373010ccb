"""The shared Lambda layer holds only what Lambda runs.

Given the layer built by its own Makefile (the rule `sam build` runs; the pip step of the
runtime wheels is skipped, the package copy is the real one), it holds `vodcover` and none of
the development world (`vodcover_dev`: CLI, local stack, console, demo, samples, the WSGI
server and the signed API client). And `scripts/check_build.py`, which `make build` runs, fails
the build the moment any of it reappears in a layer.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_template import check_build

ROOT = Path(__file__).resolve().parents[1]
DEV_PACKAGE_DIR = ROOT / "dev" / "vodcover_dev"
TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Layers: [!Ref SharedLayer]
Resources:
  SharedLayer:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: SharedLayer}
  VideosApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: VideosApiFunction
      Events:
        Api: {Type: Api, Properties: {Path: /videos, Method: get}}
"""


@pytest.fixture(scope="module")
def shared_layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared layer as `make build-SharedLayer` lays it out (runtime wheels left out)."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    artifacts = tmp_path_factory.mktemp("SharedLayer")
    subprocess.run(
        [make, "-s", "build-SharedLayer", f"ARTIFACTS_DIR={artifacts}", "PIP_INSTALL=:", "PYTHON313="],
        cwd=ROOT / "layers" / "shared",
        check=True,
        capture_output=True,
    )
    return artifacts


def sam_build_dir(tmp_path: Path, layer: Path) -> Path:
    """A `sam build` output with one API function and the given shared layer."""
    build = tmp_path / "build"
    build.mkdir()
    (build / "template.yaml").write_text(TEMPLATE)
    (build / "VideosApiFunction").mkdir()
    (build / "VideosApiFunction" / "app.py").write_text("def handler(event, context): ...\n")
    shutil.copytree(layer, build / "SharedLayer")
    return build


def test_the_shared_layer_holds_the_product_and_nothing_of_the_development_world(shared_layer: Path) -> None:
    product = shared_layer / "python" / "vodcover"
    assert (product / "dependencies.py").is_file()
    assert (product / "usecases").is_dir()
    assert check_build.dev_world_in(shared_layer) == []
    # Nothing that lives in the development package has a namesake in the layer either.
    dev_modules = {p.name for p in DEV_PACKAGE_DIR.iterdir() if p.name not in {"__init__.py", "py.typed"}}
    assert dev_modules >= {"local", "console", "cli", "demo.py", "samples.py", "api_client.py"}
    shipped = {p.name for p in product.rglob("*")}
    assert not dev_modules & shipped - {"__pycache__"}
    assert not list(shared_layer.rglob("*.js")) and not list(shared_layer.rglob("*.css"))


def test_check_build_passes_the_lean_layer(shared_layer: Path, tmp_path: Path, capsys) -> None:
    build = sam_build_dir(tmp_path, shared_layer)
    assert check_build.main(["--arch", "arm64", "--build-dir", str(build), "--quiet"]) == 0
    assert "development world" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("local", "vodcover/local"),
        ("console", "vodcover/console"),
        ("cli", "vodcover/cli"),
        ("demo.py", "vodcover/demo.py"),
        ("samples.py", "vodcover/media/samples.py"),
        ("wsgi_server.py", "vodcover/wsgi_server.py"),
        (".", "vodcover_dev"),
    ],
)
def test_check_build_fails_when_the_development_world_reappears(
    shared_layer: Path, tmp_path: Path, capsys, source: str, target: str
) -> None:
    """Given a layer that copied part of the development world back in, the build check fails."""
    build = sam_build_dir(tmp_path, shared_layer)
    origin, destination = DEV_PACKAGE_DIR / source, build / "SharedLayer" / "python" / target
    if origin.is_dir():
        shutil.copytree(origin, destination)
    else:
        shutil.copy2(origin, destination)

    assert check_build.main(["--arch", "arm64", "--build-dir", str(build), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "FAIL SharedLayer: ships the development world" in err
    assert target in err
