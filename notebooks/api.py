"""API endpoints for notebooks and revisions (mounted at /api/notebooks by playground.api).

Each endpoint finds the notebook, asks ``sharing.access`` whether the caller may do
the action, and calls one service or selector.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from accounts.auth import SIGNED_IN
from notebooks import selectors, services
from notebooks.models import Notebook, Revision
from sharing.access import Action, NotebookNotFound, access_require, trash_access_require
from sharing.services import notebook_visibility_set

router = Router(tags=["notebooks"], auth=SIGNED_IN)


class RevisionOut(Schema):
    number: int
    size: int
    sha256: str
    author: str | None
    created_at: datetime
    restored_from: int | None

    @staticmethod
    def of(revision: Revision) -> RevisionOut:
        return RevisionOut(
            number=revision.number,
            size=revision.size,
            sha256=revision.sha256,
            author=revision.author.email if revision.author else None,
            created_at=revision.created_at,
            restored_from=revision.restored_from,
        )


class RevisionContentOut(RevisionOut):
    content: str


class NotebookOut(Schema):
    id: str = Field(description="The notebook's public id (128 random bits).")
    title: str
    visibility: str
    owner: str
    created_at: datetime
    updated_at: datetime
    trashed_at: datetime | None
    current_revision: int | None
    forked_from: str | None

    @staticmethod
    def of(notebook: Notebook) -> NotebookOut:
        return NotebookOut(
            id=notebook.public_id,
            title=notebook.title,
            visibility=notebook.visibility,
            owner=notebook.owner.email,
            created_at=notebook.created_at,
            updated_at=notebook.updated_at,
            trashed_at=notebook.trashed_at,
            current_revision=notebook.current_revision.number
            if notebook.current_revision
            else None,
            forked_from=notebook.forked_from.public_id if notebook.forked_from else None,
        )


class NotebookDetailOut(NotebookOut):
    content: str
    role: str
    permissions: list[str]


class NotebookCreateIn(Schema):
    title: str = ""
    content: str | None = Field(None, description="Our .py format; default: one empty cell.")


class NotebookImportIn(Schema):
    text: str = Field(
        description="A .py (Playground or marimo) or .ipynb notebook, or a /play#code/ link."
    )
    filename: str = ""
    title: str = ""


class NotebookPatchIn(Schema):
    title: str | None = None
    visibility: str | None = Field(None, description="private, unlisted or public")


class RevisionIn(Schema):
    content: str
    base_revision: int | None = Field(
        None,
        description="The revision this content was edited from. If it is no longer current the "
        "answer is 409 and nothing is saved. Omit it to save regardless.",
    )


class SaveOut(Schema):
    created: bool
    revision: RevisionOut


class DiffOut(Schema):
    old: int
    new: int
    diff: str


def _notebook(public_id: str) -> Notebook:
    notebook = selectors.notebook_get(public_id=public_id)
    if notebook is None:
        raise NotebookNotFound()
    return notebook


def notebook_for_action(
    request: HttpRequest, public_id: str, action: Action = Action.READ
) -> Notebook:
    """The notebook if the caller may do ``action`` (else 404 or 403 through the handlers)."""
    notebook = _notebook(public_id)
    access_require(user=request.user, notebook=notebook, action=action)
    return notebook


@router.get("", response=list[NotebookOut], summary="Your notebooks (or your trash)")
def notebook_list(request: HttpRequest, q: str = "", trash: bool = False) -> list[NotebookOut]:
    if trash:
        notebooks = selectors.notebook_trash_for_user(user=request.user)
    else:
        notebooks = selectors.notebook_list_for_user(user=request.user, query=q)
    return [NotebookOut.of(notebook) for notebook in notebooks.select_related("owner")[:500]]


@router.post("", response={201: NotebookOut}, summary="Create a notebook")
def notebook_create(request: HttpRequest, body: NotebookCreateIn) -> Status[NotebookOut]:
    notebook = services.notebook_create(owner=request.user, title=body.title, content=body.content)
    return Status(201, NotebookOut.of(notebook))


@router.post("/import", response={201: NotebookOut}, summary="Import a notebook or a #code/ link")
def notebook_import(request: HttpRequest, body: NotebookImportIn) -> Status[NotebookOut]:
    notebook = services.notebook_import(
        owner=request.user, text=body.text, filename=body.filename, title=body.title
    )
    return Status(201, NotebookOut.of(notebook))


@router.get("/{public_id}", response=NotebookDetailOut, summary="A notebook and its current text")
def notebook_detail(request: HttpRequest, public_id: str) -> NotebookDetailOut:
    notebook = _notebook(public_id)
    access = access_require(user=request.user, notebook=notebook, action=Action.READ)
    assert notebook.current_revision is not None
    return NotebookDetailOut(
        **NotebookOut.of(notebook).model_dump(),
        content=selectors.revision_text(revision=notebook.current_revision),
        role=access.role,
        permissions=sorted(access.actions),
    )


@router.patch("/{public_id}", response=NotebookOut, summary="Rename, or change visibility")
def notebook_update(request: HttpRequest, public_id: str, body: NotebookPatchIn) -> NotebookOut:
    notebook = _notebook(public_id)
    # Every check before any change: a refused request changes nothing.
    if body.title is not None:
        access_require(user=request.user, notebook=notebook, action=Action.WRITE)
    if body.visibility is not None:
        access_require(user=request.user, notebook=notebook, action=Action.SHARE)
        notebook_visibility_set(notebook=notebook, visibility=body.visibility)
    if body.title is not None:
        services.notebook_rename(notebook=notebook, title=body.title)
    return NotebookOut.of(notebook)


@router.delete(
    "/{public_id}", response={204: None}, summary="Move to the trash, or delete for good"
)
def notebook_delete(request: HttpRequest, public_id: str, permanent: bool = False) -> Status[None]:
    notebook = _notebook(public_id)
    if notebook.is_trashed:
        trash_access_require(user=request.user, notebook=notebook)
        if permanent:
            services.notebook_purge(notebook=notebook)
        return Status(204, None)
    access_require(user=request.user, notebook=notebook, action=Action.DELETE)
    if permanent:
        services.notebook_purge(notebook=notebook)
    else:
        services.notebook_trash(notebook=notebook)
    return Status(204, None)


@router.post(
    "/{public_id}/restore", response=NotebookOut, summary="Take a notebook out of the trash"
)
def notebook_restore(request: HttpRequest, public_id: str) -> NotebookOut:
    notebook = _notebook(public_id)
    trash_access_require(user=request.user, notebook=notebook)
    return NotebookOut.of(services.notebook_restore(notebook=notebook))


@router.post("/{public_id}/fork", response={201: NotebookOut}, summary="Copy into your account")
def notebook_fork(request: HttpRequest, public_id: str) -> Status[NotebookOut]:
    notebook = notebook_for_action(request, public_id, Action.FORK)
    return Status(
        201, NotebookOut.of(services.notebook_fork(notebook=notebook, owner=request.user))
    )


@router.get("/{public_id}/revisions", response=list[RevisionOut], summary="Every saved revision")
def revision_list(request: HttpRequest, public_id: str) -> list[RevisionOut]:
    notebook = notebook_for_action(request, public_id)
    return [RevisionOut.of(revision) for revision in selectors.revision_list(notebook=notebook)]


@router.post(
    "/{public_id}/revisions",
    response={200: SaveOut, 201: SaveOut},
    summary="Save a new revision",
    description="201 with the new revision; 200 when the content equals the current revision "
    "(nothing new stored); 409 when `base_revision` is no longer current; 413 over the size "
    "limit; 403 past the account's storage; 503 when storage is unreachable (nothing changed).",
)
def revision_create(request: HttpRequest, public_id: str, body: RevisionIn) -> Status[SaveOut]:
    notebook = notebook_for_action(request, public_id, Action.WRITE)
    result = services.revision_create(
        notebook=notebook,
        content=body.content,
        author=request.user,
        base_revision=body.base_revision,
    )
    saved = SaveOut(created=result.created, revision=RevisionOut.of(result.revision))
    return Status(201 if result.created else 200, saved)


@router.get(
    "/{public_id}/revisions/{number}", response=RevisionContentOut, summary="One revision's text"
)
def revision_detail(request: HttpRequest, public_id: str, number: int) -> RevisionContentOut:
    notebook = notebook_for_action(request, public_id)
    revision = selectors.revision_get(notebook=notebook, number=number)
    return RevisionContentOut(
        **RevisionOut.of(revision).model_dump(),
        content=selectors.revision_text(revision=revision),
    )


@router.get(
    "/{public_id}/revisions/{number}/diff", response=DiffOut, summary="Diff against current"
)
def revision_diff(request: HttpRequest, public_id: str, number: int) -> DiffOut:
    notebook = notebook_for_action(request, public_id)
    old = selectors.revision_get(notebook=notebook, number=number)
    current = notebook.current_revision
    assert current is not None
    return DiffOut(
        old=old.number,
        new=current.number,
        diff=selectors.revision_diff_text(old=old, new=current),
    )


@router.post(
    "/{public_id}/revisions/{number}/restore",
    response={200: SaveOut, 201: SaveOut},
    summary="Make an old revision current again (as a new revision)",
)
def revision_restore(request: HttpRequest, public_id: str, number: int) -> Status[SaveOut]:
    notebook = notebook_for_action(request, public_id, Action.WRITE)
    result = services.revision_restore(notebook=notebook, number=number, author=request.user)
    saved = SaveOut(created=result.created, revision=RevisionOut.of(result.revision))
    return Status(201 if result.created else 200, saved)
