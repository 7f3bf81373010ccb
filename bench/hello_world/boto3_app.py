"""The hello-world handler plus ``import boto3``: the floor for a function that talks to AWS.

Any handler that reads DynamoDB or S3 pays for boto3 (botocore and s3transfer) at some point of
its cold start; ``bench/cold_start.py`` reports this yardstick beside the plain hello-world so the
share of that cost in each function's import is visible.
"""

from __future__ import annotations

import boto3  # noqa: F401  (imported for its import cost alone)
from app import app, lambda_handler

__all__ = ["app", "lambda_handler"]
