"""Pages for sharing: the share settings of a notebook, and what a share link opens.

``/s/<token>`` shows the notebook in the app view (running in the visitor's browser,
never on the server), with a title and preview metadata for chat and social unfurls.
A revoked or expired link answers 410 with a page that says so.

The shared page is the one strangers open most (a link in a chat, a class of
students). For visitors with no session and no pending messages the page is the
same for everyone, so it is kept, rendered, in the per-process ``revisions`` cache,
keyed on everything it shows (the revision, title, visibility, link and address).
The link itself is still looked up on every request: a revoked or expired link
stops working at once, and a new revision or title makes a new key.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts.auth import SignedInRequest
from notebooks.errors import NotebookError
from notebooks.models import Visibility
from notebooks.views import (
    download_response,
    fork_response,
    notebook_for,
    problem,
    viewer_page,
)
from pages.host_page import host_script_context
from sharing import selectors, services
from sharing.access import Action, NotebookNotFound, notebook_access
from sharing.api import embed_snippet, share_url
from sharing.errors import LinkNotUsable, LinkRoleDenied
from sharing.models import Role, ShareLink

# The request type of the view (a SignedInRequest under login_required) passes through.
Request = TypeVar("Request", bound=HttpRequest)
LinkView = Callable[[Request, ShareLink], HttpResponse]


def usable_link(view: LinkView[Request]) -> Callable[[Request, str], HttpResponse]:
    """Give ``view`` the active link of the URL's token: 404 if unknown, 410 if revoked,
    expired or its notebook is in the trash (a page saying which)."""

    @functools.wraps(view)
    def with_link(request: Request, token: str) -> HttpResponse:
        link = selectors.share_link_get(token=token)
        if link is None:
            raise Http404(NotebookNotFound.message)
        try:
            services.link_usable_check(link=link)
        except LinkNotUsable as error:
            return render(
                request, "sharing/link_problem.html", {"message": error.message}, status=410
            )
        return view(request, link)

    return with_link


_PAGE_CACHE_SECONDS = 600
# Django's message storage keeps pending messages for anonymous visitors in this cookie.
_MESSAGES_COOKIE = "messages"


def _anonymous_page_key(request: HttpRequest, link: ShareLink) -> str | None:
    """The cache key of this shared page, or None when it may differ per visitor."""
    if settings.DEBUG or request.COOKIES.keys() & {settings.SESSION_COOKIE_NAME, _MESSAGES_COOKIE}:
        return None
    notebook = link.notebook
    shown = "\0".join(
        [
            request.get_host(),
            request.get_full_path(),
            str(notebook.current_revision_id),
            notebook.title,
            notebook.visibility,
            link.role,
            str(link.show_code),
        ]
    )
    return "shared-page:" + hashlib.sha256(shown.encode()).hexdigest()


@require_safe
@usable_link
def shared(request: HttpRequest, link: ShareLink) -> HttpResponse:
    token = link.token
    key = _anonymous_page_key(request, link)
    if key is not None and (page := caches["revisions"].get(key)) is not None:
        return HttpResponse(page, content_type="text/html; charset=utf-8")
    notebook = link.notebook
    access = notebook_access(user=request.user, notebook=notebook, link=link)
    if not access.allows(Action.READ):
        raise Http404(NotebookNotFound.message)
    response = viewer_page(
        request,
        notebook=notebook,
        access=access,
        fork_url=reverse("sharing:fork", kwargs={"token": token}),
        download_url=reverse("sharing:download", kwargs={"token": token}),
        link_role=link.role,
    )
    if key is not None and response.status_code == 200 and not response.cookies:
        caches["revisions"].set(key, response.content, timeout=_PAGE_CACHE_SECONDS)
    return response


@require_safe
@usable_link
def shared_download(request: HttpRequest, link: ShareLink) -> HttpResponse:
    """The notebook's file, for link holders who may see its code."""
    access = notebook_access(user=request.user, notebook=link.notebook, link=link)
    if not access.allows(Action.READ):
        raise Http404(NotebookNotFound.message)
    return download_response(request, notebook=link.notebook, access=access)


@require_POST
@login_required
@usable_link
def shared_fork(request: SignedInRequest, link: ShareLink) -> HttpResponse:
    access = notebook_access(user=request.user, notebook=link.notebook, link=link)
    if not access.allows(Action.FORK):
        denied = LinkRoleDenied("This link lets you view the notebook, not copy it.")
        return problem(request, denied)
    return fork_response(request, notebook=link.notebook)


@require_POST
@login_required
@usable_link
def shared_join(request: SignedInRequest, link: ShareLink) -> HttpResponse:
    try:
        services.collaborator_join(link=link, user=request.user)
    except NotebookError as error:
        return problem(request, error)
    return redirect("notebooks:editor", public_id=link.notebook.public_id)


@require_safe
@login_required
def share_settings(request: HttpRequest, public_id: str) -> HttpResponse:
    notebook, _ = notebook_for(request, public_id, Action.SHARE)
    links = [
        (link, share_url(link), embed_snippet(link) if link.role == Role.VIEW else "")
        for link in selectors.share_link_list(notebook=notebook)
    ]
    return render(
        request,
        "sharing/share.html",
        {
            "notebook": notebook,
            "links": links,
            "collaborators": selectors.collaborator_list(notebook=notebook),
            "roles": Role.choices,
            "visibilities": Visibility.choices,
            "notebook_url": request.build_absolute_uri(
                reverse("notebooks:view", kwargs={"public_id": public_id})
            ),
            **host_script_context(),
        },
    )


@require_POST
@login_required
def link_create(request: SignedInRequest, public_id: str) -> HttpResponse:
    notebook, _ = notebook_for(request, public_id, Action.SHARE)
    days = request.POST.get("expires_in_days", "").strip()
    try:
        expires_at = timezone.now() + timedelta(days=int(days)) if days else None
        link = services.share_link_create(
            notebook=notebook,
            created_by=request.user,
            role=request.POST.get("role", Role.VIEW),
            show_code=request.POST.get("show_code") == "on",
            expires_at=expires_at,
        )
    except (ValueError, OverflowError):
        messages.error(request, "The expiry is a number of days.")
    except NotebookError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"New {link.get_role_display().split(':')[0].lower()} link: {share_url(link)}"
        )
    return redirect("sharing:settings", public_id=public_id)


@require_POST
@login_required
def link_revoke(request: HttpRequest, public_id: str, link_id: str) -> HttpResponse:
    notebook, _ = notebook_for(request, public_id, Action.REVOKE)
    link = selectors.share_link_get_for_notebook(notebook=notebook, public_id=link_id)
    if link is None:
        raise Http404("There is no such link.")
    services.share_link_revoke(link=link)
    messages.success(request, "The link was revoked: it no longer opens the notebook.")
    return redirect("sharing:settings", public_id=public_id)


@require_POST
@login_required
def visibility_set(request: HttpRequest, public_id: str) -> HttpResponse:
    notebook, _ = notebook_for(request, public_id, Action.SHARE)
    try:
        services.notebook_visibility_set(
            notebook=notebook, visibility=request.POST.get("visibility", "")
        )
    except NotebookError as error:
        messages.error(request, error.message)
    return redirect("sharing:settings", public_id=public_id)


@require_POST
@login_required
def collaborator_remove(request: HttpRequest, public_id: str, user_id: int) -> HttpResponse:
    notebook, _ = notebook_for(request, public_id, Action.REVOKE)
    services.collaborator_remove(notebook=notebook, user_id=user_id)
    messages.success(request, "Removed the collaborator.")
    return redirect("sharing:settings", public_id=public_id)
