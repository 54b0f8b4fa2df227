"""Where one connection's role catalogue comes from, for the window and the CLI alike (Qt-free).

The catalogue of a connection is always built the same way: Bird's ``iam-roles`` (when the Accounts API answered),
the local names kept for this organization (``ConnectionSpec.names_key``, saved again whenever they are edited),
and the role UUIDs seen on teams or users. Fetching from the Accounts API stays with the caller, because the
window and the CLI treat its failure differently (the window carries on without names and says so; the CLI fails).
"""

from __future__ import annotations

from collections.abc import Iterable

from birdadmin import errors
from birdadmin.domain.catalogue import CatalogueRole, RoleCatalogue
from birdadmin.errors import Explanation, explain
from birdadmin.store.role_names import read_local_names, save_local_names


def build_catalogue(
    names_key: str,
    accounts_roles: Iterable[CatalogueRole] | None,
    *,
    team_roles: Iterable[Iterable[str]] = (),
    learned: Iterable[str] = (),
) -> tuple[RoleCatalogue, list[Explanation]]:
    """The catalogue and the problems met while building it (a local names file that cannot be read).

    ``team_roles`` are the role ids of each team and ``learned`` any other role ids seen (on users); both are learned
    as nameless roles unless a name is known for them.
    """
    warnings: list[Explanation] = []
    local = None
    try:
        local = read_local_names(names_key)
    except errors.BirdadminError as exc:
        warnings.append(explain(exc))
    catalogue = RoleCatalogue(
        accounts_roles, local_csv=local, on_change=lambda cat: save_local_names(names_key, cat.to_csv())
    )
    for role_ids in team_roles:
        catalogue.learn(role_ids)
    catalogue.learn(learned)
    return catalogue, warnings
