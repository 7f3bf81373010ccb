"""The template reader: the local stack runs exactly what template.yaml declares."""

from __future__ import annotations

from pathlib import Path

import pytest

from vodcover_dev.local.template import (
    S3Event,
    TemplateError,
    UnresolvableValue,
    load_template,
    load_yaml,
)
from vodcover_dev.local.template_values import LocalNames, Resolver

FIXTURES = Path(__file__).parent / "fixtures"
REPO_TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
LOCAL = LocalNames(resources={"MediaBucket": "vodcover-media", "VideosTable": "vodcover-videos"})


@pytest.fixture(scope="module")
def template():
    return load_template(FIXTURES / "template.yaml")


def test_short_tags_load_as_long_form_intrinsics(tmp_path: Path) -> None:
    # Given a template written with short tags
    path = tmp_path / "t.yaml"
    path.write_text(
        "Resources:\n"
        "  X:\n"
        "    Type: AWS::SNS::Topic\n"
        "    Properties:\n"
        "      A: !Ref Foo\n"
        "      B: !Sub '${Foo}-x'\n"
        "      C: !GetAtt Bar.Arn\n"
        "      D: !Join [',', [a, !Ref Foo]]\n"
        "      E: !If [Cond, !Select [0, [x]], !Ref AWS::NoValue]\n",
        encoding="utf-8",
    )
    # When it is read
    props = load_yaml(path)["Resources"]["X"]["Properties"]
    # Then every tag is the dict CloudFormation's JSON form would have
    assert props == {
        "A": {"Ref": "Foo"},
        "B": {"Fn::Sub": "${Foo}-x"},
        "C": {"Fn::GetAtt": ["Bar", "Arn"]},
        "D": {"Fn::Join": [",", ["a", {"Ref": "Foo"}]]},
        "E": {"Fn::If": ["Cond", {"Fn::Select": [0, ["x"]]}, {"Ref": "AWS::NoValue"}]},
    }


def test_a_file_without_resources_is_refused(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("foo: 1\n", encoding="utf-8")
    with pytest.raises(TemplateError):
        load_template(tmp_path / "t.yaml")


def test_parameters_keep_their_defaults(template) -> None:
    assert template.parameters["Greeting"].default == "hello"
    assert template.parameters["Mode"].type == "String"


def test_functions_merge_globals_with_their_own_properties(template) -> None:
    recorder = template.function("RecorderFunction")
    job = template.function("JobFunction")

    assert recorder.code_uri == (FIXTURES / "functions" / "recorder").resolve()
    assert recorder.handler_module_path == recorder.code_uri / "app.py"
    assert recorder.handler_function_name == "record_s3"
    assert (recorder.timeout, recorder.memory_size) == (120, 1024)  # own values win
    assert (job.timeout, job.memory_size) == (30, 256)  # Globals
    assert recorder.environment["FIXTURE_ROLE"] == "recorder"
    assert recorder.environment["FIXTURE_GREETING"] == {"Ref": "Greeting"}
    assert "FIXTURE_ROLE" not in job.environment
    assert recorder.layers == ({"Ref": "SharedLayer"},)
    assert job.s3_events == () and job.api_events == ()  # invoked directly


def test_s3_events_carry_their_key_filters(template) -> None:
    (uploaded,) = template.function("RecorderFunction").s3_events
    (broken,) = template.function("FailingFunction").s3_events

    assert uploaded == S3Event("Uploaded", "MediaBucket", ("s3:ObjectCreated:*",), prefix="uploads/")
    assert (broken.prefix, broken.suffix) == ("broken/", ".bin")
    assert template.function("FailingFunction").max_retry_attempts == 2


@pytest.mark.parametrize(
    ("event_name", "key", "expected"),
    [
        ("ObjectCreated:Put", "uploads/a/b.mp4", True),
        ("ObjectCreated:CompleteMultipartUpload", "uploads/a/b.mp4", True),
        ("ObjectRemoved:Delete", "uploads/a/b.mp4", False),
        ("ObjectCreated:Put", "snapshots/a/0.jpg", False),
        ("ObjectCreated:Put", "xuploads/a.mp4", False),
    ],
)
def test_s3_event_matching_follows_s3_rules(event_name: str, key: str, expected: bool) -> None:
    event = S3Event("E", "MediaBucket", ("s3:ObjectCreated:*",), prefix="uploads/")
    assert event.matches(event_name, key) is expected


def test_api_events_are_routes(template) -> None:
    routes = {(e.method, e.path) for e in template.function("ApiFunction").api_events}
    assert ("GET", "/videos/{id}") in routes
    assert ("ANY", "/files/{proxy+}") in routes
    assert {e.rest_api_id for e in template.function("ApiFunction").api_events} == {"VodcoverApi"}


def test_table_definition_feeds_create_table(template) -> None:
    kwargs = template.table().create_table_kwargs("videos")
    assert kwargs["TableName"] == "videos"
    assert kwargs["KeySchema"] == [{"AttributeName": "videoId", "KeyType": "HASH"}]
    assert kwargs["GlobalSecondaryIndexes"][0]["IndexName"] == "byOwner"
    assert kwargs["BillingMode"] == "PAY_PER_REQUEST"


def test_environment_resolves_to_local_names(template) -> None:
    env = Resolver(template, LOCAL).environment(template.function("RecorderFunction"))

    # the bucket's own !Sub name expression, repeated in Globals, means the bucket
    assert env["VODCOVER_MEDIA_BUCKET"] == "vodcover-media"
    assert env["VODCOVER_VIDEOS_TABLE"] == "vodcover-videos"
    assert env["FIXTURE_GREETING"] == "hello"
    assert env["FIXTURE_VOLUME"] == "2"
    assert env["FIXTURE_JOB_FUNCTION"] == "JobFunction"
    assert env["FIXTURE_JOB_ARN"] == "arn:aws:lambda:us-east-1:123456789012:function:JobFunction"


def test_parameter_overrides_drive_refs_and_conditions(template) -> None:
    resolver = Resolver(template, LOCAL, parameter_overrides={"Greeting": "hi", "Mode": "loud"})
    env = resolver.environment(template.function("JobFunction"))
    assert (env["FIXTURE_GREETING"], env["FIXTURE_VOLUME"]) == ("hi", "11")


def test_intrinsics_without_local_meaning_are_named(template) -> None:
    resolver = Resolver(template, LOCAL)
    with pytest.raises(UnresolvableValue, match="ImportValue"):
        resolver.resolve({"Fn::ImportValue": "shared-vpc"})
    with pytest.raises(UnresolvableValue, match="Nope"):
        resolver.resolve({"Ref": "Nope"})


def test_sub_with_variables_and_pseudo_parameters(template) -> None:
    resolver = Resolver(template, LOCAL)
    value = {"Fn::Sub": ["${Name}-${AWS::Region}-${MediaBucket}-${!Literal}", {"Name": {"Ref": "Greeting"}}]}
    assert resolver.resolve(value) == "hello-us-east-1-vodcover-media-${Literal}"


def test_the_repository_template_has_what_the_local_stack_needs() -> None:
    # Given the real template.yaml
    template = load_template(REPO_TEMPLATE)
    # Then the screenshot function is triggered by uploads/ only, on the media bucket
    screenshot = template.function("ScreenshotFunction")
    assert screenshot.handler == "app.lambda_handler"
    assert screenshot.code_uri.name == "screenshot"
    assert [(e.bucket, e.prefix) for e in screenshot.s3_events] == [("MediaBucket", "uploads/")]
    assert "VideosTable" in template.tables
    assert "MediaBucket" in template.buckets
    # And every function's environment resolves locally
    resolver = Resolver(template, LOCAL)
    for spec in template.functions.values():
        env = resolver.environment(spec)
        assert env["VODCOVER_MEDIA_BUCKET"] == "vodcover-media"
        assert env["VODCOVER_VIDEOS_TABLE"] == "vodcover-videos"
