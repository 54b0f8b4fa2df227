"""The frozen ``birdadmin`` executable (PyInstaller needs a script; a file named birdadmin.py would hide the
package)."""

import sys

from birdadmin.app import main

sys.exit(main())
