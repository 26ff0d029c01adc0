"""Writes for sharing: make and revoke links, join as a collaborator, set visibility."""

from __future__ import annotations

import time
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils import timezone

from notebooks.errors import NotebookError
from notebooks.events import access_changed
from notebooks.models import Notebook, Visibility
from sharing.errors import LinkNotUsable, LinkRoleDenied, RateLimited
from sharing.models import Collaborator, Role, ShareLink


def _link_rate_check(user: User) -> None:
    """At most SHARE_LINKS_PER_HOUR new links per account per clock hour.

    The count lives in the default cache (Redis in production, shared by every
    process); ``incr`` is atomic there.
    """
    limit = settings.SHARE_LINKS_PER_HOUR
    window = int(time.time() // 3600)
    key = f"share-links:{user.pk}:{window}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=3600)
        count = 1
    if count > limit:
        raise RateLimited(
            f"You have made {limit} share links this hour, the most allowed per hour. "
            "Reuse one of them, or try again later."
        )


def share_link_create(
    *,
    notebook: Notebook,
    created_by: User,
    role: str,
    show_code: bool = False,
    expires_at: datetime | None = None,
) -> ShareLink:
    """A new link with an unguessable token; ``expires_at`` must lie in the future."""
    if role not in Role.values:
        raise NotebookError(f"A link's role is one of: {', '.join(Role.values)}.")
    if expires_at is not None and expires_at <= timezone.now():
        raise NotebookError("A link's expiry must lie in the future.")
    _link_rate_check(created_by)
    return ShareLink.objects.create(
        notebook=notebook,
        created_by=created_by,
        role=role,
        show_code=show_code or role != Role.VIEW,
        expires_at=expires_at,
    )


def share_link_revoke(*, link: ShareLink) -> ShareLink:
    """Stop the link working at once; collaborators who joined through it lose access."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        access_changed(link.notebook.public_id)
    return link


def link_usable_check(*, link: ShareLink) -> None:
    if link.revoked_at is not None:
        raise LinkNotUsable("This link was revoked by the notebook's owner.")
    if not link.is_active:
        raise LinkNotUsable("This link has expired. Ask the notebook's owner for a new one.")
    if link.notebook.is_trashed:
        raise LinkNotUsable("This notebook was deleted by its owner.")


def collaborator_join(*, link: ShareLink, user: User) -> Collaborator | None:
    """Make ``user`` a collaborator through an active edit link (the owner needs no row)."""
    link_usable_check(link=link)
    if link.role != Role.EDIT:
        raise LinkRoleDenied("Only edit links make you a collaborator.")
    if link.notebook.owner_id == user.pk:
        return None
    if Collaborator.objects.filter(
        notebook=link.notebook, user=user, removed_at__gte=link.created_at
    ).exists():
        raise LinkRoleDenied(
            "The notebook's owner removed you from its editors, so this link no longer lets "
            "you edit. Ask the owner for a new link."
        )
    collaborator, _ = Collaborator.objects.update_or_create(
        notebook=link.notebook, user=user, defaults={"link": link, "removed_at": None}
    )
    return collaborator


def collaborator_remove(*, notebook: Notebook, user_id: int) -> None:
    """They stop editing at once and cannot rejoin through any link made before now."""
    Collaborator.objects.filter(notebook=notebook, user_id=user_id, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )
    access_changed(notebook.public_id)


def notebook_visibility_set(*, notebook: Notebook, visibility: str) -> Notebook:
    if visibility not in Visibility.values:
        raise NotebookError(f"Visibility is one of: {', '.join(Visibility.values)}.")
    if notebook.visibility != visibility:
        notebook.visibility = visibility
        notebook.save(update_fields=["visibility"])
        access_changed(notebook.public_id)
    return notebook
