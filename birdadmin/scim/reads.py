"""Listing and look-ups over SCIM: paged users and groups, counts, and one resource by id or by name.

Read-only, so everything here is safe to retry and to run concurrently; the writes build on it.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from birdadmin import errors
from birdadmin.net.responses import parse_json
from birdadmin.scim import filters
from birdadmin.scim.endpoint import ScimEndpoint
from birdadmin.scim.paging import Page, iter_pages
from birdadmin.scim.resources import Group, SharedValues, User, is_uuid, parse_group, parse_user, resource_id


class ScimReader(ScimEndpoint):
    """Listing and look-ups of users and groups."""

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
        max_time: float | None = None,
    ) -> Iterator[Page[Any]]:
        return iter_pages(
            self._fetcher(endpoint, params, parse),
            page_size=self._page_size(),
            concurrency=self.settings.concurrency,
            max_pages=self.settings.max_pages,
            cancel=cancel,
            what=what,
            max_time=max_time,
        )

    def iter_users(
        self, filter: str | None = None, *, cancel: threading.Event | None = None, max_time: float | None = None
    ) -> Iterator[Page[User]]:
        """Pages of users as they arrive (completion order; ``Page.start`` restores server order); ``max_time``
        seconds bound the whole listing (see ``iter_pages``)."""
        self._check_filter(filter)
        params = {"filter": filter} if filter else {}
        shared = SharedValues()
        return self._iter("Users", params, lambda obj: parse_user(obj, shared), cancel, "users", max_time)

    def list_users(self, filter: str | None = None, *, cancel: threading.Event | None = None) -> list[User]:
        return _in_order(self.iter_users(filter, cancel=cancel))

    def iter_groups(
        self, filter: str | None = None, *, cancel: threading.Event | None = None, max_time: float | None = None
    ) -> Iterator[Page[Group]]:
        """Groups without their members: a large group's member list is fetched only when it is opened."""
        self._check_filter(filter)
        params = {"excludedAttributes": "members"}
        if filter:
            params["filter"] = filter
        return self._iter("Groups", params, parse_group, cancel, "groups", max_time)

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

    def get_user_json(self, user_id: str, *, attributes: str | None = None) -> tuple[dict[str, Any], str | None]:
        """The user's full JSON (or, with ``attributes``, what the server returns for them) and its ETag (header
        first, then meta.version). An answer about another user than ``user_id`` is a ProtocolError."""
        url = self.url("Users", user_id)
        response = self._session.request("GET", url, params={"attributes": attributes} if attributes else None)
        data = dict(self._resource(parse_json(response, service="SCIM", exact=True), url))  # it may be written back
        check_same_id(user_id, data, "user", url)
        meta = data.get("meta")
        version = response.headers.get("ETag") or (meta.get("version") if isinstance(meta, dict) else None)
        return data, version if isinstance(version, str) else None

    def get_user(self, user_id: str) -> User:
        data, version = self.get_user_json(user_id)
        user = parse_user(data)
        return user if user.version == version or version is None else with_version(user, version)

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
        data = self._resource(parse_json(response, service="SCIM"), url)
        check_same_id(group_id, data, "group", url)
        group = parse_group(data)
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


def same_id(asked: str, answered: str) -> bool:
    """Whether an answer's id is the id asked for: exactly (SCIM ids are case-exact), UUIDs without case."""
    return asked == answered or (is_uuid(asked) and asked.lower() == answered.lower())


def check_same_id(asked: str, data: Mapping[str, Any], what: str, url: Any, *, method: str = "GET") -> None:
    """Refuse an answer about another resource than the one asked for: nothing may be read or written in its name
    (a write goes only to the id that was asked, never to an id taken from an answer)."""
    answered = resource_id(what, data)  # no usable id at all: refused, naming the resource
    if not same_id(asked, answered):
        raise errors.ProtocolError(
            f"The SCIM server answered a request for {what} {asked!r} with {what} {answered!r}; birdadmin does not "
            "use an answer about another resource, and sent nothing to it.",
            method=method,
            url=str(url),
        )


def _in_order(pages: Iterator[Page[Any]]) -> list[Any]:
    collected = sorted(pages, key=lambda page: page.start)
    return [item for page in collected for item in page.items]


def with_version(user: User, version: str | None) -> User:
    if version is None or user.version == version:
        return user
    return dataclasses.replace(user, version=version)
