"""Pages for notebooks: the dashboard, the editor, history, import, trash, Explore, the viewer.

Thin: each view finds the notebook, asks ``sharing.access``, calls one service or
selector and renders. Service errors (``notebooks.errors``) become a message on the
page the person came from, or an error page with the error's status.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from accounts.auth import SignedInRequest
from kernels.runtime.formats import NotebookFormatError, dumps_notebook, loads_notebook
from notebooks import selectors, services
from notebooks.content import notebook_import_preview
from notebooks.errors import InvalidNotebook, NotebookError
from notebooks.models import Notebook
from notebooks.services import UNTITLED
from notebooks.starter import starter_text
from pages.frontend_build import FrontendBuildMissing
from pages.host_page import host_entry, host_page_context
from sharing.access import (
    Access,
    Action,
    ActionDenied,
    NotebookNotFound,
    access_require,
    trash_access_require,
)
from sharing.selectors import notebook_list_shared_with

AUTOSAVE_DELAY_MS = 3000


def _notebook_or_404(public_id: str) -> Notebook:
    notebook = selectors.notebook_get(public_id=public_id)
    if notebook is None:
        raise Http404(NotebookNotFound.message)
    return notebook


def notebook_for(request: HttpRequest, public_id: str, action: Action) -> tuple[Notebook, Access]:
    """The notebook if the person may do ``action``; else 404 (cannot see it) or 403."""
    notebook = _notebook_or_404(public_id)
    try:
        access = access_require(user=request.user, notebook=notebook, action=action)
    except NotebookNotFound as error:
        raise Http404(error.message) from error
    except ActionDenied as error:
        raise PermissionDenied(error.message) from error
    return notebook, access


def _trashed_notebook(request: HttpRequest, public_id: str) -> Notebook:
    notebook = _notebook_or_404(public_id)
    try:
        trash_access_require(user=request.user, notebook=notebook)
    except NotebookNotFound as error:
        raise Http404(error.message) from error
    return notebook


def problem(request: HttpRequest, error: NotebookError | FrontendBuildMissing) -> HttpResponse:
    if isinstance(error, FrontendBuildMissing):
        message, status = f"{error} Run `make frontend-build`, then reload.", 503
    else:
        message, status = error.message, error.status
    return render(request, "problem.html", {"message": message}, status=status)


@require_safe
@login_required
def dashboard(request: SignedInRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    return render(
        request,
        "notebooks/dashboard.html",
        {
            "query": query,
            "notebooks": selectors.notebook_list_for_user(user=request.user, query=query)[:500],
            "shared": notebook_list_shared_with(user=request.user, query=query)[:200],
            "storage_used": selectors.storage_used(user=request.user),
        },
    )


@require_POST
@login_required
def notebook_new(request: SignedInRequest) -> HttpResponse:
    try:
        # The starter teaches; "empty" is for those who know their way.
        content = None if request.POST.get("start") == "empty" else starter_text()
        # Untitled, not named after the starter's heading.
        title = request.POST.get("title", "").strip() or UNTITLED
        notebook = services.notebook_create(owner=request.user, title=title, content=content)
    except NotebookError as error:
        messages.error(request, error.message)
        return redirect("notebooks:dashboard")
    return redirect("notebooks:editor", public_id=notebook.public_id)


def notebook_import(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={reverse('notebooks:import')}")
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        text = request.POST.get("text", "")
        filename = ""
        if upload is not None:
            filename = upload.name or ""
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                text, error = "", f"{filename} is not UTF-8 text, so it is not a notebook."
        if not error:
            try:
                notebook = services.notebook_import(
                    owner=request.user,
                    text=text,
                    filename=filename,
                    title=request.POST.get("title", ""),
                )
            except NotebookError as failure:
                error = failure.message
            else:
                messages.success(request, f"Imported “{notebook.title}”.")
                return redirect("notebooks:editor", public_id=notebook.public_id)
    context: dict[str, object] = {"error": error, "text": request.POST.get("text", "")}
    try:
        # The page script sends a "Save to account" link (#code/...) of an older
        # playground on to the page made for it.
        context.update(
            host_entry=host_entry(),
            host_config={"page": "import", "saveFromPlayUrl": reverse("notebooks:save-from-play")},
        )
    except FrontendBuildMissing:
        pass
    return render(request, "notebooks/import.html", context, status=400 if error else 200)


# What the page says when a playground draft's files did not come along.
FILES_LEFT_BEHIND = (
    "Saved without the playground's files: they could not be read from the playground "
    "in this browser (its draft may be gone, or pop-ups are blocked for this site). "
    "Upload them in the Files panel."
)


def save_from_play(request: HttpRequest) -> HttpResponse:
    """"Save to account" in the playground: what will be saved, then a Save button.

    The notebook travels in the URL fragment (``#code/...``), which never reaches the
    server by itself: the page's script puts it in the form and sends it (POST
    ``step=preview``); the answer shows the title, the cells and a Save button
    (``step=save``). Signed-out people are asked to log in first; the script keeps the
    link in the tab meanwhile. The link itself is never shown.

    ``?draft=<id>``: the playground's draft has files. On Save the script reads them
    from the playground's site (a pop-up of ``/play/carry-files``, docs/folders.md),
    asks for a JSON answer (the new notebook's addresses) and uploads them through the
    folder API; ``carry=missing`` says they could not be read, and the editor says so.
    """
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405)
    response = _save_from_play(request)
    if request.GET.get("draft") and request.user.is_authenticated:
        # The page opens the playground site's pop-up that hands over a draft's files; a
        # pop-up keeps its opener only under this policy (the page runs no notebook code).
        # Only then, signed in: a change of policy between pages (to the log-in and back)
        # starts the tab afresh, and the notebook it keeps meanwhile (sessionStorage)
        # with it. Signed out, the page only keeps the notebook and links to the log-in.
        response["Cross-Origin-Opener-Policy"] = "same-origin-allow-popups"
    return response


def _save_from_play(request: HttpRequest) -> HttpResponse:
    login_url = f"{reverse('account_login')}?next={reverse('notebooks:save-from-play')}"
    context: dict[str, object] = {"login_url": login_url}
    try:
        context.update(
            host_entry=host_entry(),
            host_config={
                "page": "save-from-play",
                "usercontentOrigin": settings.USERCONTENT_ORIGIN,
                "carryUrl": settings.USERCONTENT_ORIGIN
                + reverse("carry-files", urlconf=settings.USERCONTENT_URLCONF),
            },
        )
    except FrontendBuildMissing:
        pass
    if request.method != "POST":
        return render(request, "notebooks/save_from_play.html", context)
    if not request.user.is_authenticated:
        return redirect(login_url)
    link = request.POST.get("link", "")
    title = request.POST.get("title", "")
    wants_json = request.headers.get("Accept") == "application/json"
    try:
        if request.POST.get("step") == "save":
            notebook = services.notebook_import(owner=request.user, text=link, title=title)
            messages.success(request, f"Saved “{notebook.title}” to your notebooks.")
            if request.POST.get("carry") == "missing":
                messages.warning(request, FILES_LEFT_BEHIND)
            if wants_json:
                # The script uploads the draft's files, then opens the editor.
                return JsonResponse(
                    {
                        "editorUrl": reverse("notebooks:editor", args=[notebook.public_id]),
                        "filesUrl": f"/api/notebooks/{notebook.public_id}/files",
                    },
                    status=201,
                )
            return redirect("notebooks:editor", public_id=notebook.public_id)
        preview = notebook_import_preview(text=link)
    except NotebookError as error:
        context.update(error=error.message, link=link, title=title)
        if request.POST.get("step") == "save":
            # Refused on saving (a title too long, the account full): the same preview
            # again, with what to change.
            with contextlib.suppress(NotebookError):
                context["preview"] = notebook_import_preview(text=link)
        return render(request, "notebooks/save_from_play.html", context, status=error.status)
    context.update(preview=preview, link=link, title=preview.title)
    return render(request, "notebooks/save_from_play.html", context)


@require_safe
@login_required
def trash(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "notebooks/trash.html",
        {
            "notebooks": selectors.notebook_trash_for_user(user=request.user),
            "retention_days": settings.TRASH_RETENTION_DAYS,
        },
    )


@require_safe
def explore(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    return render(
        request,
        "notebooks/explore.html",
        {"query": query, "notebooks": selectors.notebook_public_list(query=query)[:200]},
    )


def _notebook_json(notebook: Notebook, *, mode: str, show_code: bool = True) -> dict[str, object]:
    revision = notebook.current_revision
    assert revision is not None
    return {
        "id": notebook.public_id,
        "title": notebook.title,
        "revision": revision.number,
        "content": selectors.revision_text(revision=revision),
        "mode": mode,
        "showCode": show_code,
    }


@require_safe
def editor(request: HttpRequest, public_id: str) -> HttpResponse:
    """The notebook in the playground, saving to the server (people who may write it)."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    notebook, access = notebook_for(request, public_id, Action.READ)
    if not access.allows(Action.WRITE):
        return redirect("notebooks:view", public_id=public_id)
    # ?mode=read: the owner's preview of the app view (outputs only), as on /play.
    mode = "read" if request.GET.get("mode") == "read" else "edit"
    try:
        context = host_page_context(
            request=request,
            page="editor",
            mode=mode,
            notebook=_notebook_json(notebook, mode=mode),
            saveUrl=f"/api/notebooks/{notebook.public_id}/revisions",
            eventsUrl=f"/ws/notebooks/{notebook.public_id}/",
            autosaveDelayMs=AUTOSAVE_DELAY_MS,
        )
    except (NotebookError, FrontendBuildMissing) as error:
        return problem(request, error)
    return render(
        request,
        "notebooks/editor.html",
        {**context, "notebook": notebook, "access": access, "previewing": mode == "read"},
    )


@require_safe
def viewer(request: HttpRequest, public_id: str) -> HttpResponse:
    """An unlisted or public notebook (or one you collaborate on) in the app view."""
    notebook, access = notebook_for(request, public_id, Action.READ)
    return viewer_page(
        request,
        notebook=notebook,
        access=access,
        fork_url=reverse("notebooks:fork", kwargs={"public_id": public_id}),
        download_url=reverse("notebooks:download", kwargs={"public_id": public_id}),
    )


def viewer_page(
    request: HttpRequest,
    *,
    notebook: Notebook,
    access: Access,
    fork_url: str,
    download_url: str,
    link_role: str = "",
    status: int = 200,
) -> HttpResponse:
    """The read-only page of a notebook, shared by ``/n/<id>`` and ``/s/<token>``."""
    try:
        context = host_page_context(
            request=request,
            page="viewer",
            mode="read",
            csrf=request.user.is_authenticated,
            notebook=_notebook_json(notebook, mode="read", show_code=access.show_code),
            canFork=access.allows(Action.FORK),
            signedIn=request.user.is_authenticated,
        )
    except (NotebookError, FrontendBuildMissing) as error:
        return problem(request, error)
    revision = notebook.current_revision
    return render(
        request,
        "notebooks/viewer.html",
        {
            **context,
            "notebook": notebook,
            "access": access,
            "fork_url": fork_url,
            "download_url": download_url,
            "link_role": link_role,
            "summary": revision.summary if revision else "",
            "can_edit": access.allows(Action.WRITE),
        },
        status=status,
    )


@require_POST
@login_required
def rename(request: HttpRequest, public_id: str) -> HttpResponse:
    notebook, _ = notebook_for(request, public_id, Action.WRITE)
    try:
        services.notebook_rename(notebook=notebook, title=request.POST.get("title", ""))
    except NotebookError as error:
        messages.error(request, f"Not renamed: {error.message}")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("notebooks:dashboard")
    return redirect(target)


@require_POST
@login_required
def delete(request: HttpRequest, public_id: str) -> HttpResponse:
    notebook, _ = notebook_for(request, public_id, Action.DELETE)
    services.notebook_trash(notebook=notebook)
    messages.success(request, f"“{notebook.title}” is in the trash; restore it from there.")
    return redirect("notebooks:dashboard")


@require_POST
@login_required
def restore(request: HttpRequest, public_id: str) -> HttpResponse:
    notebook = _trashed_notebook(request, public_id)
    try:
        services.notebook_restore(notebook=notebook)
    except NotebookError as error:
        messages.error(request, error.message)
        return redirect("notebooks:trash")
    messages.success(request, f"Restored “{notebook.title}”.")
    return redirect("notebooks:dashboard")


@require_POST
@login_required
def purge(request: HttpRequest, public_id: str) -> HttpResponse:
    notebook = _trashed_notebook(request, public_id)
    if not notebook.is_trashed:
        raise PermissionDenied("Move the notebook to the trash first.")
    services.notebook_purge(notebook=notebook)
    messages.success(request, f"Deleted “{notebook.title}” for good.")
    return redirect("notebooks:trash")


@require_POST
@login_required
def fork(request: SignedInRequest, public_id: str) -> HttpResponse:
    notebook, _ = notebook_for(request, public_id, Action.FORK)
    return fork_response(request, notebook=notebook)


def fork_response(request: SignedInRequest, *, notebook: Notebook) -> HttpResponse:
    """Fork into the signed-in person's account and open the copy (after an access check)."""
    try:
        copy = services.notebook_fork(notebook=notebook, owner=request.user)
    except NotebookError as error:
        return problem(request, error)
    messages.success(request, f"Forked into your notebooks as “{copy.title}”.")
    return redirect("notebooks:editor", public_id=copy.public_id)


@require_safe
@login_required
def history(request: HttpRequest, public_id: str) -> HttpResponse:
    notebook, access = notebook_for(request, public_id, Action.HISTORY)
    revisions = list(selectors.revision_list(notebook=notebook)[:500])
    current = notebook.current_revision
    assert current is not None
    try:
        chosen = int(
            request.GET.get("rev", "")
            or (revisions[1].number if len(revisions) > 1 else current.number)
        )
    except ValueError:
        chosen = current.number
    try:
        old = selectors.revision_get(notebook=notebook, number=chosen)
        cells = selectors.revision_cell_diff(old=old, new=current)
        # A text that does not read as a notebook still gets a diff: of its lines.
        diff = selectors.revision_diff(old=old, new=current) if cells is None else []
    except NotebookError as error:
        return problem(request, error)
    return render(
        request,
        "notebooks/history.html",
        {
            "notebook": notebook,
            "revisions": revisions,
            "chosen": old,
            "current": current,
            "cells": cells,
            "unchanged": cells is not None and all(c.status == "unchanged" for c in cells),
            "diff": diff,
            "can_write": access.allows(Action.WRITE),
        },
    )


@require_POST
@login_required
def revision_restore(request: SignedInRequest, public_id: str, number: int) -> HttpResponse:
    notebook, _ = notebook_for(request, public_id, Action.WRITE)
    try:
        result = services.revision_restore(notebook=notebook, number=number, author=request.user)
    except NotebookError as error:
        return problem(request, error)
    if result.created:
        messages.success(
            request,
            f"Restored revision {number}: it is now revision {result.revision.number}, the "
            "current one (the version before it stays in History).",
        )
    else:
        messages.info(request, f"Revision {number} is the same as the current one.")
    # Back to the notebook: restoring is done to go on working from there.
    return redirect("notebooks:editor", public_id=public_id)


@require_safe
def download(request: HttpRequest, public_id: str) -> HttpResponse:
    notebook, access = notebook_for(request, public_id, Action.READ)
    return download_response(request, notebook=notebook, access=access)


#: What a download's ``?format=`` may ask for (the first is the default).
DOWNLOAD_FORMATS = ("playground", "marimo")


def download_response(request: HttpRequest, *, notebook: Notebook, access: Access) -> HttpResponse:
    """The current revision as a ``.py`` file, for people who may see the code: our format,
    or with ``?format=marimo`` a marimo notebook (``kernels.runtime.formats.marimo_export``).
    """
    if not access.show_code:
        raise PermissionDenied("The owner shares this notebook's outputs, not its file.")
    fmt = request.GET.get("format", DOWNLOAD_FORMATS[0])
    if fmt not in DOWNLOAD_FORMATS:
        known = " or ".join(DOWNLOAD_FORMATS)
        unknown = InvalidNotebook(f"There is no download format {fmt[:40]!r}; choose {known}.")
        return problem(request, unknown)
    assert notebook.current_revision is not None
    try:
        text = selectors.revision_text(revision=notebook.current_revision)
        if fmt == "marimo":
            text = _as_marimo(text)
    except NotebookError as error:
        return problem(request, error)
    response = HttpResponse(text, content_type="text/x-python; charset=utf-8")
    filename = "".join(c if c.isalnum() or c in "-_ " else "_" for c in notebook.title).strip()
    response["Content-Disposition"] = f'attachment; filename="{filename or "notebook"}.py"'
    return response


def _as_marimo(text: str) -> str:
    """A saved revision (our ``.py`` format) as the marimo file marimo opens."""
    try:
        return dumps_notebook(loads_notebook(text, "py"), "marimo")
    except NotebookFormatError as error:
        raise InvalidNotebook(
            f"This revision cannot be written as a marimo notebook: {error}"
        ) from None
