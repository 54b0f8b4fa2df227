"""The SCIM 2.0 client: listing, look-ups, role and membership changes, with Bird's hazards guarded.

Thread-safe (one shared httpx client); every call blocks, so the GUI runs them on worker threads and the
CLI calls them directly.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from birdadmin import errors
from birdadmin.domain.role_plan import plan_roles
from birdadmin.net.session import HttpSession, HttpSettings, parse_json
from birdadmin.net.urls import check_server_url, join
from birdadmin.scim import filters
from birdadmin.scim.capabilities import Capabilities, from_service_provider_config
from birdadmin.scim.paging import Page, iter_pages
from birdadmin.scim.resources import (
    PATCH_SCHEMA,
    Group,
    RolesShape,
    RoleStrategy,
    SharedValues,
    User,
    encode_roles,
    parse_group,
    parse_user,
    same_roles,
)

log = logging.getLogger(__name__)

SCIM_JSON = "application/scim+json"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_READ_ONLY_USER_ATTRIBUTES = ("meta", "groups")
_UNCERTAIN = (errors.ServerError, errors.ConnectionFailedError)  # a write may or may not have been applied


def is_uuid(text: str) -> bool:
    return bool(_UUID.match(text))


@dataclass(frozen=True, slots=True)
class ScimSettings:
    """Behaviour of one SCIM connection; the defaults are Bird's."""

    roles_shape: RolesShape = RolesShape.STRINGS
    role_strategy: RoleStrategy = RoleStrategy.REPLACE
    page_size: int = 100
    concurrency: int = 4
    max_pages: int = 10_000
    use_etag: bool = True
    write_attempts: int = 3  # sends of one change, counting re-sends after a conflict or an unknown outcome


@dataclass(frozen=True, slots=True)
class RoleChange:
    """The outcome of one user's role change: what it was, what it is now, and whether a write happened."""

    before: User
    after: User
    changed: bool

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(r for r in self.after.roles if r not in self.before.roles)

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(r for r in self.before.roles if r not in self.after.roles)


class ScimClient:
    """One connection to one SCIM Base URL."""

    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        settings: ScimSettings | None = None,
        http: HttpSettings | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = check_server_url(base_url)
        if not key or not key.strip():
            raise errors.InputError("No SCIM access key was given.")
        self.settings = settings or ScimSettings()
        http = http or HttpSettings()
        if http.max_connections < self.settings.concurrency + 1:
            http = HttpSettings(**{**_fields(http), "max_connections": self.settings.concurrency + 1})
        self._session = HttpSession(
            scheme="Bearer",
            key=key.strip(),
            service="SCIM",
            settings=http,
            transport=transport,
            sleep=sleep,
            headers={"Accept": f"{SCIM_JSON}, application/json"},
        )
        self._capabilities: Capabilities | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ScimClient({str(self.base_url)!r})"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> ScimClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------------------------------

    def url(self, *parts: str) -> httpx.URL:
        """An endpoint URL; every part is one path segment, so an id can never reach another resource."""
        return join(self.base_url, *(_segment(part) for part in parts))

    def _json(self, method: str, url: httpx.URL, **kwargs: Any) -> Any:
        response = self._session.request(method, url, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        return parse_json(response, service="SCIM")

    def _write(self, method: str, url: httpx.URL, body: Any, if_match: str | None) -> tuple[Any, str | None]:
        headers = {"Content-Type": SCIM_JSON}
        if if_match:
            headers["If-Match"] = if_match
        response = self._session.request(method, url, json_body=body, headers=headers)
        data = parse_json(response, service="SCIM") if response.status_code != 204 and response.content else None
        return data, response.headers.get("ETag")

    def _resource(self, data: Any, url: httpx.URL) -> Mapping[str, Any]:
        if not isinstance(data, dict) or "id" not in data:
            raise errors.ProtocolError(
                "The SCIM server answered without a resource (no 'id'); check that the Base URL is right.",
                method="GET",
                url=str(url),
            )
        return data

    # -- discovery --------------------------------------------------------------------------------------

    def capabilities(self, *, refresh: bool = False) -> Capabilities:
        """What the server publishes, read once per client (the three endpoints at once, so one round trip);
        a server without discovery endpoints gets safe defaults."""
        with self._lock:
            if self._capabilities is not None and not refresh:
                return self._capabilities
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="scim-discovery") as pool:
            config, schemas, resource_types = pool.map(
                self._optional, ("ServiceProviderConfig", "Schemas", "ResourceTypes")
            )
        caps = from_service_provider_config(config, schemas, resource_types) if config is not None else Capabilities()
        with self._lock:
            self._capabilities = caps
        return caps

    def _use_etag(self) -> bool:
        """If-Match is sent unless settings or the server's own configuration say ETags are not supported."""
        return self.settings.use_etag and self.capabilities().etag is not False

    def _check_filter(self, filter: str | None) -> None:
        if filter and self.capabilities().filter is False:
            raise errors.InputError(
                "This SCIM server says it does not support filtering; list without a filter and narrow the "
                "result locally (the window's quick filter, or the CSV output)."
            )

    def _optional(self, endpoint: str) -> Any:
        try:
            return self._json("GET", self.url(endpoint))
        except (errors.NotFoundError, errors.BadRequestError, errors.ProtocolError):
            return None
        except errors.ServerError as exc:
            if exc.status == 501:
                return None
            raise

    def _page_size(self) -> int:
        size = self.settings.page_size
        caps = self.capabilities()
        if caps.max_results:
            size = min(size, caps.max_results)
        return max(1, size)

    # -- listing ----------------------------------------------------------------------------------------

    def _fetcher(
        self, endpoint: str, params: Mapping[str, str], parse: Callable[[Mapping[str, Any]], Any]
    ) -> Callable[[int, int], tuple[list[Any], int | None]]:
        url = self.url(endpoint)

        def fetch(start: int, count: int) -> tuple[list[Any], int | None]:
            body = self._json("GET", url, params={**params, "startIndex": start, "count": count})
            if not isinstance(body, dict):
                raise errors.ProtocolError(
                    "The SCIM server's list answer is not a SCIM ListResponse.", method="GET", url=str(url)
                )
            resources = body.get("Resources", body.get("resources")) or []
            total = body.get("totalResults")
            if not isinstance(resources, list) or (total is not None and not isinstance(total, int)):
                raise errors.ProtocolError(
                    "The SCIM server's list answer is malformed (Resources or totalResults).",
                    method="GET",
                    url=str(url),
                )
            try:
                return [parse(item) for item in resources], total
            except (KeyError, TypeError, AttributeError):
                raise errors.ProtocolError(
                    "The SCIM server listed a resource without an 'id'.", method="GET", url=str(url)
                ) from None

        return fetch

    def _iter(
        self,
        endpoint: str,
        params: dict[str, str],
        parse: Callable[[Mapping[str, Any]], Any],
        cancel: threading.Event | None,
        what: str,
    ) -> Iterator[Page[Any]]:
        return iter_pages(
            self._fetcher(endpoint, params, parse),
            page_size=self._page_size(),
            concurrency=self.settings.concurrency,
            max_pages=self.settings.max_pages,
            cancel=cancel,
            what=what,
        )

    def iter_users(
        self, filter: str | None = None, *, cancel: threading.Event | None = None
    ) -> Iterator[Page[User]]:
        """Pages of users as they arrive (completion order; ``Page.start`` restores server order)."""
        self._check_filter(filter)
        params = {"filter": filter} if filter else {}
        shared = SharedValues()
        return self._iter("Users", params, lambda obj: parse_user(obj, shared), cancel, "users")

    def list_users(self, filter: str | None = None, *, cancel: threading.Event | None = None) -> list[User]:
        return _in_order(self.iter_users(filter, cancel=cancel))

    def iter_groups(
        self, filter: str | None = None, *, cancel: threading.Event | None = None
    ) -> Iterator[Page[Group]]:
        """Groups without their members: a large group's member list is fetched only when it is opened."""
        self._check_filter(filter)
        params = {"excludedAttributes": "members"}
        if filter:
            params["filter"] = filter
        return self._iter("Groups", params, parse_group, cancel, "groups")

    def list_groups(self, filter: str | None = None, *, cancel: threading.Event | None = None) -> list[Group]:
        return _in_order(self.iter_groups(filter, cancel=cancel))

    def count_users(self, filter: str | None = None) -> int:
        """The number of users, in one small request (``count=0`` asks for the total only)."""
        params: dict[str, Any] = {"count": 0}
        if filter:
            params["filter"] = filter
        body = self._json("GET", self.url("Users"), params=params)
        total = body.get("totalResults") if isinstance(body, dict) else None
        if not isinstance(total, int):
            raise errors.ProtocolError(
                "The SCIM server's answer to /Users has no totalResults; is this a SCIM Base URL?",
                method="GET",
                url=str(self.url("Users")),
            )
        return total

    # -- single resources -------------------------------------------------------------------------------

    def get_user_json(self, user_id: str) -> tuple[dict[str, Any], str | None]:
        """The user's full JSON and its ETag (header first, then meta.version)."""
        url = self.url("Users", user_id)
        response = self._session.request("GET", url)
        data = dict(self._resource(parse_json(response, service="SCIM"), url))
        version = response.headers.get("ETag") or (data.get("meta") or {}).get("version")
        return data, version

    def get_user(self, user_id: str) -> User:
        data, version = self.get_user_json(user_id)
        user = parse_user(data)
        return user if user.version == version or version is None else _with_version(user, version)

    def find_user(self, user_name: str) -> User | None:
        """The user with this userName (case-insensitive, as RFC 7643 defines userName), or None."""
        if self.capabilities().filter is False:  # the server cannot search: scan (slow, but right)
            found = self.list_users()
        else:
            body = self._json("GET", self.url("Users"), params={"filter": filters.eq("userName", user_name)})
            found = [parse_user(r) for r in (body or {}).get("Resources") or [] if isinstance(r, dict) and "id" in r]
        # Only a true match: a server that ignores or loosens the filter must not hand back someone else.
        return next((u for u in found if u.user_name.lower() == user_name.lower()), None)

    def resolve_user(self, token: str) -> User:
        """A user by SCIM id or userName, in that order of likelihood (userNames are emails)."""
        token = token.strip()
        if not token:
            raise errors.InputError("An empty user was given; pass a SCIM id or a userName.")
        if "@" not in token:
            try:
                return self.get_user(token)
            except (errors.NotFoundError, errors.BadRequestError) as exc:
                if isinstance(exc, errors.BadRequestError) and is_uuid(token):
                    raise
        user = self.find_user(token)
        if user is None:
            raise errors.NotFoundError(f"No user with id or userName {token!r} was found.", service="SCIM")
        return user

    def get_group(self, group_id: str, *, members: bool = True) -> Group:
        url = self.url("Groups", group_id)
        params = None if members else {"excludedAttributes": "members"}
        response = self._session.request("GET", url, params=params)
        group = parse_group(self._resource(parse_json(response, service="SCIM"), url))
        if members and group.members is None:
            group = Group(group.id, group.display_name, (), group.external_id, group.version)
        return group

    def find_group(self, display_name: str) -> Group | None:
        if self.capabilities().filter is False:
            found = self.list_groups()
        else:
            body = self._json(
                "GET",
                self.url("Groups"),
                params={"filter": filters.eq("displayName", display_name), "excludedAttributes": "members"},
            )
            found = [parse_group(r) for r in (body or {}).get("Resources") or [] if isinstance(r, dict) and "id" in r]
        return next((g for g in found if g.display_name.lower() == display_name.lower()), None)

    def resolve_group(self, token: str, *, members: bool = True) -> Group:
        token = token.strip()
        if not token:
            raise errors.InputError("An empty group was given; pass a SCIM id or a displayName.")
        try:
            return self.get_group(token, members=members)
        except (errors.NotFoundError, errors.BadRequestError) as exc:
            if isinstance(exc, errors.BadRequestError) and is_uuid(token):
                raise  # some servers answer 400 to an id that is not theirs; a name is then looked up
        group = self.find_group(token)
        if group is None:
            raise errors.NotFoundError(f"No group with id or displayName {token!r} was found.", service="SCIM")
        return self.get_group(group.id, members=True) if members else group

    # -- generic writes ---------------------------------------------------------------------------------

    def patch_user(self, user_id: str, operations: Sequence[Mapping[str, Any]], *, if_match: str | None = None) -> User:
        body = {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}
        data, etag = self._write("PATCH", self.url("Users", user_id), body, if_match)
        return self._fresh_user(user_id, data, etag)

    def _fresh_user(self, user_id: str, data: Any, etag: str | None) -> User:
        """The user after a write; a 204 (no body) is answered by re-reading it."""
        if isinstance(data, dict) and "id" in data:
            user = parse_user(data)
            return _with_version(user, etag) if etag and user.version != etag else user
        return self.get_user(user_id)

    # -- roles ------------------------------------------------------------------------------------------

    def change_roles(
        self,
        user_id: str,
        *,
        set_to: Sequence[str] | None = None,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        if_match: str | None = None,
    ) -> RoleChange:
        """Change one user's roles and return before/after, checked against what the server then holds.

        The target is computed from a fresh read. With ``if_match`` (the version the person saw) a 412 is final:
        someone else changed the user. Without it, a 412 re-reads and recomputes, a bounded number of times.
        A 5xx or a broken connection leaves the outcome unknown, so the user is re-read: if the change is there
        it counts as applied, otherwise it is sent again (never blindly).
        """
        attempts = max(1, self.settings.write_attempts)
        data, version = self.get_user_json(user_id)
        original = _with_version(parse_user(data), version)
        current = original
        last_error: errors.RequestError | None = None
        sent_unknown = False  # a send whose outcome is unknown: if the roles now match, it was ours
        for _ in range(attempts):
            target = plan_roles(current.roles, set_to=set_to, add=add, remove=remove)
            if same_roles(target, current.roles):
                return RoleChange(original, current, changed=sent_unknown)
            send_version = if_match or (current.version if self._use_etag() else None)
            try:
                after = self._send_roles(user_id, data, current, target, send_version)
            except errors.PreconditionFailedError as exc:
                if if_match:
                    raise
                last_error = exc
            except _UNCERTAIN as exc:
                last_error = exc
                sent_unknown = True
                log.info("role change for %s had an unknown outcome (%s); re-reading", user_id, exc.title)
            else:
                if not same_roles(after.roles, target):
                    raise errors.ProtocolError(
                        "The SCIM server accepted the role change but the user's roles differ from what was sent; "
                        "check how the server handles 'roles'.",
                        method="PUT" if self.settings.role_strategy is RoleStrategy.PUT else "PATCH",
                        url=str(self.url("Users", user_id)),
                    )
                return RoleChange(original, after, changed=True)
            data, version = self.get_user_json(user_id)
            current = _with_version(parse_user(data), version)
        if same_roles(plan_roles(current.roles, set_to=set_to, add=add, remove=remove), current.roles):
            return RoleChange(original, current, changed=sent_unknown)
        assert last_error is not None
        if isinstance(last_error, errors.PreconditionFailedError):
            raise errors.PreconditionFailedError(
                f"The user kept changing while birdadmin tried to update their roles ({attempts} attempts); "
                "nothing was overwritten.",
                method=last_error.method,
                url=last_error.url,
                status=412,
            )
        raise last_error

    def _send_roles(
        self, user_id: str, data: Mapping[str, Any], current: User, target: Sequence[str], version: str | None
    ) -> User:
        shape = self.settings.roles_shape
        strategy = self.settings.role_strategy
        if strategy is RoleStrategy.PUT:
            body = {k: v for k, v in data.items() if k not in _READ_ONLY_USER_ATTRIBUTES}
            body["roles"] = encode_roles(target, shape)
            result, etag = self._write("PUT", self.url("Users", user_id), body, version)
            return self._fresh_user(user_id, result, etag)
        if strategy is RoleStrategy.ADD_REMOVE:
            added = [r for r in target if r not in current.roles]
            removed = [r for r in current.roles if r not in target]
            operations: list[dict[str, Any]] = []
            if added:
                operations.append({"op": "add", "path": "roles", "value": encode_roles(added, shape)})
            operations += [{"op": "remove", "path": f"roles[value eq {filters.quote(r)}]"} for r in removed]
        else:
            operations = [{"op": "replace", "path": "roles", "value": encode_roles(target, shape)}]
        return self.patch_user(user_id, operations, if_match=version)

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


def _segment(part: str) -> str:
    """One URL path segment: ``/``, ``?``, ``#``, ``%`` and spaces are escaped, dot segments refused."""
    if part in ("", ".", ".."):
        raise errors.NotFoundError(f"There is no SCIM resource with id {part!r}.", service="SCIM")
    return quote(part, safe="-._~!$&'()*+,;=:@")


def _in_order(pages: Iterator[Page[Any]]) -> list[Any]:
    collected = sorted(pages, key=lambda page: page.start)
    return [item for page in collected for item in page.items]


def _with_version(user: User, version: str | None) -> User:
    if version is None or user.version == version:
        return user
    return dataclasses.replace(user, version=version)


def _fields(settings: HttpSettings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__}
