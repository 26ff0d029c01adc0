"""API endpoints for notebooks and revisions (mounted at /api/notebooks by playground.api).

Each endpoint that names a notebook declares the action it needs
(``sharing.api_access.notebook_route``): the notebook reaches it only after
``sharing.access`` allowed that action, whatever the request's body. Then it calls
one service or selector. People are named by their public name; e-mail addresses
go only to those who edit the notebook (``owner_email``, ``author_email``).
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

import notebooks.converters  # noqa: F401  (registers {urlsafe:...})
from accounts.auth import SIGNED_IN, SignedInRequest
from accounts.selectors import user_public_name
from notebooks import selectors, services
from notebooks.errors import BaseRevisionRequired
from notebooks.models import TITLE_MAX_LENGTH, Notebook, Revision
from sharing.access import Access, Action, access_require, notebook_access
from sharing.api_access import notebook_route
from sharing.services import notebook_visibility_set

router = Router(tags=["notebooks"], auth=SIGNED_IN)


class ErrorOut(Schema):
    """Every refusal: what happened and what to do, and a stable code for scripts."""

    error: str = Field(description="A sentence for people: what happened and what to do.")
    code: str = Field(
        description="For scripts: not_found, forbidden, unauthenticated, csrf_failed, "
        "invalid_request, bad_request, invalid_notebook, invalid_title, too_large, quota, "
        "conflict, base_revision_required, rate_limited, link_inactive, storage_unavailable, "
        "database_unavailable, ..."
    )


# What any route may answer besides its success: a body that is not JSON or not
# text (400), no or a revoked credential (401), a refusal or a failed CSRF check
# (403), a notebook the caller may not see (404), a body over the size limit (413),
# one that does not match the schema (422), the database or storage unreachable (503).
_COMMON_ERRORS = (400, 401, 403, 404, 413, 422, 503)


def errors(*extra: int) -> dict[int, type[ErrorOut]]:
    """The documented error responses of a route: the common ones and ``extra``."""
    return dict.fromkeys(sorted({*_COMMON_ERRORS, *extra}), ErrorOut)


class RevisionOut(Schema):
    number: int
    size: int
    sha256: str
    author: str | None = Field(description="The author's public name.")
    author_email: str | None = Field(
        description="The author's e-mail address: only for people who edit the notebook."
    )
    created_at: datetime
    restored_from: int | None

    @staticmethod
    def of(revision: Revision, *, editor: bool) -> RevisionOut:
        return RevisionOut(
            number=revision.number,
            size=revision.size,
            sha256=revision.sha256,
            author=user_public_name(user=revision.author) if revision.author else None,
            author_email=revision.author.email if revision.author and editor else None,
            created_at=revision.created_at,
            restored_from=revision.restored_from,
        )


class RevisionContentOut(RevisionOut):
    content: str


class NotebookOut(Schema):
    id: str = Field(description="The notebook's public id (128 random bits).")
    title: str
    visibility: str
    owner: str = Field(description="The owner's public name.")
    owner_email: str | None = Field(
        description="The owner's e-mail address: only for people who edit the notebook."
    )
    created_at: datetime
    updated_at: datetime
    trashed_at: datetime | None
    current_revision: int | None
    forked_from: str | None

    @staticmethod
    def of(notebook: Notebook, *, editor: bool) -> NotebookOut:
        return NotebookOut(
            id=notebook.public_id,
            title=notebook.title,
            visibility=notebook.visibility,
            owner=user_public_name(user=notebook.owner),
            owner_email=notebook.owner.email if editor else None,
            created_at=notebook.created_at,
            updated_at=notebook.updated_at,
            trashed_at=notebook.trashed_at,
            current_revision=notebook.current_revision.number
            if notebook.current_revision
            else None,
            forked_from=notebook.forked_from.public_id if notebook.forked_from else None,
        )

    @staticmethod
    def for_caller(notebook: Notebook, request: HttpRequest) -> NotebookOut:
        """The notebook as the caller may see it (their own, or one they were let into)."""
        access = notebook_access(user=request.user, notebook=notebook)
        return NotebookOut.of(notebook, editor=_edits(access))


def _edits(access: Access) -> bool:
    return access.allows(Action.WRITE) or access.role == "owner"


class NotebookDetailOut(NotebookOut):
    content: str
    role: str
    permissions: list[str]


_TITLE_RULE = (
    f"At most {TITLE_MAX_LENGTH} characters once runs of whitespace are one space; a "
    "longer title is refused with 400 `invalid_title` (never cut)."
)


class NotebookCreateIn(Schema):
    title: str = Field("", description=f"Default: from the first heading. {_TITLE_RULE}")
    content: str | None = Field(None, description="Our .py format; default: one empty cell.")


class NotebookImportIn(Schema):
    text: str = Field(
        description="A .py (Playground or marimo) or .ipynb notebook, or a /play#code/ link."
    )
    filename: str = ""
    title: str = Field(
        "", description=f"Default: from the file name or the first heading. {_TITLE_RULE}"
    )


class NotebookPatchIn(Schema):
    title: str | None = Field(None, description=_TITLE_RULE)
    visibility: str | None = Field(None, description="private, unlisted or public")


class RevisionIn(Schema):
    """What a save sends. Conflict checks are on unless the caller turns them off, in
    so many words: a save names ``base_revision``, or sends ``save_on_top: true``."""

    content: str = Field(description="The whole notebook in Playground's .py format.")
    base_revision: int | None = Field(
        None,
        description="The revision this content was edited from. If another save came after "
        "it, the answer is 409 with `current_revision` and nothing is saved. Required unless "
        "`save_on_top` is true.",
    )
    save_on_top: bool = Field(
        False,
        description="Save whatever revision is current now, without a conflict check (the "
        "other version stays in the history). Send it instead of `base_revision`, never "
        "with it.",
    )


class SaveOut(Schema):
    created: bool
    revision: RevisionOut


class DiffOut(Schema):
    old: int
    new: int
    diff: str


@router.get(
    "", response={200: list[NotebookOut], **errors()}, summary="Your notebooks (or your trash)"
)
def notebook_list(request: SignedInRequest, q: str = "", trash: bool = False) -> list[NotebookOut]:
    if trash:
        notebooks = selectors.notebook_trash_for_user(user=request.user)
    else:
        notebooks = selectors.notebook_list_for_user(user=request.user, query=q)
    # Only the caller's own notebooks: they own each one.
    return [
        NotebookOut.of(notebook, editor=True)
        for notebook in notebooks.select_related("owner")[:500]
    ]


@router.post(
    "", response={201: NotebookOut, **errors()}, summary="Create a notebook"
)
def notebook_create(request: SignedInRequest, body: NotebookCreateIn) -> Status[NotebookOut]:
    notebook = services.notebook_create(owner=request.user, title=body.title, content=body.content)
    return Status(201, NotebookOut.of(notebook, editor=True))


@router.post(
    "/import",
    response={201: NotebookOut, **errors()},
    summary="Import a notebook or a #code/ link",
)
def notebook_import(request: SignedInRequest, body: NotebookImportIn) -> Status[NotebookOut]:
    notebook = services.notebook_import(
        owner=request.user, text=body.text, filename=body.filename, title=body.title
    )
    return Status(201, NotebookOut.of(notebook, editor=True))


@router.get(
    "/{urlsafe:public_id}",
    response={200: NotebookDetailOut, **errors()},
    summary="A notebook and its current text",
)
@notebook_route(Action.READ)
def notebook_detail(request: HttpRequest, notebook: Notebook) -> NotebookDetailOut:
    access = notebook_access(user=request.user, notebook=notebook)
    assert notebook.current_revision is not None
    return NotebookDetailOut(
        **NotebookOut.of(notebook, editor=_edits(access)).model_dump(),
        content=selectors.revision_text(revision=notebook.current_revision),
        role=access.role,
        permissions=sorted(access.actions),
    )


@router.patch(
    "/{urlsafe:public_id}",
    response={200: NotebookOut, **errors()},
    summary="Rename, or change visibility",
    description="Needs the right to edit the notebook, whatever the body holds (an empty "
    "body changes nothing); changing `visibility` needs the owner.",
)
@notebook_route(Action.WRITE)
def notebook_update(request: HttpRequest, notebook: Notebook, body: NotebookPatchIn) -> NotebookOut:
    # Every check before any change: a refused request changes nothing.
    if body.title is not None:
        services.notebook_title_check(title=body.title)
    if body.visibility is not None:
        access_require(user=request.user, notebook=notebook, action=Action.SHARE)
        notebook_visibility_set(notebook=notebook, visibility=body.visibility)
    if body.title is not None:
        services.notebook_rename(notebook=notebook, title=body.title)
    return NotebookOut.of(notebook, editor=True)


@router.delete(
    "/{urlsafe:public_id}",
    response={204: None, **errors()},
    summary="Move to the trash, or delete for good",
    description="`permanent=true` deletes it and every revision for good; a notebook "
    "already in the trash is deleted for good either way only with `permanent=true`.",
)
@notebook_route(Action.DELETE)
def notebook_delete(
    request: HttpRequest, notebook: Notebook, permanent: bool = False
) -> Status[None]:
    # In the trash the owner may only delete or restore (sharing.access).
    if permanent:
        services.notebook_purge(notebook=notebook)
    elif not notebook.is_trashed:
        services.notebook_trash(notebook=notebook)
    return Status(204, None)


@router.post(
    "/{urlsafe:public_id}/restore",
    response={200: NotebookOut, **errors()},
    summary="Take a notebook out of the trash",
)
@notebook_route(Action.DELETE)
def notebook_restore(request: HttpRequest, notebook: Notebook) -> NotebookOut:
    return NotebookOut.of(services.notebook_restore(notebook=notebook), editor=True)


@router.post(
    "/{urlsafe:public_id}/fork",
    response={201: NotebookOut, **errors()},
    summary="Copy into your account",
)
@notebook_route(Action.FORK)
def notebook_fork(request: SignedInRequest, notebook: Notebook) -> Status[NotebookOut]:
    fork = services.notebook_fork(notebook=notebook, owner=request.user)
    return Status(201, NotebookOut.of(fork, editor=True))


@router.get(
    "/{urlsafe:public_id}/revisions",
    response={200: list[RevisionOut], **errors()},
    summary="Every saved revision (for the people who edit it)",
)
@notebook_route(Action.HISTORY)
def revision_list(request: HttpRequest, notebook: Notebook) -> list[RevisionOut]:
    return [
        RevisionOut.of(revision, editor=True)
        for revision in selectors.revision_list(notebook=notebook)
    ]


@router.post(
    "/{urlsafe:public_id}/revisions",
    response={200: SaveOut, 201: SaveOut, **errors(409)},
    summary="Save a new revision",
    description="Every save says what it was edited from: `base_revision` (the revision "
    "you loaded; 409 `conflict` if another save came after it, and nothing is saved), or "
    "`save_on_top: true` to save over whatever is current, on purpose. A save with neither "
    "(or both) is refused with 400 `base_revision_required` and nothing is saved: conflict "
    "checks are never skipped by leaving a field out.\n\n"
    "201 with the new revision; 200 when the content equals the current revision "
    "(nothing new stored); 413 over the size limit; 403 past the account's storage; 503 "
    "when storage is unreachable (nothing changed).",
)
@notebook_route(Action.WRITE)
def revision_create(
    request: SignedInRequest, notebook: Notebook, body: RevisionIn
) -> Status[SaveOut]:
    if (body.base_revision is None) == (not body.save_on_top):
        raise BaseRevisionRequired(
            "Say what this save is based on: `base_revision` (the revision you loaded, so a "
            "save made meanwhile elsewhere is not overwritten: 409 if there was one), or "
            "`save_on_top: true` to save over whatever is current. Send one of the two."
            if body.base_revision is None
            else "Send `base_revision` or `save_on_top: true`, not both: one checks for "
            "conflicts, the other skips the check."
        )
    result = services.revision_create(
        notebook=notebook,
        content=body.content,
        author=request.user,
        base_revision=body.base_revision,
    )
    saved = SaveOut(created=result.created, revision=RevisionOut.of(result.revision, editor=True))
    return Status(201 if result.created else 200, saved)


@router.get(
    "/{urlsafe:public_id}/revisions/{number}",
    response={200: RevisionContentOut, **errors()},
    summary="One revision's text (for the people who edit it)",
)
@notebook_route(Action.HISTORY)
def revision_detail(request: HttpRequest, notebook: Notebook, number: int) -> RevisionContentOut:
    revision = selectors.revision_get(notebook=notebook, number=number)
    return RevisionContentOut(
        **RevisionOut.of(revision, editor=True).model_dump(),
        content=selectors.revision_text(revision=revision),
    )


@router.get(
    "/{urlsafe:public_id}/revisions/{number}/diff",
    response={200: DiffOut, **errors()},
    summary="Diff against current (for the people who edit it)",
)
@notebook_route(Action.HISTORY)
def revision_diff(request: HttpRequest, notebook: Notebook, number: int) -> DiffOut:
    old = selectors.revision_get(notebook=notebook, number=number)
    current = notebook.current_revision
    assert current is not None
    return DiffOut(
        old=old.number,
        new=current.number,
        diff=selectors.revision_diff_text(old=old, new=current),
    )


@router.post(
    "/{urlsafe:public_id}/revisions/{number}/restore",
    response={200: SaveOut, 201: SaveOut, **errors()},
    summary="Make an old revision current again (as a new revision)",
)
@notebook_route(Action.WRITE)
def revision_restore(
    request: SignedInRequest, notebook: Notebook, number: int
) -> Status[SaveOut]:
    result = services.revision_restore(notebook=notebook, number=number, author=request.user)
    saved = SaveOut(created=result.created, revision=RevisionOut.of(result.revision, editor=True))
    return Status(201 if result.created else 200, saved)
