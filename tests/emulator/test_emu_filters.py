"""The SCIM filter tokenizer, parser and compiler, without a server."""

from __future__ import annotations

from typing import Any

import pytest

from birdadmin.emulator.filter_syntax import (
    And,
    Compare,
    FilterError,
    Not,
    Or,
    PatchPath,
    Present,
    ValuePath,
    parse_filter,
    parse_path,
)
from birdadmin.emulator.filters import compile_filter
from birdadmin.emulator.schema import ENTERPRISE_URN, group_schema, user_schema

USER: dict[str, Any] = {
    "id": "u-1",
    "externalId": "OKTA-1",
    "userName": "Ann.O'Neil+crm@Example.com",
    "name": {"givenName": "Ann", "familyName": "O'Neil"},
    "displayName": "Ann O'Neil",
    "emails": [
        {"value": "ann@example.com", "type": "work", "primary": True},
        {"value": "ann@home.example", "type": "home"},
    ],
    "active": False,
    "roles": ["5f0c-aaaa", "a91e-bbbb"],
    ENTERPRISE_URN: {"department": "Support"},
    "meta": {"lastModified": "2024-05-01T10:00:00.000Z"},
}
GROUP: dict[str, Any] = {"id": "g-1", "displayName": "Support EMEA", "members": [{"value": "u-1"}, {"value": "u-2"}]}


def matches(text: str, doc: dict[str, Any] = USER, schema: Any = None) -> bool:
    return compile_filter(parse_filter(text), schema or user_schema())(doc)


# -- parsing -----------------------------------------------------------------------------------------


def test_escaped_quote_and_backslash_are_part_of_the_value() -> None:
    node = parse_filter(r'userName eq "a\"b\\c) or x"')
    assert node == Compare("userName", "eq", 'a"b\\c) or x')


def test_keywords_and_operators_are_case_insensitive() -> None:
    node = parse_filter('USERNAME EQ "x" AnD active Eq TRUE')
    assert node == And(Compare("USERNAME", "eq", "x"), Compare("active", "eq", True))


def test_and_binds_tighter_than_or() -> None:
    node = parse_filter('a eq 1 or b eq 2 and c eq 3')
    assert node == Or(Compare("a", "eq", 1), And(Compare("b", "eq", 2), Compare("c", "eq", 3)))


def test_parentheses_override_precedence() -> None:
    node = parse_filter('(a eq 1 or b eq 2) and c eq 3')
    assert node == And(Or(Compare("a", "eq", 1), Compare("b", "eq", 2)), Compare("c", "eq", 3))


def test_not_applies_to_its_parenthesised_filter_only() -> None:
    node = parse_filter('not (a eq 1) and b pr')
    assert node == And(Not(Compare("a", "eq", 1)), Present("b"))


def test_value_path_and_literals() -> None:
    node = parse_filter('emails[type eq "work" and primary eq true] or x eq null or y gt 2.5')
    assert node == Or(
        Or(
            ValuePath("emails", And(Compare("type", "eq", "work"), Compare("primary", "eq", True))),
            Compare("x", "eq", None),
        ),
        Compare("y", "gt", 2.5),
    )


def test_urn_prefixed_attribute_paths_parse() -> None:
    text = f'{ENTERPRISE_URN}:department eq "Support"'
    assert parse_filter(text) == Compare(f"{ENTERPRISE_URN}:department", "eq", "Support")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "userName",
        "userName eq",
        "userName eq bob",
        'userName xx "a"',
        '(userName eq "a"',
        'userName eq "a")',
        'userName eq "unterminated',
        r'userName eq "bad \q escape"',
        'emails[type eq "work"',
        'a eq "1" or',
        'a.b.c eq "x"',
        '1abc eq "x"',
        'not userName eq "x"',
        'userName eq "a" "b"',
        'emails[type eq "work"].value eq "x"',
        'a:b eq "x"',
    ],
)
def test_invalid_filters_are_refused(text: str) -> None:
    with pytest.raises(FilterError):
        parse_filter(text)


def test_deep_nesting_is_bounded() -> None:
    with pytest.raises(FilterError):
        parse_filter("(" * 200 + 'a eq "x"' + ")" * 200)


# -- evaluation --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('userName eq "ann.o\'neil+CRM@example.com"', True),  # caseExact false
        ('username EQ "ANN.O\'NEIL+CRM@EXAMPLE.COM"', True),
        ('userName eq "ann"', False),
        ('userName sw "ann."', True),
        ('userName ew "@example.com"', True),
        ('userName co "+crm"', True),
        ('displayName co "o\'neil"', True),
        ('emails.value eq "ANN@HOME.EXAMPLE"', True),
        ('emails eq "ann@example.com"', True),  # a complex attribute compares its value
        ('emails[type eq "work" and value ew "example.com"]', True),
        ('emails[type eq "home" and primary eq true]', False),
        ('roles eq "5f0c-aaaa"', True),
        ('roles eq "5F0C-AAAA"', False),  # roles are caseExact
        ('roles[value eq "a91e-bbbb"]', True),
        ('roles.value eq "a91e-bbbb"', True),
        ('active eq false', True),
        ('active eq "False"', True),  # Entra's boolean strings
        ('active eq true', False),
        ('externalId eq "okta-1"', False),  # caseExact
        ('externalId eq "OKTA-1"', True),
        ('name.givenName sw "a"', True),
        ('name.familyName eq "Smith"', False),
        ('meta.lastModified gt "2024-01-01T00:00:00Z"', True),
        ('meta.lastModified lt "2024-01-01T00:00:00Z"', False),
        ('title pr', False),
        ('name pr', True),
        ('roles pr', True),
        ('title eq null', True),
        ('userName ne "x"', True),
        ('not (active eq false)', False),
        ('active eq true or roles eq "5f0c-aaaa"', True),
        ('active eq true and roles eq "5f0c-aaaa"', False),
        (f'{ENTERPRISE_URN}:department eq "support"', True),
        ('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "ANN"', True),
        ('id eq "u-1"', True),
    ],
)
def test_user_filters(text: str, expected: bool) -> None:
    assert matches(text) is expected


def test_group_member_filter() -> None:
    assert matches('members.value eq "u-2"', GROUP, group_schema()) is True
    assert matches('members[value eq "u-3"]', GROUP, group_schema()) is False
    assert matches('displayName eq "support emea"', GROUP, group_schema()) is True


@pytest.mark.parametrize(
    "text",
    ['nosuch eq "x"', 'name.nosuch eq "x"', 'active gt true', 'userName co 3', 'emails[nosuch eq "x"]'],
)
def test_unknown_attributes_and_meaningless_comparisons_are_invalid(text: str) -> None:
    with pytest.raises(FilterError):
        compile_filter(parse_filter(text), user_schema())


def test_non_strict_compile_makes_unknown_attributes_match_nothing() -> None:
    predicate = compile_filter(parse_filter('members.value eq "u-1" or userName pr'), user_schema(), strict=False)
    assert predicate(USER) is True
    predicate = compile_filter(parse_filter('members.value eq "u-1"'), user_schema(), strict=False)
    assert predicate(USER) is False


# -- PATCH paths -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("roles", PatchPath("roles")),
        ("name.givenName", PatchPath("name.givenName")),
        ('members[value eq "id-1"]', PatchPath("members", Compare("value", "eq", "id-1"))),
        ('emails[type eq "work"].value', PatchPath("emails", Compare("type", "eq", "work"), "value")),
        (f"{ENTERPRISE_URN}:department", PatchPath(f"{ENTERPRISE_URN}:department")),
    ],
)
def test_patch_paths(text: str, expected: PatchPath) -> None:
    assert parse_path(text) == expected


@pytest.mark.parametrize(
    "text",
    ['members[value eq "x"].', 'members[value eq "x"] junk', 'name.givenName[value eq "x"]', "a.b.c", '"quoted"'],
)
def test_invalid_patch_paths(text: str) -> None:
    with pytest.raises(FilterError):
        parse_path(text)
