"""The frozen ``birdadmin-emulator`` executable."""

import sys

from birdadmin.emulator.cli import main

sys.exit(main())
