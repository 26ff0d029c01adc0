"""API endpoints for share links, collaborators and opening a notebook through a link.

Routes that name a notebook or a link declare the action they need
(``sharing.api_access``); they get the notebook, or the link and what it gives,
only once ``sharing.access`` allowed it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

import notebooks.converters  # noqa: F401  (registers {urlsafe:...})
from accounts.auth import ANYONE, SIGNED_IN, SignedInRequest
from notebooks import selectors as notebook_selectors
from notebooks.api import NotebookOut, errors
from notebooks.models import Notebook
from notebooks.services import notebook_fork
from sharing import selectors, services
from sharing.access import Access, Action, NotebookNotFound
from sharing.api_access import link_route, notebook_route
from sharing.models import ShareLink

router = Router(tags=["sharing"], auth=SIGNED_IN)


class LinkOut(Schema):
    id: str
    url: str = Field(description="The link to give people; its token is the secret.")
    role: str
    show_code: bool
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    active: bool

    @staticmethod
    def of(link: ShareLink) -> LinkOut:
        return LinkOut(
            id=link.public_id,
            url=share_url(link),
            role=link.role,
            show_code=link.show_code,
            created_at=link.created_at,
            expires_at=link.expires_at,
            revoked_at=link.revoked_at,
            active=link.is_active,
        )


class LinkIn(Schema):
    role: str = Field("view", description="view, fork or edit")
    show_code: bool = Field(False, description="View links: let viewers see the code too.")
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class CollaboratorOut(Schema):
    user_id: int
    email: str
    joined_at: datetime


class SharedOut(Schema):
    title: str
    role: str
    show_code: bool
    permissions: list[str]
    revision: int
    content: str


def embed_snippet(link: ShareLink) -> str:
    """HTML that embeds the link's notebook in another site's page (docs/folders.md)."""
    origin = settings.USERCONTENT_ORIGIN
    return (
        f'<script src="{origin}/static/embed.js" async></script>\n'
        f'<playground-notebook src="{origin}/embed/{link.token}"></playground-notebook>'
    )


def share_url(link: ShareLink) -> str:
    return f"{settings.APP_ORIGIN}/s/{link.token}"


@router.get(
    "/notebooks/{urlsafe:public_id}/links",
    response={200: list[LinkOut], **errors()},
    summary="A notebook's share links",
)
@notebook_route(Action.SHARE)
def link_list(request: HttpRequest, notebook: Notebook) -> list[LinkOut]:
    return [LinkOut.of(link) for link in selectors.share_link_list(notebook=notebook)]


@router.post(
    "/notebooks/{urlsafe:public_id}/links",
    response={201: LinkOut, **errors(429)},
    summary="Make a share link",
)
@notebook_route(Action.SHARE)
def link_create(request: SignedInRequest, notebook: Notebook, body: LinkIn) -> Status[LinkOut]:
    expires_at = (
        timezone.now() + timedelta(days=body.expires_in_days) if body.expires_in_days else None
    )
    link = services.share_link_create(
        notebook=notebook,
        created_by=request.user,
        role=body.role,
        show_code=body.show_code,
        expires_at=expires_at,
    )
    return Status(201, LinkOut.of(link))


@router.delete(
    "/notebooks/{urlsafe:public_id}/links/{urlsafe:link_id}",
    response={200: LinkOut, **errors()},
    summary="Revoke a share link",
)
@notebook_route(Action.REVOKE)
def link_revoke(request: HttpRequest, notebook: Notebook, link_id: str) -> LinkOut:
    link = selectors.share_link_get_for_notebook(notebook=notebook, public_id=link_id)
    if link is None:
        raise NotebookNotFound()
    return LinkOut.of(services.share_link_revoke(link=link))


@router.get(
    "/notebooks/{urlsafe:public_id}/collaborators",
    response={200: list[CollaboratorOut], **errors()},
    summary="People editing through edit links",
)
@notebook_route(Action.SHARE)
def collaborator_list(request: HttpRequest, notebook: Notebook) -> list[CollaboratorOut]:
    return [
        CollaboratorOut(user_id=c.user_id, email=c.user.email, joined_at=c.joined_at)
        for c in selectors.collaborator_list(notebook=notebook)
    ]


@router.delete(
    "/notebooks/{urlsafe:public_id}/collaborators/{user_id}",
    response={204: None, **errors()},
    summary="Remove a collaborator",
    description="They stop editing at once and cannot join again through any link made "
    "before now (only through a new one).",
)
@notebook_route(Action.REVOKE)
def collaborator_remove(request: HttpRequest, notebook: Notebook, user_id: int) -> Status[None]:
    services.collaborator_remove(notebook=notebook, user_id=user_id)
    return Status(204, None)


@router.get(
    "/shared/{urlsafe:token}",
    response={200: SharedOut, **errors(410)},
    auth=ANYONE,
    summary="Open a share link",
)
@link_route(Action.READ)
def shared_detail(request: HttpRequest, shared: tuple[ShareLink, Access]) -> SharedOut:
    link, access = shared
    notebook = link.notebook
    assert notebook.current_revision is not None
    return SharedOut(
        title=notebook.title,
        role=link.role,
        show_code=access.show_code,
        permissions=sorted(access.actions),
        revision=notebook.current_revision.number,
        content=notebook_selectors.revision_text(revision=notebook.current_revision),
    )


@router.post(
    "/shared/{urlsafe:token}/fork",
    response={201: NotebookOut, **errors(410)},
    summary="Fork through a share link",
)
@link_route(Action.FORK)
def shared_fork(
    request: SignedInRequest, shared: tuple[ShareLink, Access]
) -> Status[NotebookOut]:
    link, _ = shared
    return Status(
        201, NotebookOut.of(notebook_fork(notebook=link.notebook, owner=request.user), editor=True)
    )


@router.post(
    "/shared/{urlsafe:token}/join",
    response={200: NotebookOut, **errors(410)},
    summary="Join as a collaborator (edit links)",
)
@link_route(Action.WRITE)
def shared_join(request: SignedInRequest, shared: tuple[ShareLink, Access]) -> NotebookOut:
    link, _ = shared
    services.collaborator_join(link=link, user=request.user)
    return NotebookOut.of(link.notebook, editor=True)
