"""API of notebook folders (mounted with the notebooks' routes; docs/folders.md).

Reading a folder needs ``read`` on the notebook, an older revision's folder
``history``, and every change ``write``. Each answer that changes the folder is
the new folder and the revision the change made. File bytes never come from the
app's origin: each file's ``url`` is a signed address on the user-content site
(``folders.links``), and a download here redirects there.
"""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponseRedirect
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

import notebooks.converters  # noqa: F401  (registers {urlsafe:...})
from accounts.auth import ANYONE, SIGNED_IN, SignedInRequest
from folders import publish, selectors, services
from folders.errors import FileTooLarge
from folders.links import file_url
from folders.services import Incoming
from notebooks import selectors as notebook_selectors
from notebooks.api import errors
from notebooks.models import Notebook, Revision
from notebooks.services import SaveResult
from sharing.access import Access, Action, access_require
from sharing.api_access import link_route, notebook_route
from sharing.models import ShareLink

router = Router(tags=["folders"], auth=SIGNED_IN)


class FileOut(Schema):
    path: str
    size: int
    sha256: str
    url: str = Field(description="Where the playground reads the bytes (signed, expires).")


class FolderOut(Schema):
    revision: int = Field(description="The revision whose folder this is.")
    created: bool = Field(False, description="Whether this request made that revision.")
    files: list[FileOut]

    @staticmethod
    def of(notebook: Notebook, revision: Revision, *, created: bool = False) -> FolderOut:
        return FolderOut(
            revision=revision.number,
            created=created,
            files=[
                FileOut(path=f.path, size=f.size, sha256=f.sha256,
                        url=file_url(notebook_id=notebook.public_id, sha256=f.sha256,
                                     path=f.path))
                for f in selectors.folder_files(revision=revision)
            ],
        )


def _changed(notebook: Notebook, result: SaveResult) -> FolderOut:
    return FolderOut.of(notebook, result.revision, created=result.created)


class RenameIn(Schema):
    old: str = Field(alias="from")
    new: str = Field(alias="to")


@router.get(
    "/{urlsafe:public_id}/files",
    response={200: FolderOut, **errors()},
    auth=ANYONE,
    summary="The notebook's folder (or an older revision's)",
    description="Anyone who may read the notebook, signed in or not (a public or unlisted "
    "notebook's visitors); an older revision's folder needs `history`.",
)
@notebook_route(Action.READ)
def folder_detail(
    request: HttpRequest, notebook: Notebook, revision: int | None = None
) -> FolderOut:
    current = notebook.current_revision
    assert current is not None
    if revision is None or revision == current.number:
        return FolderOut.of(notebook, current)
    access_require(user=request.user, notebook=notebook, action=Action.HISTORY)
    return FolderOut.of(notebook, notebook_selectors.revision_get(notebook=notebook,
                                                                  number=revision))


@router.post(
    "/{urlsafe:public_id}/files",
    response={200: FolderOut, 201: FolderOut, **errors()},
    summary="Upload files into the folder (one revision)",
    description="Multipart: `file` once per file, each named by its file name, under "
    "`folder` when given. A file of the same name is replaced.",
)
@notebook_route(Action.WRITE)
def folder_upload(
    request: SignedInRequest,
    notebook: Notebook,
    file: list[UploadedFile] = File(...),  # type: ignore[type-arg]  # noqa: B008
    # (django-ninja's declarations)
    folder: str = Form(""),  # type: ignore[type-arg]
) -> Status[FolderOut]:
    prefix = folder.strip("/")
    incoming = [Incoming(f"{prefix}/{f.name}" if prefix else (f.name or ""), f) for f in file]
    result = services.files_put(notebook=notebook, author=request.user, incoming=incoming)
    return Status(201 if result.created else 200, _changed(notebook, result))


# Before the {path} routes: Django takes the first pattern that matches.
@router.post(
    "/{urlsafe:public_id}/files/rename",
    response={200: FolderOut, **errors()},
    summary="Rename a file, or a folder with what it holds",
)
@notebook_route(Action.WRITE)
def file_rename(request: SignedInRequest, notebook: Notebook, body: RenameIn) -> FolderOut:
    result = services.file_rename(notebook=notebook, author=request.user, old=body.old,
                                  new=body.new)
    return _changed(notebook, result)


@router.put(
    "/{urlsafe:public_id}/files/{path:file_path}",
    response={200: FolderOut, 201: FolderOut, **errors()},
    summary="Write one file (new, or replacing it); the body is its bytes",
)
@notebook_route(Action.WRITE)
def file_write(request: SignedInRequest, notebook: Notebook, file_path: str) -> Status[FolderOut]:
    limit = settings.FOLDER_FILE_MAX_BYTES
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as body:
        size = 0
        # The body is read in chunks, not through request.body (which is for forms).
        while chunk := request.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                raise FileTooLarge(
                    f"{file_path!r} is larger than {limit / 1_000_000:,.1f} MB, the most one "
                    "file may hold. Nothing was changed.", limit=limit)
            body.write(chunk)
        result = services.files_put(notebook=notebook, author=request.user,
                                    incoming=[Incoming(file_path, body)])
    return Status(201 if result.created else 200, _changed(notebook, result))


@router.get(
    "/{urlsafe:public_id}/files/{path:file_path}",
    response={302: None, **errors()},
    summary="Download one file of the current folder",
    description="Redirects to the file's signed address on the user-content site, which "
    "answers with the bytes as an attachment.",
)
@notebook_route(Action.READ)
def file_download(request: HttpRequest, notebook: Notebook, file_path: str) -> HttpResponseRedirect:
    current = notebook.current_revision
    assert current is not None
    blob = selectors.folder_file_blob(revision=current, path=file_path)
    url = file_url(notebook_id=notebook.public_id, sha256=blob.sha256, path=file_path)
    return HttpResponseRedirect(url + "?download=1")


@router.delete(
    "/{urlsafe:public_id}/files/{path:file_path}",
    response={200: FolderOut, **errors()},
    summary="Delete a file, or a folder with what it holds (older revisions keep them)",
)
@notebook_route(Action.WRITE)
def file_delete(request: SignedInRequest, notebook: Notebook, file_path: str) -> FolderOut:
    result = services.file_delete(notebook=notebook, author=request.user, path=file_path)
    return _changed(notebook, result)


@router.get(
    "/{urlsafe:public_id}/site",
    response={200: None, **errors()},
    summary="The notebook as a static site (a zip)",
    description="The notebook, its folder and the front end with Pyodide, ready for any "
    "static host (docs/folders.md, \"Static sites\"). Needs the right to copy it (`fork`).",
)
@notebook_route(Action.FORK)
def site_download(request: HttpRequest, notebook: Notebook) -> FileResponse:
    return FileResponse(publish.site_zip(notebook=notebook), as_attachment=True,
                        filename=f"{publish.site_name(notebook)}.zip",
                        content_type="application/zip")


shared_router = Router(tags=["folders"])


@shared_router.get(
    "/shared/{urlsafe:token}/files",
    response={200: FolderOut, **errors(410)},
    auth=ANYONE,
    summary="The folder of the notebook a share link opens",
)
@link_route(Action.READ)
def shared_folder(request: HttpRequest, shared: tuple[ShareLink, Access]) -> FolderOut:
    link, _ = shared
    notebook = link.notebook
    assert notebook.current_revision is not None
    return FolderOut.of(notebook, notebook.current_revision)
