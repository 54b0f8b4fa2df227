"""What one CLI invocation connects to, resolved once: flags, then profile, then environment, or the demo."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

from birdadmin import errors, in_flight
from birdadmin.cli.output import Output
from birdadmin.connection import ConnectionSpec, spec_for_emulator, spec_for_profile
from birdadmin.net.session import HttpSettings
from birdadmin.net.urls import org_id_from_url
from birdadmin.scim.client import ScimClient, ScimSettings
from birdadmin.scim.resources import RolesShape, RoleStrategy, is_uuid

if TYPE_CHECKING:
    from concurrent.futures import Future

    from birdadmin.bird.accounts import AccountsClient, TeamRoleChange
    from birdadmin.cli.guards import CliGuards
    from birdadmin.domain.catalogue import RoleCatalogue
    from birdadmin.domain.org_state import OrgState
    from birdadmin.domain.role_plan import RoleRequest
    from birdadmin.scim.resources import Group
    from birdadmin.scim.writes import RoleChange
    from birdadmin.store.journal import Journal
    from birdadmin.store.profiles import ProfileStore
    from birdadmin.store.secrets import SecretStore

log = logging.getLogger(__name__)

ACCESS_KEY_ENV = "BIRDADMIN_ACCESS_KEY"
ACCOUNTS_KEY_ENV = "BIRDADMIN_ACCOUNTS_KEY"


class CliContext:
    """Lazily opens the clients a command needs, and closes them (and a demo server) at the end."""

    def __init__(
        self,
        args: argparse.Namespace,
        out: Output,
        *,
        env: Mapping[str, str] | None = None,
        stdin: IO[str] | None = None,
    ) -> None:
        self._started = time.monotonic()
        self.args = args
        self.out = out
        self.env = os.environ if env is None else env
        self.stdin = stdin or sys.stdin
        self._connection: ConnectionSpec | None = None
        self._scim: ScimClient | None = None
        self._accounts: AccountsClient | None = None
        self._catalogue: RoleCatalogue | None = None
        self._catalogue_future: Future[None] | None = None
        self._emulator: Any = None
        self._guards: CliGuards | None = None
        self._journal: Journal | None = None
        self._profile_id: str | None = None
        self._writes_seen: list[dict[str, Any]] = []  # method, path and status of each write request, for the journal
        self.journal_note: dict[str, Any] = {}  # added to this command's entries (``journal undo``: which it undoes)
        in_flight.start()  # what a Ctrl+C reports is about this command's writes only

    # -- stores (profiles issue) ------------------------------------------------------------------------

    def profiles(self) -> ProfileStore:
        from birdadmin.store.profiles import ProfileStore

        return ProfileStore()

    def secrets(self) -> SecretStore:
        from birdadmin.store.secrets import SecretStore

        return SecretStore()

    # -- connection -------------------------------------------------------------------------------------

    def connection(self) -> ConnectionSpec:
        if self._connection is None:
            self._connection = self._resolve()
        return self._connection

    def _resolve(self) -> ConnectionSpec:
        args = self.args
        if getattr(args, "demo", False):
            if args.base_url or args.profile:
                raise errors.InputError("--demo starts a local demo organization; it cannot be combined with "
                                        "--base-url or --profile.")
            return self._demo_connection(self._scim_settings(), self._http_settings())
        if args.profile:
            if args.base_url or args.accounts_url:
                raise errors.InputError(
                    "--profile cannot be combined with --base-url or --accounts-url: the profile's stored keys "
                    "would be sent to another server. Edit the profile, or pass the URL and the key instead."
                )
            return self._profile_connection(args.profile)
        env_key = (self.env.get(ACCESS_KEY_ENV) or "").strip() or None
        env_accounts_key = (self.env.get(ACCOUNTS_KEY_ENV) or "").strip() or None
        if not args.base_url:
            raise errors.InputError(
                "No organization given: pass --base-url URL (with the key in $BIRDADMIN_ACCESS_KEY), "
                "--profile NAME, or --demo."
            )
        if not env_key:
            raise errors.InputError(f"No access key: set {ACCESS_KEY_ENV} (or use --profile with a stored key).")
        scim, http = self._scim_settings(), self._http_settings()
        return ConnectionSpec(
            base_url=args.base_url,
            key=env_key,
            accounts_url=args.accounts_url,
            accounts_key=env_accounts_key,
            org_id=args.org_id or org_id_from_url(args.base_url),
            scim=scim,
            http=http,
            label=args.base_url,
        )

    def _scim_settings(self, base: ScimSettings | None = None) -> ScimSettings:
        """Command-line choices over ``base`` (a profile's, or Bird's defaults)."""
        args, base = self.args, base or ScimSettings()
        return dataclasses.replace(
            base,
            roles_shape=RolesShape(args.roles_shape) if args.roles_shape else base.roles_shape,
            role_strategy=RoleStrategy(args.role_strategy) if args.role_strategy else base.role_strategy,
            page_size=args.page_size,
            concurrency=args.concurrency,
        )

    def _http_settings(self, base: HttpSettings | None = None) -> HttpSettings:
        args, base = self.args, base or HttpSettings()
        limit = getattr(args, "command_max_time", None)  # audit, snapshot and report: the whole command's limit
        stop = {} if not limit else {
            "stop_at": self._started + limit,
            "stop_reason": f"The command took longer than the {limit:g} seconds allowed (--max-time) and was "
                           "stopped before it finished reading the organization; nothing was changed.",
        }
        return dataclasses.replace(
            base, timeout=args.timeout or base.timeout, ca_bundle=args.ca_bundle or base.ca_bundle, **stop
        )

    def _profile_connection(self, name: str) -> ConnectionSpec:
        from birdadmin.store.keys import resolve_keys

        args = self.args
        profile = self.profiles().get(name)
        keys = resolve_keys(profile, self.secrets(), environ=self.env)
        key, accounts_key = keys.scim, keys.accounts
        if not key:
            raise errors.InputError(
                f"Profile {profile.name!r} has no stored SCIM key; store one with "
                f"'birdadmin-cli profiles set-key {profile.name}' or set {ACCESS_KEY_ENV}."
            )
        spec = spec_for_profile(profile, key, accounts_key)
        self._profile_id = profile.id
        return dataclasses.replace(
            spec,
            label=f"profile {profile.name}",
            org_id=args.org_id or spec.org_id or org_id_from_url(spec.base_url),
            scim=self._scim_settings(spec.scim),
            http=self._http_settings(spec.http),
        )

    def _demo_connection(self, scim: ScimSettings, http: HttpSettings) -> ConnectionSpec:
        from birdadmin.emulator import EmulatorOptions, start_emulator

        self._emulator = start_emulator(EmulatorOptions(port=0))
        spec = spec_for_emulator(self._emulator, label="demo organization")
        return dataclasses.replace(spec, scim=scim, http=http)

    def require_writable(self, what: str) -> None:
        """Refuse a write on a read-only connection before anything is sent (``ConnectionSpec.require_writable``)."""
        self.connection().require_writable(what)
        try:
            self.journal()  # a journal that cannot be opened refuses the write before anything is sent
        except errors.ConfigError as exc:
            raise errors.ConfigError(f"{exc.message.rstrip('.')}; {what} was refused, so nothing was sent.") from exc

    # -- clients ----------------------------------------------------------------------------------------

    def scim(self) -> ScimClient:
        if self._scim is None:
            conn = self.connection()
            self._scim = ScimClient(conn.base_url, conn.key, settings=conn.scim, http=conn.http)
            self._watch_writes(self._scim)
        return self._scim

    def has_accounts(self) -> bool:
        return self.connection().has_accounts

    def accounts(self) -> AccountsClient:
        if self._accounts is None:
            from birdadmin.bird.accounts import AccountsClient

            conn = self.connection()
            if not conn.accounts_url or not conn.accounts_key:
                raise errors.InputError(
                    "This needs Bird's Accounts API: pass --accounts-url URL and set "
                    f"{ACCOUNTS_KEY_ENV} (or store an Accounts key in the profile)."
                )
            if not conn.org_id:
                raise errors.InputError(
                    "The organization ID is unknown: pass --org-id (it could not be read from the Base URL)."
                )
            self._accounts = AccountsClient(conn.accounts_url, conn.org_id, conn.accounts_key, http=conn.http)
            self._watch_writes(self._accounts)
        return self._accounts

    def catalogue(self) -> RoleCatalogue:
        """This connection's role catalogue, built as the window builds it (``catalogue_source.build_catalogue``):
        Bird's role names when the Accounts API is configured, and the local names kept for this organization."""
        if self._catalogue_future is not None:
            future, self._catalogue_future = self._catalogue_future, None
            future.result()  # built, or failed: then it is built again here, and its error raised on this thread
        if self._catalogue is None:
            self._catalogue = self._build_catalogue()
        return self._catalogue

    def _build_catalogue(self) -> RoleCatalogue:
        from birdadmin.catalogue_source import build_catalogue

        roles = self.accounts().list_roles() if self.has_accounts() else None
        catalogue, warnings = build_catalogue(self.connection().names_key, roles)
        for warning in warnings:
            self.out.error(f"birdadmin-cli: {warning.message} Local role names are not used.")
        return catalogue

    def prefetch_catalogue(self) -> None:
        """Start building the catalogue on a thread, so its requests overlap a listing's; ``catalogue()`` joins it."""
        if self._catalogue is not None or self._catalogue_future is not None:
            return
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cli-catalogue")

        def build() -> None:
            try:
                self._catalogue = self._build_catalogue()
            except Exception:  # raised again when catalogue() builds it on the main thread
                log.debug("building the role catalogue in the background failed", exc_info=True)

        self._catalogue_future = pool.submit(build)
        pool.shutdown(wait=False)

    def role_request(self, args: argparse.Namespace, command: str, subject: str) -> RoleRequest:
        """The ROLE arguments of an add/remove/set command, checked and resolved before anything is written.

        The rules (at least one role; ``set`` with none needs ``--allow-empty``) are ``domain.role_plan``'s; a write
        on a read-only connection is refused here too, before any request.
        """
        from birdadmin.domain.role_plan import RoleRequest

        # The request's own checks run on the arguments as typed, before resolving names can send anything.
        RoleRequest(args.action, tuple(args.roles), getattr(args, "allow_empty", False), command, subject)
        roles = self.resolve_roles(args.roles)
        if args.action != "remove" and not getattr(args, "allow_unknown_role", False):
            # A mistyped UUID is refused while a catalogue can tell (removing one is how stale roles are cleaned up)
            self.catalogue().refuse_unknown(roles)
        request = RoleRequest(args.action, tuple(roles), getattr(args, "allow_empty", False), command, subject)
        if not args.dry_run:
            self.require_writable(f"'{command} {args.action}'")
        return request

    def resolve_roles(self, tokens: Sequence[str]) -> list[str]:
        """Role UUIDs from UUIDs or names; all-or-nothing, and before any write is sent."""
        cleaned = [t.strip() for t in tokens]
        if all(is_uuid(t) for t in cleaned):
            return list(dict.fromkeys(t.lower() for t in cleaned))
        catalogue = self.catalogue()
        if not catalogue.has_names():
            bad = next(t for t in cleaned if not is_uuid(t))
            raise errors.InputError(
                f"{bad!r} is not a role UUID; role names need the Accounts API "
                f"(--accounts-url and {ACCOUNTS_KEY_ENV}) or local role names."
            )
        return list(dict.fromkeys(catalogue.resolve_many(cleaned)))

    def role_label(self, role_id: str) -> str:
        """A role's name when any names are known (from Bird or local), else its UUID."""
        catalogue = self.catalogue()
        return catalogue.name_for(role_id) if catalogue.has_names() else role_id

    # -- guards before a write (cli/guards.py) ------------------------------------------------------------------

    def guards(self) -> CliGuards:
        """What runs the guards of domain/guards.py before this command's writes (it loads what they need)."""
        if self._guards is None:
            from birdadmin.cli.guards import CliGuards

            self._guards = CliGuards(self)
        return self._guards

    def org_state(self) -> OrgState:
        """The whole organization as one ``OrgState`` (audits, snapshots, reports), loaded as the window loads it
        and once per command; a listing cut short is an error (exit 5), so what it holds is complete."""
        from birdadmin.org_load import org_state

        guards = self.guards()
        users = guards.organization().users
        conn = self.connection()
        return org_state(users, guards.organization_data(), label=conn.label, profile=conn.profile_name or "")

    # -- the journal (store/journal.py) ------------------------------------------------------------------------

    def journal(self) -> Journal:
        """The change journal, opened on first use (writes and ``journal`` commands only; reads never open it)."""
        if self._journal is None:
            from birdadmin.store.journal import Journal

            self._journal = Journal().open()
        return self._journal

    def _watch_writes(self, client: Any) -> None:
        """Note each write request's method, path and status (never headers or bodies) for the journal."""
        http = getattr(getattr(client, "_session", None), "_client", None)
        if http is None:
            return

        def seen(response: Any) -> None:
            method = response.request.method
            if method not in ("GET", "HEAD"):
                self._writes_seen.append({"method": method, "path": response.request.url.path,
                                          "status": response.status_code})

        http.event_hooks["response"].append(seen)

    def connection_record(self) -> dict[str, Any]:
        """Which connection a journal entry was made on: a profile by name and id, else the Base URL (no key)."""
        from birdadmin.journal_entries import connection_record

        conn = self.connection()
        profile = (conn.profile_name, self._profile_id) if conn.profile_name is not None else None
        return connection_record(conn.base_url, profile=profile, demo=self._emulator is not None)

    def journal_append(self, content: dict[str, Any] | None) -> None:
        """Write one change to the journal in its envelope (who, when, which organization); None writes nothing."""
        if content is None:  # nothing was changed: nothing to record
            return
        from birdadmin.journal_entries import envelope, take_requests
        from birdadmin.store.journal import JournalNotWritten, now_utc, os_user

        entry = envelope(content, time=now_utc(), os_user=os_user(), profile=self.connection_record(),
                         requests=take_requests(self._writes_seen, content), extra=self.journal_note)
        try:
            self.journal().append(entry)
        except errors.BirdadminError as exc:
            target = content.get("target") or {}
            raise JournalNotWritten(
                f"The change to {target.get('kind', '')} {target.get('name') or target.get('id')} WAS applied on the "
                f"server ({content.get('status')}), but the journal could not record it: {exc.message} "
                "Nothing is undone; note the change yourself."
            ) from exc

    def journal_user_roles(self, request: RoleRequest, result: RoleChange) -> None:
        """After a user role write: one entry, unless nothing changed."""
        from birdadmin.journal_entries import user_roles_entry

        self.journal_append(user_roles_entry(request, result))

    def journal_members(self, action: str, group: Group, before: Iterable[str], ids: Sequence[str]) -> None:
        """After a membership write: one entry (``before``: the member ids read before it)."""
        from birdadmin.journal_entries import members_entry

        self.journal_append(members_entry(action, group, list(before), list(ids)))

    def journal_team_roles(self, action: str, result: TeamRoleChange) -> None:
        """After a group (team) role write: one entry, unless nothing changed."""
        from birdadmin.journal_entries import team_roles_entry

        self.journal_append(team_roles_entry(action, result))

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self._catalogue_future is not None:
            self._catalogue_future.exception()  # let a background build finish before its clients are closed
            self._catalogue_future = None
        for client in (self._scim, self._accounts):
            if client is not None:
                client.close()
        if self._emulator is not None:
            self._emulator.stop()
            self._emulator = None
