"""``python -m birdadmin.emulator``: the same as the ``birdadmin-emulator`` command."""

import sys

from birdadmin.emulator.cli import main

sys.exit(main())
