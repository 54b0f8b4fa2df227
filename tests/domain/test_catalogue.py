"""RoleCatalogue: names from Bird, local names, learned UUIDs, and resolving what a person types."""

from __future__ import annotations

import pytest

from birdadmin.bird.models import Role
from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.errors import InputError

OWNER = "0b1c2d3e-0000-4000-8000-000000000001"
AGENT = "0b1c2d3e-0000-4000-8000-000000000002"
AGENT_TOO = "0b1c2d3e-0000-4000-8000-000000000003"
ANALYST = "0b1c2d3e-0000-4000-8000-000000000004"
STALE = "deadbeef-0000-4000-8000-00000000000f"


def bird_roles() -> list[Role]:
    return [
        Role(OWNER, "Owner", "Everything", "managed"),
        Role(AGENT, "Agent", "Handles conversations"),
        Role(ANALYST, "Analyst"),
    ]


def test_uuid_is_normalized_and_accepted_even_when_unknown() -> None:
    cat = RoleCatalogue.from_accounts(bird_roles())
    assert cat.resolve(f"  {OWNER.upper()} ") == OWNER
    assert cat.resolve(STALE.upper()) == STALE
    assert not cat.is_known(STALE)
    assert cat.is_known(OWNER.upper())


@pytest.mark.parametrize("typed", ["Agent", "agent", "AGENT", "  Agent  "])
def test_name_resolves_case_insensitively(typed: str) -> None:
    assert RoleCatalogue.from_accounts(bird_roles()).resolve(typed) == AGENT


def test_name_match_is_exact_not_prefix() -> None:
    cat = RoleCatalogue.from_accounts(bird_roles())
    with pytest.raises(InputError) as caught:
        cat.resolve("Ag")
    assert "No role named 'Ag'" in caught.value.message
    assert "Agent, Analyst, Owner" in caught.value.message
    assert caught.value.exit_code == 2


def test_ambiguous_name_lists_every_matching_uuid() -> None:
    cat = RoleCatalogue.from_accounts([*bird_roles(), Role(AGENT_TOO, "agent")])
    with pytest.raises(InputError) as caught:
        cat.resolve("Agent")
    assert AGENT in caught.value.message and AGENT_TOO in caught.value.message
    assert "ambiguous" in caught.value.message


def test_malformed_uuid_and_empty_are_refused() -> None:
    cat = RoleCatalogue.from_accounts(bird_roles())
    with pytest.raises(InputError, match="not a well-formed role UUID"):
        cat.resolve("0b1c2d3e-0000-4000-8000")
    with pytest.raises(InputError, match="empty"):
        cat.resolve("   ")


def test_names_without_any_catalogue_say_a_uuid_is_needed() -> None:
    with pytest.raises(InputError, match="give the role UUID"):
        RoleCatalogue().resolve("Owner")


def test_unknown_name_message_is_bounded() -> None:
    many = [Role(f"0b1c2d3e-0000-4000-8000-{i:012d}", f"Role {i:02d}") for i in range(30)]
    with pytest.raises(InputError) as caught:
        RoleCatalogue.from_accounts(many).resolve("nope")
    assert "and 18 more" in caught.value.message
    assert "Role 29" not in caught.value.message


def test_resolve_many_is_all_or_nothing_and_names_every_problem() -> None:
    cat = RoleCatalogue.from_accounts(bird_roles())
    assert cat.resolve_many(["owner", OWNER, "Agent"]) == [OWNER, AGENT]
    with pytest.raises(InputError) as caught:
        cat.resolve_many(["Owner", "Nobody", "Ghost"])
    assert "'Nobody'" in caught.value.message and "'Ghost'" in caught.value.message


def test_name_for_falls_back_to_a_short_unknown_label() -> None:
    cat = RoleCatalogue.from_accounts(bird_roles())
    assert cat.name_for(OWNER.upper()) == "Owner"
    assert cat.name_for(STALE) == "Unknown role deadbeef"


def test_local_name_overrides_bird_and_bird_name_still_resolves() -> None:
    changes: list[str] = []
    cat = RoleCatalogue(bird_roles(), on_change=lambda c: changes.append(c.to_csv()))
    cat.set_local_name(AGENT, "Support agent", "Tier 1")
    assert cat.name_for(AGENT) == "Support agent"
    assert cat.resolve("support AGENT") == AGENT
    assert cat.resolve("Agent") == AGENT
    info = cat.info(AGENT)
    assert (info.source, info.description, info.type) == ("local", "Tier 1", "organization")
    assert len(changes) == 1 and "Support agent" in changes[0]
    cat.remove_local_name(AGENT)
    assert cat.name_for(AGENT) == "Agent" and len(changes) == 2


def test_local_names_complete_a_learned_catalogue() -> None:
    cat = RoleCatalogue()
    assert not cat.has_names()
    assert cat.learn([STALE, OWNER.upper(), STALE]) == 2
    cat.set_local_name(OWNER, "Owner")
    assert cat.has_names() and cat.is_known(OWNER) and not cat.is_known(STALE)
    roles = cat.roles()
    assert [(r.id, r.source) for r in roles] == [(OWNER, "local"), (STALE, "learned")]
    assert roles[1].name == "Unknown role deadbeef"


def test_roles_lists_every_source_named_first() -> None:
    cat = RoleCatalogue(bird_roles(), local_csv=f"id,name\n{STALE},Legacy admin\n")
    cat.learn([AGENT_TOO])
    listed = [(r.name, r.source) for r in cat.roles()]
    assert listed == [
        ("Agent", "accounts"),
        ("Analyst", "accounts"),
        ("Legacy admin", "local"),
        ("Owner", "accounts"),
        ("Unknown role 0b1c2d3e", "learned"),
    ]
    assert cat.roles()[3].type == "managed" and cat.roles()[3].description == "Everything"


def test_csv_round_trip_keeps_names_descriptions_and_quoting() -> None:
    cat = RoleCatalogue()
    cat.set_local_name(OWNER, 'Owner, "main"', "Keep one outside SCIM")
    cat.set_local_name(ANALYST, "Analyst")
    text = cat.to_csv()
    assert text.splitlines()[0] == "id,name,description"
    again = RoleCatalogue(local_csv=text)
    assert again.name_for(OWNER) == 'Owner, "main"' and again.name_for(ANALYST) == "Analyst"
    assert again.info(OWNER).description == "Keep one outside SCIM"
    assert again.to_csv() == text


def test_a_carriage_return_in_a_name_never_splits_its_row() -> None:
    cat = RoleCatalogue()
    cat.set_local_name(OWNER, "Owner\r" + ANALYST, "Forged")  # unquoted, the row would read as two roles
    again = RoleCatalogue(local_csv=cat.to_csv())
    assert again.name_for(OWNER) == "Owner\r" + ANALYST and again.info(OWNER).description == "Forged"
    assert again.name_for(ANALYST) != "Forged"


def test_csv_import_accepts_two_columns_any_order_and_a_bom() -> None:
    cat = RoleCatalogue()
    assert cat.import_csv(f"\ufeffName,ID\nAgent,{AGENT.upper()}\n\n") == 1
    assert cat.name_for(AGENT) == "Agent"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("uuid,label\nx,y\n", "header row"),
        (f"id,name\n{OWNER},Owner\nnot-a-uuid,Bad\n", "Line 3"),
        (f"id,name\n{OWNER},\n", "has no name"),
    ],
)
def test_bad_csv_is_refused_whole(text: str, message: str) -> None:
    cat = RoleCatalogue()
    with pytest.raises(InputError, match=message):
        cat.import_csv(text)
    assert cat.to_csv() == "id,name,description\r\n"


def test_set_local_name_needs_a_uuid_and_a_name() -> None:
    cat = RoleCatalogue()
    with pytest.raises(InputError):
        cat.set_local_name("Owner", "Owner")
    with pytest.raises(InputError):
        cat.set_local_name(OWNER, "  ")


def test_a_bird_role_without_a_name_is_listed_with_the_same_label_it_is_shown_with() -> None:
    nameless = "0b1c2d3e-0000-4000-8000-0000000000ee"
    cat = RoleCatalogue.from_accounts([Role(nameless, "", "kept description", "managed"), Role(OWNER, "Owner")])
    info = cat.info(nameless)
    assert info.name == cat.name_for(nameless) == "Unknown role 0b1c2d3e"
    assert (info.description, info.type, info.source) == ("kept description", "managed", "accounts")
    assert [r.name for r in cat.roles()] == ["Owner", "Unknown role 0b1c2d3e"]


def test_an_edit_whose_save_fails_is_undone() -> None:
    """A local name that could not be saved is not kept in memory either (never half-applied)."""
    from birdadmin.domain.catalogue import RoleCatalogue

    def failing_save(_catalogue: RoleCatalogue) -> None:
        raise OSError("disk full")

    rid = "11111111-2222-3333-4444-555555555555"
    catalogue = RoleCatalogue(on_change=None)
    catalogue.learn([rid])
    catalogue.set_local_name(rid, "Kept")
    catalogue._on_change = failing_save  # the store starts failing
    for edit in (
        lambda: catalogue.set_local_name(rid, "Lost"),
        lambda: catalogue.remove_local_name(rid),
        lambda: catalogue.import_csv(f"id,name\n{rid},Also lost\n"),
    ):
        try:
            edit()
        except OSError:
            pass
        else:
            raise AssertionError("the failing save was swallowed")
        assert catalogue.name_for(rid) == "Kept" and catalogue.to_csv() == f"id,name,description\r\n{rid},Kept,\r\n"


def test_it_says_whether_its_names_came_from_the_accounts_api() -> None:
    """A flag, not the classmethod of nearly the same name: a bound method would always read as true."""
    assert RoleCatalogue.from_accounts([Role(OWNER, "Owner")]).names_from_accounts is True
    assert RoleCatalogue.from_accounts([]).names_from_accounts is True  # the API answered, with no roles
    assert RoleCatalogue().names_from_accounts is False
    assert RoleCatalogue(local_csv="id,name\n").names_from_accounts is False
