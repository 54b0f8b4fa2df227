"""Bird Accounts REST API client (role catalogue, teams and their roleRefs). No Qt."""

from birdadmin.bird.accounts import AccountsClient
from birdadmin.bird.errors import ValidationError
from birdadmin.bird.models import Role, RoleRef, Team

__all__ = ["AccountsClient", "Role", "RoleRef", "Team", "ValidationError"]
