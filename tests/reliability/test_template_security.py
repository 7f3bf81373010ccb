"""template.yaml, read as a security review: checkov clean, every skip justified, each function
granted exactly what its code does (tests/test_template.py holds the general rules; this file
pins the exact grants, so a new permission is a reviewed change, not a silent one).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.test_template import BUCKET_NAME_SUB, as_list, check_build, functions, policies_of, sub_text

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"

# (action, where) for every S3 grant; "" is the bucket itself, "/*" any key, "/uploads/*" a prefix.
# DELETE /videos/{videoId} and Alibaba's DeleteVideo erase every version of a video's objects.
ERASE_DELETED_VIDEOS = {
    ("s3:ListBucketVersions", ""),
    *(
        (action, f"/{folder}/*")
        for action in ("s3:DeleteObject", "s3:DeleteObjectVersion")
        for folder in ("uploads", "snapshots", "covers", "smart", "animated", "storyboard", "embed")
    ),
}
S3_GRANTS: dict[str, set[tuple[str, str]]] = {
    "ScreenshotFunction": {
        ("s3:GetObject", "/*"),
        ("s3:PutObject", "/snapshots/*"),
        ("s3:PutObject", "/covers/*"),
        ("s3:DeleteObject", "/snapshots/*"),
        ("s3:DeleteObject", "/covers/*"),
        ("s3:PutObject", "/embed/*"),  # the copy of the current cover (cover.embedUrl)
        ("s3:DeleteObject", "/embed/*"),
        ("s3:ListBucket", ""),
        ("s3:PutObject", "/storyboard/*"),  # storyboards after the snapshots and on request
        ("s3:DeleteObject", "/storyboard/*"),
        # a job that finds its video deleted erases every version of what it and the upload stored
        ("s3:ListBucketVersions", ""),
        ("s3:DeleteObject", "/uploads/*"),
        *(
            ("s3:DeleteObjectVersion", f"/{folder}/*")
            for folder in ("uploads", "snapshots", "covers", "storyboard")
        ),
    },
    "SmartCoverFunction": {
        ("s3:GetObject", "/*"),
        ("s3:PutObject", "/smart/*"),
        ("s3:PutObject", "/animated/*"),
        ("s3:DeleteObject", "/smart/*"),
        ("s3:DeleteObject", "/animated/*"),
        ("s3:PutObject", "/covers/*"),  # the renditions of a smart cover
        ("s3:DeleteObject", "/covers/*"),
        ("s3:PutObject", "/embed/*"),
        ("s3:DeleteObject", "/embed/*"),
        ("s3:ListBucket", ""),
        # a job that finds its video deleted erases every version of what it stored
        ("s3:ListBucketVersions", ""),
        *(("s3:DeleteObjectVersion", f"/{folder}/*") for folder in ("smart", "animated", "covers", "embed")),
    },
    "PullWorkerFunction": {
        ("s3:PutObject", "/uploads/*"),
        ("s3:AbortMultipartUpload", "/uploads/*"),
        ("s3:ListMultipartUploadParts", "/uploads/*"),
    },
    "VideosApiFunction": {
        ("s3:PutObject", "/uploads/*"),
        ("s3:GetObject", "/*"),
        ("s3:ListBucket", ""),
        *ERASE_DELETED_VIDEOS,
    },
    "CoversApiFunction": {
        ("s3:GetObject", "/*"),
        ("s3:PutObject", "/covers/*"),
        ("s3:DeleteObject", "/covers/*"),
        ("s3:PutObject", "/embed/*"),
        ("s3:DeleteObject", "/embed/*"),
        ("s3:ListBucket", ""),
    },
    "UploadSweeperFunction": set(),  # records only: it never touches media
    # Alibaba's actions over the same use cases: the videos API's and the covers API's grants,
    # plus presigned PUTs of cover images under images/ (CreateUploadImage); DeleteVideo erases
    # every version of a video's objects, as the videos API.
    "AlibabaApiFunction": {
        ("s3:PutObject", "/uploads/*"),
        ("s3:PutObject", "/images/*"),
        ("s3:GetObject", "/*"),
        ("s3:PutObject", "/covers/*"),
        ("s3:DeleteObject", "/covers/*"),
        ("s3:ListBucket", ""),
        *ERASE_DELETED_VIDEOS,
    },
    # Images come in its payload, videos through URLs the covers API presigned: no grant at all.
    "CoverMediaFunction": set(),
    # Presigned GETs of the images its callbacks name; it writes nothing.
    "WebhookDeliveryFunction": {("s3:GetObject", "/*")},
}
# Policy templates per function, with the resource each names.
POLICY_TEMPLATES: dict[str, set[tuple[str, str]]] = {
    "ScreenshotFunction": {
        ("LambdaInvokePolicy", "SmartCoverFunction"),
        ("DynamoDBCrudPolicy", "VideosTable"),
        ("EventBridgePutEventsPolicy", "EventBusName"),
    },
    "SmartCoverFunction": {
        ("DynamoDBCrudPolicy", "VideosTable"),
        ("EventBridgePutEventsPolicy", "EventBusName"),
    },
    "PullWorkerFunction": {("DynamoDBCrudPolicy", "VideosTable")},
    "VideosApiFunction": {
        ("DynamoDBCrudPolicy", "VideosTable"),
        ("LambdaInvokePolicy", "ScreenshotFunction"),
        ("LambdaInvokePolicy", "PullWorkerFunction"),
        ("LambdaInvokePolicy", "SmartCoverFunction"),
        ("EventBridgePutEventsPolicy", "EventBusName"),
    },
    "CoversApiFunction": {
        ("DynamoDBCrudPolicy", "VideosTable"),
        ("EventBridgePutEventsPolicy", "EventBusName"),
        ("LambdaInvokePolicy", "CoverMediaFunction"),  # image checks and coverTime frames
    },
    "CoverMediaFunction": set(),
    # Its DynamoDB grants are statements (Query on its index, GetItem and PutItem), pinned below.
    "UploadSweeperFunction": {("EventBridgePutEventsPolicy", "EventBusName")},
    # Its keys, nonces and KMS grants are statements (GetItem, PutItem, Decrypt), pinned in
    # tests/test_template_alibaba.py.
    "AlibabaApiFunction": {
        ("DynamoDBCrudPolicy", "VideosTable"),
        ("LambdaInvokePolicy", "ScreenshotFunction"),
        ("LambdaInvokePolicy", "PullWorkerFunction"),
        ("LambdaInvokePolicy", "SmartCoverFunction"),
        ("LambdaInvokePolicy", "CoverMediaFunction"),  # image checks and coverTime frames
        ("EventBridgePutEventsPolicy", "EventBusName"),
        ("DynamoDBCrudPolicy", "WebhooksTable"),  # SetMessageCallback's subscription
    },
    # Reads the video (its owner) and the owner's subscriptions; writes nothing.
    "WebhookDeliveryFunction": {
        ("DynamoDBReadPolicy", "VideosTable"),
        ("DynamoDBReadPolicy", "WebhooksTable"),
    },
}
ASYNC_FUNCTIONS = {"ScreenshotFunction", "SmartCoverFunction", "PullWorkerFunction"}
# Fed by the bus; each receiver is retried inside the run, so Lambda never runs it again.
BUS_FUNCTIONS = {"WebhookDeliveryFunction"}
SCHEDULED_FUNCTIONS = {"UploadSweeperFunction"}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return check_build.load_template(TEMPLATE)


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]


def checkov_command() -> list[str] | None:
    """checkov from the `security` extra: its own venv (`make security`), or anywhere on PATH."""
    for candidate in (ROOT / ".venv-security" / "bin" / "checkov", shutil.which("checkov")):
        if candidate and os.access(candidate, os.X_OK):
            return [str(candidate)]
    return None


def test_checkov_finds_nothing_unjustified() -> None:
    command = checkov_command()
    if command is None:
        pytest.skip("checkov is not installed (make security installs it in .venv-security)")
    result = subprocess.run(
        [*command, "-f", str(TEMPLATE), "--framework", "cloudformation", "-o", "json", "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stdout)
    report = report[0] if isinstance(report, list) else report
    failed = [
        f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in report["results"]["failed_checks"]
    ]
    assert failed == [], "\n".join(failed)
    assert report["summary"]["passed"] > 0


def test_every_checkov_skip_says_why(resources: dict[str, Any]) -> None:
    raw = yaml.load(TEMPLATE.read_text(), Loader=_IgnoreTags)
    skipped = 0
    for name, resource in raw["Resources"].items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            skipped += 1
            assert str(skip["id"]).startswith("CKV_"), name
            assert len(str(skip.get("comment", "")).split()) >= 8, (
                f"{name}: skip {skip['id']} has no real reason"
            )
    assert skipped, "expected the reviewed skips to be present"


class _IgnoreTags(yaml.SafeLoader):
    pass


_IgnoreTags.add_multi_constructor("!", lambda loader, suffix, node: None)


def _s3_grants(props: dict[str, Any]) -> set[tuple[str, str]]:
    granted = set()
    for policy in policies_of(props):
        if not isinstance(policy, dict) or "Statement" not in policy:
            continue
        for statement in as_list(policy["Statement"]):
            assert statement["Effect"] == "Allow"
            for action in as_list(statement["Action"]):
                if action.startswith("s3:"):
                    for resource in as_list(statement["Resource"]):
                        text = sub_text(resource)
                        assert BUCKET_NAME_SUB in text, f"{action} on {text}: not the media bucket"
                        granted.add((action, text.partition(BUCKET_NAME_SUB)[2]))
    return granted


@pytest.mark.parametrize("name", sorted(S3_GRANTS))
def test_each_function_gets_exactly_its_s3_grants(resources: dict[str, Any], name: str) -> None:
    assert _s3_grants(resources[name]["Properties"]) == S3_GRANTS[name]


@pytest.mark.parametrize("name", sorted(POLICY_TEMPLATES))
def test_each_function_gets_exactly_its_policy_templates(resources: dict[str, Any], name: str) -> None:
    found = set()
    for policy in policies_of(resources[name]["Properties"]):
        if isinstance(policy, dict) and "Statement" not in policy:
            ((template_name, arguments),) = policy.items()
            (value,) = arguments.values()
            found.add((template_name, value["Ref"]))
    assert found == POLICY_TEMPLATES[name]


def test_the_template_lists_every_function_the_grants_table_knows(resources: dict[str, Any]) -> None:
    assert set(functions(resources)) == set(S3_GRANTS) == set(POLICY_TEMPLATES)


def test_no_function_triggered_by_uploads_can_write_uploads(resources: dict[str, Any]) -> None:
    """The recursion guard in IAM too: the screenshot function can never trigger itself."""
    assert not {
        g
        for g in S3_GRANTS["ScreenshotFunction"]
        # reading and deleting (a deleted video's late upload) raise no ObjectCreated event
        if g[1] in {"/*", "/uploads/*"}
        and g[0] not in {"s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion"}
    }
    writers_of_uploads = {n for n, grants in S3_GRANTS.items() if ("s3:PutObject", "/uploads/*") in grants}
    # presigned PUTs (both API wires), pull-upload
    assert writers_of_uploads == {"VideosApiFunction", "AlibabaApiFunction", "PullWorkerFunction"}


def test_nothing_is_public(resources: dict[str, Any]) -> None:
    props = resources["MediaBucket"]["Properties"]
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    for resource in resources.values():
        if resource["Type"] in {"AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy"}:
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                if "Fn::If" in statement:  # a switched statement (the CDN's): check the branch it adds
                    statement = statement["Fn::If"][1]
                assert statement["Effect"] == "Deny" or statement.get("Principal") != "*", statement


def test_the_failure_queue_refuses_plain_http(resources: dict[str, Any]) -> None:
    (policy,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::SQS::QueuePolicy"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert (statement["Effect"], statement["Condition"]["Bool"]["aws:SecureTransport"]) == ("Deny", "false")


def test_every_route_requires_a_signature(resources: dict[str, Any]) -> None:
    api = resources["VodcoverApi"]["Properties"]
    assert api["Auth"]["DefaultAuthorizer"] == "AWS_IAM"
    for name, props in functions(resources).items():
        for event in props.get("Events", {}).values():
            if event["Type"] == "Api":
                assert "Auth" not in event["Properties"], f"{name} overrides the IAM authorizer"
    assert api["TracingEnabled"] is True


def test_async_functions_retry_then_park_and_their_urls_outlive_them(template: dict[str, Any]) -> None:
    """Retries for transient faults, a failure destination, and presigned reads valid for the whole run."""
    resources = template["Resources"]
    ttl_default = int(template["Parameters"]["UrlTtlSeconds"]["Default"])
    for name in ASYNC_FUNCTIONS:
        props = resources[name]["Properties"]
        config = props["EventInvokeConfig"]
        assert 1 <= config["MaximumRetryAttempts"] <= 2, name
        assert config["DestinationConfig"]["OnFailure"]["Destination"] == {
            "Fn::GetAtt": ["ProcessingFailureQueue", "Arn"]
        }
        # a retried event is still worth processing; and one run never outlives its presigned URLs
        assert config["MaximumEventAgeInSeconds"] >= 3 * props["Timeout"], name
        assert props["Timeout"] <= ttl_default, name
    for name in BUS_FUNCTIONS:  # a run that still failed somewhere parks, it is never lost
        props = resources[name]["Properties"]
        config = props["EventInvokeConfig"]
        assert config["MaximumRetryAttempts"] == 0, name
        assert config["DestinationConfig"]["OnFailure"]["Destination"] == {
            "Fn::GetAtt": ["ProcessingFailureQueue", "Arn"]
        }
        assert props["Timeout"] <= ttl_default, name
    api_functions = set(functions(resources)) - ASYNC_FUNCTIONS - SCHEDULED_FUNCTIONS - BUS_FUNCTIONS
    for name in api_functions:  # API Gateway's limit
        assert resources[name]["Properties"]["Timeout"] <= 29, name


def test_the_sweeper_runs_on_a_schedule_with_only_its_table_grants(resources: dict[str, Any]) -> None:
    """The next run is its retry; it may query its index and end records, nothing else."""
    props = resources["UploadSweeperFunction"]["Properties"]
    (event,) = props["Events"].values()
    assert event["Type"] == "Schedule" and event["Properties"]["Schedule"].startswith("rate(")
    minutes = int(event["Properties"]["Schedule"].removeprefix("rate(").split()[0])
    assert props["Timeout"] < 60 * minutes  # sweeps never overlap
    assert props["EventInvokeConfig"]["MaximumRetryAttempts"] == 0
    grants = set()
    for policy in as_list(props["Policies"]):
        for statement in as_list(policy.get("Statement", [])):
            for action in as_list(statement["Action"]):
                grants.add((action, sub_text(statement["Resource"])))
    table = sub_text({"Fn::GetAtt": ["VideosTable", "Arn"]})
    assert grants == {
        ("dynamodb:Query", "${VideosTable.Arn}/index/byWaitingStatus"),
        ("dynamodb:GetItem", table),
        ("dynamodb:PutItem", table),
    }
