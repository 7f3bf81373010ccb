"""Logs and metrics from one place (powertools), so every function reports the same way."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="vodcover")
metrics = Metrics(namespace="vodcover", service="vodcover")


def bind_video(video_id: str) -> None:
    """Every later log line of this invocation names the video."""
    logger.append_keys(video_id=video_id)
