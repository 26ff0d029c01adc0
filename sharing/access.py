"""Who may do what to a notebook: the one module every page and API endpoint asks.

A person reaches a notebook either directly (``/notebooks/<id>``, the API) or
through a share link (``/s/<token>``). What they may do:

| who | read | history | write | delete | share | revoke | fork |
| --- | --- | --- | --- | --- | --- | --- | --- |
| the owner | yes | yes | yes | yes | yes | yes | yes |
| a collaborator (joined through an active edit link) | yes | yes | yes | | | | yes |
| holder of a view link | yes | | | | | | |
| holder of a fork link | yes | | | | | | yes |
| holder of an edit link, signed in | yes | | yes (joins) | | | | yes |
| holder of an edit link, anonymous | yes | | | | | | yes (into browser drafts) |
| anyone, unlisted or public notebook | yes | | | | | | yes |
| anyone else | | | | | | | |

"read" is the current revision; "history" is every earlier revision and the diffs
between them, kept for the people who edit the notebook: a secret deleted before a
notebook was published or shared stays out of reach of its readers. "share" is
making links and changing visibility, "revoke" is revoking links and removing
collaborators. A collaborator the owner removed cannot join again through a link
made before the removal (as any holder, they may still read through it: revoke the
link to stop that). A notebook in the trash is reachable by its owner only, and
only to restore or delete it. Someone who may not read a notebook gets the same
"not found" as for a notebook that does not exist, so ids cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeGuard

from django.contrib.auth.models import AnonymousUser, User

from notebooks.models import Notebook, Visibility
from sharing.models import Collaborator, Role, ShareLink

# Whoever asks: a signed-in person or an anonymous visitor (``request.user``).
Visitor = User | AnonymousUser


class Action(StrEnum):
    READ = "read"
    HISTORY = "history"
    WRITE = "write"
    DELETE = "delete"
    SHARE = "share"
    REVOKE = "revoke"
    FORK = "fork"


class NotebookNotFound(Exception):
    """No such notebook, or one this person may not see (the two look the same)."""

    message = "There is no such notebook, or you do not have access to it."


class ActionDenied(Exception):
    """The person may read the notebook but not do this to it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_OWNER = frozenset(Action)
_COLLABORATOR = frozenset({Action.READ, Action.HISTORY, Action.WRITE, Action.FORK})
_LINK_ROLES = {
    Role.VIEW: frozenset({Action.READ}),
    Role.FORK: frozenset({Action.READ, Action.FORK}),
    Role.EDIT: frozenset({Action.READ, Action.WRITE, Action.FORK}),
}
_ANYONE_WITH_ADDRESS = frozenset({Action.READ, Action.FORK})

_DENIED = {
    Action.HISTORY: "Only the people who edit this notebook can see its earlier revisions.",
    Action.WRITE: "You can view this notebook but not change it. Fork it to make your own copy.",
    Action.DELETE: "Only the notebook's owner can delete it.",
    Action.SHARE: "Only the notebook's owner can share it or change who sees it.",
    Action.REVOKE: "Only the notebook's owner can revoke links or remove collaborators.",
    Action.FORK: "This link lets you view the notebook, not copy it.",
}


@dataclass(frozen=True)
class Access:
    """What one person may do to one notebook, and as whom."""

    actions: frozenset[Action]
    # "owner", "collaborator", "link:view", "link:fork", "link:edit", "visitor", "none"
    role: str
    # Whether the notebook's code may be shown (the owner allows it on view links).
    show_code: bool = True

    def allows(self, action: Action) -> bool:
        return action in self.actions


NO_ACCESS = Access(actions=frozenset(), role="none", show_code=False)


def _is_signed_in(user: Visitor | None) -> TypeGuard[User]:
    return user is not None and user.is_authenticated


def notebook_access(
    *, user: Visitor | None, notebook: Notebook, link: ShareLink | None = None
) -> Access:
    """Everything ``user`` (signed in or not) may do to ``notebook``, through ``link`` if given."""
    if _is_signed_in(user) and notebook.owner_id == user.pk:
        if notebook.is_trashed:
            return Access(actions=frozenset({Action.DELETE}), role="owner")
        return Access(actions=_OWNER, role="owner")
    if notebook.is_trashed:
        return NO_ACCESS

    granted: set[Action] = set()
    role = "none"
    show_code = True
    if notebook.visibility in (Visibility.UNLISTED, Visibility.PUBLIC):
        granted |= _ANYONE_WITH_ADDRESS
        role = "visitor"
    if link is not None and link.notebook_id == notebook.pk and link.is_active:
        link_actions = set(_LINK_ROLES[Role(link.role)])
        if not _is_signed_in(user) or (
            Action.WRITE in link_actions and _was_removed_since(user, notebook, link)
        ):
            link_actions.discard(Action.WRITE)
        granted |= link_actions
        # Hiding code only applies when nothing else gives the code.
        show_code = link.role != Role.VIEW or link.show_code or role == "visitor"
        role = f"link:{link.role}"
    if _is_signed_in(user) and _is_collaborator(user, notebook):
        granted |= _COLLABORATOR
        role = "collaborator"
        show_code = True
    if not granted:
        return NO_ACCESS
    return Access(actions=frozenset(granted), role=role, show_code=show_code)


def _is_collaborator(user: User, notebook: Notebook) -> bool:
    return Collaborator.objects.current().filter(notebook=notebook, user=user).exists()


def _was_removed_since(user: User, notebook: Notebook, link: ShareLink) -> bool:
    """Whether the owner removed ``user`` from the notebook after ``link`` was made."""
    return Collaborator.objects.filter(
        notebook=notebook, user=user, removed_at__gte=link.created_at
    ).exists()


def access_require(
    *, user: Visitor | None, notebook: Notebook, action: Action, link: ShareLink | None = None
) -> Access:
    """The person's access if it allows ``action``.

    Raises ``NotebookNotFound`` when they may not even read it, else ``ActionDenied``.
    """
    access = notebook_access(user=user, notebook=notebook, link=link)
    if access.allows(action):
        return access
    if notebook.is_trashed and access.role == "owner":
        raise ActionDenied("This notebook is in the trash: restore it first.")
    if not access.allows(Action.READ):
        raise NotebookNotFound()
    if action == Action.WRITE and link is not None and link.role == Role.EDIT:
        if _is_signed_in(user):
            raise ActionDenied(
                "The notebook's owner removed you from its editors, so this link no longer "
                "lets you edit; you can still view it. Ask the owner for a new link."
            )
        raise ActionDenied("Sign in to edit this notebook; anyone with this link can view it.")
    raise ActionDenied(_DENIED[action])


def trash_access_require(*, user: Visitor | None, notebook: Notebook) -> None:
    """Only the owner may see, restore or purge a notebook in their trash."""
    if not (_is_signed_in(user) and notebook.owner_id == user.pk):
        raise NotebookNotFound()
