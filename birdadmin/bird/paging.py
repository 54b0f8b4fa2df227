"""Bird's cursor pagination (``limit`` + ``pageToken`` -> ``results`` + ``nextPageToken``), bounded.

An empty or missing ``nextPageToken`` ends the walk. A token the server already handed out would loop forever,
so it is a protocol error; so is a walk longer than ``max_pages`` (a backstop against a server that invents
tokens). Items are de-duplicated by id: a cursor over data that changes underneath can repeat an item.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from birdadmin import errors
from birdadmin.bird.models import MissingIdError

T = TypeVar("T")

MAX_LIMIT = 100
# Roles, teams and members come 100 a page: 1,000 pages is 100,000 of them, far past any organization's, and stops
# a server that invents cursors after a few minutes at most instead of an hour.
DEFAULT_MAX_PAGES = 1_000


def check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise errors.InputError(
            f"The Accounts API page size must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}."
        )
    return limit


def collect(
    get_page: Callable[[Mapping[str, Any]], Any],
    parse: Callable[[Any], T | None],
    key: Callable[[T], str],
    *,
    limit: int,
    url: str,
    service: str = "Bird Accounts",
    max_pages: int = DEFAULT_MAX_PAGES,
) -> list[T]:
    """Every item of a cursor-paged listing, in server order, each id once.

    ``get_page(params)`` returns the decoded JSON of one page; ``parse`` returns None for items to skip.
    """

    def fault(sentence: str) -> errors.ProtocolError:
        return errors.ProtocolError(sentence, method="GET", url=url, service=service)

    params: dict[str, Any] = {"limit": limit}
    seen_tokens: set[str] = set()
    seen_ids: set[str] = set()
    out: list[T] = []
    for _page in range(max_pages):
        body = get_page(params)
        if not isinstance(body, Mapping) or not isinstance(body.get("results"), list):
            raise fault(
                f"The {service} server answered a listing without a 'results' list; check the Accounts API URL."
            )
        for raw in body["results"]:
            try:
                item = parse(raw)
            except MissingIdError as exc:
                raise fault(f"The {service} server listed an item that cannot be used ({exc}).") from None
            if item is None:
                continue
            ident = key(item)
            if ident not in seen_ids:
                seen_ids.add(ident)
                out.append(item)
        token = body.get("nextPageToken")
        if token is None or token == "":
            return out
        if not isinstance(token, (str, int)) or isinstance(token, bool):
            raise fault(
                f"The {service} server sent a page cursor (nextPageToken) that is not text; "
                "stopped reading the listing."
            )
        token = str(token)
        if token in seen_tokens:
            raise fault(
                f"The {service} server repeated a page cursor it had already sent; "
                "stopped reading the listing to avoid a loop."
            )
        seen_tokens.add(token)
        params = {"limit": limit, "pageToken": token}
    raise fault(f"The {service} listing did not end after {max_pages} pages; stopped reading it.")
