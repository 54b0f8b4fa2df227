"""``birdadmin-cli profiles``: stored connections, with their keys in the OS keyring.

Keys are read from stdin (``--key-stdin``) or typed at a hidden prompt; they are never accepted as arguments,
where they would land in shell history and process lists, and never printed (only a fingerprint).
"""

from __future__ import annotations

import argparse

from birdadmin.cli.lazy import handler
from birdadmin.scim.resources import RolesShape, RoleStrategy

_COMMANDS = "birdadmin.cli.profile_commands"  # imported only when a profiles command runs (it needs the keyring)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``profiles`` and its subcommands; each leaf sets ``handler(args, ctx) -> exit code``."""
    profiles = subparsers.add_parser(
        "profiles",
        help="stored connection profiles (keys in the OS keyring)",
        description="Manage connection profiles. Keys live in the OS keyring, never in the profile file.",
    )
    commands = profiles.add_subparsers(dest="profiles_command", metavar="SUBCOMMAND", required=True)

    listing = commands.add_parser("list", help="list profiles with key fingerprints")
    listing.set_defaults(handler=handler(_COMMANDS, "cmd_list"))

    add = commands.add_parser("add", help="add a profile and store its key")
    add.add_argument("name", metavar="NAME")
    _connection_options(add, required_base=True)
    _guard_options(add)
    _key_options(add, allow_no_key=True)
    add.set_defaults(handler=handler(_COMMANDS, "cmd_add"))

    edit = commands.add_parser("edit", help="change a profile (a new key is tested before it replaces the old)")
    edit.add_argument("name", metavar="NAME")
    edit.add_argument("--rename", dest="p_rename", metavar="NEW", help="new name (the keys stay with the profile)")
    edit.add_argument("--keep-keys", dest="p_keep_keys", action="store_true",
                      help="keep the stored keys when the Base URL or Accounts API URL changes (otherwise give "
                      "the new server's key with --key-stdin / --accounts-key-stdin)")
    _connection_options(edit, required_base=False)
    _guard_options(edit)
    _key_options(edit, allow_no_key=False)
    edit.set_defaults(handler=handler(_COMMANDS, "cmd_edit"))

    remove = commands.add_parser("remove", help="remove a profile and forget its keys")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(handler=handler(_COMMANDS, "cmd_remove"))

    test = commands.add_parser("test", help="test a profile's server and keys")
    test.add_argument("name", metavar="NAME")
    test.set_defaults(handler=handler(_COMMANDS, "cmd_test"))

    set_key = commands.add_parser("set-key", help="store or rotate a key: test the new key, then replace")
    set_key.add_argument("name", metavar="NAME")
    set_key.add_argument("--accounts", dest="p_accounts", action="store_true", help="the Accounts API key")
    set_key.add_argument("--key-stdin", dest="p_key_stdin", action="store_true", help="read the key from stdin")
    set_key.set_defaults(handler=handler(_COMMANDS, "cmd_set_key"))

    forget = commands.add_parser("forget-key", help="delete a stored key from the keyring")
    forget.add_argument("name", metavar="NAME")
    forget.add_argument("--accounts", dest="p_accounts", action="store_true", help="the Accounts API key")
    forget.set_defaults(handler=handler(_COMMANDS, "cmd_forget_key"))


def _connection_options(parser: argparse.ArgumentParser, *, required_base: bool) -> None:
    # Own dest names: the top-level parser has --base-url etc. for one-off connections, and a subparser's
    # defaults would otherwise overwrite them.
    parser.add_argument("--base-url", dest="p_base_url", metavar="URL", required=required_base,
                        help="SCIM Base URL, exactly as Bird's SCIM settings page shows it")
    parser.add_argument("--accounts-url", dest="p_accounts_url", metavar="URL",
                        help="Bird Accounts API URL, e.g. https://api.bird.com ('' to clear)")
    parser.add_argument("--org-id", dest="p_org_id", metavar="UUID",
                        help="organization ID (read from the Base URL when it has one)")
    parser.add_argument("--roles-shape", dest="p_roles_shape", choices=[s.value for s in RolesShape])
    parser.add_argument("--role-strategy", dest="p_role_strategy", choices=[s.value for s in RoleStrategy])
    parser.add_argument("--ca-bundle", dest="p_ca_bundle", metavar="FILE", help="extra CA bundle ('' to clear)")
    parser.add_argument("--timeout", dest="p_timeout", type=float, metavar="SECONDS")
    parser.add_argument("--read-only", dest="p_read_only", action=argparse.BooleanOptionalAction, default=None,
                        help="a profile that can never write (for auditors)")


def _guard_options(parser: argparse.ArgumentParser) -> None:
    """What the guards before a write use with this profile (domain/guards.py; ``--owner-role`` on a command wins)."""
    parser.add_argument("--batch-threshold", dest="p_batch_threshold", type=int, metavar="N",
                        help="a change to more users than this at once needs confirming (default 25)")
    parser.add_argument("--owner-role", dest="p_owner_role", metavar="UUID",
                        help="the Owner role's UUID, for organizations without role names ('' to clear)")


def _key_options(parser: argparse.ArgumentParser, *, allow_no_key: bool) -> None:
    parser.add_argument("--key-stdin", dest="p_key_stdin", action="store_true",
                        help="read the SCIM key from the first line of stdin")
    parser.add_argument("--accounts-key-stdin", dest="p_accounts_key_stdin", action="store_true",
                        help="read the Accounts API key from stdin (the second line with --key-stdin)")
    if allow_no_key:
        parser.add_argument("--no-key", dest="p_no_key", action="store_true",
                            help="store no key now (set one later with 'profiles set-key')")
