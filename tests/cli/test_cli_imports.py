"""``birdadmin-cli users list`` loads only what a listing needs: no keyring, no profile store (pydantic), no guards,
no Qt. Each command's handler is imported when it runs (cli/lazy.py); this checks a whole run in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NEVER = ("keyring", "pydantic", "sqlite3", "PySide6", "birdadmin.store.profiles", "birdadmin.store.profile_model",
         "birdadmin.store.secrets", "birdadmin.store.keys", "birdadmin.domain.guards", "birdadmin.domain.catalogue",
         "birdadmin.bird.accounts", "birdadmin.ui", "birdadmin.services", "birdadmin.report", "birdadmin.emulator")
SCRIPT = """
import json, sys
from birdadmin.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
sys.stderr.write(json.dumps([code, sorted(sys.modules)]))
"""


def test_users_list_imports_only_what_a_listing_needs(demo_emulator: Any, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BIRDADMIN_ACCESS_KEY": demo_emulator.key,
           "BIRDADMIN_CONFIG_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", SCRIPT, "--base-url", demo_emulator.scim_url, "--format", "json",
                           "users", "list"], env=env, capture_output=True, text=True, timeout=60, check=False)
    code, modules = json.loads(done.stderr)
    assert code == 0 and len(json.loads(done.stdout)) == len(demo_emulator.state.users())
    loaded = sorted(m for m in modules if m.startswith(NEVER))
    assert not loaded, loaded
    assert "orjson" in modules  # the output's writer
