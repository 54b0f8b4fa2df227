"""What the window's pages and controllers share, handed to each of them explicitly (no global registry)."""

from __future__ import annotations

from collections.abc import Callable

from birdadmin.errors import Explanation
from birdadmin.qtmodels.roles import RoleContext
from birdadmin.services.connection import Organization, OrgData, Session
from birdadmin.services.tasks import TaskRunner
from birdadmin.ui.change_queue import PendingChanges


class WindowContext:
    """The task runner, the open connection (or None) and the two ways to tell the person something."""

    def __init__(
        self,
        runner: TaskRunner,
        show_error: Callable[[Explanation], None],
        show_message: Callable[[str, int], None],
    ) -> None:
        self.runner = runner
        self.session: Session | None = None
        # The organization every page and count reads (None when not connected); kept by ui/directory.py.
        self.organization: Organization | None = None
        # The planned changes every editing surface plans into (ui/change_queue.py); read-only state lives there too.
        self.pending = PendingChanges()
        self.show_error = show_error
        self.show_message = show_message  # a passing note in the status bar (text, milliseconds)

    @property
    def org(self) -> OrgData | None:
        """Groups, memberships and the catalogue of the organization shown, once they have arrived."""
        return self.organization.data if self.organization is not None else None

    def role_context(self) -> RoleContext:
        """How role ids are named and where group roles come from, for the models and panes."""
        org = self.org
        if org is None:
            return RoleContext()
        return RoleContext(org.catalogue, org.memberships, org.group_roles, org.group_names, org.group_roles_known)
