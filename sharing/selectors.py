"""Reads of share links and collaborators."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from notebooks.models import Notebook
from notebooks.selectors import title_search
from sharing.models import Collaborator, ShareLink


def share_link_get(*, token: str) -> ShareLink | None:
    """The link with this token, active or not (with its notebook and current revision)."""
    if not token or len(token) > 64:
        return None
    # The shared page's one query (bench/http.py): without the owner's row (callers need
    # only ``notebook.owner_id``) and with get(), which needs no ORDER BY as first() does,
    # it costs a fifth less.
    try:
        return ShareLink.objects.select_related("notebook__current_revision").get(token=token)
    except ShareLink.DoesNotExist:
        return None


def share_link_list(*, notebook: Notebook) -> QuerySet[ShareLink]:
    return ShareLink.objects.filter(notebook=notebook).order_by("-created_at")


def share_link_get_for_notebook(*, notebook: Notebook, public_id: str) -> ShareLink | None:
    return ShareLink.objects.filter(notebook=notebook, public_id=public_id).first()


def collaborator_list(*, notebook: Notebook) -> QuerySet[Collaborator]:
    return (
        Collaborator.objects.current()
        .filter(notebook=notebook)
        .select_related("user", "link")
        .order_by("joined_at")
    )


def notebook_list_shared_with(*, user: User, query: str = "") -> QuerySet[Notebook]:
    """Notebooks others own that ``user`` collaborates on through an active edit link."""
    notebooks = (
        Notebook.objects.filter(
            trashed_at__isnull=True,
            current_revision__isnull=False,
            collaborators__in=Collaborator.objects.current().filter(user=user),
        )
        .exclude(owner=user)
        .select_related("owner", "current_revision")
        .distinct()
        .order_by("-updated_at")
    )
    return title_search(notebooks, query)
