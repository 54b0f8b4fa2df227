"""Reading an answer within a size cap and a deadline: the decoded body in bounded slices (a compressed bomb stops
within one slice of the cap), and httpx timeouts that answer the time left until one deadline."""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from typing import Any

import httpx

_SLICE = 1024 * 1024  # the most one step of decompression may produce


def decoded_body(response: httpx.Response) -> Iterator[bytes]:
    """The body, decoded, in slices of at most ``_SLICE`` bytes for gzip and deflate (whatever the compression
    ratio), so a size cap stops a compressed bomb within one slice of it."""
    try:
        content: bytes | None = response.content  # already in memory (a transport without sockets)
    except httpx.ResponseNotRead:
        content = None
    if content is not None:
        yield content
        return
    coding = response.headers.get("Content-Encoding", "").strip().lower()
    if coding in ("", "identity"):
        yield from response.iter_raw()
    elif coding in ("gzip", "x-gzip", "deflate"):
        yield from _inflate(response)
    else:  # another coding httpx supports: decoded by httpx, counted per network read
        yield from response.iter_bytes()


def _inflate(response: httpx.Response) -> Iterator[bytes]:
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 32)  # a gzip or zlib header, detected
    started = False
    try:
        for data in response.iter_raw():
            if not started and data and response.headers.get("Content-Encoding", "").lower() == "deflate":
                try:  # "deflate" is sometimes raw deflate, without the zlib header
                    zlib.decompressobj().decompress(data[:2])
                except zlib.error:
                    decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
            started = started or bool(data)
            piece = decompressor.decompress(data, _SLICE)
            while piece:
                yield piece
                piece = decompressor.decompress(decompressor.unconsumed_tail, _SLICE)
        tail = decompressor.flush()
    except zlib.error as exc:
        raise httpx.DecodingError(str(exc), request=response.request) from None
    if tail:
        yield tail


class DeadlineTimeouts(dict[str, float]):
    """httpx's per-request timeouts, each read when a socket operation starts (connect, pool, write, read), made to
    answer the time left until one deadline: the timeout covers the whole request, not each read of it."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        left = self._left()
        super().__init__(connect=left, read=left, write=left, pool=left)

    def _left(self) -> float:
        return max(0.001, self.deadline - time.monotonic())

    def get(self, key: str, default: Any = None) -> Any:
        return self._left() if key in self else default

    def __getitem__(self, key: str) -> float:
        super().__getitem__(key)
        return self._left()
