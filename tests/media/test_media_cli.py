"""``vodcover probe`` and ``vodcover snapshots`` as users and scripts call them
(docs/design.md, "Command line")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from vodcover_dev.cli import main

pytestmark = pytest.mark.media


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:
    status = main(args)
    captured = capsys.readouterr()
    return status, json.loads(captured.out), captured.err


def test_probe_json_shape(phone_portrait: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # When a script asks for the probe of a phone video as JSON
    status, document, _ = run_cli(["probe", str(phone_portrait), "--json"], capsys)
    # Then stdout is exactly the documented object
    assert status == 0
    assert document == {
        "duration": pytest.approx(3.0, abs=0.05),
        "width": 360,
        "height": 640,
        "rotation": 90,
        "fps": 25.0,
        "videoCodec": "h264",
        "hasAudio": False,
    }


def test_snapshots_json_shape_and_files(
    three_second_clip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "shots"
    # When 4 snapshots 160 px wide are asked for
    status, document, stderr = run_cli(
        ["snapshots", str(three_second_clip), "--count", "4", "--out", str(out), "--width", "160", "--json"],
        capsys,
    )
    # Then the document lists them, the files exist as {n}.jpg, and progress went to stderr
    assert status == 0
    assert set(document) == {"duration", "width", "height", "snapshots", "cover"}
    assert (document["width"], document["height"]) == (320, 240)
    assert [Path(s["path"]).name for s in document["snapshots"]] == ["0.jpg", "1.jpg", "2.jpg", "3.jpg"]
    for entry in document["snapshots"]:
        assert set(entry) == {"time", "path", "width", "height"}
        assert (entry["width"], entry["height"]) == (160, 120)
        assert Path(entry["path"]).read_bytes()[:3] == b"\xff\xd8\xff"
    assert 0 <= document["cover"] < 4
    assert "snapshots" in stderr


def test_error_json_and_exit_code(audio_only: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, document, _ = run_cli(["probe", str(audio_only), "--json"], capsys)
    assert status != 0
    assert document["error"]["code"] == "Media.NoVideoStream"
    assert document["error"]["message"]


def test_invalid_count_is_a_parameter_error(
    three_second_clip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, document, _ = run_cli(
        ["snapshots", str(three_second_clip), "--count", "0", "--out", str(tmp_path), "--json"], capsys
    )
    assert status != 0
    assert document["error"]["code"] == "InvalidParameter.Count"


def test_installed_command_end_to_end(zero_bytes: Path) -> None:
    # Given the installed `vodcover` entry point, run as a separate process
    command = [sys.executable, "-c", "import sys; from vodcover_dev.cli import main; sys.exit(main())"]
    completed = subprocess.run(
        [*command, "probe", str(zero_bytes), "--json"], capture_output=True, text=True, timeout=60
    )
    # Then a failure is one JSON error document on stdout and a non-zero exit status
    assert completed.returncode != 0
    assert json.loads(completed.stdout) == {
        "error": {"code": "Media.Empty", "message": json.loads(completed.stdout)["error"]["message"]}
    }
