"""Applying a planned role change (before -> after, planned against a version) to one user, in one round trip
where possible, and never over someone else's edit.

The window plans changes ahead (``domain/changes.py``), so unlike :meth:`ScimWriter.change_roles` the target is
fixed: ``after`` is sent only while the server still holds ``before``. With a known version on a server that
honours ETags, the write goes straight out with ``If-Match`` (one request; a 412 means the user changed). Without
one, the user is re-read first and compared with ``before``. A role list the write cannot rebuild from the plan
alone (complex roles keep their ``display`` and ``type`` as read; a PUT carries the whole user) is read first
too. An unknown outcome (5xx, broken connection, timeout) is resolved by re-reading: ``after`` there -> done,
``before`` -> sent again (bounded by ``ScimSettings.write_attempts``), anything else -> a conflict.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from birdadmin import errors
from birdadmin.scim import filters
from birdadmin.scim.reads import with_version
from birdadmin.scim.resources import PATCH_SCHEMA, RolesShape, RoleStrategy, encode_roles, parse_user, same_roles
from birdadmin.scim.role_values import encode_keeping, new_roles_shape, refuse_emptying, role_key, roles_as_read

if TYPE_CHECKING:
    from birdadmin.scim.endpoint import ScimSettings
    from birdadmin.scim.writes import ScimWriter

log = logging.getLogger(__name__)

_READ_ONLY_USER_ATTRIBUTES = ("meta", "groups")
_UNCERTAIN = (errors.ServerError, errors.ConnectionFailedError)  # the write may or may not have been applied
Outcome = Literal["done", "unchanged", "conflict"]


@dataclass(frozen=True, slots=True)
class PlannedRolesResult:
    """How a planned role change ended: ``roles`` is what the server holds now (theirs, for a conflict)."""

    outcome: Outcome
    roles: tuple[str, ...]
    reason: str = ""


def sends_directly(settings: ScimSettings, version: str | None, etag: bool) -> bool:
    """Whether the write can be built from the plan alone and sent without a read first: a known version the
    server checks, and a body that does not depend on the roles' read form (strings, or add/remove operations)."""
    if version is None or not etag or settings.role_strategy is RoleStrategy.PUT:
        return False
    return settings.role_strategy is RoleStrategy.ADD_REMOVE or settings.roles_shape is RolesShape.STRINGS


def role_write(
    settings: ScimSettings,
    before: Sequence[str],
    after: Sequence[str],
    as_read: Sequence[Any] | None = None,
    user_json: Mapping[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    """(method, body) of the write that takes ``before`` to ``after``; roles kept go back as read when the read
    form is known (``role_values.encode_keeping``). A PUT carries the whole user as read (``user_json``)."""
    shape = settings.roles_shape
    if settings.role_strategy is RoleStrategy.PUT:
        body = {k: v for k, v in (user_json or {}).items() if k not in _READ_ONLY_USER_ATTRIBUTES}
        body["roles"] = encode_keeping(as_read, after, shape)
        return "PUT", body
    if settings.role_strategy is RoleStrategy.ADD_REMOVE:
        had = {role_key(r) for r in before}
        keeps = {role_key(r) for r in after}
        added = [r for r in after if role_key(r) not in had]
        removed = [r for r in before if role_key(r) not in keeps]
        operations: list[dict[str, Any]] = []
        if added:
            operations.append({"op": "add", "path": "roles",
                               "value": encode_roles(added, new_roles_shape(as_read, shape))})
        operations += [{"op": "remove", "path": f"roles[value eq {filters.quote(r)}]"} for r in removed]
    else:
        operations = [{"op": "replace", "path": "roles", "value": encode_keeping(as_read, after, shape)}]
    return "PATCH", {"schemas": [PATCH_SCHEMA], "Operations": operations}


def _same(a: Sequence[str], b: Sequence[str]) -> bool:
    return {role_key(r) for r in a} == {role_key(r) for r in b}


def apply_planned_roles(
    writer: ScimWriter,
    user_id: str,
    before: Sequence[str],
    after: Sequence[str],
    version: str | None,
    *,
    allow_empty: bool = False,
    subject: str = "",
) -> PlannedRolesResult:
    """Take the user from ``before`` to ``after`` (see the module docstring); a failure is raised as its error.

    Leaving a user who holds roles with none is refused before anything is sent unless ``allow_empty``
    (docs/bird.md, H1); roles the server does not show are a ProtocolError, never read as none (U8).
    """
    refuse_emptying(before, after, allow_empty=allow_empty, subject=subject or f"of user {user_id}")
    if _same(before, after):
        return PlannedRolesResult("unchanged", tuple(before), "The change asks for the roles the user already had.")
    etag = writer._use_etag()
    direct = sends_directly(writer.settings, version, etag)
    maybe_ours = False  # a send whose outcome is unknown (or that a retried PUT may have applied)
    last_error: errors.RequestError | None = None
    for _ in range(max(1, writer.settings.write_attempts)):
        data: Mapping[str, Any] | None = None
        as_read: list[Any] | None = None
        send_version = version if etag else None
        if not direct:
            data, read_version, as_read = _read(writer, user_id)
            now = parse_user(data).roles
            if not _same(now, before):
                return _settled(now, after, maybe_ours)
            send_version = read_version if etag else None
        method, body = role_write(writer.settings, before, after, as_read, data)
        try:
            answer, answer_etag = writer._write(method, writer.url("Users", user_id), body, send_version)
        except errors.PreconditionFailedError as exc:  # changed since: compared on the re-read, never overwritten
            last_error, direct = exc, False
            maybe_ours = maybe_ours or method == "PUT"  # a PUT is re-sent by the HTTP layer after a lost answer
        except (*_UNCERTAIN, errors.RateLimitedError) as exc:
            last_error, direct = exc, False
            maybe_ours = maybe_ours or not isinstance(exc, errors.RateLimitedError)
            log.info("planned role change for %s: %s; re-reading before anything else", user_id, exc.title)
        else:
            return PlannedRolesResult("done", _checked_after(writer, user_id, answer, answer_etag, after, method))
    data, _, _ = _read(writer, user_id)
    now = parse_user(data).roles
    if _same(now, before):
        assert last_error is not None
        raise last_error
    return _settled(now, after, maybe_ours)


def _settled(now: tuple[str, ...], after: Sequence[str], maybe_ours: bool) -> PlannedRolesResult:
    """The result when the server no longer holds ``before``: ``after`` (ours, or someone else's same edit), or
    a conflict with what it holds instead."""
    if _same(now, after):
        if maybe_ours:
            return PlannedRolesResult("done", now)
        return PlannedRolesResult("unchanged", now, "The user already held the planned roles when re-read.")
    return PlannedRolesResult(
        "conflict", now, "Someone else changed this user's roles since the change was planned; they were not "
        "overwritten." if not maybe_ours else "This user's roles changed while the change was being sent; they were "
        "not overwritten."
    )


def _read(writer: ScimWriter, user_id: str) -> tuple[dict[str, Any], str | None, list[Any]]:
    data, version, as_read = writer._read_roles(user_id)
    if as_read is None:
        raise writer._roles_not_shown(user_id)
    return data, version, as_read


def _checked_after(
    writer: ScimWriter, user_id: str, answer: Any, etag: str | None, after: Sequence[str], method: str
) -> tuple[str, ...]:
    """The roles the server holds after an accepted write; they must be ``after`` (else it handles roles its own
    way, and the person is told so instead of being told it worked)."""
    if isinstance(answer, dict) and "id" in answer and roles_as_read(answer) is not None:
        user = writer._fresh_user(user_id, answer, etag)
    else:
        data, version, as_read = writer._read_roles(user_id)
        if as_read is None:
            raise errors.ProtocolError(
                "The SCIM server accepted the role change but does not show the user's roles, so it could not be "
                "checked.", method=method, url=str(writer.url("Users", user_id)),
            )
        user = with_version(parse_user(data), version)
    if not same_roles(user.roles, after) and not _same(user.roles, after):
        raise errors.ProtocolError(
            "The SCIM server accepted the role change but the user's roles differ from what was sent; check how "
            "the server handles 'roles'.", method=method, url=str(writer.url("Users", user_id)),
        )
    return user.roles
