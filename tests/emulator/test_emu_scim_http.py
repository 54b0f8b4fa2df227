"""The SCIM endpoints over real HTTP with plain httpx, checked against the emulator's true state."""

from __future__ import annotations

import ssl
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from birdadmin.emulator import Emulator

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def assert_scim_error(resp: httpx.Response, status: int, scim_type: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)  # a string, as RFC 7644 says
    assert body.get("scimType") == scim_type
    assert body["detail"]
    return body


def patch_body(*ops: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH], "Operations": list(ops)}


def some_user(emu: Emulator, **want: Any) -> dict[str, Any]:
    return next(u for u in emu.state.users() if all(u.get(k) == v for k, v in want.items()))


# -- auth --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer wrong-key", "AccessKey demo-scim-key", "demo-scim-key"])
def test_requests_without_the_bearer_key_are_401(emu: Emulator, tls: ssl.SSLContext, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    resp = httpx.get(f"{emu.scim_url}/Users", headers=headers, verify=tls)
    assert_scim_error(resp, 401)
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert emu.key not in resp.text


def test_unknown_endpoint_and_unknown_org_are_scim_404s(emu: Emulator, scim: httpx.Client) -> None:
    assert_scim_error(scim.get("/Nothing"), 404)
    other = emu.scim_url.replace(emu.org_id, "00000000-0000-4000-8000-000000000000")
    assert_scim_error(scim.get(f"{other}/Users"), 404)


# -- paging ------------------------------------------------------------------------------------------


def test_count_is_capped_silently_and_pages_cover_everyone_once(emu: Emulator, scim: httpx.Client) -> None:
    first = scim.get("/Users", params={"count": 500}).json()
    assert (first["totalResults"], first["itemsPerPage"], first["startIndex"]) == (250, 100, 1)
    seen: list[str] = []
    start = 1
    for _ in range(10):
        page = scim.get("/Users", params={"startIndex": start, "count": 100}).json()
        if not page["Resources"]:
            break
        seen.extend(r["id"] for r in page["Resources"])
        start += page["itemsPerPage"]
    assert len(seen) == 250 and set(seen) == {u["id"] for u in emu.state.users()}


def test_smaller_runtime_cap(emu: Emulator, scim: httpx.Client) -> None:
    emu.configure(max_page_size=7)
    page = scim.get("/Users", params={"count": 50}).json()
    assert page["itemsPerPage"] == 7 and len(page["Resources"]) == 7
    config = scim.get("/ServiceProviderConfig").json()
    assert config["filter"]["maxResults"] == 7


@pytest.mark.parametrize(
    ("params", "start", "items"),
    [
        ({"count": 0}, 1, 0),
        ({"count": -5}, 1, 0),
        ({"startIndex": 0, "count": 3}, 1, 3),
        ({"startIndex": -9, "count": 3}, 1, 3),
        ({"startIndex": 249, "count": 10}, 249, 2),
        ({"startIndex": 900}, 900, 0),
    ],
)
def test_out_of_range_paging_is_treated_like_the_rfc_says(
    scim: httpx.Client, params: dict[str, int], start: int, items: int
) -> None:
    page = scim.get("/Users", params=params).json()
    assert page["totalResults"] == 250
    assert (page["startIndex"], page["itemsPerPage"], len(page["Resources"])) == (start, items, items)


def test_non_numeric_count_is_invalid_value(scim: httpx.Client) -> None:
    assert_scim_error(scim.get("/Users", params={"count": "ten"}), 400, "invalidValue")


# -- filters, projection, sorting --------------------------------------------------------------------


def test_filter_on_a_username_with_plus_and_one_with_apostrophe(emu: Emulator, scim: httpx.Client) -> None:
    for name in ("amelie.dubois+bird@example.com", "siobhan.o'brien@example.com"):
        quoted = name.upper().replace("\\", "\\\\").replace('"', '\\"')
        page = scim.get("/Users", params={"filter": f'userName eq "{quoted}"'}).json()
        assert [r["userName"] for r in page["Resources"]] == [name]


def test_role_filter_matches_the_true_holders(emu: Emulator, scim: httpx.Client) -> None:
    agent = next(r["id"] for r in emu.state.roles() if r["name"] == "Agent")
    page = scim.get("/Users", params={"filter": f'roles eq "{agent}"', "count": 100}).json()
    truth = {u["id"] for u in emu.state.users() if agent in u["roles"]}
    assert page["totalResults"] == len(truth) > 0
    assert {r["id"] for r in page["Resources"]} <= truth


def test_filter_combinations(emu: Emulator, scim: httpx.Client) -> None:
    flt = 'active eq false and (roles pr) and not (displayName sw "zzz")'
    page = scim.get("/Users", params={"filter": flt, "count": 100}).json()
    truth = {u["id"] for u in emu.state.users() if u["active"] is False and u["roles"]}
    assert {r["id"] for r in page["Resources"]} == truth and truth


def test_group_member_filter_and_computed_groups_filter(emu: Emulator, scim: httpx.Client) -> None:
    group = next(g for g in emu.state.groups() if g["members"])
    member = group["members"][0]["value"]
    page = scim.get("/Groups", params={"filter": f'members.value eq "{member}"'}).json()
    assert group["id"] in {g["id"] for g in page["Resources"]}
    page = scim.get("/Users", params={"filter": f'groups.value eq "{group["id"]}"', "count": 100}).json()
    assert {u["id"] for u in page["Resources"]} == {m["value"] for m in group["members"]}


@pytest.mark.parametrize("flt", ['userName eq bob', 'nosuch eq "x"', 'userName eq "a" and', 'active gt true'])
def test_invalid_filter_is_400_invalid_filter(scim: httpx.Client, flt: str) -> None:
    assert_scim_error(scim.get("/Users", params={"filter": flt}), 400, "invalidFilter")


def test_groups_without_members_and_users_with_chosen_attributes(scim: httpx.Client) -> None:
    groups = scim.get("/Groups", params={"excludedAttributes": "members"}).json()["Resources"]
    assert groups and all("members" not in g and g["displayName"] for g in groups)
    users = scim.get("/Users", params={"attributes": "id,userName", "count": 5}).json()["Resources"]
    assert all(set(u) == {"schemas", "id", "userName"} for u in users)
    only_members = scim.get("/Groups", params={"attributes": "members", "count": 3}).json()["Resources"]
    assert all(set(g) <= {"schemas", "id", "members"} for g in only_members)


def test_sort_by_user_name(scim: httpx.Client) -> None:
    names = [u["userName"] for u in scim.get("/Users", params={"sortBy": "userName", "count": 100}).json()["Resources"]]
    assert names == sorted(names, key=str.casefold)
    down = scim.get("/Users", params={"sortBy": "userName", "sortOrder": "descending", "count": 3}).json()
    assert [u["userName"] for u in down["Resources"]] == sorted(names_all(scim), key=str.casefold, reverse=True)[:3]


def names_all(scim: httpx.Client) -> list[str]:
    out: list[str] = []
    for start in (1, 101, 201):
        out += [u["userName"] for u in scim.get("/Users", params={"startIndex": start}).json()["Resources"]]
    return out


def test_post_search_on_users(emu: Emulator, scim: httpx.Client) -> None:
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": 'userName sw "jose"',
            "attributes": ["userName"]}  # fmt: skip
    page = scim.post("/Users/.search", json=body).json()
    assert [u["userName"] for u in page["Resources"]] == ["jose.alvarez@example.com"]


@pytest.mark.parametrize("field", ["attributes", "excludedAttributes"])
@pytest.mark.parametrize("value", [5, {"a": 1}, True])
def test_post_search_with_attributes_that_are_not_names_is_400(scim: httpx.Client, field: str, value: object) -> None:
    for path in ("/Users/.search", "/.search"):
        assert_scim_error(scim.post(path, json={field: value}), 400, "invalidValue")


# -- create / read / replace / delete, ETags ---------------------------------------------------------


def test_create_answers_201_with_location_and_etag(emu: Emulator, scim: httpx.Client) -> None:
    body = {"schemas": [USER], "userName": "new.person@example.com", "roles": [{"value": "r-1"}]}
    resp = scim.post("/Users", json=body)
    assert resp.status_code == 201
    body = resp.json()
    assert resp.headers["Location"] == body["meta"]["location"] == f"{emu.scim_url}/Users/{body['id']}"
    assert resp.headers["ETag"] == body["meta"]["version"] == 'W/"1"'
    assert emu.state.user(body["id"])["roles"] == ["r-1"]  # complex form stored as strings
    assert body["active"] is True


def test_duplicate_username_is_409_uniqueness_case_insensitively(scim: httpx.Client) -> None:
    resp = scim.post("/Users", json={"schemas": [USER], "userName": "MARGARET.HAMILTON@example.com"})
    assert_scim_error(resp, 409, "uniqueness")


def test_get_has_etag_and_if_none_match_gives_304(emu: Emulator, scim: httpx.Client) -> None:
    uid = emu.state.users()[3]["id"]
    resp = scim.get(f"/Users/{uid}")
    assert resp.headers["ETag"] == resp.json()["meta"]["version"]
    again = scim.get(f"/Users/{uid}", headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_stale_if_match_is_412_and_changes_nothing(emu: Emulator, scim: httpx.Client) -> None:
    uid = emu.state.users()[5]["id"]
    etag = scim.get(f"/Users/{uid}").headers["ETag"]
    first = scim.patch(f"/Users/{uid}", json=patch_body({"op": "replace", "path": "title", "value": "A"}),
                       headers={"If-Match": etag})  # fmt: skip
    assert first.status_code == 200 and first.headers["ETag"] != etag
    stale = scim.patch(f"/Users/{uid}", json=patch_body({"op": "replace", "path": "title", "value": "B"}),
                       headers={"If-Match": etag})  # fmt: skip
    assert_scim_error(stale, 412)
    assert emu.state.user(uid)["title"] == "A"
    assert_scim_error(scim.delete(f"/Users/{uid}", headers={"If-Match": etag}), 412)
    star = scim.put(f"/Users/{uid}", json={**emu.state.user(uid), "title": "C"}, headers={"If-Match": "*"})
    assert star.status_code == 200 and emu.state.user(uid)["title"] == "C"


def test_put_without_roles_wipes_them_bird_hazard_1(emu: Emulator, scim: httpx.Client) -> None:
    holder = next(u for u in emu.state.users() if len(u["roles"]) >= 2)
    body = {k: v for k, v in holder.items() if k not in ("roles", "meta", "groups")}
    resp = scim.put(f"/Users/{holder['id']}", json=body)
    assert resp.status_code == 200
    assert emu.state.user(holder["id"])["roles"] == []
    assert resp.json()["meta"]["version"] == 'W/"2"'


def test_put_cannot_change_the_id(emu: Emulator, scim: httpx.Client) -> None:
    uid = emu.state.users()[0]["id"]
    assert_scim_error(scim.put(f"/Users/{uid}", json={"id": "other", "userName": "x@example.com"}), 400, "mutability")


def test_patch_roles_and_204_mode(emu: Emulator, scim: httpx.Client) -> None:
    uid = some_user(emu, active=True)["id"]
    resp = scim.patch(f"/Users/{uid}", json=patch_body({"op": "Replace", "path": "roles", "value": ["r-a", "r-b"]}))
    assert resp.status_code == 200 and resp.json()["roles"] == ["r-a", "r-b"]
    emu.configure(patch_returns_204=True)
    resp = scim.patch(f"/Users/{uid}", json=patch_body({"op": "Remove", "path": 'roles[value eq "r-a"]'}))
    assert resp.status_code == 204 and resp.content == b"" and resp.headers["ETag"] == 'W/"3"'
    assert emu.state.user(uid)["roles"] == ["r-b"]


def test_noop_patch_keeps_the_version(emu: Emulator, scim: httpx.Client) -> None:
    user = next(u for u in emu.state.users() if u["roles"])
    again = patch_body({"op": "add", "path": "roles", "value": user["roles"][:1]})
    resp = scim.patch(f"/Users/{user['id']}", json=again)
    assert resp.json()["meta"]["version"] == user["meta"]["version"]


@pytest.mark.parametrize(
    ("body", "status", "scim_type"),
    [
        (b"{not json", 400, "invalidSyntax"),
        (b"[" * 100_000 + b"]" * 100_000, 400, "invalidSyntax"),  # nested deeper than any parser goes
        (b'{"Operations": [{"op": "replace", "path": "id", "value": "x"}]}', 400, "mutability"),
        (b'{"Operations": [{"op": "replace", "path": "bogus", "value": "x"}]}', 400, "invalidPath"),
    ],
)
def test_bad_patch_requests(emu: Emulator, scim: httpx.Client, body: bytes, status: int, scim_type: str) -> None:
    uid = emu.state.users()[0]["id"]
    resp = scim.patch(f"/Users/{uid}", content=body, headers={"Content-Type": "application/json"})
    assert_scim_error(resp, status, scim_type)


def test_okta_group_rename_repeating_the_id_is_accepted_and_another_id_is_not(
    emu: Emulator, scim: httpx.Client
) -> None:
    gid = emu.state.groups()[0]["id"]
    okta = {"op": "replace", "value": {"id": gid, "displayName": "Support EMEA (renamed)"}}
    resp = scim.patch(f"/Groups/{gid}", json=patch_body(okta))
    assert resp.status_code == 200, resp.text
    assert emu.state.group(gid)["displayName"] == "Support EMEA (renamed)"
    other = {"op": "replace", "value": {"id": "another-id", "displayName": "Stolen"}}
    assert_scim_error(scim.patch(f"/Groups/{gid}", json=patch_body(other)), 400, "mutability")
    assert emu.state.group(gid)["displayName"] == "Support EMEA (renamed)"


def test_delete_user_removes_it_and_its_memberships(emu: Emulator, scim: httpx.Client) -> None:
    group = next(g for g in emu.state.groups() if g["members"])
    uid = group["members"][0]["value"]
    assert scim.delete(f"/Users/{uid}").status_code == 204
    assert_scim_error(scim.get(f"/Users/{uid}"), 404)
    assert emu.state.user(uid) is None
    assert uid not in {m["value"] for m in emu.state.group(group["id"])["members"]}
    assert emu.state.group(group["id"])["meta"]["version"] != group["meta"]["version"]


# -- groups and their members ------------------------------------------------------------------------


def test_member_changes_show_in_the_users_groups(emu: Emulator, scim: httpx.Client) -> None:
    group = emu.state.groups()[0]
    outsider = next(u for u in emu.state.users() if "groups" not in u)
    resp = scim.patch(f"/Groups/{group['id']}", json=patch_body({"op": "add", "path": "members",
                                                                 "value": [{"value": outsider["id"]}]}))  # fmt: skip
    assert resp.status_code == 200
    user = scim.get(f"/Users/{outsider['id']}").json()
    assert user["groups"] == [{"value": group["id"], "$ref": f"{emu.scim_url}/Groups/{group['id']}",
                               "display": group["displayName"], "type": "direct"}]  # fmt: skip
    scim.patch(f"/Groups/{group['id']}", json=patch_body({"op": "replace", "path": "displayName", "value": "Renamed"}))
    assert scim.get(f"/Users/{outsider['id']}").json()["groups"][0]["display"] == "Renamed"
    scim.patch(f"/Groups/{group['id']}", json=patch_body({"op": "Remove", "path": "members",
                                                          "value": [{"value": outsider["id"]}]}))  # fmt: skip
    assert "groups" not in scim.get(f"/Users/{outsider['id']}").json()


def test_unknown_member_is_refused(emu: Emulator, scim: httpx.Client) -> None:
    gid = emu.state.groups()[0]["id"]
    ghost = patch_body({"op": "add", "path": "members", "value": [{"value": "ghost"}]})
    resp = scim.patch(f"/Groups/{gid}", json=ghost)
    assert_scim_error(resp, 400, "invalidValue")


def test_scim_groups_have_no_roles_attribute(emu: Emulator, scim: httpx.Client) -> None:
    group = scim.get(f"/Groups/{emu.state.groups()[0]['id']}").json()
    assert "roles" not in group
    resp = scim.patch(f"/Groups/{group['id']}", json=patch_body({"op": "add", "path": "roles", "value": ["r"]}))
    assert_scim_error(resp, 400, "invalidPath")


# -- discovery ---------------------------------------------------------------------------------------


def test_discovery_documents(emu: Emulator, scim: httpx.Client) -> None:
    config = scim.get("/ServiceProviderConfig").json()
    assert config["patch"]["supported"] and config["etag"]["supported"] and not config["bulk"]["supported"]
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    schemas = scim.get("/Schemas").json()["Resources"]
    user_schema = next(s for s in schemas if s["id"] == USER)
    roles = next(a for a in user_schema["attributes"] if a["name"] == "roles")
    assert (roles["type"], roles["multiValued"]) == ("string", True)
    assert scim.get(f"/Schemas/{USER}").json()["name"] == "User"
    types = {t["id"]: t for t in scim.get("/ResourceTypes").json()["Resources"]}
    assert types["User"]["endpoint"] == "/Users" and types["Group"]["schema"].endswith(":Group")
    assert_scim_error(scim.get("/Schemas/urn:nope"), 404)
    resp = scim.post("/Schemas", json={})
    assert_scim_error(resp, 405)
    assert resp.headers["Allow"] == "GET"


# -- concurrency ------------------------------------------------------------------------------------
# How fast pages are served, and that concurrent requests overlap, is measured by tests/benchmarks/bench_scim.py.


def test_pages_are_served_to_concurrent_clients(emu: Emulator, tls: ssl.SSLContext) -> None:
    headers = {"Authorization": f"Bearer {emu.key}"}
    limits = httpx.Limits(max_connections=8)
    with httpx.Client(base_url=emu.scim_url, headers=headers, limits=limits, verify=tls) as client:
        emu.configure(latency_ms=20)
        with ThreadPoolExecutor(max_workers=8) as pool:
            pages = list(pool.map(lambda s: client.get("/Users", params={"startIndex": s, "count": 50}),
                                  range(1, 251, 50)))
        assert all(p.status_code == 200 for p in pages)
        ids = [u["id"] for p in pages for u in p.json()["Resources"]]
        assert len(ids) == len(set(ids)) == 250
