"""Time budgets: a deadline is a :func:`time.monotonic` instant, checked the same way everywhere.

Jobs turn Lambda's remaining time into a deadline once; every step below asks how much is left
of it, so a slow first step leaves less to the next instead of each having its own timeout.
"""

from __future__ import annotations

import time

from vodcover.errors import MediaTimeout

TOO_LONG = "Processing the video took too long."


def deadline_in(seconds: float) -> float:
    """The deadline ``seconds`` from now."""
    return time.monotonic() + seconds


def seconds_left(deadline: float, *, at_least: float = 0.0) -> float:
    """What is left of the budget, never below ``at_least`` (a last step may still be tried)."""
    return max(at_least, deadline - time.monotonic())


def expired(deadline: float) -> bool:
    return time.monotonic() >= deadline


def time_left(deadline: float, message: str = TOO_LONG) -> float:
    """What is left of the budget; ``MediaTimeout`` when nothing is."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise MediaTimeout(message)
    return left
