"""What an embedded notebook shows (``/embed/<token>`` on the user-content site).

A share link is the capability: whoever has the address may see what the link
lets anyone see, no more (``sharing.access`` with no signed-in person). The
notebook goes to the page as cells (the playground's NotebookFile), its folder as
signed addresses of its files (``folders.links``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from folders.links import file_url
from folders.selectors import folder_files
from kernels.runtime.formats import with_cell_names
from kernels.runtime.notebook import notebook_file_json
from notebooks.content import notebook_text_parse
from notebooks.errors import StorageFailed
from notebooks.selectors import revision_text
from sharing.access import Action, notebook_access
from sharing.errors import LinkNotUsable
from sharing.selectors import share_link_get
from sharing.services import link_usable_check


class EmbedUnavailable(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Embedded:
    title: str
    notebook: dict[str, Any]
    files: list[dict[str, Any]]
    show_code: bool


def embed_get(*, token: str) -> Embedded:
    """The notebook a share link embeds, or ``EmbedUnavailable`` saying why not."""
    link = share_link_get(token=token)
    if link is None:
        raise EmbedUnavailable("There is no such notebook, or this embed was removed.", 404)
    try:
        link_usable_check(link=link)
    except LinkNotUsable as problem:
        raise EmbedUnavailable(str(problem), 410) from None
    notebook = link.notebook
    access = notebook_access(user=None, notebook=notebook, link=link)
    revision = notebook.current_revision
    if not access.allows(Action.READ) or revision is None:
        raise EmbedUnavailable("There is no such notebook, or this embed was removed.", 404)
    try:
        text = revision_text(revision=revision)
    except StorageFailed as problem:
        raise EmbedUnavailable(problem.message, 503) from None
    files = [
        {"path": f.path, "size": f.size, "sha256": f.sha256,
         "url": file_url(notebook_id=notebook.public_id, sha256=f.sha256, path=f.path)}
        for f in folder_files(revision=revision)
    ]
    return Embedded(
        title=notebook.title,
        notebook=notebook_file_json(with_cell_names(notebook_text_parse(text))),
        files=files,
        show_code=access.show_code,
    )
