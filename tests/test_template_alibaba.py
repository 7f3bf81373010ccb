"""The Alibaba endpoint in template.yaml (issue 15), read as a specification.

Behind ``AlibabaApi`` (default off) the template adds an HTTP API whose ``$default`` stage and
route reach one function without IAM auth (the function verifies Alibaba's signatures), the
keys and nonces tables in exactly the shapes the code creates, and a KMS key only that function
may decrypt with. The local stack reads the same route to serve RPC calls at ``/``.
"""

from __future__ import annotations

from typing import Any

from tests.test_template import TEMPLATE_PATH, as_list, resources, template
from vodcover.compat.alibaba.key_store import keys_table_definition
from vodcover.compat.alibaba.nonce_store import TTL_SPECIFICATION, nonces_table_definition
from vodcover.dal.webhooks import webhooks_table_definition
from vodcover_dev.local.rpc_front import rpc_function
from vodcover_dev.local.template import load_template

__all__ = ["resources", "template"]  # the fixtures of tests/test_template.py, shared

ALIBABA_RESOURCES = {
    "AlibabaKeysKey",
    "AlibabaKeysKeyAlias",
    "AlibabaKeysTable",
    "AlibabaNoncesTable",
    "AlibabaHttpApi",
    "AlibabaApiFunction",
    "AlibabaApiFunctionLogGroup",
}


def test_the_endpoint_is_off_unless_asked_for(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["AlibabaApi"]
    assert (parameter["Default"], sorted(parameter["AllowedValues"])) == ("off", ["off", "on"])
    assert template["Conditions"]["AlibabaApiEnabled"] == {"Fn::Equals": [{"Ref": "AlibabaApi"}, "on"]}
    conditional = {
        name for name, body in template["Resources"].items() if body.get("Condition") == "AlibabaApiEnabled"
    }
    assert conditional == ALIBABA_RESOURCES
    for output in ("AlibabaApiEndpoint", "AlibabaKeysTableName", "AlibabaKeysKeyArn"):  # what callers and
        assert template["Outputs"][output]["Condition"] == "AlibabaApiEnabled"  # vodcover keys need


def test_an_http_api_default_stage_and_route_reach_the_function_without_iam(
    resources: dict[str, Any],
) -> None:
    api = resources["AlibabaHttpApi"]
    assert api["Type"] == "AWS::Serverless::HttpApi"
    assert "StageName" not in api["Properties"]  # SAM's $default stage: the root path is "/"
    assert "Auth" not in api["Properties"]
    (event,) = resources["AlibabaApiFunction"]["Properties"]["Events"].values()
    assert event["Type"] == "HttpApi"
    assert event["Properties"]["ApiId"] == {"Ref": "AlibabaHttpApi"}
    assert "Path" not in event["Properties"] and "Method" not in event["Properties"]  # $default
    assert "Auth" not in event["Properties"]
    assert event["Properties"]["PayloadFormatVersion"] == "2.0"  # rawPath, rawQueryString


def test_the_local_stack_serves_the_same_route(resources: dict[str, Any]) -> None:
    assert rpc_function(load_template(TEMPLATE_PATH)) == "AlibabaApiFunction"


def _table(resources: dict[str, Any], name: str) -> dict[str, Any]:
    props = resources[name]["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST" and props["SSESpecification"]["SSEEnabled"] is True
    shape: dict[str, Any] = {
        "TableName": "t",
        "BillingMode": props["BillingMode"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
    }
    if "GlobalSecondaryIndexes" in props:
        shape["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    return shape


def test_the_tables_have_the_shapes_the_code_creates(resources: dict[str, Any]) -> None:
    assert _table(resources, "AlibabaKeysTable") == keys_table_definition("t")
    assert _table(resources, "AlibabaNoncesTable") == nonces_table_definition("t")
    assert resources["AlibabaNoncesTable"]["Properties"]["TimeToLiveSpecification"] == TTL_SPECIFICATION
    assert resources["AlibabaKeysTable"]["DeletionPolicy"] == "Retain"  # callers' keys outlive a stack
    assert _table(resources, "WebhooksTable") == webhooks_table_definition("t")


def test_the_function_keeps_its_owners_message_callback_in_the_webhooks_table(
    resources: dict[str, Any],
) -> None:
    props = resources["AlibabaApiFunction"]["Properties"]
    assert props["Environment"]["Variables"]["VODCOVER_WEBHOOKS_TABLE"] == {"Ref": "WebhooksTable"}
    assert {"DynamoDBCrudPolicy": {"TableName": {"Ref": "WebhooksTable"}}} in props["Policies"]


def test_the_function_reads_keys_claims_nonces_and_only_decrypts(resources: dict[str, Any]) -> None:
    props = resources["AlibabaApiFunction"]["Properties"]
    statements = [s for p in props["Policies"] if "Statement" in p for s in as_list(p["Statement"])]
    outside_s3 = {
        (action, str(resource))
        for s in statements
        for action in as_list(s["Action"])
        for resource in as_list(s["Resource"])
        if not action.startswith("s3:")
    }
    assert outside_s3 == {
        ("dynamodb:GetItem", str({"Fn::GetAtt": ["AlibabaKeysTable", "Arn"]})),
        ("dynamodb:PutItem", str({"Fn::GetAtt": ["AlibabaNoncesTable", "Arn"]})),
        ("kms:Decrypt", str({"Fn::GetAtt": ["AlibabaKeysKey", "Arn"]})),
    }
    variables = props["Environment"]["Variables"]
    assert variables["VODCOVER_ALIBABA_KEYS_TABLE"] == {"Ref": "AlibabaKeysTable"}
    assert variables["VODCOVER_ALIBABA_NONCES_TABLE"] == {"Ref": "AlibabaNoncesTable"}
    assert variables["VODCOVER_ALIBABA_KEYS_KMS_KEY"] == {"Fn::GetAtt": ["AlibabaKeysKey", "Arn"]}


def test_the_key_rotates_and_is_kept(resources: dict[str, Any]) -> None:
    key = resources["AlibabaKeysKey"]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"  # without it every stored secret is lost
    (statement,) = key["Properties"]["KeyPolicy"]["Statement"]
    assert statement["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
