"""Bird Accounts REST API client (role catalogue, teams and their roleRefs). No Qt."""

from birdadmin.bird.accounts import AccountsClient
from birdadmin.bird.errors import ValidationError
from birdadmin.bird.models import AccessKeyInfo, Role, RoleRef, Team

__all__ = ["AccessKeyInfo", "AccountsClient", "Role", "RoleRef", "Team", "ValidationError"]
