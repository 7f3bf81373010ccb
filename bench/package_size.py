"""Package size: unzipped bytes of each function plus its layers, as ``sam build`` produced them.

The reading is ``scripts/check_build.py``'s own (its template parsing and tree walk are
imported, not copied), so the benchmark and the build check can never disagree. With
``--with-build`` the benchmark first runs ``make build`` (needs PyPI, about a minute);
otherwise it reads whatever ``.aws-sam/build`` holds and says when that build is missing or
older than the template (functions of ``template.yaml`` absent from it). ``make build`` also
fails when ``check_build.py`` objects after a good ``sam build`` (e.g. an API function carrying
the media layer): the sizes are still read, and the objection is kept under ``build_failed``.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

from bench.timing import Progress

ROOT = Path(__file__).resolve().parents[1]
BUILD_DIR = ROOT / ".aws-sam" / "build"
MIB = 1024 * 1024
# Issue 7: an API function + its layers <= 20 MB, a media function + its layers <= 200 MB.
ISSUE_BUDGETS_MB = {"api": 20, "media": 200}


@cache
def load_check_build() -> ModuleType:
    """``scripts/check_build.py`` as a module (``scripts`` is not a package)."""
    spec = importlib.util.spec_from_file_location("check_build", ROOT / "scripts" / "check_build.py")
    if spec is None or spec.loader is None:
        raise ImportError("scripts/check_build.py not found")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def build(progress: Progress) -> str | None:
    """``make build``; the error text when it fails."""
    progress.step("package size: make build (sam build, pip --platform; needs PyPI)")
    done = subprocess.run(["make", "build"], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        complaints = [line for line in done.stderr.splitlines() if line.startswith("FAIL ")]
        tail = complaints or (done.stderr or done.stdout).strip().splitlines()[-3:]
        return "make build failed: " + " | ".join(tail)
    return None


def template_functions() -> set[str]:
    check_build = load_check_build()
    template = check_build.load_template(ROOT / "template.yaml")
    return {
        name
        for name, resource in template["Resources"].items()
        if resource.get("Type") == "AWS::Serverless::Function"
    }


def measure(build_dir: Path = BUILD_DIR) -> dict[str, object]:
    check_build = load_check_build()
    builds = check_build.functions_of(check_build.load_template(build_dir / "template.yaml"), build_dir)
    layer_sizes: dict[str, int] = {}
    result: dict[str, object] = {}
    for function in builds:
        code = check_build.tree_size(function.code_dir)
        for name, path in function.layers.items():
            layer_sizes.setdefault(name, check_build.tree_size(path))
        total = code + sum(layer_sizes[name] for name in function.layers)
        result[function.name] = {
            "mb": round(total / MIB, 2),
            "code_mb": round(code / MIB, 3),
            "layers": {name: round(layer_sizes[name] / MIB, 2) for name in function.layers},
            "kind": "api" if function.is_api else "media" if function.is_media else "other",
            "carries_media_layer": function.is_media,
            "budget_mb": ISSUE_BUDGETS_MB.get(
                "api" if function.is_api else "media" if function.is_media else ""
            ),
        }
    architecture = (build_dir.parent / "build.toml").read_text(errors="replace")
    result["architecture"] = "arm64" if 'architecture = "arm64"' in architecture else "x86_64"
    missing = sorted(template_functions() - {f.name for f in builds})
    if missing:
        result["stale"] = f"{build_dir} lacks {', '.join(missing)}: run `make build` or pass --with-build"
    return result


def run(progress: Progress, *, with_build: bool) -> dict[str, object]:
    """``package_mb``: per function, MiB unzipped of its code plus its layers."""
    failure = build(progress) if with_build else None
    if not (BUILD_DIR / "template.yaml").exists():
        reason = failure or f"no {BUILD_DIR.relative_to(ROOT)}: run `make build` or pass --with-build"
        return {"not_available": reason}
    progress.step("package size: reading .aws-sam/build")
    sizes = measure()
    if failure:
        sizes["build_failed"] = failure
    return sizes
