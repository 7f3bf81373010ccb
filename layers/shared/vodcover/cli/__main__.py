"""``python -m vodcover.cli``: the same as the ``vodcover`` command."""

import sys

from vodcover.cli import main

sys.exit(main())
