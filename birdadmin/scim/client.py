"""The SCIM 2.0 client: listing, look-ups, role and membership changes, with Bird's hazards guarded.

Thread-safe (one shared httpx client); every call blocks, so the GUI runs them on worker threads and the
CLI calls them directly. The layers live in their own modules: the connection and discovery (``endpoint``),
listing and look-ups (``reads``), role and membership writes (``writes``).
"""

from __future__ import annotations

from birdadmin.scim.endpoint import ScimSettings
from birdadmin.scim.writes import ScimWriter

__all__ = ["ScimClient", "ScimSettings"]


class ScimClient(ScimWriter):
    """One connection to one SCIM Base URL."""
