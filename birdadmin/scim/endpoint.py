"""One SCIM Base URL: the HTTP session, endpoint URLs, JSON reads and writes, and what the server publishes.

The ground floor of :class:`birdadmin.scim.client.ScimClient`, kept apart so the listing, look-up and write layers
above it read as what they do, not how a request is sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import quote

import httpx

from birdadmin import errors
from birdadmin.net.responses import parse_json
from birdadmin.net.session import HttpSession, HttpSettings
from birdadmin.net.urls import check_server_url, join
from birdadmin.scim.capabilities import Capabilities, from_service_provider_config
from birdadmin.scim.resources import RolesShape, RoleStrategy

SCIM_JSON = "application/scim+json"


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


class ScimEndpoint:
    """The connection and its plumbing: requests, writes with If-Match, and discovery of the server's features."""

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

    def __enter__(self) -> Self:
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


def _segment(part: str) -> str:
    """One URL path segment: ``/``, ``?``, ``#``, ``%`` and spaces are escaped, dot segments refused."""
    if part in ("", ".", ".."):
        raise errors.NotFoundError(f"There is no SCIM resource with id {part!r}.", service="SCIM")
    return quote(part, safe="-._~!$&'()*+,;=:@")


def _fields(settings: HttpSettings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__}
