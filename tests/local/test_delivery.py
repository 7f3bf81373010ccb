"""S3 notifications reach functions as S3 would send them; async invocations behave like Lambda's."""

from __future__ import annotations

import json
import os
from urllib.parse import quote_plus

import boto3
import pytest
from botocore.exceptions import ClientError

from vodcover_dev.local.stack import LocalStack

pytestmark = pytest.mark.integration


def put(stack: LocalStack, key: str, body: bytes = b"video bytes") -> None:
    stack.client("s3").put_object(Bucket=stack.bucket, Key=key, Body=body)


def test_an_upload_reaches_its_function_with_the_key_url_encoded(stack: LocalStack, calls) -> None:
    # Given a key with a space, a plus and non-ASCII characters
    key = "uploads/v 1/clip+final é.mp4"
    # When it is put under uploads/
    put(stack, key)
    stack.wait_idle(10)
    # Then the handler got exactly one S3 notification, key URL-encoded as S3 does
    (event,) = calls.of("RecorderFunction")
    (record,) = event["Records"]
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["bucket"]["name"] == stack.bucket
    assert record["s3"]["object"]["key"] == quote_plus(key)
    assert record["s3"]["object"]["size"] == len(b"video bytes")


def test_objects_outside_the_trigger_prefix_reach_no_function(stack: LocalStack, calls) -> None:
    for key in ("snapshots/v1/0.jpg", "covers/v1/x.jpg", "broken/x.txt", "xuploads/a.mp4"):
        put(stack, key)
    stack.wait_idle(10)
    assert calls.events == {}


def test_a_test_event_is_dropped(stack: LocalStack, calls) -> None:
    # Given the message S3 sends when a notification is configured
    sqs = stack.client("sqs")
    queue_url = sqs.get_queue_url(QueueName="vodcover-local-s3-events")["QueueUrl"]
    test_event = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": stack.bucket}
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(test_event))
    # When delivery runs, then no function sees it and the queue is drained
    stack.wait_idle(10)
    assert calls.events == {}


def test_a_multipart_upload_is_delivered_with_its_complete_event(stack: LocalStack, calls) -> None:
    s3 = stack.client("s3")
    key = "uploads/v2/big.mp4"
    upload_id = s3.create_multipart_upload(Bucket=stack.bucket, Key=key)["UploadId"]
    etag = s3.upload_part(Bucket=stack.bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b"x" * 1024)[
        "ETag"
    ]
    s3.complete_multipart_upload(
        Bucket=stack.bucket,
        Key=key,
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"ETag": etag, "PartNumber": 1}]},
    )
    stack.wait_idle(10)
    names = {event["Records"][0]["eventName"] for event in calls.of("RecorderFunction")}
    # moto may also send ObjectCreated:Put for the same object (FACTS): handlers are idempotent
    assert "ObjectCreated:CompleteMultipartUpload" in names


def test_the_handler_gets_a_lambda_context_and_its_environment(stack: LocalStack, calls) -> None:
    put(stack, "uploads/v3/a.mp4")
    stack.wait_idle(10)
    (context,) = calls.contexts["RecorderFunction"]
    assert context.function_name == "RecorderFunction"
    assert context.memory_limit_in_mb == 1024
    assert context.invoked_function_arn.endswith(":function:RecorderFunction")
    assert 0 < context.get_remaining_time_in_millis() <= 120_000
    assert context.aws_request_id
    assert os.environ["VODCOVER_MEDIA_BUCKET"] == stack.bucket
    assert os.environ["FIXTURE_GREETING"] == "hello"
    assert os.environ["AWS_ENDPOINT_URL"] == stack.s3_endpoint


def test_a_failing_handler_is_retried_twice_then_parked(stack: LocalStack, calls) -> None:
    # Given a function that always fails (MaximumRetryAttempts: 2)
    parked_before = len(stack.failures)
    # When an object matching its prefix and suffix arrives
    put(stack, "broken/v4/x.bin")
    stack.wait_idle(10)
    # Then it ran three times with the same event, and the event is parked, not lost
    events = calls.of("FailingFunction")
    assert len(events) == 3
    assert all(e == events[0] for e in events)
    (failure,) = stack.failures[parked_before:]
    assert failure.function == "FailingFunction"
    assert failure.attempts == 3
    assert "always fails" in failure.error
    assert failure.event == events[0]
    # And Lambda's one request id spans the retries
    assert len({c.aws_request_id for c in calls.contexts["FailingFunction"]}) == 1


def test_invoke_async_runs_a_function_by_logical_id(stack: LocalStack, calls) -> None:
    stack.invoke_async("JobFunction", {"videoId": "v5"})
    stack.wait_idle(10)
    assert calls.of("JobFunction") == [{"videoId": "v5"}]


def test_product_code_starts_jobs_with_plain_boto3(stack: LocalStack, calls) -> None:
    # Given the name the template hands functions (!Ref / !GetAtt of the job function)
    lambda_client = boto3.client("lambda")
    # When product code invokes it asynchronously, by name and by ARN
    for name in (os.environ["FIXTURE_JOB_FUNCTION"], os.environ["FIXTURE_JOB_ARN"]):
        answer = lambda_client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 1}')
        assert answer["StatusCode"] == 202
    stack.wait_idle(10)
    # Then the function ran in-process for each
    assert calls.of("JobFunction") == [{"n": 1}, {"n": 1}]


def test_request_response_invocations_return_the_result(stack: LocalStack, calls) -> None:
    answer = boto3.client("lambda").invoke(FunctionName="JobFunction", Payload=b'{"n": 2}')
    assert answer["StatusCode"] == 200
    assert json.loads(answer["Payload"].read()) == {"echo": {"n": 2}}

    failed = boto3.client("lambda").invoke(FunctionName="FailingFunction", Payload=b"{}")
    assert failed["FunctionError"] == "Unhandled"
    assert json.loads(failed["Payload"].read())["errorType"] == "RuntimeError"


def test_an_unknown_function_is_resource_not_found(stack: LocalStack) -> None:
    with pytest.raises(ClientError) as error:
        boto3.client("lambda").invoke(FunctionName="NoSuchFunction", InvocationType="Event", Payload=b"{}")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
