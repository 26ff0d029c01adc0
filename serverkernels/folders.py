"""The notebook's folder for server kernels (docs/folders.md, "Server kernels").

The worker gives a kernel the folder of its session's notebook when it starts and
when the page says the folder changed (:meth:`SessionFolder.load` names the files;
their bytes are streamed from storage as they are sent), and saves what each run wrote
(``files_written``) into the folder, as the session's owner, while they may still
edit the notebook, through the folders app's own services (its size, count and
quota limits). Files larger than the folder takes (the kernel is told the limit and
does not send them) and refusals (a limit, a bad name) are said in a notice; nothing
the kernel wrote is lost from the kernel itself.
"""

from __future__ import annotations

import functools

from django.conf import settings

from folders.selectors import folder_files
from folders.services import Incoming, file_delete, files_put
from notebooks.errors import NotebookError
from notebooks.models import FolderBlob
from serverkernels.host import StoredFile
from serverkernels.models import KernelSession
from serverkernels.written import Written
from sharing.access import Action, ActionDenied, NotebookNotFound, access_require
from storage.blobs import blob_open

_NAMES_SHOWN = 3


def _names(paths: list[str]) -> str:
    shown = ", ".join(paths[:_NAMES_SHOWN])
    more = len(paths) - _NAMES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


class SessionFolder:
    """``serverkernels.host.Folder`` backed by the notebooks' storage."""

    def load(self, session_id: str) -> dict[str, StoredFile]:
        session = KernelSession.objects.select_related("notebook__current_revision").get(
            public_id=session_id)
        notebook = session.notebook
        revision = notebook.current_revision
        if revision is None:
            return {}
        keys = dict(FolderBlob.objects.filter(notebook=notebook).values_list("sha256",
                                                                             "storage_key"))
        # Nothing read yet: each file is streamed from storage as it is given, in parts.
        return {entry.path: StoredFile(entry.sha256, entry.size,
                                       functools.partial(blob_open, key=keys[entry.sha256]))
                for entry in folder_files(revision=revision)}

    def file_max_bytes(self) -> int:
        return int(settings.FOLDER_FILE_MAX_BYTES)

    def save(self, session_id: str, written: Written) -> str:
        session = KernelSession.objects.select_related("notebook", "owner").get(
            public_id=session_id)
        notebook, owner = session.notebook, session.owner
        try:
            access_require(user=owner, notebook=notebook, action=Action.WRITE)
        except (ActionDenied, NotebookNotFound):
            return ("Files Python wrote stay in this kernel: you can no longer change this "
                    "notebook.")
        incoming = [Incoming(item.path, item.file) for item in written.files]
        notices = []
        saved: list[str] = []
        if incoming:
            try:
                files_put(notebook=notebook, author=owner, incoming=incoming)
                saved = [item.path for item in incoming]
            except NotebookError as error:
                notices.append(f"Files Python wrote were not saved: {error.message}")
        for path in written.removed:
            try:
                file_delete(notebook=notebook, author=owner, path=path)
            except NotebookError:
                continue  # not in the folder (a file the kernel made and removed)
        if saved:
            notices.insert(0, f"Saved to the notebook's folder: {_names(saved)}.")
        if written.too_large:
            limit = f"{self.file_max_bytes() / 1_000_000:,.1f} MB"
            notices.append(
                f"Not saved: {_names([path for path, _ in written.too_large])} "
                f"(larger than {limit}, the most one file of the folder may hold). "
                "Write smaller files, or split them.")
        if written.incomplete:
            notices.append(
                f"Not saved: {_names(written.incomplete)} (changed while it was being saved, "
                "or more than one run may write). Run the cell again to save it.")
        return " ".join(notices)
