"""Check what `sam build` produced before it is deployed.

Run after `sam build` (``make build`` does): for every function, the unzipped size of its code
plus its layers against Lambda's limit and our budgets, the machine type of every native
binary in the layers against the architecture we meant to build for (sam cannot tell a makefile
build the architecture, so a mismatch is possible and only shows at run time otherwise), and
that no layer ships the development world (``vodcover_dev``: the CLI, local stack, console,
demo, samples), which Lambda never runs.

    python scripts/check_build.py --arch arm64 [--build-dir .aws-sam/build] [--samconfig samconfig.toml]
    python scripts/check_build.py --arch x86_64 --smoke   # also import the layers with python3.13

Exit status 0 when every check passes, 1 otherwise. Reads the template with the local stack's
loader (``vodcover_dev.cfn_yaml``: ``pip install -e .[local]``).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import struct
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vodcover_dev.cfn_yaml import load_cfn_yaml

MIB = 1024 * 1024
LAMBDA_UNZIPPED_LIMIT = 262_144_000  # function + layers, bytes (250 MiB)
MEDIA_BUDGET = 200 * MIB  # functions with ffmpeg: leave room under the hard limit
# API functions (an Api or HttpApi event): small packages cold-start fast. None carries the media
# layer: the covers and Alibaba APIs have their image checks and coverTime frames done by the
# CoverMediaFunction.
API_BUDGET = 20 * MIB
# REST (the videos and covers APIs) and HTTP APIs (the Alibaba-compatible endpoint) alike.
API_EVENTS = ("Api", "HttpApi")

ELF_MACHINES = {"arm64": 183, "x86_64": 62}  # e_machine: EM_AARCH64, EM_X86_64
HOST_ARCH = {"aarch64": "arm64", "arm64": "arm64", "x86_64": "x86_64", "amd64": "x86_64"}.get(
    platform.machine().lower()
)


def load_template(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = load_cfn_yaml(path)
    return document


@dataclass
class FunctionBuild:
    name: str
    code_dir: Path
    layers: dict[str, Path]
    is_api: bool

    @property
    def is_media(self) -> bool:
        return "MediaLayer" in self.layers


def tree_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            total += os.lstat(os.path.join(root, name)).st_size
    return total


def functions_of(template: dict[str, Any], build_dir: Path) -> list[FunctionBuild]:
    resources = template["Resources"]
    global_layers = template.get("Globals", {}).get("Function", {}).get("Layers", [])
    builds = []
    for name, res in resources.items():
        if res.get("Type") != "AWS::Serverless::Function":
            continue
        props = res.get("Properties", {})
        layers = {}
        for ref in [*global_layers, *props.get("Layers", [])]:
            layer_id = ref["Ref"]
            layers[layer_id] = build_dir / resources[layer_id]["Properties"]["ContentUri"]
        is_api = any(ev.get("Type") in API_EVENTS for ev in props.get("Events", {}).values())
        builds.append(FunctionBuild(name, build_dir / props["CodeUri"], layers, is_api))
    return builds


def budget_of(build: FunctionBuild) -> tuple[int, str]:
    """(bytes, kind): the media budget for media functions, 20 MiB for API functions and the rest."""
    if build.is_media and not build.is_api:
        return MEDIA_BUDGET, "media"
    return API_BUDGET, "api" if build.is_api else "other"


def elf_machine(path: Path) -> int | None:
    try:
        with path.open("rb") as fh:
            head = fh.read(20)
    except OSError:
        return None
    if len(head) < 20 or head[:4] != b"\x7fELF":
        return None
    return struct.unpack_from("<H", head, 18)[0]


def foreign_binaries(layer_dir: Path, arch: str) -> list[Path]:
    wanted = ELF_MACHINES[arch]
    wrong = []
    for root, _dirs, files in os.walk(layer_dir):
        for name in files:
            path = Path(root, name)
            machine = elf_machine(path)
            if machine is not None and machine != wanted:
                wrong.append(path)
    return wrong


# What Lambda never runs, relative to a layer's python/ folder: the development package, and
# where its modules lived inside `vodcover` before it was split off (so they cannot creep back).
DEV_PACKAGE = "vodcover_dev"
DEV_WORLD_IN_PRODUCT = (
    "vodcover/local",
    "vodcover/console",
    "vodcover/cli",
    "vodcover/demo.py",
    "vodcover/console_proxy.py",
    "vodcover/api_client.py",
    "vodcover/wsgi_server.py",
    "vodcover/samples.py",
    "vodcover/media/samples.py",
)


def dev_world_in(layer_dir: Path) -> list[str]:
    """Paths under ``layer_dir/python`` that belong to the development world, sorted."""
    python_dir = layer_dir / "python"
    found = [rel for rel in DEV_WORLD_IN_PRODUCT if (python_dir / rel).exists()]
    found += sorted(
        str(path.relative_to(python_dir))
        for path in python_dir.glob(f"{DEV_PACKAGE}*")  # the package, its .dist-info, an .egg-link
    )
    return sorted(found)


def samconfig_architecture(path: Path) -> str:
    """The Architecture that `sam deploy` will pass, from samconfig.toml (default: arm64)."""
    with path.open("rb") as fh:
        config = tomllib.load(fh)
    overrides = (
        config.get("default", {}).get("deploy", {}).get("parameters", {}).get("parameter_overrides", "")
    )
    if isinstance(overrides, list):
        overrides = " ".join(overrides)
    for item in overrides.split():
        key, _, value = item.partition("=")
        if key == "Architecture":
            return value.strip("\"'")
    return "arm64"


def find_python313() -> str | None:
    for candidate in (os.environ.get("PYTHON313"), shutil.which("python3.13")):
        if candidate:
            probe = subprocess.run(
                [candidate, "-c", "import sys; print(sys.executable)"], capture_output=True
            )
            if probe.returncode == 0:
                return probe.stdout.decode().strip()
    return None


SMOKE = """
import subprocess, sys
import aws_lambda_powertools, pydantic, vodcover.settings
print("shared layer imports: ok")
if "media" in sys.argv:
    from PIL import Image
    import imageio_ffmpeg
    Image.new("RGB", (8, 8)).save(sys.argv[-1], "JPEG")
    Image.open(sys.argv[-1], formats=["JPEG", "PNG"]).load()
    out = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-version"],
                         capture_output=True, text=True, check=True).stdout
    print("media layer: Pillow ok,", out.splitlines()[0])
"""


def smoke_test(build: FunctionBuild, python313: str) -> bool:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PYTHONPATH"] = os.pathsep.join(str(p / "python") for p in build.layers.values())
    with tempfile.TemporaryDirectory() as tmp:
        args = [python313, "-c", SMOKE, *(["media"] if build.is_media else []), str(Path(tmp, "x.jpg"))]
        result = subprocess.run(args, env=env, capture_output=True, text=True, cwd=tmp)
    sys.stdout.write("".join(f"    {line}\n" for line in (result.stdout + result.stderr).splitlines()))
    return result.returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", choices=sorted(ELF_MACHINES), required=True)
    parser.add_argument("--build-dir", type=Path, default=Path(".aws-sam/build"))
    parser.add_argument("--samconfig", type=Path, help="also check the Architecture sam deploy will use")
    parser.add_argument("--smoke", action="store_true", help="import the layers with python3.13 (same arch)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)

    template_path = args.build_dir / "template.yaml"
    if not template_path.exists():
        print(f"{template_path} not found: run `make build` first", file=sys.stderr)
        return 1
    builds = functions_of(load_template(template_path), args.build_dir.resolve())
    problems: list[str] = []

    if args.samconfig and args.samconfig.exists():
        deploy_arch = samconfig_architecture(args.samconfig)
        if deploy_arch != args.arch:
            problems.append(
                f"{args.samconfig} deploys Architecture={deploy_arch} but the build is for {args.arch}: "
                f"run `make deploy ARCH={deploy_arch}` or change parameter_overrides"
            )

    checked_layers: set[str] = set()
    for build in builds:
        code = tree_size(build.code_dir)
        layer_sizes = {name: tree_size(path) for name, path in build.layers.items()}
        total = code + sum(layer_sizes.values())
        budget, kind = budget_of(build)
        parts = ", ".join([f"code {code / MIB:.2f}"] + [f"{n} {s / MIB:.1f}" for n, s in layer_sizes.items()])
        if not args.quiet:
            print(f"{build.name} ({kind}): {total / MIB:.1f} MiB unzipped = {parts}")
        if total > LAMBDA_UNZIPPED_LIMIT:
            problems.append(f"{build.name}: {total} bytes unzipped exceeds Lambda's {LAMBDA_UNZIPPED_LIMIT}")
        elif total > budget:
            problems.append(
                f"{build.name}: {total / MIB:.1f} MiB exceeds the {kind} budget of {budget / MIB:.0f} MiB"
            )
        if build.is_api and build.is_media:
            problems.append(f"{build.name}: an API function must not carry the media layer")
        for name, path in build.layers.items():
            if name in checked_layers:
                continue
            checked_layers.add(name)
            dev = dev_world_in(path)
            if dev:
                problems.append(
                    f"{name}: ships the development world, which Lambda never runs: {', '.join(dev)} "
                    f"(it belongs in dev/{DEV_PACKAGE}, outside the layer)"
                )
            wrong = foreign_binaries(path, args.arch)
            if wrong:
                problems.append(
                    f"{name}: {len(wrong)} native files are not {args.arch}, e.g. {wrong[0]} "
                    f"(build with `make build ARCH={args.arch}`)"
                )

    if args.smoke:
        python313 = find_python313()
        if args.arch != HOST_ARCH:
            print(f"smoke test skipped: this machine is {HOST_ARCH}, the build is {args.arch}")
        elif python313 is None:
            print("smoke test skipped: no python3.13 (set PYTHON313=/path/to/python3.13)")
        else:
            for build in builds:
                print(f"smoke test {build.name} with {python313}:")
                if not smoke_test(build, python313):
                    problems.append(f"{build.name}: its layers do not import with python3.13")

    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    if not problems and not args.quiet:
        print(f"build OK for {args.arch}: {len(builds)} function(s) within limits")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
