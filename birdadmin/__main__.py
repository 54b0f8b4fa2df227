"""``python -m birdadmin`` opens the main window (the CLI is ``birdadmin-cli``)."""

import sys

from birdadmin.app import main

sys.exit(main())
