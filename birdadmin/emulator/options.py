"""Settings of one emulator run and the documented demo credentials (they protect nothing: demo only)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

DEMO_SCIM_KEY = "demo-scim-key"
DEMO_ACCOUNTS_KEY = "demo-accounts-key"
DEMO_ORG_ID = "6f1c2b7e-4d3a-4e8b-9c5f-0a7d2e1b3c49"
DEFAULT_PORT = 8900
# The organization id becomes a URL path segment: anything else would change which path is served.
_ORG_ID = re.compile(r"^[A-Za-z0-9._~-]{1,200}$")

# A delay beyond ten minutes is no test of anything; far beyond it, time.sleep overflows (a 500 and a traceback).
MAX_LATENCY_MS = 600_000.0


@dataclass
class EmulatorOptions:
    host: str = "127.0.0.1"
    port: int = 0
    users: int = 250
    groups: int = 12
    seed: int = 1
    key: str = DEMO_SCIM_KEY
    accounts_key: str = DEMO_ACCOUNTS_KEY
    org_id: str = DEMO_ORG_ID
    latency_ms: float = 0
    fault_rate: float = 0.0
    rate_limit: float | None = None
    max_page_size: int = 100
    state_file: Path | str | None = None
    patch_returns_204: bool = False

    def check(self) -> None:
        """Refuse settings that cannot work, with one sentence each."""
        if not 0 <= self.port <= 65535:
            raise ValueError("the port must be from 0 to 65535 (0 = any free port)")
        if not _ORG_ID.match(self.org_id or "") or self.org_id in (".", ".."):
            raise ValueError("the organization id must be letters, digits, '-', '_', '.' or '~' (a UUID in Bird)")
        if self.users < 0 or self.groups < 0:
            raise ValueError("users and groups cannot be negative")
        if self.max_page_size < 1:
            raise ValueError("max_page_size must be at least 1")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        if self.rate_limit is not None and not (math.isfinite(self.rate_limit) and self.rate_limit > 0):
            raise ValueError("rate_limit must be a positive number of requests per second")
        if not (math.isfinite(self.latency_ms) and 0 <= self.latency_ms <= MAX_LATENCY_MS):
            raise ValueError(f"latency_ms must be a number of milliseconds from 0 to {MAX_LATENCY_MS:g}")
        if not self.key or not self.accounts_key or self.key == self.accounts_key:
            raise ValueError("the SCIM key and the Accounts key must be set and differ")
