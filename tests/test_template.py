"""template.yaml as a specification: what it must say about security, triggers, layers, settings.

Fast and offline: cfn-lint plus reading the YAML. `sam build` stays out (slow, needs the
network); CI runs it with `make build` and scripts/check_build.py.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from packaging.requirements import Requirement

from vodcover.dal.events import EVENT_SOURCE
from vodcover.settings import FUNCTION_SETTINGS, SettingsError, all_fields

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_PATH = ROOT / "template.yaml"

# Functions allowed to carry ffmpeg and Pillow. Add a media function here when it joins the template.
MEDIA_FUNCTIONS = {
    "ScreenshotFunction",
    "SmartCoverFunction",
    "PullWorkerFunction",
    "CoverMediaFunction",
}
# Registered videos (POST /videos/register) may lie anywhere in the media bucket, so the functions
# that read videos (and the API that checks registered keys exist) read any key; they still
# write only under their own prefixes.
READS_ANY_KEY = {
    "ScreenshotFunction",
    "SmartCoverFunction",
    "VideosApiFunction",
    "CoversApiFunction",
    "AlibabaApiFunction",  # RegisterMedia and cover images, as the two APIs
    "WebhookDeliveryFunction",  # presigned URLs in callbacks: the upload may be a registered key anywhere
}
# Registering checks any key exists; without ListBucket a missing key answers 403, not 404.
LISTS_WHOLE_BUCKET = {"VideosApiFunction", "AlibabaApiFunction"}  # RegisterMedia too

# Settings the template does not set, each with its reason.
SETTINGS_NOT_IN_TEMPLATE = {
    # derived from the Lambda's remaining time by the handlers; the default is a backstop
    "ffmpeg_timeout_seconds": "handlers pass the remaining time",
    # tuning knobs outside docs/design.md, "Configuration", with safe defaults; promote to a parameter
    # when operators need one
    "cover_fetch_timeout_seconds": "tuning knob, default suits API Gateway's 29 s limit",
    "pull_max_bytes": "tuning knob for the pull worker",
    "pull_part_bytes": "tuning knob for the pull worker",
    "pull_stall_timeout_seconds": "tuning knob for the pull worker",
}

# Policy templates whose resources are one table, queue, bus or function: fine as they are.
# (S3ReadPolicy, S3WritePolicy and S3CrudPolicy are refused: they grant the whole bucket.)
SCOPED_POLICY_TEMPLATES = {
    "DynamoDBCrudPolicy",
    "DynamoDBReadPolicy",
    "DynamoDBWritePolicy",
    "EventBridgePutEventsPolicy",
    "SQSSendMessagePolicy",
    "LambdaInvokePolicy",
}
BUCKET_NAME_SUB = "${AWS::StackName}-media-${AWS::AccountId}-${AWS::Region}"


def _load_check_build() -> Any:
    spec = importlib.util.spec_from_file_location("check_build", ROOT / "scripts" / "check_build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


check_build = _load_check_build()


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return check_build.load_template(TEMPLATE_PATH)


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]


def functions(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: res["Properties"]
        for name, res in resources.items()
        if res["Type"] == "AWS::Serverless::Function"
    }


def effective_layers(template: dict[str, Any], props: dict[str, Any]) -> list[str]:
    """SAM appends a function's Layers to the Globals' ones."""
    refs = [*template["Globals"]["Function"].get("Layers", []), *props.get("Layers", [])]
    return [ref["Ref"] for ref in refs]


def env_vars(template: dict[str, Any]) -> dict[str, Any]:
    return template["Globals"]["Function"]["Environment"]["Variables"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def sub_text(value: Any) -> str:
    """The text of a !Sub (short or long form), or the string itself."""
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub[0] if isinstance(sub, list) else sub
    return value if isinstance(value, str) else json.dumps(value)


# --- the whole template ---------------------------------------------------------------------------


def test_template_passes_cfn_lint() -> None:
    from cfnlint.api import lint_file

    matches = lint_file(TEMPLATE_PATH)
    assert not matches, "\n".join(str(m) for m in matches)


def test_runtime_is_python313_on_a_chosen_architecture(template: dict[str, Any]) -> None:
    glob = template["Globals"]["Function"]
    assert glob["Runtime"] == "python3.13"
    assert glob["Architectures"] == [{"Ref": "Architecture"}]
    arch = template["Parameters"]["Architecture"]
    assert (arch["Default"], sorted(arch["AllowedValues"])) == ("arm64", ["arm64", "x86_64"])
    for name, props in functions(template["Resources"]).items():
        assert props.get("Runtime", "python3.13") == "python3.13", name


# --- data -----------------------------------------------------------------------------------------


def test_media_bucket_is_encrypted_private_and_retained(resources: dict[str, Any]) -> None:
    bucket = resources["MediaBucket"]
    props = bucket["Properties"]
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    block = props["PublicAccessBlockConfiguration"]
    assert all(
        block[k] is True
        for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
    )
    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Retain", "Retain")
    # the name is computable without !Ref, so policies and Globals never depend on the bucket
    assert sub_text(props["BucketName"]) == BUCKET_NAME_SUB


def test_media_bucket_refuses_plain_http(resources: dict[str, Any]) -> None:
    policies = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::S3::BucketPolicy"]
    (policy,) = [p for p in policies if p["Bucket"] == {"Ref": "MediaBucket"}]
    denies = [
        s
        for s in policy["PolicyDocument"]["Statement"]
        if s.get("Effect") == "Deny"  # a switched (Fn::If) statement is not this one
        and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
    ]
    assert denies, "no statement denies requests without TLS"
    resources_denied = [sub_text(r) for r in as_list(denies[0]["Resource"])]
    assert {"Fn::GetAtt": ["MediaBucket", "Arn"]} in as_list(denies[0]["Resource"])
    assert "${MediaBucket.Arn}/*" in resources_denied


def test_media_bucket_keeps_versions_and_expires_old_snapshots(resources: dict[str, Any]) -> None:
    props = resources["MediaBucket"]["Properties"]
    assert props["VersioningConfiguration"]["Status"] == "Enabled"
    rules = props["LifecycleConfiguration"]["Rules"]
    snapshots = [r for r in rules if r.get("Prefix") == "snapshots/"]
    assert snapshots and "NoncurrentVersionExpiration" in snapshots[0]
    assert any("AbortIncompleteMultipartUpload" in r for r in rules)


def test_browsers_can_put_and_get_with_presigned_urls(resources: dict[str, Any]) -> None:
    (cors,) = resources["MediaBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert {"GET", "PUT"} <= set(cors["AllowedMethods"])
    assert "ETag" in cors["ExposedHeaders"]


def test_videos_table_is_on_demand_recoverable_encrypted_with_owner_index(resources: dict[str, Any]) -> None:
    table = resources["VideosTable"]
    props = table["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["KeySchema"] == [{"AttributeName": "videoId", "KeyType": "HASH"}]
    indexes = {gsi["IndexName"]: gsi for gsi in props["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"byOwner", "byWaitingStatus"}
    assert indexes["byOwner"]["KeySchema"] == [
        {"AttributeName": "owner", "KeyType": "HASH"},
        {"AttributeName": "createdAt", "KeyType": "RANGE"},
    ]
    # The sweeper's sparse index (dal.videos.WAITING_ATTRIBUTE): keys only, ordered by creation.
    assert indexes["byWaitingStatus"]["KeySchema"] == [
        {"AttributeName": "waitingStatus", "KeyType": "HASH"},
        {"AttributeName": "createdAt", "KeyType": "RANGE"},
    ]
    assert indexes["byWaitingStatus"]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("Retain", "Retain")


# --- triggers -------------------------------------------------------------------------------------


def test_only_uploads_prefix_triggers_a_function(resources: dict[str, Any]) -> None:
    triggered = {}
    for name, props in functions(resources).items():
        for event in props.get("Events", {}).values():
            if event["Type"] != "S3":
                continue
            rules = event["Properties"]["Filter"]["S3Key"]["Rules"]
            prefixes = [r["Value"] for r in rules if r["Name"].lower() == "prefix"]
            assert prefixes == ["uploads/"], f"{name} is triggered outside uploads/: {rules}"
            triggered[name] = event["Properties"]
    assert set(triggered) == {"ScreenshotFunction"}
    assert triggered["ScreenshotFunction"]["Bucket"] == {"Ref": "MediaBucket"}
    assert "s3:ObjectCreated" in triggered["ScreenshotFunction"]["Events"]


def test_screenshot_function_keeps_the_shape_the_local_stack_reads(resources: dict[str, Any]) -> None:
    props = resources["ScreenshotFunction"]["Properties"]
    assert (props["CodeUri"], props["Handler"]) == ("functions/screenshot/", "app.lambda_handler")


def test_failed_async_invocations_are_retried_then_parked_in_an_encrypted_queue(
    resources: dict[str, Any],
) -> None:
    config = resources["ScreenshotFunction"]["Properties"]["EventInvokeConfig"]
    assert config["MaximumRetryAttempts"] == 2
    assert 60 <= config["MaximumEventAgeInSeconds"] <= 21600
    on_failure = config["DestinationConfig"]["OnFailure"]
    assert on_failure["Type"] == "SQS"
    queue_id = on_failure["Destination"]["Fn::GetAtt"][0]
    assert resources[queue_id]["Properties"].get("SqsManagedSseEnabled") is True or (
        "KmsMasterKeyId" in resources[queue_id]["Properties"]
    )


# --- permissions ----------------------------------------------------------------------------------


def policies_of(props: dict[str, Any]) -> list[Any]:
    """A function's policies, both branches of a conditional one (``!If [Condition, policy,
    AWS::NoValue]``, e.g. the private library's signing key): each is held to the same rules."""
    found = []
    for policy in as_list(props.get("Policies", [])):
        if isinstance(policy, dict) and set(policy) == {"Fn::If"}:
            _condition, *branches = policy["Fn::If"]
            found.extend(b for b in branches if b != {"Ref": "AWS::NoValue"})
        else:
            found.append(policy)
    return found


def _statements(props: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for policy in policies_of(props):
        if isinstance(policy, dict) and "Statement" in policy:
            found.extend(as_list(policy["Statement"]))
    return found


def test_policies_are_least_privilege(resources: dict[str, Any]) -> None:
    for name, props in functions(resources).items():
        for policy in policies_of(props):
            assert not isinstance(policy, str), f"{name}: managed policy {policy} is too broad"
            if "Statement" not in policy:
                (template_name,) = policy
                assert template_name in SCOPED_POLICY_TEMPLATES, f"{name}: {template_name} is too broad"
        for statement in _statements(props):
            if statement.get("Effect") != "Allow":
                continue
            actions = as_list(statement["Action"])
            assert not [a for a in actions if a == "*" or a.endswith(":*")], (
                f"{name}: wildcard action {actions}"
            )
            for resource in as_list(statement["Resource"]):
                text = sub_text(resource)
                assert text != "*", f"{name}: {actions} on every resource"
                if ":s3:::" in text:
                    key_part = text.partition(BUCKET_NAME_SUB)[2]
                    if key_part == "":  # the bucket itself: only listing (objects or their versions)
                        assert set(actions) <= {"s3:ListBucket", "s3:ListBucketVersions"}, (
                            f"{name}: {actions} on the whole bucket"
                        )
                        if name not in LISTS_WHOLE_BUCKET:
                            assert "s3:prefix" in statement["Condition"]["StringLike"]
                    elif key_part == "/*":  # reading any object: only where videos are read
                        assert name in READS_ANY_KEY and actions == ["s3:GetObject"], (
                            f"{name}: {actions} on {text}"
                        )
                    else:  # objects: under a named prefix
                        assert re.fullmatch(r"/[a-z]+/\*", key_part), f"{name}: {actions} on {text}"


def test_screenshot_function_reads_videos_and_writes_only_its_outputs(resources: dict[str, Any]) -> None:
    granted: dict[str, set[str]] = {}
    for statement in _statements(resources["ScreenshotFunction"]["Properties"]):
        for action in as_list(statement["Action"]):
            for resource in as_list(statement["Resource"]):
                granted.setdefault(action, set()).add(sub_text(resource).partition(BUCKET_NAME_SUB)[2])
    assert granted["s3:GetObject"] == {"/*"}  # uploads/ and registered videos anywhere
    assert granted["s3:PutObject"] == {"/snapshots/*", "/covers/*", "/embed/*", "/storyboard/*"}
    # Deleting: its own outputs, and the late upload of a video deleted meanwhile (every version).
    assert granted["s3:DeleteObject"] == {
        "/snapshots/*",
        "/covers/*",
        "/embed/*",
        "/storyboard/*",
        "/uploads/*",
    }
    assert granted["s3:DeleteObjectVersion"] == {"/snapshots/*", "/covers/*", "/storyboard/*", "/uploads/*"}


def test_functions_never_reference_the_bucket_resource(resources: dict[str, Any]) -> None:
    """A function naming the bucket by !Ref or !GetAtt closes a cycle with the bucket's notifications."""
    for name, props in functions(resources).items():
        outside_events = json.dumps({k: v for k, v in props.items() if k != "Events"})
        assert '{"Ref": "MediaBucket"}' not in outside_events, name
        assert '"MediaBucket.' not in outside_events and '["MediaBucket"' not in outside_events, name


# --- layers and builds ----------------------------------------------------------------------------


def test_shared_layer_everywhere_media_layer_only_on_media_functions(template: dict[str, Any]) -> None:
    for name, props in functions(template["Resources"]).items():
        layers = effective_layers(template, props)
        assert layers[0] == "SharedLayer", name
        if "MediaLayer" in layers:
            assert name in MEDIA_FUNCTIONS, f"{name} carries ffmpeg and Pillow but is no media function"
    # No API function carries ffmpeg or Pillow: the covers and Alibaba APIs have the cover media
    # function do their image checks and coverTime frames, so every API function stays under 20 MB.
    for api_function in ("VideosApiFunction", "CoversApiFunction", "AlibabaApiFunction"):
        assert "MediaLayer" not in effective_layers(
            template, template["Resources"][api_function]["Properties"]
        )
    assert "MediaLayer" in effective_layers(
        template, template["Resources"]["CoverMediaFunction"]["Properties"]
    )
    assert "MediaLayer" in effective_layers(
        template, template["Resources"]["ScreenshotFunction"]["Properties"]
    )


def test_every_function_and_layer_builds_with_its_own_makefile(resources: dict[str, Any]) -> None:
    for name, res in resources.items():
        if res["Type"] == "AWS::Serverless::LayerVersion":
            folder = res["Properties"]["ContentUri"]
            assert res["Properties"]["CompatibleRuntimes"] == ["python3.13"], name
        elif res["Type"] == "AWS::Serverless::Function":
            folder = res["Properties"]["CodeUri"]
        else:
            continue
        assert res["Metadata"]["BuildMethod"] == "makefile", name
        makefile = (ROOT / folder / "Makefile").read_text(encoding="utf-8")
        assert re.search(rf"^build-({name}|%):", makefile, re.MULTILINE), (
            f"{folder}Makefile lacks build-{name}"
        )


def _pins(path: Path) -> dict[str, Requirement]:
    lines = [line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
    reqs = [Requirement(line) for line in lines if line]
    return {r.name.lower(): r for r in reqs}


def _pinned_version(req: Requirement) -> str:
    (spec,) = req.specifier
    assert spec.operator == "==", f"{req} should be pinned with =="
    return spec.version


@pytest.mark.parametrize(
    ("layer", "section"),
    [("shared", ("project", "dependencies")), ("media", ("project", "optional-dependencies", "media"))],
)
def test_layer_pins_satisfy_pyproject(layer: str, section: tuple[str, ...]) -> None:
    pyproject: Any = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for key in section:
        pyproject = pyproject[key]
    declared = {r.name.lower(): r for r in map(Requirement, pyproject)}
    declared.pop("boto3", None)  # the Lambda runtime provides it
    pins = _pins(ROOT / "layers" / layer / "requirements.txt")
    assert set(pins) == set(declared), f"layers/{layer}/requirements.txt and pyproject.toml disagree"
    for name, pin in pins.items():
        assert declared[name].specifier.contains(_pinned_version(pin)), f"{pin} is outside {declared[name]}"


# --- settings -------------------------------------------------------------------------------------


def _field_name(env_name: str) -> str:
    return env_name.removeprefix("VODCOVER_").lower()


def every_function_variable(template: dict[str, Any]) -> dict[str, Any]:
    """Globals' variables and every function's own."""
    variables = dict(env_vars(template))
    for props in functions(template["Resources"]).values():
        variables.update(props.get("Environment", {}).get("Variables", {}))
    return variables


def function_environment(template: dict[str, Any], props: dict[str, Any]) -> dict[str, str]:
    """What Lambda gives one function: Globals plus its own, parameters at their defaults."""
    parameters = template["Parameters"]
    variables = {**env_vars(template), **props.get("Environment", {}).get("Variables", {})}
    environment = {}
    for name, value in variables.items():
        if isinstance(value, dict) and value.get("Ref") in parameters:
            environment[name] = str(parameters[value["Ref"]]["Default"])
        else:  # a resource name, a !Sub: any non-empty text stands for it
            environment[name] = value if isinstance(value, str) else f"deployed-{name.lower()}"
    return environment


def test_every_vodcover_variable_is_a_setting(template: dict[str, Any]) -> None:
    fields = all_fields()
    unknown = [
        v
        for v in every_function_variable(template)
        if v.startswith("VODCOVER_") and _field_name(v) not in fields
    ]
    assert not unknown, f"no field in any vodcover.settings class for {unknown}"


def test_every_function_has_settings_the_template_satisfies(
    template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each function's own settings class loads from exactly what the template gives that function."""
    folders = {Path(props["CodeUri"]).name: props for props in functions(template["Resources"]).values()}
    assert set(folders) == set(FUNCTION_SETTINGS)
    for folder, props in folders.items():
        for name in [n for n in os.environ if n.startswith("VODCOVER_")]:
            monkeypatch.delenv(name)
        for name, value in function_environment(template, props).items():
            monkeypatch.setenv(name, value)
        FUNCTION_SETTINGS[folder].load()


@pytest.mark.parametrize(
    ("folder", "variable"),
    [
        ("covers_api", "VODCOVER_COVER_MEDIA_FUNCTION"),
        ("videos_api", "VODCOVER_PULL_WORKER_FUNCTION"),
        ("screenshot", "VODCOVER_VIDEOS_TABLE"),
    ],
)
def test_a_missing_variable_fails_the_cold_start_naming_it(
    template: dict[str, Any], folder: str, variable: str
) -> None:
    """Lambda's init imports app.py: without a variable it needs, that import fails, naming it."""
    (props,) = [p for p in functions(template["Resources"]).values() if Path(p["CodeUri"]).name == folder]
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("VODCOVER_")},
        **function_environment(template, props),
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
    del environment[variable]
    done = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=ROOT / "functions" / folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert SettingsError.__name__ in done.stderr
    assert f"{variable} is not set" in done.stderr


def test_every_setting_is_set_by_the_template_or_explained(template: dict[str, Any]) -> None:
    set_by_template = {_field_name(v) for v in every_function_variable(template) if v.startswith("VODCOVER_")}
    missing = set(all_fields()) - set_by_template - set(SETTINGS_NOT_IN_TEMPLATE)
    assert not missing, f"settings the template never sets: {sorted(missing)}"
    assert not set_by_template & set(SETTINGS_NOT_IN_TEMPLATE), "drop settings the template now sets"


def test_parameters_agree_with_the_settings_defaults_and_bounds(template: dict[str, Any]) -> None:
    parameters = template["Parameters"]
    fields = all_fields()
    for env_name, value in every_function_variable(template).items():
        if not (env_name.startswith("VODCOVER_") and isinstance(value, dict) and "Ref" in value):
            continue
        if value["Ref"] not in parameters:
            continue  # a resource, e.g. the table
        param = parameters[value["Ref"]]
        field = fields[_field_name(env_name)]
        default = field.default
        expected = str(default).lower() if isinstance(default, bool) else str(default)
        assert str(param["Default"]) == expected, (
            f"{value['Ref']} default differs from the setting {_field_name(env_name)}"
        )
        bounds = {type(m).__name__: m for m in field.metadata}
        if "Ge" in bounds:
            assert param.get("MinValue") == bounds["Ge"].ge, value["Ref"]
        if "Le" in bounds:
            assert param.get("MaxValue") == bounds["Le"].le, value["Ref"]


def test_powertools_is_configured_for_every_function(template: dict[str, Any]) -> None:
    env = env_vars(template)
    assert env["POWERTOOLS_SERVICE_NAME"] == "vodcover"
    assert env["POWERTOOLS_METRICS_NAMESPACE"]
    assert env["POWERTOOLS_LOG_LEVEL"] == {"Ref": "LogLevel"}


# --- API ------------------------------------------------------------------------------------------


def test_api_is_iam_authenticated_and_accepts_image_bytes(resources: dict[str, Any]) -> None:
    props = resources["VodcoverApi"]["Properties"]
    assert props["Auth"]["DefaultAuthorizer"] == "AWS_IAM"
    # callers need execute-api:Invoke only; API Gateway invokes the functions itself
    assert props["Auth"]["InvokeRole"] == "NONE"
    types = {t.replace("~1", "/") for t in props["BinaryMediaTypes"]}
    assert {"image/jpeg", "image/png", "application/octet-stream"} <= types
    for name, fn in functions(resources).items():
        for event in fn.get("Events", {}).values():
            if event["Type"] == "Api":
                assert event["Properties"]["RestApiId"] == {"Ref": "VodcoverApi"}, name
                assert (
                    "Auth" not in event["Properties"]
                    or event["Properties"]["Auth"].get("Authorizer", "AWS_IAM") == "AWS_IAM"
                ), f"{name}: every route is IAM-authenticated"


def test_outputs_tell_users_what_they_need_next(template: dict[str, Any]) -> None:
    assert {"ApiUrl", "MediaBucketName", "VideosTableName", "ProcessingFailureQueueUrl"} <= set(
        template["Outputs"]
    )


# --- event fixtures for sam local invoke ----------------------------------------------------------


def test_event_fixtures_cover_an_encoded_upload_and_a_key_to_ignore() -> None:
    def key_of(name: str) -> str:
        event = json.loads((ROOT / "events" / name).read_text(encoding="utf-8"))
        return event["Records"][0]["s3"]["object"]["key"]

    upload = key_of("s3-put-uploads.json")
    assert upload != unquote_plus(upload), "the upload key should need decoding"
    assert unquote_plus(upload).startswith("uploads/") and " " in unquote_plus(upload)
    assert not unquote_plus(key_of("s3-put-outside-prefix.json")).startswith("uploads/")


# --- what handlers import at cold start -----------------------------------------------------------

# Top-level modules each layer ships (see layers/*/requirements.txt), plus what the runtime has.
# (botocore imports certifi when present and falls back to its own CA bundle otherwise.)
RUNTIME_MODULES = {
    "certifi",
    "boto3",
    "botocore",
    "s3transfer",
    "urllib3",
    "dateutil",
    "six",
    "jmespath",
    "awslambdaric",
}
SHARED_LAYER_MODULES = {
    "vodcover",
    "aws_lambda_powertools",
    "pydantic",
    "pydantic_core",
    "typing_extensions",
    "typing_inspection",
    "annotated_types",
}
MEDIA_LAYER_MODULES = {"PIL", "imageio_ffmpeg", "blurhash"}

_LIST_IMPORTS = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
assert callable(getattr(module, "lambda_handler"))
names = {n.split(".")[0] for n in sys.modules} - set(sys.stdlib_module_names) - set(sys.builtin_module_names)
print(json.dumps(sorted(n for n in names if not n.startswith("_"))))
"""


def _handler_folders() -> list[Path]:
    return sorted(p.parent for p in (ROOT / "functions").glob("*/app.py"))


@pytest.mark.parametrize("folder", _handler_folders(), ids=lambda p: p.name)
def test_handlers_import_only_what_their_layers_ship(folder: Path, resources: dict[str, Any]) -> None:
    """An API function that imported Pillow or ffmpeg (or a dev-only package) would fail in Lambda."""
    media_folders = {
        props["CodeUri"].rstrip("/")
        for name, props in functions(resources).items()
        if name in MEDIA_FUNCTIONS
    }
    is_media = f"functions/{folder.name}" in media_folders
    (props,) = [
        p for p in functions(resources).values() if p["CodeUri"].rstrip("/") == f"functions/{folder.name}"
    ]
    env = {
        **function_environment(check_build.load_template(TEMPLATE_PATH), props),  # what Lambda gives it
        "PATH": os.environ.get("PATH", ""),
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
    result = subprocess.run(
        [sys.executable, "-c", _LIST_IMPORTS, str(folder / "app.py")],
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    own_modules = {path.stem for path in folder.glob("*.py")}  # app.py and the modules next to it
    imported = set(json.loads(result.stdout.splitlines()[-1])) - own_modules
    allowed = RUNTIME_MODULES | SHARED_LAYER_MODULES | (MEDIA_LAYER_MODULES if is_media else set())
    assert imported <= allowed, f"{folder.name} imports {sorted(imported - allowed)} at module load"


def test_webhook_delivery_hears_every_event_the_functions_publish(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    """A rule on another bus or source would deliver nothing, and nothing would fail."""
    publishers_bus = env_vars(template)["VODCOVER_EVENT_BUS"]
    props = resources["WebhookDeliveryFunction"]["Properties"]
    rules = [e["Properties"] for e in props["Events"].values() if e["Type"] == "EventBridgeRule"]
    assert len(rules) == 1
    rule = rules[0]
    assert rule["EventBusName"] == publishers_bus == {"Ref": "EventBusName"}
    # Every vodcover event: filtering detail-types here would silently drop a subscribed kind.
    assert rule["Pattern"] == {"source": [EVENT_SOURCE]}
    # deliver() retries each receiver itself; what it still cannot deliver is parked, not lost.
    invoke = props["EventInvokeConfig"]
    assert invoke["MaximumRetryAttempts"] == 0
    assert invoke["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": {"Fn::GetAtt": ["ProcessingFailureQueue", "Arn"]},
    }


def test_the_videos_api_may_write_a_webhook_and_its_count_in_one_transaction(
    resources: dict[str, Any],
) -> None:
    """TransactWriteItems needs the permission of each write it holds (DynamoDB's IAM rules)."""
    statements = _statements(resources["VideosApiFunction"]["Properties"])
    manage = next(s for s in statements if s.get("Sid") == "ManageWebhooks")
    writes = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
    assert writes <= set(as_list(manage["Action"]))
