"""vodcover_dev: the development world around the product package ``vodcover``.

The ``vodcover`` command, the embedded local stack, the console, the demo and sample videos.
It ships in the same distribution (``pip install -e .`` gives both) but never in a Lambda
layer: ``layers/shared/Makefile`` copies only ``vodcover``, and ``vodcover`` never imports this.
"""
