"""``python -m vodcover_dev.cli``: the same as the ``vodcover`` command."""

import sys

from vodcover_dev.cli import main

sys.exit(main())
