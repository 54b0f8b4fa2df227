"""``keys list|create|revoke|rotate``: the organization's access keys (docs/bird.md A7 to A9).

``create`` prints the new secret once, to stdout, only when it is not stored (``--store-for PROFILE`` stores it
in the keyring and prints only its suffix). ``revoke`` asks for a confirmation (``--yes``, or a typed "yes" on a
terminal, as cli/confirm.py) before revoking the key this connection uses or the last key holding Owner or one
of the profile's sensitive roles. ``rotate`` runs services/key_rotation.py and prints each step.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, Literal

from birdadmin import errors

if TYPE_CHECKING:
    from birdadmin.bird.access_keys import AccessKey, AccessKeys
    from birdadmin.cli.context import CliContext
    from birdadmin.services.key_rotation import RotationResult

LIST_COLUMNS = ["id", "name", "suffix", "roles", "createdAt", "lastUsedAt"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = commands.add_parser("keys", help="the organization's access keys: list, create, revoke, rotate")
    sub = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    sub.add_parser("list", help="every access key: name, suffix, roles, created, last used").set_defaults(
        handler=list_keys
    )
    create = sub.add_parser("create", help="create a key; its secret is shown once (or stored with --store-for)")
    create.add_argument("name", metavar="NAME")
    create.add_argument("--role", dest="roles", action="append", required=True, metavar="ROLE",
                        help="a role UUID or name the key holds (repeatable)")  # fmt: skip
    create.add_argument("--description", default="", metavar="TEXT")
    create.add_argument("--store-for", metavar="PROFILE", help="store the secret in the keyring for this profile "
                        "(only its suffix is printed)")  # fmt: skip
    create.add_argument("--kind", choices=("scim", "accounts"), default="scim",
                        help="with --store-for: store it as the profile's SCIM key (default) or Accounts API key")
    create.set_defaults(handler=create_key)
    revoke = sub.add_parser("revoke", help="revoke a key by id or name (it stops working at once)")
    revoke.add_argument("key", metavar="ID|NAME")
    revoke.add_argument("--yes", action="store_true", help="answer the confirmation (for scripts)")
    revoke.set_defaults(handler=revoke_key)
    rotate = sub.add_parser("rotate", help="rotate the key a profile uses (--profile NAME): create, store, test, "
                            "switch, revoke; any failure leaves a working key")  # fmt: skip
    rotate.add_argument("--accounts", action="store_true", help="rotate the profile's Accounts API key, not SCIM's")
    rotate.set_defaults(handler=rotate_key)


def _adapter(ctx: CliContext) -> AccessKeys:
    from birdadmin.bird.access_keys import AccessKeys

    return AccessKeys(ctx.accounts())


def _record(key: AccessKey) -> dict[str, Any]:
    return {"id": key.id, "name": key.name, "suffix": key.suffix,
            "roles": list(key.role_ids) if key.role_ids is not None else None,
            "createdAt": key.created_at, "lastUsedAt": key.last_used_at}  # fmt: skip


def list_keys(args: argparse.Namespace, ctx: CliContext) -> int:
    keys = _adapter(ctx).list()
    rows = [_record(k) for k in keys]
    if ctx.out.format == "table":
        for row in rows:
            row["roles"] = ", ".join(ctx.role_label(r) for r in row["roles"] or ()) or "-"
    ctx.out.emit(rows, LIST_COLUMNS)
    if ctx.out.format == "table":
        ctx.out.message(f"{len(rows)} access keys")
    return 0


def create_key(args: argparse.Namespace, ctx: CliContext) -> int:
    from birdadmin.journal_entries import key_created_entry

    ctx.require_writable("creating an access key")  # read-only, or a journal that cannot be opened: nothing sent
    profile = ctx.profiles().get(args.store_for) if args.store_for else None  # an unknown profile: nothing created
    role_ids = ctx.resolve_roles(args.roles)
    key, secret = _adapter(ctx).create(args.name, args.description, role_ids)
    if profile is None:
        ctx.out.error("birdadmin-cli: the secret below is shown once; store it now (it cannot be shown again).")
        ctx.out.stdout.write(secret + "\n")
        ctx.out.stdout.flush()
        ctx.journal_append(key_created_entry(key, role_ids))  # after the secret is shown: a journal failure exits 6
        return 0
    from birdadmin.store.keys import store_key

    try:
        store_key(ctx.profiles(), ctx.secrets(), profile, args.kind, secret)
    except (errors.BirdadminError, ValueError) as exc:
        failed = (f"The key {key.name!r} (…{key.suffix}, id {key.id}) was created but could not be stored "
                  f"({errors.explain(exc).message.rstrip('.')}); its secret is lost, so revoke it with "
                  f"'birdadmin-cli keys revoke {key.id}'.")
        ctx.journal_append(key_created_entry(key, role_ids, reason=failed))
        raise errors.SecretStoreError(failed) from None
    ctx.journal_append(key_created_entry(key, role_ids))
    ctx.out.message(f"Created access key {key.name!r} …{key.suffix} (id {key.id}) and stored it as the "
                    f"{args.kind} key of profile {profile.name!r}.")  # fmt: skip
    return 0


def _find(keys: list[AccessKey], token: str) -> AccessKey:
    by_id = [k for k in keys if k.id.lower() == token.strip().lower()]
    if by_id:
        return by_id[0]
    named = [k for k in keys if k.name.casefold() == token.strip().casefold()]
    if len(named) == 1:
        return named[0]
    if named:
        raise errors.InputError(f"{len(named)} access keys are named {token!r}; revoke one by its id.")
    raise errors.InputError(f"No access key has the id or name {token!r}; 'birdadmin-cli keys list' shows them.")


def revoke_warnings(keys: list[AccessKey], target: AccessKey, in_use: list[AccessKey],
                    sensitive: frozenset[str]) -> list[str]:  # fmt: skip
    """Why revoking ``target`` needs a confirmation: the key in use, or the last holder of a sensitive role."""
    found = []
    if any(k.id == target.id for k in in_use):
        found.append(f"Access key {target.name!r} is the key this connection uses; revoking it locks it out.")
    others = {r.lower() for k in keys if k.id != target.id for r in k.role_ids or ()}
    unknown_others = any(k.role_ids is None for k in keys if k.id != target.id)
    last = [r for r in target.role_ids or () if r.lower() in sensitive and r.lower() not in others]
    if last and not unknown_others:
        found.append(f"Access key {target.name!r} is the last key holding a sensitive role ({', '.join(last)}).")
    return found


def _confirm(ctx: CliContext, warnings: list[str], yes: bool) -> None:
    from birdadmin.cli.confirm import PROMPT, _is_terminal

    if not warnings:
        return
    if yes:
        for text in warnings:
            ctx.out.error(f"birdadmin-cli: --yes answered: {text}")
        return
    if _is_terminal(ctx.stdin) and _is_terminal(ctx.out.stderr):
        for text in warnings:
            ctx.out.error(f"birdadmin-cli: {text}")
        ctx.out.stderr.write(PROMPT)
        ctx.out.stderr.flush()
        if ctx.stdin.readline().strip() == "yes":
            return
        raise errors.InputError("Not confirmed (yes was not typed), so no key was revoked.")
    raise errors.InputError(" ".join(warnings) + " Pass --yes to revoke it anyway; no key was revoked.")


def revoke_key(args: argparse.Namespace, ctx: CliContext) -> int:
    from birdadmin.bird.access_keys import key_for_secret
    from birdadmin.domain.guards import owner_role_ids
    from birdadmin.journal_entries import key_revoked_entry

    conn = ctx.connection()
    ctx.require_writable("revoking an access key")
    adapter = _adapter(ctx)
    keys = adapter.list()
    target = _find(keys, args.key)
    in_use = [k for s in (conn.key, conn.accounts_key) if s for k in [key_for_secret(keys, s)] if k is not None]
    sensitive = owner_role_ids(ctx.catalogue(), conn.owner_role_id) | {r.lower() for r in conn.sensitive_role_ids}
    _confirm(ctx, revoke_warnings(keys, target, in_use, frozenset(sensitive)), args.yes)
    adapter.revoke(target.id)
    ctx.out.message(f"Revoked access key {target.name!r} …{target.suffix} (id {target.id}).")
    ctx.journal_append(key_revoked_entry(target))
    return 0


def rotate_key(args: argparse.Namespace, ctx: CliContext) -> int:
    from birdadmin.services.key_rotation import rotate_profile_key

    if not args.profile:
        raise errors.InputError("keys rotate needs --profile NAME: the profile whose stored key is rotated.")
    _journal_ready(ctx, "rotating the key")
    kind: Literal["scim", "accounts"] = "accounts" if args.accounts else "scim"

    def step(name: str) -> None:
        ctx.out.error(f"birdadmin-cli: {name}…")

    result = rotate_profile_key(args.profile, profiles=ctx.profiles(), secrets=ctx.secrets(), kind=kind,
                                on_step=step)  # fmt: skip
    for name in result.completed:
        ctx.out.message(f"{name}: done")
    if result.stopped_at is not None:
        ctx.out.error(f"birdadmin-cli: stopped at {result.stopped_at}: {result.message}")
    else:
        ctx.out.message(result.message)
    _journal_rotation(ctx, result)  # after the steps are told: a journal failure exits 6
    return 1 if result.stopped_at is not None else 0


def _journal_ready(ctx: CliContext, what: str) -> None:
    """A journal that cannot be opened refuses the rotation before anything is sent (as ``require_writable``)."""
    try:
        ctx.journal()
    except errors.ConfigError as exc:
        raise errors.ConfigError(f"{exc.message.rstrip('.')}; {what} was refused, so nothing was sent.") from exc


def _journal_rotation(ctx: CliContext, result: RotationResult) -> None:
    """Journal what the rotation changed on the server (nothing when it stopped before creating a key)."""
    from birdadmin.journal_entries import envelope
    from birdadmin.store.journal import JournalNotWritten, now_utc, os_user

    content = result.journal_entry()
    if content is None:
        return
    profile = {"name": ctx.args.profile, "id": result.profile_id}
    try:
        ctx.journal().append(envelope(content, time=now_utc(), os_user=os_user(), profile=profile, requests=[]))
    except errors.BirdadminError as exc:
        raise JournalNotWritten(f"The rotation's changes WERE made in Bird ({result.message.rstrip('.')}), but the "
                                f"journal could not record them: {exc.message}") from exc
