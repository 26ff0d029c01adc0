"""Objects for the service tests, made through the services themselves.

Every notebook is created with ``notebooks.services`` (so its revisions really are
in the test bucket), every link with ``sharing.services``. Names and e-mail
addresses are unique per call, so tests never collide on them.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.test import Client

from kernels.runtime.formats import dumps_notebook
from kernels.runtime.notebook import Cell
from kernels.runtime.notebook import Notebook as NotebookCells
from notebooks import services
from notebooks.models import Notebook
from sharing import services as sharing_services
from sharing.models import Role, ShareLink

PASSWORD = "correct-horse-battery-staple-9"
_serial = itertools.count(1)


def user_make(email: str = "", *, password: str = PASSWORD, verified: bool = True) -> AbstractUser:
    """An account that can log in with ``password`` (its address verified unless told)."""
    email = email or f"person{next(_serial)}@example.com"
    user = get_user_model().objects.create_user(username=email, email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def code(source: str, name: str = "") -> Cell:
    return Cell(code=source, name=name or f"c{next(_serial)}")


def markdown(source: str) -> Cell:
    return Cell(code=source, kind="markdown")


def notebook_text(*cells: Cell) -> str:
    """A notebook in our .py format with these cells (default: one small code cell)."""
    chosen = list(cells) or [code("x = 1", "a")]
    return dumps_notebook(NotebookCells(cells=chosen), "playground")


def notebook_make(
    owner: AbstractUser,
    *,
    title: str = "",
    cells: Iterable[Cell] = (),
    visibility: str = "private",
) -> Notebook:
    """A notebook with one revision (``cells``, or a unique code cell)."""
    chosen = list(cells) or [code(f"value = {next(_serial)}", "value")]
    notebook = services.notebook_create(
        owner=owner, title=title or f"Notebook {next(_serial)}", content=notebook_text(*chosen)
    )
    if visibility != "private":
        sharing_services.notebook_visibility_set(notebook=notebook, visibility=visibility)
    return notebook


def link_make(
    notebook: Notebook,
    *,
    role: str = Role.VIEW,
    show_code: bool = False,
    expires_at: datetime | None = None,
) -> ShareLink:
    return sharing_services.share_link_create(
        notebook=notebook,
        created_by=notebook.owner,
        role=role,
        show_code=show_code,
        expires_at=expires_at,
    )


def collaborator_make(notebook: Notebook, user: AbstractUser) -> ShareLink:
    """Make ``user`` a collaborator through a new edit link; return that link."""
    link = link_make(notebook, role=Role.EDIT)
    sharing_services.collaborator_join(link=link, user=user)
    return link


def client_for(user: AbstractUser | None, *, csrf_checks: bool = False) -> Client:
    """A test client signed in as ``user`` (anonymous for None)."""
    client = Client(enforce_csrf_checks=csrf_checks)
    if user is not None:
        client.force_login(user)
    return client


def post_json(client: Client, path: str, body: Any = None, **headers: str) -> Any:
    """POST ``body`` as JSON and return the response."""
    return client.post(
        path, json.dumps({} if body is None else body), content_type="application/json", **headers
    )


def script_json(response: Any, element_id: str = "host-config") -> Any:
    """The JSON a page hands its script in ``<script id=... type="application/json">``."""
    page = response.content.decode()
    start = page.index(f'<script id="{element_id}" type="application/json">')
    body = page[page.index(">", start) + 1 : page.index("</script>", start)]
    return json.loads(body)
