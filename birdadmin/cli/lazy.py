"""Command handlers named by module and function, imported only when their command runs.

Building the parser then costs no import of what the other commands need (the keyring, the profile store, the
Accounts client), which keeps ``birdadmin-cli users list`` quick to start.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any


@dataclass(frozen=True, slots=True)
class LazyHandler:
    module: str
    function: str

    def __call__(self, args: argparse.Namespace, ctx: Any) -> int | None:
        target: Callable[[argparse.Namespace, Any], int | None] = getattr(import_module(self.module), self.function)
        return target(args, ctx)


def handler(module: str, function: str) -> LazyHandler:
    return LazyHandler(module, function)
