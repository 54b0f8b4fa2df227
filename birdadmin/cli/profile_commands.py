"""The ``birdadmin-cli profiles`` commands (registered in cli/profiles.py, imported only when one runs)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import IO, Any

import httpx

from birdadmin.connection_check import ConnectionReport, check_connection
from birdadmin.domain.thresholds import MAX_BATCH_THRESHOLD
from birdadmin.errors import InputError, SecretStoreError
from birdadmin.net.urls import check_server_url, org_id_from_url
from birdadmin.scim.resources import RolesShape, RoleStrategy, is_uuid
from birdadmin.store.keys import forget_key, moved_keys, remove_profile, resolve_keys, store_key
from birdadmin.store.profiles import Profile, ProfileStore, validate_profile_fields
from birdadmin.store.secrets import (
    ACCESS_KEY_ENV,
    KeyKind,
    SecretStore,
    clean_key,
    key_label,
)

__all__ = ["cmd_add", "cmd_edit", "cmd_forget_key", "cmd_list", "cmd_remove", "cmd_set_key", "cmd_test"]

COLUMNS = ["name", "base_url", "org_id", "read_only", "scim_key", "scim_key_stored", "accounts_key",
           "accounts_key_stored"]


# -- helpers -----------------------------------------------------------------------------------------------


def _stdin(ctx: Any) -> IO[str]:
    return getattr(ctx, "stdin", None) or sys.stdin


def _read_line(ctx: Any, kind: KeyKind) -> str:
    line = _stdin(ctx).readline()
    if not line:
        raise InputError(f"Expected the {key_label(kind)} on stdin, but stdin ended.")
    return clean_key(line, kind)


def _prompt(ctx: Any, kind: KeyKind, *, optional: bool = False) -> str | None:
    stream = _stdin(ctx)
    if not (hasattr(stream, "isatty") and stream.isatty()):
        raise InputError(
            f"There is no terminal to type the {key_label(kind)} into; pipe it with --key-stdin"
            + (" / --accounts-key-stdin" if kind == "accounts" else "")
            + " or pass --no-key."
        )
    suffix = " (leave empty to skip)" if optional else ""
    typed = getpass.getpass(f"{key_label(kind)}{suffix}: ")
    if optional and not typed.strip():
        return None
    return clean_key(typed, kind)


def _date(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _row(profile: Profile, last_used: str | None) -> dict[str, Any]:
    return {
        "name": profile.name,
        "base_url": profile.base_url,
        "org_id": profile.org_id,
        "read_only": profile.read_only,
        "scim_key": profile.scim_key_fingerprint or "",
        "scim_key_stored": _date(profile.scim_key_stored_at),
        "accounts_key": profile.accounts_key_fingerprint or "",
        "accounts_key_stored": _date(profile.accounts_key_stored_at),
        "id": profile.id,
        "accounts_url": profile.accounts_url,
        "roles_shape": profile.roles_shape.value,
        "role_strategy": profile.role_strategy.value,
        "ca_bundle": profile.ca_bundle,
        "timeout": profile.timeout,
        "batch_threshold": profile.batch_threshold,
        "owner_role_id": profile.owner_role_id,
        "last_used": profile.name == last_used,
    }


def _refuse_if_invalid(problems: dict[str, str]) -> None:
    if problems:
        raise InputError(" ".join(problems.values()))


def _guard_fields(args: argparse.Namespace) -> dict[str, Any]:
    """``--batch-threshold`` and ``--owner-role`` as profile fields (those given), each problem one sentence."""
    fields: dict[str, Any] = {}
    if args.p_batch_threshold is not None:
        if not 1 <= args.p_batch_threshold <= MAX_BATCH_THRESHOLD:
            raise InputError(f"The batch threshold must be a whole number from 1 to {MAX_BATCH_THRESHOLD:,}.")
        fields["batch_threshold"] = args.p_batch_threshold
    if args.p_owner_role is not None:
        owner = args.p_owner_role.strip().lower() or None
        if owner is not None and not is_uuid(owner):
            raise InputError("The Owner role must be a role UUID like 123e4567-e89b-12d3-a456-426614174000.")
        fields["owner_role_id"] = owner
    return fields


def _optional_text(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _show(ctx: Any, profile: Profile, store: ProfileStore) -> None:
    if ctx.out.format != "table":
        ctx.out.emit_one(_row(profile, store.last_used()))


# -- commands ----------------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace, ctx: Any) -> int:
    store: ProfileStore = ctx.profiles()
    last = store.last_used()
    profiles = store.list()
    if not profiles and ctx.out.format == "table":
        ctx.out.message("No profiles yet; add one with: birdadmin-cli profiles add NAME --base-url URL")
        return 0
    ctx.out.emit([_row(p, last) for p in profiles], COLUMNS)
    return 0


def cmd_add(args: argparse.Namespace, ctx: Any) -> int:
    store: ProfileStore = ctx.profiles()
    accounts_url = _optional_text(args.p_accounts_url)
    org_id = _optional_text(args.p_org_id)
    timeout = args.p_timeout if args.p_timeout is not None else 30.0
    ca_bundle = _optional_text(args.p_ca_bundle)
    _refuse_if_invalid(
        validate_profile_fields(args.name, args.p_base_url, accounts_url, ca_bundle, timeout, store.names(),
                                org_id=org_id)
    )
    guard_fields = _guard_fields(args)
    scim_key, accounts_key = _keys_for_new_profile(args, ctx, accounts_url)
    secrets = _checked_secrets(ctx) if scim_key or accounts_key else None
    profile = store.add(
        Profile(
            name=args.name,
            base_url=args.p_base_url,
            accounts_url=accounts_url,
            org_id=org_id,
            roles_shape=RolesShape(args.p_roles_shape or RolesShape.STRINGS),
            role_strategy=RoleStrategy(args.p_role_strategy or RoleStrategy.REPLACE),
            ca_bundle=ca_bundle,
            timeout=timeout,
            read_only=bool(args.p_read_only),
            **guard_fields,
        )
    )
    notes = [f"Added profile '{profile.name}'" + (f" for organization {profile.org_id}." if profile.org_id else ".")]
    for kind, key in (("scim", scim_key), ("accounts", accounts_key)):
        if key and secrets is not None:
            profile = store_key(store, secrets, profile, kind, key)  # type: ignore[arg-type]
            fp = profile.scim_key_fingerprint if kind == "scim" else profile.accounts_key_fingerprint
            notes.append(f"The {key_label(kind)} is stored in the OS keyring (ends {fp}).")  # type: ignore[arg-type]
    if not scim_key:
        notes.append(f"No SCIM key stored; add one with: birdadmin-cli profiles set-key {profile.name}")
    notes.append(f"Test it with: birdadmin-cli profiles test {profile.name}")
    for line in notes:
        ctx.out.message(line)
    _show(ctx, profile, store)
    return 0


def _keys_for_new_profile(
    args: argparse.Namespace, ctx: Any, accounts_url: str | None
) -> tuple[str | None, str | None]:
    """The (SCIM, Accounts API) keys ``profiles add`` should store: read from stdin, typed at a prompt, or none."""
    if args.p_no_key and (args.p_key_stdin or args.p_accounts_key_stdin):
        raise InputError("--no-key cannot be combined with --key-stdin or --accounts-key-stdin.")
    if args.p_accounts_key_stdin and not accounts_url:
        raise InputError("--accounts-key-stdin needs --accounts-url: an Accounts API key is of no use without it.")
    scim_key: str | None = None
    accounts_key: str | None = None
    if args.p_key_stdin:
        scim_key = _read_line(ctx, "scim")
    if args.p_accounts_key_stdin:
        accounts_key = _read_line(ctx, "accounts")
    if not args.p_no_key:
        if scim_key is None:
            scim_key = _prompt(ctx, "scim")
        if accounts_key is None and accounts_url and not args.p_key_stdin:
            accounts_key = _prompt(ctx, "accounts", optional=True)
    return scim_key, accounts_key


def _checked_secrets(ctx: Any) -> SecretStore:
    """The keyring, checked before the profile exists, so a missing keyring leaves nothing half-made."""
    secrets: SecretStore = ctx.secrets()
    try:
        secrets.check()
    except SecretStoreError as exc:
        raise SecretStoreError(
            f"{exc.message} For scripts, add the profile with --no-key and set {ACCESS_KEY_ENV} instead.",
            details=exc.details,
        ) from None
    return secrets


def cmd_edit(args: argparse.Namespace, ctx: Any) -> int:
    store: ProfileStore = ctx.profiles()
    old = store.get(args.name)
    data = old.model_dump()
    if args.p_rename is not None:
        data["name"] = args.p_rename
    if args.p_base_url is not None:
        data["base_url"] = args.p_base_url
        if args.p_org_id is None and old.org_id == org_id_from_url(old.base_url):
            data["org_id"] = None  # it was read from the old URL: read it from the new one
    if args.p_accounts_url is not None:
        data["accounts_url"] = _optional_text(args.p_accounts_url)
    if args.p_org_id is not None:
        data["org_id"] = _optional_text(args.p_org_id)
    if args.p_roles_shape is not None:
        data["roles_shape"] = args.p_roles_shape
    if args.p_role_strategy is not None:
        data["role_strategy"] = args.p_role_strategy
    if args.p_ca_bundle is not None:
        data["ca_bundle"] = _optional_text(args.p_ca_bundle)
    if args.p_timeout is not None:
        data["timeout"] = args.p_timeout
    if args.p_read_only is not None:
        data["read_only"] = args.p_read_only
    data.update(_guard_fields(args))
    others = [p.name for p in store.list() if p.id != old.id]
    _refuse_if_invalid(
        validate_profile_fields(
            data["name"], data["base_url"], data["accounts_url"],
            data["ca_bundle"] if data["ca_bundle"] != old.ca_bundle else None,
            data["timeout"], others, org_id=data["org_id"],
        )
    )
    if args.p_accounts_key_stdin and not data["accounts_url"]:
        raise InputError(f"Profile '{old.name}' has no Accounts API URL; set it with --accounts-url first.")
    if not args.p_keep_keys:
        _refuse_moving_stored_keys(old, data, args)
    new_keys: list[tuple[KeyKind, str]] = []
    if args.p_key_stdin:
        new_keys.append(("scim", _read_line(ctx, "scim")))
    if args.p_accounts_key_stdin:
        new_keys.append(("accounts", _read_line(ctx, "accounts")))
    candidate = Profile.model_validate(data)
    if new_keys:
        # Every new key is tested against the edited settings before anything is written: a key that fails
        # leaves the whole profile as it was, not half edited.
        secrets: SecretStore = ctx.secrets()
        secrets.check()
        for kind, key in new_keys:
            code = _test_new_key(ctx, candidate, kind, key, had_key=old.has_key(kind))
            if code:
                ctx.out.error(f"Profile '{old.name}' was not changed.")
                return code
    profile = store.update(candidate)
    ctx.out.message(f"Updated profile '{profile.name}'.")
    for kind, key in new_keys:
        _store_tested_key(ctx, store, secrets, profile, kind, key)
        profile = store.get_by_id(profile.id)
    _show(ctx, profile, store)
    return 0


def _refuse_moving_stored_keys(old: Profile, data: dict[str, Any], args: argparse.Namespace) -> None:
    """A stored key belongs to the server it was tested against (``store.keys.moved_keys``): a new URL must come
    with its key, or with ``--keep-keys`` saying the stored one belongs there too."""
    given = {"scim": (args.p_key_stdin, "Base URL", old.base_url, data["base_url"], "--key-stdin"),
             "accounts": (args.p_accounts_key_stdin, "Accounts API URL", old.accounts_url, data["accounts_url"],
                          "--accounts-key-stdin")}
    for kind in moved_keys(old, data["base_url"], data["accounts_url"]):
        typed, what, before, after, option = given[kind]
        if typed:
            continue
        new_host, old_host = httpx.URL(str(check_server_url(after))).host, httpx.URL(before or "").host
        where = f"{new_host} instead of {old_host}" if before and new_host != old_host else "another address"
        raise InputError(
            f"Profile '{old.name}' has a stored {key_label(kind)}, and the new {what} points it at {where}; "
            f"give the key for the new {what} with {option} (it is tested there first), or pass --keep-keys "
            "if the stored key belongs there too. Nothing was changed."
        )


def cmd_remove(args: argparse.Namespace, ctx: Any) -> int:
    store: ProfileStore = ctx.profiles()
    profile = store.get(args.name)
    had_keys = profile.has_key("scim") or profile.has_key("accounts")
    remove_profile(store, ctx.secrets() if had_keys else None, profile)
    ctx.out.message(f"Removed profile '{profile.name}'" + (" and forgot its keys." if had_keys else "."))
    return 0


def _report_lines(ctx: Any, profile: Profile, report: ConnectionReport) -> None:
    if ctx.out.format == "table":
        ctx.out.message(f"Profile '{profile.name}' ({profile.base_url}):")
        for line in report.lines():
            ctx.out.message(f"  {line}")
    else:
        ctx.out.emit_one(
            {
                "name": profile.name,
                "ok": report.ok,
                "reachable": report.reachable,
                "key_accepted": report.key_accepted,
                "user_count": report.user_count,
                "etag": getattr(report.capabilities, "etag", None),
                "filter": getattr(report.capabilities, "filter", None),
                "max_results": getattr(report.capabilities, "max_results", None),
                "patch": getattr(report.capabilities, "patch", None),
                "roles_available": report.roles_available,
                "role_count": report.role_count,
                "messages": report.lines(),
            }
        )


def cmd_test(args: argparse.Namespace, ctx: Any) -> int:
    store: ProfileStore = ctx.profiles()
    profile = store.get(args.name)
    keys = resolve_keys(profile, ctx.secrets(), environ=getattr(ctx, "env", None))
    scim_key, accounts_key = keys.scim, keys.accounts
    if not scim_key and not accounts_key:
        raise InputError(
            f"Profile '{profile.name}' has no stored key; store one with "
            f"'birdadmin-cli profiles set-key {profile.name}' or set BIRDADMIN_ACCESS_KEY."
        )
    report = check_connection(profile, scim_key, accounts_key)
    _report_lines(ctx, profile, report)
    return report.exit_code


def _replace_key(ctx: Any, store: ProfileStore, profile: Profile, kind: KeyKind, key: str) -> int:
    """Rotate: test the new key against the server, and only when it works replace the stored one."""
    if kind == "accounts" and not profile.accounts_url:
        raise InputError(f"Profile '{profile.name}' has no Accounts API URL; set it with --accounts-url first.")
    secrets: SecretStore = ctx.secrets()
    secrets.check()  # before the test, so the person learns about a locked keyring first
    code = _test_new_key(ctx, profile, kind, key, had_key=profile.has_key(kind))
    if code:
        return code
    _store_tested_key(ctx, store, secrets, profile, kind, key)
    return 0


def _test_new_key(ctx: Any, profile: Profile, kind: KeyKind, key: str, *, had_key: bool) -> int:
    """0 when ``key`` works with ``profile``'s settings; otherwise say why on stderr and return the exit code."""
    report = (
        check_connection(profile, key, None) if kind == "scim" else check_connection(profile, None, key)
    )
    accepted = report.key_accepted if kind == "scim" else report.accounts_key_accepted
    if accepted:
        return 0
    keep = "the stored key is unchanged" if had_key else "nothing was stored"
    ctx.out.error(f"The new {key_label(kind)} did not pass the test, so {keep}:")
    for line in report.lines():
        ctx.out.error(f"  {line}")
    return report.exit_code or 1


def _store_tested_key(
    ctx: Any, store: ProfileStore, secrets: SecretStore, profile: Profile, kind: KeyKind, key: str
) -> None:
    updated = store_key(store, secrets, profile, kind, key)
    fp = updated.scim_key_fingerprint if kind == "scim" else updated.accounts_key_fingerprint
    verb = "replaced" if profile.has_key(kind) else "stored"
    ctx.out.message(f"The new {key_label(kind)} works and is {verb} in the OS keyring (ends {fp}).")


def cmd_set_key(args: argparse.Namespace, ctx: Any) -> int:
    store: ProfileStore = ctx.profiles()
    profile = store.get(args.name)
    kind: KeyKind = "accounts" if args.p_accounts else "scim"
    if kind == "accounts" and not profile.accounts_url:
        raise InputError(f"Profile '{profile.name}' has no Accounts API URL; set it with 'profiles edit "
                         f"{profile.name} --accounts-url URL' first.")
    key = _read_line(ctx, kind) if args.p_key_stdin else _prompt(ctx, kind)
    assert key is not None
    return _replace_key(ctx, store, profile, kind, key)


def cmd_forget_key(args: argparse.Namespace, ctx: Any) -> int:
    store: ProfileStore = ctx.profiles()
    profile = store.get(args.name)
    kind: KeyKind = "accounts" if args.p_accounts else "scim"
    had = profile.has_key(kind)
    forget_key(store, ctx.secrets(), profile, kind)
    ctx.out.message(
        f"Forgot the {key_label(kind)} of profile '{profile.name}'."
        if had
        else f"Profile '{profile.name}' had no stored {key_label(kind)}; the keyring entry (if any) is gone."
    )
    return 0
