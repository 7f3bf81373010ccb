"""The embedded local stack (``vodcover local``, ``make demo``, integration tests).

Only for runs on a developer's machine: it needs the ``local`` extra (moto, PyYAML) and is
never imported by Lambda handlers. Start with :class:`vodcover_dev.local.stack.LocalStack`.
"""
