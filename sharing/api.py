"""API endpoints for share links, collaborators and opening a notebook through a link."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from accounts.auth import ANYONE, SIGNED_IN
from notebooks import selectors as notebook_selectors
from notebooks.api import NotebookOut, notebook_for_action
from notebooks.services import notebook_fork
from sharing import selectors, services
from sharing.access import Action, NotebookNotFound, access_require
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


def share_url(link: ShareLink) -> str:
    return f"{settings.APP_ORIGIN}/s/{link.token}"


def _link(token: str) -> ShareLink:
    link = selectors.share_link_get(token=token)
    if link is None:
        raise NotebookNotFound()
    services.link_usable_check(link=link)
    return link


@router.get(
    "/notebooks/{public_id}/links", response=list[LinkOut], summary="A notebook's share links"
)
def link_list(request: HttpRequest, public_id: str) -> list[LinkOut]:
    notebook = notebook_for_action(request, public_id, Action.SHARE)
    return [LinkOut.of(link) for link in selectors.share_link_list(notebook=notebook)]


@router.post("/notebooks/{public_id}/links", response={201: LinkOut}, summary="Make a share link")
def link_create(request: HttpRequest, public_id: str, body: LinkIn) -> Status[LinkOut]:
    notebook = notebook_for_action(request, public_id, Action.SHARE)
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
    "/notebooks/{public_id}/links/{link_id}", response=LinkOut, summary="Revoke a share link"
)
def link_revoke(request: HttpRequest, public_id: str, link_id: str) -> LinkOut:
    notebook = notebook_for_action(request, public_id, Action.REVOKE)
    link = selectors.share_link_get_for_notebook(notebook=notebook, public_id=link_id)
    if link is None:
        raise NotebookNotFound()
    return LinkOut.of(services.share_link_revoke(link=link))


@router.get(
    "/notebooks/{public_id}/collaborators",
    response=list[CollaboratorOut],
    summary="People editing through edit links",
)
def collaborator_list(request: HttpRequest, public_id: str) -> list[CollaboratorOut]:
    notebook = notebook_for_action(request, public_id, Action.SHARE)
    return [
        CollaboratorOut(user_id=c.user_id, email=c.user.email, joined_at=c.joined_at)
        for c in selectors.collaborator_list(notebook=notebook)
    ]


@router.delete(
    "/notebooks/{public_id}/collaborators/{user_id}",
    response={204: None},
    summary="Remove a collaborator",
)
def collaborator_remove(request: HttpRequest, public_id: str, user_id: int) -> Status[None]:
    notebook = notebook_for_action(request, public_id, Action.REVOKE)
    services.collaborator_remove(notebook=notebook, user_id=user_id)
    return Status(204, None)


@router.get("/shared/{token}", response=SharedOut, auth=ANYONE, summary="Open a share link")
def shared_detail(request: HttpRequest, token: str) -> SharedOut:
    link = _link(token)
    notebook = link.notebook
    access = access_require(user=request.user, notebook=notebook, action=Action.READ, link=link)
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
    "/shared/{token}/fork", response={201: NotebookOut}, summary="Fork through a share link"
)
def shared_fork(request: HttpRequest, token: str) -> Status[NotebookOut]:
    link = _link(token)
    access_require(user=request.user, notebook=link.notebook, action=Action.FORK, link=link)
    return Status(201, NotebookOut.of(notebook_fork(notebook=link.notebook, owner=request.user)))


@router.post(
    "/shared/{token}/join", response=NotebookOut, summary="Join as a collaborator (edit links)"
)
def shared_join(request: HttpRequest, token: str) -> NotebookOut:
    link = _link(token)
    access_require(user=request.user, notebook=link.notebook, action=Action.WRITE, link=link)
    services.collaborator_join(link=link, user=request.user)
    return NotebookOut.of(link.notebook)
