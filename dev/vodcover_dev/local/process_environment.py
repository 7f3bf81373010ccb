"""The functions' environment variables, applied to this one process.

Environment variables are process-global, while Lambda gives each function its own. Functions
share ``Globals``, so :func:`merged_environment` applies the union of all functions' variables
once at start-up; a variable two functions set differently is reported and the first one wins.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from vodcover_dev import logger_for
from vodcover_dev.local.template import SamTemplate, UnresolvableValue
from vodcover_dev.local.template_values import Resolver

logger = logger_for(__name__)


def merged_environment(template: SamTemplate, resolver: Resolver) -> dict[str, str]:
    """Union of every function's resolved variables; parameter knobs already set by the user win.

    A variable whose template value is ``!Ref <Parameter>`` is a knob: if the process
    environment already has it (``VODCOVER_COVER_URL_ALLOW_HOSTS=… vodcover local``), that value
    is kept, as if passed as a parameter override. Resource names are always the local ones.
    A value with no local meaning (a reference to a missing resource) is logged and left unset.
    """
    merged: dict[str, str] = {}
    for spec in template.functions.values():
        for name, raw in spec.environment.items():
            if resolver.is_parameter_ref(raw) and name in os.environ:
                value = os.environ[name]
            else:
                try:
                    value = resolver.resolve_str(raw)
                except UnresolvableValue as exc:
                    # A template being written may name a function that does not exist yet;
                    # the rest of the stack is still useful (cfn-lint reports the error).
                    logger.warning("%s of %s left unset: %s", name, spec.logical_id, exc)
                    continue
            if name in merged and merged[name] != value:
                logger.warning(
                    "%s differs between functions (%r vs %r); locally all functions see %r",
                    name,
                    merged[name],
                    value,
                    merged[name],
                )
                continue
            merged[name] = value
    return merged


class ProcessEnvironment:
    """Apply variables to ``os.environ`` and put every previous value back on :meth:`restore`."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def apply(self, variables: Mapping[str, str | None]) -> None:
        for name, value in variables.items():
            self._saved.setdefault(name, os.environ.get(name))
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def restore(self) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved.clear()
