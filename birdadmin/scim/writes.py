"""Writes over SCIM: role changes and group membership, checked against what the server then holds.

A role change is computed from a fresh read and sent with the version it was computed from; a conflict (412) or
an unknown outcome (a 5xx, a broken connection) is resolved by re-reading, never by sending blindly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from birdadmin import errors, in_flight
from birdadmin.scim import filters
from birdadmin.scim.reads import ScimReader, check_same_id, with_version
from birdadmin.scim.resources import (
    PATCH_SCHEMA,
    Group,
    RoleStrategy,
    User,
    encode_roles,
    parse_user,
    same_roles,
)
from birdadmin.scim.role_values import (
    encode_keeping,
    new_roles_shape,
    plan_roles,
    refuse_emptying,
    role_key,
    roles_as_read,
)

log = logging.getLogger(__name__)

_READ_ONLY_USER_ATTRIBUTES = ("meta", "groups")
_UNCERTAIN = (errors.ServerError, errors.ConnectionFailedError)  # a write may or may not have been applied


@dataclass(frozen=True, slots=True)
class RoleChange:
    """The outcome of one user's role change: what it was, what it is now, and whether a write happened."""

    before: User
    after: User
    changed: bool
    roles_shown: bool = True  # False: the server shows no roles, so before/after are unknown and nothing was checked

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(r for r in self.after.roles if r not in self.before.roles)

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(r for r in self.before.roles if r not in self.after.roles)


class ScimWriter(ScimReader):
    """Generic user patches, role changes and group membership changes."""

    # -- generic writes ---------------------------------------------------------------------------------

    def _write(self, method: str, url: httpx.URL, body: Any, if_match: str | None) -> tuple[Any, str | None]:
        with in_flight.sending():  # a Ctrl+C meanwhile is reported as "may have been applied"
            return super()._write(method, url, body, if_match)

    def patch_user(self, user_id: str, operations: Sequence[Mapping[str, Any]], *, if_match: str | None = None) -> User:
        body = {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}
        data, etag = self._write("PATCH", self.url("Users", user_id), body, if_match)
        return self._fresh_user(user_id, data, etag)

    def _fresh_user(self, user_id: str, data: Any, etag: str | None) -> User:
        """The user after a write; a 204 (no body) is answered by re-reading it. An answer about another user is
        refused: the write went to ``user_id``, and nothing else may be reported as its result."""
        if isinstance(data, dict) and "id" in data:
            check_same_id(user_id, data, "user", self.url("Users", user_id), method="PATCH")
            user = parse_user(data)
            return with_version(user, etag) if etag and user.version != etag else user
        return self.get_user(user_id)

    # -- roles ------------------------------------------------------------------------------------------

    def _read_roles(self, user_id: str) -> tuple[dict[str, Any], str | None, list[Any] | None]:
        """The user's JSON, its version and its roles as read; roles a plain read leaves out are asked for
        explicitly (``attributes=roles,meta``), and None means the server shows none either way (docs/bird.md, U8)."""
        data, version = self.get_user_json(user_id)
        as_read = roles_as_read(data)
        if as_read is None:
            extra, extra_version = self.get_user_json(user_id, attributes="roles,meta")
            as_read = roles_as_read(extra)
            if as_read is not None:
                data = {**data, "roles": extra["roles"]}
                version = extra_version or version
        return data, version, as_read

    def roles_to_plan_from(self, user_id: str) -> tuple[str, ...]:
        """The roles a change to this user would be planned from (a dry run shows the same plan): read as
        :meth:`change_roles` reads them; roles the server never shows are a ProtocolError, not an empty list."""
        data, _, as_read = self._read_roles(user_id)
        if as_read is None:
            raise errors.ProtocolError(
                "The SCIM server does not show this user's roles, even when asked for them (attributes=roles), so "
                "a dry run cannot show the change.",
                method="GET",
                url=str(self.url("Users", user_id)),
            )
        return parse_user(data).roles

    def change_roles(
        self,
        user_id: str,
        *,
        set_to: Sequence[str] | None = None,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        if_match: str | None = None,
        allow_empty: bool = False,
    ) -> RoleChange:
        """Change one user's roles and return before/after, checked against what the server then holds.

        The target is computed from a fresh read. With ``if_match`` (the version the person saw) a 412 is final:
        someone else changed the user. Without it, a 412 re-reads and recomputes, a bounded number of times.
        A 5xx or a broken connection leaves the outcome unknown, so the user is re-read: if the change is there
        it counts as applied, otherwise it is sent again (never blindly). A plan that would leave a user who holds
        roles with none is refused before anything is sent unless ``allow_empty`` (docs/bird.md, H1), also when
        it is someone else's change, seen on a re-read, that makes it so. Every request goes to ``user_id``; a
        read that answers about another user stops the change. Roles the server does not show are never taken
        for no roles (U8): see :meth:`_change_hidden_roles`.
        """
        attempts = max(1, self.settings.write_attempts)
        data, version, as_read = self._read_roles(user_id)
        original = with_version(parse_user(data), version)
        if as_read is None:
            return self._change_hidden_roles(user_id, original, add, remove, set_to, if_match, allow_empty)
        current = original
        last_error: errors.RequestError | None = None
        sent_unknown = False  # a send whose outcome is unknown: if the roles now match, it was ours
        for _ in range(attempts):
            target = plan_roles(current.roles, set_to=set_to, add=add, remove=remove)
            refuse_emptying(current.roles, target, allow_empty=allow_empty, subject=f"of user {current.user_name}")
            if same_roles(target, current.roles):
                return RoleChange(original, current, changed=sent_unknown)
            send_version = if_match or (current.version if self._use_etag() else None)
            try:
                after = self._send_roles(user_id, data, as_read, current, target, send_version)
            except errors.PreconditionFailedError as exc:
                if if_match:
                    raise
                last_error = exc
            except _UNCERTAIN as exc:
                last_error = exc
                sent_unknown = True
                log.info("role change for %s had an unknown outcome (%s); re-reading", user_id, exc.title)
            else:
                self._check_roles_applied(user_id, after, target)
                return RoleChange(original, after, changed=True)
            data, version, as_read = self._read_roles(user_id)
            if as_read is None:
                raise self._roles_not_shown(user_id)
            current = with_version(parse_user(data), version)
        if same_roles(plan_roles(current.roles, set_to=set_to, add=add, remove=remove), current.roles):
            return RoleChange(original, current, changed=sent_unknown)
        assert last_error is not None
        raise _gave_up(last_error, attempts)

    def _roles_not_shown(self, user_id: str, why: str = "") -> errors.ProtocolError:
        return errors.ProtocolError(
            "The SCIM server does not show this user's roles, even when asked for them (attributes=roles), so "
            f"nothing was changed{why}.",
            method="GET",
            url=str(self.url("Users", user_id)),
        )

    def _change_hidden_roles(
        self,
        user_id: str,
        original: User,
        add: Sequence[str],
        remove: Sequence[str],
        set_to: Sequence[str] | None,
        if_match: str | None,
        allow_empty: bool,
    ) -> RoleChange:
        """A change to roles the server never shows: only PATCH ``add`` (and ``remove`` with ``allow_empty``, since
        it might remove the last role) can be sent without the current list, under ``--role-strategy add-remove``.
        A replace, a PUT or ``set`` would need the list, and is refused."""
        if self.settings.role_strategy is not RoleStrategy.ADD_REMOVE or set_to is not None:
            raise self._roles_not_shown(
                user_id, ": replacing them without knowing them could remove every role (only 'add' with "
                "--role-strategy add-remove can be sent without them)"
            )
        if remove and not allow_empty:
            raise self._roles_not_shown(
                user_id, ": removing roles without knowing them could remove the last one (pass --allow-empty if that "
                "is acceptable)"
            )
        shape = self.settings.roles_shape
        operations: list[dict[str, Any]] = []
        if add:
            operations.append({"op": "add", "path": "roles", "value": encode_roles(list(dict.fromkeys(add)), shape)})
        operations += [{"op": "remove", "path": f"roles[value eq {filters.quote(r)}]"} for r in remove]
        version = if_match or (original.version if self._use_etag() else None)
        body = {"schemas": [PATCH_SCHEMA], "Operations": operations}
        answer, etag = self._write("PATCH", self.url("Users", user_id), body, version)
        after = self._fresh_user(user_id, answer, etag)
        return RoleChange(original, after, changed=True, roles_shown=False)

    def _check_roles_applied(self, user_id: str, after: User, target: Sequence[str]) -> None:
        """A write the server accepted must show in the user it returns; otherwise it handles 'roles' its own way."""
        if not same_roles(after.roles, target):
            raise errors.ProtocolError(
                "The SCIM server accepted the role change but the user's roles differ from what was sent; "
                "check how the server handles 'roles'.",
                method="PUT" if self.settings.role_strategy is RoleStrategy.PUT else "PATCH",
                url=str(self.url("Users", user_id)),
            )

    def _roles_after(self, user_id: str, answer: Any, etag: str | None) -> User:
        """The user after a role write, with its roles: an answer that leaves them out is followed by a read."""
        if isinstance(answer, dict) and "id" in answer and roles_as_read(answer) is not None:
            return self._fresh_user(user_id, answer, etag)
        if isinstance(answer, dict) and "id" in answer:
            check_same_id(user_id, answer, "user", self.url("Users", user_id), method="PATCH")
        data, version, _ = self._read_roles(user_id)
        return with_version(parse_user(data), version)

    def _send_roles(
        self,
        user_id: str,
        data: Mapping[str, Any],
        as_read: Sequence[Any],
        current: User,
        target: Sequence[str],
        version: str | None,
    ) -> User:
        """Send ``target``; roles it keeps go back exactly as read (``role_values.encode_keeping``)."""
        shape = self.settings.roles_shape
        strategy = self.settings.role_strategy
        url = self.url("Users", user_id)
        if strategy is RoleStrategy.PUT:
            body = {k: v for k, v in data.items() if k not in _READ_ONLY_USER_ATTRIBUTES}
            body["roles"] = encode_keeping(as_read, target, shape)
            result, etag = self._write("PUT", url, body, version)
            return self._roles_after(user_id, result, etag)
        if strategy is RoleStrategy.ADD_REMOVE:
            had = {role_key(r) for r in current.roles}
            keeps = {role_key(r) for r in target}
            added = [r for r in target if role_key(r) not in had]
            removed = [r for r in current.roles if role_key(r) not in keeps]
            operations: list[dict[str, Any]] = []
            if added:
                new_shape = new_roles_shape(as_read, shape)
                operations.append({"op": "add", "path": "roles", "value": encode_roles(added, new_shape)})
            operations += [{"op": "remove", "path": f"roles[value eq {filters.quote(r)}]"} for r in removed]
        else:
            operations = [{"op": "replace", "path": "roles", "value": encode_keeping(as_read, target, shape)}]
        body = {"schemas": [PATCH_SCHEMA], "Operations": operations}
        result, etag = self._write("PATCH", url, body, version)
        return self._roles_after(user_id, result, etag)

    # -- group membership -------------------------------------------------------------------------------

    def add_members(self, group_id: str, user_ids: Sequence[str]) -> Group:
        """Add users to a group; additions are merged by the server, so no If-Match is needed."""
        wanted = list(dict.fromkeys(user_ids))
        operations = [{"op": "add", "path": "members", "value": [{"value": u, "type": "User"} for u in wanted]}]
        return self._patch_members(group_id, operations, lambda ids: all(u in ids for u in wanted))

    def remove_members(self, group_id: str, user_ids: Sequence[str]) -> Group:
        unwanted = list(dict.fromkeys(user_ids))
        operations = [{"op": "remove", "path": f"members[value eq {filters.quote(u)}]"} for u in unwanted]
        return self._patch_members(group_id, operations, lambda ids: not any(u in ids for u in unwanted))

    def _patch_members(
        self, group_id: str, operations: list[dict[str, Any]], done: Callable[[set[str]], bool]
    ) -> Group:
        url = self.url("Groups", group_id)
        body = {"schemas": [PATCH_SCHEMA], "Operations": operations}
        last_error: errors.RequestError | None = None
        for _ in range(max(1, self.settings.write_attempts)):
            try:
                self._write("PATCH", url, body, None)
            except _UNCERTAIN as exc:
                last_error = exc
            group = self.get_group(group_id, members=True)
            if done(set(group.member_ids)):
                return group
            if last_error is None:
                raise errors.ProtocolError(
                    "The SCIM server accepted the membership change but the group's members do not show it.",
                    method="PATCH",
                    url=str(url),
                )
        assert last_error is not None
        raise last_error


def _gave_up(last_error: errors.RequestError, attempts: int) -> errors.RequestError:
    """The error for a role change that ran out of attempts: repeated conflicts say so; anything else is itself."""
    if isinstance(last_error, errors.PreconditionFailedError):
        return errors.PreconditionFailedError(
            f"The user kept changing while birdadmin tried to update their roles ({attempts} attempts); "
            "nothing was overwritten.",
            method=last_error.method,
            url=last_error.url,
            status=412,
        )
    return last_error
