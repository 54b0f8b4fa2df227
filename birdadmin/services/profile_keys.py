"""Keyring and profile work for the window and the profile dialogs, on workers through a TaskRunner.

Every keyring call (read, store, forget, remove a profile with its keys) may wait: a locked Secret Service puts up
an unlock prompt and a D-Bus call may hang, so none runs on the GUI thread. One keyring call at a time per
owner: while one is out, ``busy`` is True and the owner's buttons that would start another are off. The keys a
connection uses are always chosen by ``store.keys.resolve_keys`` (typed, environment, session, keyring).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from birdadmin.connection_check import ConnectionReport
from birdadmin.errors import Explanation, SecretStoreError, explain
from birdadmin.services.tasks import TaskRunner
from birdadmin.store.keys import ResolvedKeys, forget_key, moved_keys, remove_profile, resolve_keys, store_key
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.store.secrets import KEY_KINDS, KeyKind, Secrets

CheckFunction = Callable[[Profile, str | None, str | None], ConnectionReport]


@dataclass(frozen=True, slots=True)
class KeyFailure:
    """How background work failed: the plain sentence, and whether the keyring itself was the problem (then the
    caller offers the key for this session only). Made on the worker, so no traceback (and no frame holding a
    key) crosses to the GUI thread."""

    explanation: Explanation
    keyring: bool

    @property
    def message(self) -> str:
        return self.explanation.message


@dataclass(frozen=True, slots=True)
class StoreOutcome:
    """What storing typed keys achieved: the profile as now recorded, how many keys were stored, and why the
    rest were not (the keys stored before a failure stay stored and recorded)."""

    profile: Profile
    stored: int
    failure: KeyFailure | None


Handler = Callable[[Any, KeyFailure | None], None]


def _guarded(work: Callable[[], Any]) -> Callable[[], tuple[Any, KeyFailure | None]]:
    def run() -> tuple[Any, KeyFailure | None]:
        try:
            return work(), None
        except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence for the dialog
            return None, KeyFailure(explain(exc), isinstance(exc, SecretStoreError))

    return run


class ProfileKeys(QObject):
    """Reads, stores and forgets a profile's keys off the GUI thread; answers come back on it.

    ``busyChanged`` and ``busy`` follow the keyring channel; ``done`` fires once an answer was handled (tests
    and callers wait on it); ``drop()`` abandons the call under way, whose answer is then ignored.
    """

    busyChanged = Signal(bool)  # noqa: N815 - Qt naming
    done = Signal()

    def __init__(self, profiles: ProfileStore, secrets: Secrets, session: Secrets, runner: TaskRunner,
                 *, channel: str = "keyring", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.profiles = profiles
        self.secrets = secrets
        self.session = session
        self.runner = runner
        self.channel = channel
        self.test_channel = f"{channel}:connection-test"
        runner.channel_busy_changed.connect(self._channel_busy)
        runner.done.connect(self._channel_done)

    @property
    def busy(self) -> bool:
        return self.runner.busy(self.channel)

    def drop(self) -> None:
        """Abandon the keyring call under way: its answer will be ignored."""
        self.runner.invalidate(self.channel)

    @Slot(str, bool)
    def _channel_busy(self, channel: str, busy: bool) -> None:
        if channel == self.channel:
            self.busyChanged.emit(busy)

    @Slot(str)
    def _channel_done(self, channel: str) -> None:
        if channel == self.channel:
            self.done.emit()

    def _start(self, work: Callable[[], Any], handler: Handler) -> bool:
        """One keyring call at a time: False (and nothing started) while one is out."""
        if self.busy:
            return False
        self._submit(work, handler, self.channel)
        return True

    def _submit(self, work: Callable[[], Any], handler: Handler, channel: str) -> None:
        self.runner.submit(
            _guarded(work),
            on_result=lambda outcome: handler(*outcome),
            on_error=lambda explanation: handler(None, KeyFailure(explanation, False)),
            channel=channel,
        )

    # -- the operations --------------------------------------------------------------------------------------

    def read_keys(self, profile: Profile, handler: Callable[[ResolvedKeys | None, KeyFailure | None], None]) -> bool:
        """The keys ``profile`` connects with, by the one rule (``resolve_keys``); False while busy."""
        secrets, session = self.secrets, self.session
        return self._start(lambda: resolve_keys(profile, secrets, session=session), handler)

    def keys_without_keyring(self, profile: Profile) -> ResolvedKeys:
        """The same rule without asking the keyring (it just failed): environment, then this session's keys.

        Sends nothing and reads only memory, so it runs on the GUI thread.
        """
        return resolve_keys(profile, None, session=self.session)

    def store_keys(self, profile: Profile, pending: list[tuple[KeyKind, str]],
                   handler: Callable[[StoreOutcome | None, KeyFailure | None], None]) -> bool:
        """Store typed keys in the keyring and record their fingerprints on the (already saved) profile."""
        profiles, secrets = self.profiles, self.secrets

        def work() -> StoreOutcome:
            current, stored = profile, 0
            try:
                for kind, key in pending:
                    current = store_key(profiles, secrets, current, kind, key)
                    stored += 1
            except Exception as exc:  # noqa: BLE001 - the keys stored so far must still be recorded
                return StoreOutcome(current, stored, KeyFailure(explain(exc), isinstance(exc, SecretStoreError)))
            return StoreOutcome(current, stored, None)

        return self._start(work, handler)

    def forget_keys(self, profile: Profile, handler: Handler) -> bool:
        """Forget the profile's keys, in memory and in the keyring."""
        for kind in KEY_KINDS:
            self.session.delete(profile.id, kind)
        profiles, secrets = self.profiles, self.secrets

        def work() -> None:
            current = profile
            for kind in KEY_KINDS:
                if current.has_key(kind):
                    current = forget_key(profiles, secrets, current, kind)

        return self._start(work, handler)

    def remove_profile(self, profile: Profile, handler: Handler) -> bool:
        """Forget the profile's keys, then delete the profile (it stays when a key cannot be forgotten)."""
        has_key = profile.has_key("scim") or profile.has_key("accounts")
        profiles, secrets, session = self.profiles, (self.secrets if has_key else None), self.session

        def removed(result: Any, failure: KeyFailure | None) -> None:
            if failure is None:
                for kind in KEY_KINDS:
                    session.delete(profile.id, kind)
            handler(result, failure)

        return self._start(lambda: remove_profile(profiles, secrets, profile), removed)

    def test_connection(self, profile: Profile, stored: Profile | None, typed: Mapping[str, str],
                        check: CheckFunction, handler: Handler, *, keep_stored: bool = False) -> None:
        """Test the fields of ``profile`` with the keys the rule picks; a newer test or ``drop_test`` wins.

        ``stored`` is the saved profile the fields belong to (its id finds the session and keyring keys). A stored
        key is never sent to an address it was not tested against (``store.keys.moved_keys``) unless
        ``keep_stored`` says it belongs there too: only a typed key is tested there.
        """
        secrets, session = self.secrets, self.session
        moved = moved_keys(stored, profile.base_url, profile.accounts_url) if stored is not None else ()

        def work() -> ConnectionReport:
            owner = profile if stored is None else profile.model_copy(
                update={"id": stored.id, "scim_key_fingerprint": stored.scim_key_fingerprint,
                        "accounts_key_fingerprint": stored.accounts_key_fingerprint})
            keys = resolve_keys(owner, secrets if stored is not None else None, session=session, typed=typed)
            scim, accounts = keys.scim, keys.accounts
            if not keep_stored and "scim" in moved and keys.scim_source != "typed":
                scim = None
            if not keep_stored and "accounts" in moved and keys.accounts_source != "typed":
                accounts = None
            return check(profile, scim, accounts)

        self._submit(work, handler, self.test_channel)

    def drop_test(self) -> None:
        """The fields changed: a running connection test describes old fields, so its answer is ignored."""
        self.runner.invalidate(self.test_channel)

    def testing(self) -> bool:
        return self.runner.busy(self.test_channel)
