"""Bounded, seeded misbehaviour: random 500/503s, a token-bucket rate limit (429) and one-shot injections.

Real servers sometimes apply a write and then lose the response; half of the injected 500s on writes do
exactly that, so a client's retry logic meets the duplicate it must handle. 503s never apply the change.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Fault:
    status: int
    after_apply: bool = False  # handle the request, then answer the fault instead of its result
    retry_after: int | None = None


@dataclass
class Injection:
    status: int
    count: int
    path_contains: str | None
    method: str | None
    after_apply: bool
    retry_after: int | None


class TokenBucket:
    """``rate`` requests per second with a burst of ``max(1, rate)``; monotonic clock, thread-safe."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.stamp = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return True
            return False


class FaultPlan:
    """Decides, per request, whether it fails and how."""

    def __init__(self, seed: int, fault_rate: float = 0.0, rate_limit: float | None = None) -> None:
        self._rng = random.Random(f"birdadmin-emulator-faults:{seed}")
        self._lock = threading.Lock()
        self._injections: list[Injection] = []
        self.fault_rate = 0.0
        self.bucket: TokenBucket | None = None
        self.configure(fault_rate=fault_rate, rate_limit=rate_limit)

    def configure(self, *, fault_rate: float | None = None, rate_limit: float | bool | None = False) -> None:
        """``rate_limit=None`` switches the limit off; leaving it out (False) keeps the current one."""
        if fault_rate is not None:
            if not 0.0 <= fault_rate <= 1.0:
                raise ValueError("fault_rate must be between 0 and 1")
            self.fault_rate = fault_rate
        if rate_limit is not False:
            if rate_limit is not None and rate_limit <= 0:
                raise ValueError("rate_limit must be positive")
            self.bucket = TokenBucket(float(rate_limit)) if rate_limit is not None else None

    def inject(
        self,
        status: int,
        count: int = 1,
        path_contains: str | None = None,
        method: str | None = None,
        after_apply: bool = False,
        retry_after: int | None = None,
    ) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._injections.append(
                Injection(status, count, path_contains, method.upper() if method else None, after_apply, retry_after)
            )

    def clear(self) -> None:
        with self._lock:
            self._injections.clear()

    def decide(self, method: str, path: str, exempt: bool) -> Fault | None:
        """The fault for this request, if any: injections first, then the rate limit, then chance."""
        is_write = method in WRITE_METHODS
        with self._lock:
            for rule in self._injections:
                if (rule.path_contains is None or rule.path_contains in path) and rule.method in (None, method):
                    rule.count -= 1
                    if rule.count <= 0:
                        self._injections.remove(rule)
                    retry = rule.retry_after if rule.retry_after is not None else (1 if rule.status == 429 else None)
                    return Fault(rule.status, rule.after_apply and is_write, retry)
        if exempt:
            return None
        bucket = self.bucket
        if bucket is not None and not bucket.take():
            return Fault(429, False, 1)
        if self.fault_rate <= 0.0:
            return None
        with self._lock:
            if self._rng.random() >= self.fault_rate:
                return None
            status = 500 if self._rng.random() < 0.5 else 503
            after = status == 500 and is_write and self._rng.random() < 0.5
        return Fault(status, after, 1 if status == 503 else None)
