"""What an operator sees: EMF metrics on stdout from real jobs, and traces only where X-Ray is.

The screenshot function runs on real video read through presigned URLs from moto's server (as
on Lambda); its stdout is parsed as CloudWatch's embedded metric format, which is how the
numbers reach CloudWatch (powertools prints one JSON object per line).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.apigw import FakeContext, api_event, load_function
from tests.unit.test_screenshot_function import given_an_upload_record, upload
from vodcover import dependencies, observability
from vodcover_dev.samples import make_corrupt, make_sample_video

ROOT = Path(__file__).resolve().parents[2]


class CfnLoader(yaml.SafeLoader):
    """Reads the template's short-form intrinsics (``!Ref``) as plain values."""


CfnLoader.add_multi_constructor("!", lambda loader, _suffix, node: None)


def emf_lines(stdout: str) -> list[dict[str, Any]]:
    """Every EMF object printed, flattened to {name, unit, value, dimensions, namespace}."""
    found = []
    for line in stdout.splitlines():
        if not line.startswith("{") or '"_aws"' not in line:
            continue
        blob = json.loads(line)
        for directive in blob["_aws"]["CloudWatchMetrics"]:
            dimensions = {name: blob[name] for group in directive["Dimensions"] for name in group}
            for metric in directive["Metrics"]:
                found.append(
                    {
                        "namespace": directive["Namespace"],
                        "name": metric["Name"],
                        "unit": metric["Unit"],
                        "value": blob[metric["Name"]],
                        "dimensions": dimensions,
                    }
                )
    return found


def named(found: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [metric for metric in found if metric["name"] == name]


@pytest.fixture
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    observability.metrics.clear_metrics()


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("observability-videos")
    return {
        "good": make_sample_video(folder / "good.mp4", duration=4, width=320, height=180, scenes=2),
        "corrupt": make_corrupt(folder / "corrupt.mp4"),
    }


def test_the_template_and_the_code_name_the_same_namespace_and_service_and_trace_every_function() -> None:
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=CfnLoader)
    function = template["Globals"]["Function"]
    variables = function["Environment"]["Variables"]

    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == observability.NAMESPACE
    assert variables["POWERTOOLS_SERVICE_NAME"] == observability.SERVICE
    assert function["Tracing"] == "Active"


@pytest.mark.media
@pytest.mark.usefixtures("aws_server", "metrics_on")
def test_a_processed_video_reports_snapshots_bytes_read_and_job_seconds(
    videos: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    given_an_upload_record("metered")
    event = upload("uploads/metered/clip.mp4", videos["good"])
    capsys.readouterr()

    answer = load_function("screenshot").lambda_handler(event, FakeContext())

    assert answer["results"][0]["outcome"] == "processed"
    found = emf_lines(capsys.readouterr().out)
    assert {metric["namespace"] for metric in found} == {"Vodcover"}
    [snapshots] = named(found, "SnapshotsTaken")
    record = dependencies.video_repository().get("metered")
    assert record is not None and len(record.snapshots) == 8
    assert (snapshots["unit"], _values([snapshots]), snapshots["dimensions"]) == (
        "Count",
        [8.0],
        {"service": "vodcover"},
    )
    read = named(found, "BytesRead")
    size = videos["good"].stat().st_size
    assert read and all(metric["unit"] == "Bytes" for metric in read)
    assert 0 < sum(_values(read)) < size  # the keyframe reader's ranges: a part of the file
    [seconds] = named(found, "JobSeconds")
    assert seconds["unit"] == "Seconds" and _values([seconds])[0] > 0
    assert seconds["dimensions"] == {"service": "vodcover", "Job": "screenshot"}
    assert named(found, "Failures") == []


@pytest.mark.media
@pytest.mark.usefixtures("aws_server", "metrics_on")
def test_a_corrupt_video_is_one_failure_by_its_code(
    videos: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    given_an_upload_record("broken")
    event = upload("uploads/broken/clip.mp4", videos["corrupt"])
    capsys.readouterr()

    answer = load_function("screenshot").lambda_handler(event, FakeContext())

    assert answer["results"][0]["outcome"] == "failed"
    found = emf_lines(capsys.readouterr().out)
    [failure] = named(found, "Failures")
    assert (failure["unit"], _values([failure])) == ("Count", [1.0])
    assert failure["dimensions"] == {"service": "vodcover", "Code": "Media.Corrupt"}
    assert named(found, "SnapshotsTaken") == []
    assert [m["dimensions"]["Job"] for m in named(found, "JobSeconds")] == ["screenshot"]


@pytest.mark.usefixtures("aws", "metrics_on")
def test_an_api_refusal_counts_its_code_but_never_the_field_a_caller_made_up(
    capsys: pytest.CaptureFixture[str],
) -> None:
    videos_api = load_function("videos_api")
    capsys.readouterr()

    answer = videos_api.lambda_handler(
        api_event("POST", "/videos", body={"title": "t", "fileName": "a.mp4", "noSuchField1234": 1}),
        FakeContext(),
    )

    assert answer["statusCode"] == 400
    assert json.loads(answer["body"])["error"]["code"].startswith("InvalidParameter")
    [failure] = named(emf_lines(capsys.readouterr().out), "Failures")
    assert failure["dimensions"] == {"service": "vodcover", "Code": "InvalidParameter"}


@pytest.mark.parametrize(
    ("code", "dimension"),
    [
        ("Media.Corrupt", "Media.Corrupt"),
        ("Upload.Expired", "Upload.Expired"),
        ("InvalidParameter.Anything", "InvalidParameter"),
        ("the video broke: /tmp/x", "Other"),
        ("A" * 100, "Other"),
    ],
)
def test_failure_codes_are_bounded(code: str, dimension: str) -> None:
    assert observability.stable_code(code) == dimension


@pytest.mark.usefixtures("aws")
def test_with_metrics_off_nothing_is_printed_and_nothing_piles_up(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    for _ in range(3):
        load_function("videos_api").lambda_handler(api_event("GET", "/videos/none"), FakeContext())

    assert emf_lines(capsys.readouterr().out) == []
    assert observability.metrics.metric_set == {}


@pytest.mark.media
@pytest.mark.usefixtures("metrics_on")
def test_media_used_outside_a_handler_counts_nothing(
    videos: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from vodcover.media.keyframes import grab_keyframes

    frames = grab_keyframes(str(videos["good"]), [0.5, 1.5], width=160, quality=80, timeout=60)

    assert frames
    assert observability.metrics.metric_set == {}
    assert emf_lines(capsys.readouterr().out) == []


def _values(metrics: list[dict[str, Any]]) -> list[float]:
    values: list[float] = []
    for metric in metrics:
        value = metric["value"]
        values.extend(value if isinstance(value, list) else [value])
    return values


PROBE = """
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
app = importlib.import_module("app")
from vodcover import observability
at_import = "aws_xray_sdk" in sys.modules
tracer = observability.tracer()
sdk = "aws_xray_sdk" in sys.modules
print(json.dumps({"at_import": at_import, "traced": tracer is not None, "sdk": sdk}))
"""


def probe(function: str, **environment: str) -> dict[str, bool]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "LAMBDA_", "AWS_SAM"))}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / "functions" / function)],
        env={**base, "AWS_DEFAULT_REGION": "us-east-1", **environment},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    answer: dict[str, bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


@pytest.mark.parametrize("function", ["videos_api", "screenshot"])
def test_locally_nothing_is_traced_and_the_xray_sdk_is_never_loaded(function: str) -> None:
    assert probe(function) == {"at_import": False, "traced": False, "sdk": False}
    assert probe(function, LAMBDA_TASK_ROOT="/var/task", POWERTOOLS_TRACE_DISABLED="true") == {
        "at_import": False,
        "traced": False,
        "sdk": False,
    }


def test_in_lambda_the_tracer_is_built_on_first_use_not_at_import() -> None:
    assert probe("videos_api", LAMBDA_TASK_ROOT="/var/task", AWS_XRAY_CONTEXT_MISSING="IGNORE_ERROR") == {
        "at_import": False,
        "traced": True,
        "sdk": True,
    }
