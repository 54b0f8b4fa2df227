"""The batch threshold's default and range: a change to more users than this asks first (docs/bird.md, H2).

One place for the number that the guards (``guards.py``), the profile (``store/profile_model.py``), the connection
(``connection.py``) and the CLI's help use; a module of its own so the CLI can name it without loading the guards.
"""

from __future__ import annotations

MIN_BATCH_THRESHOLD = 1
MAX_BATCH_THRESHOLD = 100_000
DEFAULT_BATCH_THRESHOLD = 25
