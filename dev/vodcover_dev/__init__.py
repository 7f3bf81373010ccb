"""vodcover_dev: the development world around the product package ``vodcover``.

The ``vodcover`` command, the embedded local stack, the console, the demo and sample videos.
It ships in the same distribution (``pip install -e .`` gives both) but never in a Lambda
layer: ``layers/shared/Makefile`` copies only ``vodcover``, and ``vodcover`` never imports this.
"""

import logging


def logger_for(module: str) -> logging.Logger:
    """The module's logger under the product's ``vodcover`` logger (``vodcover.local.invoker``).

    The local stack's lines then go through the product's JSON handler with its labels, as
    they did when these modules lived inside ``vodcover``.
    """
    return logging.getLogger("vodcover." + module.removeprefix("vodcover_dev."))
