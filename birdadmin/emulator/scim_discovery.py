"""The SCIM discovery endpoints (RFC 7644 section 4): /ServiceProviderConfig, /Schemas and /ResourceTypes.

Static documents that describe what the emulator supports; they need no state and no access to the data, so they
live apart from the resource handlers (and the fault injector exempts them: a client must always be able to ask).
"""

from __future__ import annotations

from typing import Any

from birdadmin.emulator.errors import ScimError
from birdadmin.emulator.schema import (
    ENTERPRISE_URN,
    LIST_URN,
    RESOURCE_TYPE_URN,
    SCHEMA_URN,
    SPC_URN,
    resource_schemas,
    schema_documents,
)
from birdadmin.emulator.wire import Response, json_response

DISCOVERY = frozenset({"serviceproviderconfig", "schemas", "resourcetypes"})


def is_discovery(segments: list[str]) -> bool:
    return bool(segments) and segments[0].lower() in DISCOVERY


def discovery_response(base: str, max_page_size: int, head: str, rest: list[str]) -> Response:
    """The answer to a GET of a discovery endpoint (``head``, lower-cased) or one of its documents (``rest``)."""
    if head == "serviceproviderconfig":
        if rest:
            raise ScimError(404, "no SCIM endpoint here")
        return json_response(200, service_provider_config(base, max_page_size))
    if head == "schemas":
        docs = [
            {"schemas": [SCHEMA_URN], **d, "meta": {"resourceType": "Schema", "location": f"{base}/Schemas/{d['id']}"}}
            for d in schema_documents()
        ]
    else:
        docs = resource_types(base)
    if not rest:
        return json_response(
            200, {"schemas": [LIST_URN], "totalResults": len(docs), "itemsPerPage": len(docs), "startIndex": 1,
                  "Resources": docs}
        )
    if len(rest) == 1:
        for doc in docs:
            if doc["id"] == rest[0]:
                return json_response(200, doc)
    kind = "schema" if head == "schemas" else "resource type"
    raise ScimError(404, f"no {kind} {'/'.join(rest)}")


def service_provider_config(base: str, max_page_size: int) -> dict[str, Any]:
    return {
        "schemas": [SPC_URN],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": max_page_size},
        "changePassword": {"supported": False},
        "sort": {"supported": True},
        "etag": {"supported": True},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": "The SCIM access key from Bird's SCIM settings, sent as a Bearer token.",
                "primary": True,
            }
        ],
        "meta": {"resourceType": "ServiceProviderConfig", "location": f"{base}/ServiceProviderConfig"},
    }


def resource_types(base: str) -> list[dict[str, Any]]:
    user, group = resource_schemas()
    out = []
    for schema, extensions in ((user, [ENTERPRISE_URN]), (group, [])):
        doc: dict[str, Any] = {
            "schemas": [RESOURCE_TYPE_URN],
            "id": schema.name,
            "name": schema.name,
            "endpoint": schema.endpoint,
            "description": schema.description,
            "schema": schema.urn,
        }
        if extensions:
            doc["schemaExtensions"] = [{"schema": urn, "required": False} for urn in extensions]
        doc["meta"] = {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/{schema.name}"}
        out.append(doc)
    return out
