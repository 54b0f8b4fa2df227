"""The default trust store, loaded once per process, and for the CLI while the rest of it starts.

Loading the CA bundle is the largest single cost between starting ``birdadmin-cli`` and its first request (tens
of milliseconds of certificate parsing). OpenSSL parses without holding the GIL, so :func:`prewarm` starts it on a
thread while the interpreter imports the rest; every session then shares the one context. The context is what
httpx builds for ``verify=True`` (``SSL_CERT_FILE`` / ``SSL_CERT_DIR``, else certifi's bundle): verification on,
hostname checked.
"""

from __future__ import annotations

import contextlib
import os
import ssl
import threading

from birdadmin import errors

_lock = threading.Lock()
_context: ssl.SSLContext | None = None


def _load() -> ssl.SSLContext:
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def default_context() -> ssl.SSLContext:
    """The shared verifying context; the first caller (or the prewarm thread) loads it, the others wait."""
    global _context
    with _lock:
        if _context is None:
            _context = _load()
        return _context


def prewarm() -> None:
    """Start loading the default context in the background; a failure surfaces later, where it is used."""

    def load() -> None:
        with contextlib.suppress(OSError):  # default_context() raises it again where the context is needed
            default_context()

    # Not a daemon: a command that ends at once (a usage error) would otherwise finalize the interpreter while
    # OpenSSL is still parsing on this thread, which crashes the process (SIGSEGV) instead of exiting with 2.
    threading.Thread(target=load, name="tls-prewarm", daemon=False).start()


def tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    """Certificate verification, always on: the system's default trust, or the CA bundle the person chose.

    The bundle is loaded here, so a missing or unreadable file is one sentence (exit 2), not a library error.
    """
    if not ca_bundle or not ca_bundle.strip():
        return default_context()
    path = os.path.expanduser(ca_bundle.strip())
    try:
        if os.path.isdir(path):
            return ssl.create_default_context(capath=path)
        return ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as exc:
        problem = "does not exist" if isinstance(exc, FileNotFoundError) else "could not be read as PEM certificates"
        raise errors.InputError(f"The CA bundle {path} {problem}; choose a PEM file or leave it empty.") from None
