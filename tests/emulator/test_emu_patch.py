"""PATCH application on stored resources in every dialect the brief lists, without a server."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from birdadmin.emulator.errors import ScimError
from birdadmin.emulator.patch import apply_patch
from birdadmin.emulator.schema import (
    ENTERPRISE_URN,
    PATCH_URN,
    USER_URN,
    group_schema,
    user_schema,
)

R1, R2, R3 = (
    "11111111-1111-4111-8111-111111111111",
    "22222222-2222-4222-8222-222222222222",
    "33333333-3333-4333-8333-333333333333",
)


def user() -> dict[str, Any]:
    return {
        "userName": "ann@example.com",
        "name": {"givenName": "Ann", "familyName": "Lee"},
        "displayName": "Ann Lee",
        "emails": [{"value": "ann@example.com", "type": "work", "primary": True}],
        "active": True,
        "roles": [R1, R2],
    }


def group() -> dict[str, Any]:
    return {
        "displayName": "Support",
        "members": [
            {"value": "u1", "display": "One", "type": "User"},
            {"value": "u2", "display": "Two", "type": "User"},
        ],
    }


def patch_user(*ops: dict[str, Any], doc: dict[str, Any] | None = None) -> dict[str, Any]:
    return apply_patch(doc or user(), {"schemas": [PATCH_URN], "Operations": list(ops)}, user_schema())


def patch_group(*ops: dict[str, Any]) -> dict[str, Any]:
    return apply_patch(group(), {"schemas": [PATCH_URN], "Operations": list(ops)}, group_schema())


def scim_error(excinfo: pytest.ExceptionInfo[ScimError]) -> tuple[int, str | None]:
    return excinfo.value.status, excinfo.value.scim_type


# -- simple attributes and Entra's dialect -----------------------------------------------------------


def test_capitalised_op_and_boolean_string_from_entra() -> None:
    out = patch_user({"op": "Replace", "path": "active", "value": "False"})
    assert out["active"] is False


def test_no_path_replace_with_value_object() -> None:
    out = patch_user({"op": "replace", "value": {"active": "True", "displayName": "Ann L.", "DISPLAYNAME": "Ann X"}})
    assert out["active"] is True
    assert out["displayName"] == "Ann X"  # the later key wins, names are case-insensitive


def test_no_path_add_with_urn_keys_and_extension_object() -> None:
    out = patch_user(
        {
            "op": "add",
            "value": {
                f"{USER_URN}:title": "Lead",
                ENTERPRISE_URN: {"department": "Sales", "schemas": [ENTERPRISE_URN]},
            },
        }
    )
    assert out["title"] == "Lead"
    assert out[ENTERPRISE_URN] == {"department": "Sales"}


def test_sub_attribute_replace_keeps_the_other_sub_attributes() -> None:
    out = patch_user({"op": "replace", "path": "name.givenName", "value": "Anne"})
    assert out["name"] == {"givenName": "Anne", "familyName": "Lee"}


def test_complex_replace_merges_sub_attributes() -> None:
    out = patch_user({"op": "replace", "path": "name", "value": {"familyName": "Park"}})
    assert out["name"] == {"givenName": "Ann", "familyName": "Park"}


def test_remove_simple_attribute() -> None:
    out = patch_user({"op": "remove", "path": "displayName"})
    assert "displayName" not in out


def test_patch_does_not_touch_its_input() -> None:
    original = user()
    kept = copy.deepcopy(original)
    patch_user({"op": "replace", "path": "roles", "value": []}, doc=original)
    assert original == kept


def test_operations_are_all_or_nothing() -> None:
    original = user()
    with pytest.raises(ScimError):
        apply_patch(
            original,
            {"Operations": [{"op": "replace", "path": "roles", "value": []},
                            {"op": "replace", "path": "nosuch", "value": 1}]},
            user_schema(),
        )
    assert original["roles"] == [R1, R2]


# -- roles (a string array) --------------------------------------------------------------------------


def test_add_role_appends_and_existing_role_is_a_no_op() -> None:
    out = patch_user({"op": "add", "path": "roles", "value": [R2, R3]})
    assert out["roles"] == [R1, R2, R3]


def test_roles_written_in_rfc_complex_form_are_stored_as_strings() -> None:
    out = patch_user({"op": "add", "path": "roles", "value": [{"value": R3, "display": "Agent"}]})
    assert out["roles"] == [R1, R2, R3]
    out = patch_user({"op": "replace", "path": "roles", "value": [{"value": R3}]})
    assert out["roles"] == [R3]


def test_remove_role_by_value_filter() -> None:
    out = patch_user({"op": "remove", "path": f'roles[value eq "{R1}"]'})
    assert out["roles"] == [R2]


def test_remove_role_with_value_list() -> None:
    out = patch_user({"op": "remove", "path": "roles", "value": [{"value": R2}]})
    assert out["roles"] == [R1]


def test_replace_one_role_through_a_value_filter() -> None:
    out = patch_user({"op": "replace", "path": f'roles[value eq "{R2}"]', "value": R3})
    assert out["roles"] == [R1, R3]


def test_replace_roles_with_empty_array_clears_them() -> None:
    assert patch_user({"op": "replace", "path": "roles", "value": []})["roles"] == []


def test_remove_roles_path_removes_the_attribute() -> None:
    assert "roles" not in patch_user({"op": "remove", "path": "roles"})


# -- emails (value-filter paths with a sub-attribute) ------------------------------------------------


def test_replace_sub_attribute_of_filtered_item() -> None:
    out = patch_user({"op": "replace", "path": 'emails[type eq "work"].value', "value": "ann@new.example"})
    assert out["emails"] == [{"value": "ann@new.example", "type": "work", "primary": True}]


def test_entra_add_on_filtered_path_creates_the_item() -> None:
    out = patch_user({"op": "add", "path": 'emails[type eq "home"].value', "value": "ann@home.example"})
    assert out["emails"][1] == {"type": "home", "value": "ann@home.example"}


def test_new_primary_email_demotes_the_old_one() -> None:
    out = patch_user({"op": "add", "path": "emails", "value": [{"value": "b@example.com", "primary": True}]})
    assert [e.get("primary") for e in out["emails"]] == [False, True]


# -- members (Okta and Entra group push) -------------------------------------------------------------


def test_okta_member_add_without_type() -> None:
    out = patch_group({"op": "add", "path": "members", "value": [{"value": "u3"}]})
    assert [m["value"] for m in out["members"]] == ["u1", "u2", "u3"]


def test_adding_an_existing_member_is_a_no_op() -> None:
    out = patch_group({"op": "add", "path": "members", "value": [{"value": "u1", "display": "Other"}]})
    assert out["members"] == group()["members"]


def test_entra_member_remove_with_value_list() -> None:
    out = patch_group({"op": "Remove", "path": "members", "value": [{"value": "u1"}]})
    assert [m["value"] for m in out["members"]] == ["u2"]


def test_okta_member_remove_by_value_filter() -> None:
    out = patch_group({"op": "remove", "path": 'members[value eq "u2"]'})
    assert [m["value"] for m in out["members"]] == ["u1"]


def test_removing_a_non_member_leaves_the_group_as_it_was() -> None:
    assert patch_group({"op": "remove", "path": 'members[value eq "u9"]'}) == group()


def test_full_member_replace() -> None:
    out = patch_group({"op": "replace", "path": "members", "value": [{"value": "u9"}]})
    assert out["members"] == [{"value": "u9"}]


# -- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ops", "status", "scim_type"),
    [
        ([{"op": "merge", "path": "active", "value": True}], 400, "invalidValue"),
        ([{"op": "replace", "path": "nosuch", "value": 1}], 400, "invalidPath"),
        ([{"op": "replace", "path": "name.nosuch", "value": 1}], 400, "invalidPath"),
        ([{"op": "replace", "path": "id", "value": "x"}], 400, "mutability"),
        ([{"op": "replace", "path": "groups", "value": []}], 400, "mutability"),
        ([{"op": "remove"}], 400, "noTarget"),
        ([{"op": "replace", "path": 'emails[type eq "home"]', "value": {"value": "x"}}], 400, "noTarget"),
        ([{"op": "replace", "path": 'emails[type eq "work"', "value": "x"}], 400, "invalidPath"),
        ([{"op": "replace", "path": "active", "value": "maybe"}], 400, "invalidValue"),
        ([{"op": "replace", "path": "displayName"}], 400, "invalidValue"),
        ([{"op": "add", "value": "not an object"}], 400, "invalidValue"),
        (["not an object"], 400, "invalidSyntax"),
        ([], 400, "invalidSyntax"),
    ],
)
def test_invalid_operations(ops: list[Any], status: int, scim_type: str) -> None:
    with pytest.raises(ScimError) as excinfo:
        apply_patch(user(), {"Operations": ops}, user_schema())
    assert scim_error(excinfo) == (status, scim_type)


def test_wrong_schema_urn_is_invalid_syntax() -> None:
    with pytest.raises(ScimError) as excinfo:
        apply_patch(user(), {"schemas": [USER_URN], "Operations": [{"op": "remove", "path": "title"}]}, user_schema())
    assert scim_error(excinfo) == (400, "invalidSyntax")
