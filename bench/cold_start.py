"""Cold start: how long importing each function's ``app.py`` takes in a fresh interpreter.

Lambda's init phase is dominated by importing the handler module. Each run starts a new Python
with the function's folder first on ``sys.path`` (as Lambda does with the code root), times
``import app`` alone (interpreter start-up excluded), and exits; one discarded warm-up run
fills the OS file cache and the ``.pyc`` caches. The yardstick, ``bench/hello_world/app.py``,
is measured the same way, and every function is reported as a ratio to it, both measured in
the same interleaved rounds. Both wall and CPU time are recorded; the ratio uses CPU time
(import is CPU-bound, and CPU time does not count the moments a shared machine gives the
process no core), with the wall-time ratio beside it. A second yardstick, hello-world plus
``import boto3``, shows how much of a function's import is the AWS SDK that any function
touching DynamoDB or S3 pays.

The environment is the template's (Globals + the function's own variables, parameters at their
defaults) with fake credentials and no endpoint: nothing may touch the network at import.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.package_size import load_check_build
from bench.timing import Progress, paired_ratio, summary

ROOT = Path(__file__).resolve().parents[1]
HELLO_WORLD = ROOT / "bench" / "hello_world"
# Packages whose presence after ``import app`` says where an import's time goes (BENCHMARKS.md
# explains a missed target with what was measured loaded, not with what was once true).
WATCHED_PACKAGES = (
    "boto3",
    "s3transfer",
    "botocore",
    "pydantic",
    "pydantic_settings",
    "aws_lambda_powertools",
    "aws_xray_sdk",
    "PIL",
    "urllib3",
    "rsa",
)
IMPORT_PROBE = (
    "import importlib, sys, time\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "wall, cpu = time.perf_counter(), time.process_time()\n"
    "importlib.import_module(sys.argv[2])\n"
    "wall, cpu = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000\n"
    "loaded = [name for name in sys.argv[3].split(',') if name in sys.modules]\n"
    "print(wall, cpu, len(sys.modules), ','.join(loaded) or '-')\n"
)
BASE_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
}


@dataclass
class Timings:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    modules: int = 0  # in sys.modules after the import (the last round's)
    packages: list[str] = field(default_factory=list)  # of WATCHED_PACKAGES, those loaded


@dataclass(frozen=True)
class Probe:
    wall_ms: float
    cpu_ms: float
    modules: int
    packages: list[str]


def function_dirs() -> dict[str, Path]:
    """Every ``functions/<name>`` that has an ``app.py``, by name."""
    return {p.parent.name: p.parent for p in sorted((ROOT / "functions").glob("*/app.py"))}


def template_environment() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Globals' variables and each function's own (keyed by CodeUri folder), refs resolved."""
    template = load_check_build().load_template(ROOT / "template.yaml")
    parameters = {name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()}
    globals_env = template.get("Globals", {}).get("Function", {}).get("Environment", {})
    shared = resolved(globals_env.get("Variables", {}), parameters)
    per_function: dict[str, dict[str, str]] = {}
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource.get("Properties", {})
        folder = Path(str(props.get("CodeUri", ""))).name
        per_function[folder] = resolved(props.get("Environment", {}).get("Variables", {}), parameters)
    return shared, per_function


def resolved(variables: dict[str, Any], parameters: dict[str, str]) -> dict[str, str]:
    """Plain values: a ``!Ref`` to a parameter gives its default, anything else a placeholder."""
    values = {}
    for name, value in variables.items():
        if isinstance(value, dict) and "Ref" in value:
            values[name] = parameters.get(value["Ref"], f"bench-{value['Ref'].lower()}")
        elif isinstance(value, dict):
            values[name] = f"bench-{name.lower().replace('_', '-')}"
        else:
            values[name] = str(value)
    return values


def import_ms(folder: Path, module: str, environment: dict[str, str]) -> Probe:
    """Wall and CPU ms of importing ``module`` from ``folder`` in a new interpreter, and what it loaded."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE, str(folder), module, ",".join(WATCHED_PACKAGES)],
        env=environment,
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"importing {folder.name}/{module}.py failed: {tail[0]}")
    wall, cpu, modules, packages = done.stdout.strip().splitlines()[-1].split()
    return Probe(float(wall), float(cpu), int(modules), [] if packages == "-" else packages.split(","))


def run(progress: Progress, *, quick: bool) -> dict[str, object]:
    """``cold_import_ms``: wall and CPU medians, spreads and ratios to hello-world per module."""
    runs = 3 if quick else 9
    shared, per_function = template_environment()
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    targets = {
        "hello_world": (HELLO_WORLD, "app"),
        "hello_world_boto3": (HELLO_WORLD, "boto3_app"),
        **{name: (folder, "app") for name, folder in function_dirs().items()},
    }
    environments = {
        name: {**base, **BASE_ENVIRONMENT, **shared, **per_function.get(name, {})} for name in targets
    }
    timings: dict[str, Timings] = {name: Timings() for name in targets}
    failures: dict[str, str] = {}
    for round_number in range(runs + 1):  # round 0 warms caches and is not kept
        progress.step(f"cold start: round {round_number}/{runs}" + (" (warm-up)" if not round_number else ""))
        for name, (folder, module) in targets.items():
            if name in failures:
                continue
            try:
                probe = import_ms(folder, module, environments[name])
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                failures[name] = str(exc)
                continue
            if round_number:
                timings[name].wall.append(probe.wall_ms)
                timings[name].cpu.append(probe.cpu_ms)
                timings[name].modules, timings[name].packages = probe.modules, probe.packages
    return cold_start_result(timings, failures)


def cold_start_result(timings: dict[str, Timings], failures: dict[str, str]) -> dict[str, object]:
    hello = timings["hello_world"]
    result: dict[str, object] = {"python": sys.version.split()[0]}
    for name, measured in timings.items():
        if name in failures or not measured.wall:
            result[name] = {"error": failures.get(name, "no runs")}
            continue
        result[name] = {
            **summary(measured.wall, 1),
            "cpu_ms": summary(measured.cpu, 1),
            "vs_hello_world": paired_ratio(measured.cpu, hello.cpu),
            "vs_hello_world_wall": paired_ratio(measured.wall, hello.wall),
            "modules_loaded": measured.modules,
            "packages_loaded": measured.packages,
        }
    return result
