"""The frozen ``birdadmin-cli`` executable."""

import sys

from birdadmin.cli import main

sys.exit(main())
