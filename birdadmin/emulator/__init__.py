"""A local Bird-compatible server: SCIM 2.0 plus the Accounts API subset, one consistent state behind both.

The demo backend (``birdadmin --demo``) and the server every test and benchmark runs against. It
reproduces Bird's hazards on purpose (a PUT without ``roles`` wipes them) and can misbehave on demand
(latency, 500/503, 429 with Retry-After, writes whose response is lost).

    with start_emulator(EmulatorOptions(users=250, groups=12, seed=1)) as emu:
        emu.scim_url, emu.accounts_url, emu.key, emu.accounts_key, emu.state, emu.request_count
"""

from birdadmin.emulator.errors import EmulatorStateError
from birdadmin.emulator.options import (
    DEFAULT_PORT,
    DEMO_ACCOUNTS_KEY,
    DEMO_ORG_ID,
    DEMO_SCIM_KEY,
    EmulatorOptions,
)
from birdadmin.emulator.server import Emulator, start_emulator
from birdadmin.emulator.state import EmulatorState

__all__ = [
    "DEFAULT_PORT",
    "DEMO_ACCOUNTS_KEY",
    "DEMO_ORG_ID",
    "DEMO_SCIM_KEY",
    "Emulator",
    "EmulatorOptions",
    "EmulatorState",
    "EmulatorStateError",
    "start_emulator",
]
