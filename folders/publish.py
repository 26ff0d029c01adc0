"""A saved notebook as a static site in a zip ("Publish as static site"; docs/folders.md).

The same folder ``playground export site`` writes (kernels/runtime/site_export.py),
made from the notebook's current revision: its text, its folder's files read from
storage, this service's front end build, and the pure-Python wheels the notebook
imports, downloaded by pip from the service's upstream index (WHEELS_UPSTREAM_INDEX,
the one the wheel proxy uses), within WHEELS_UPSTREAM_DEADLINE seconds. Built in a
temporary folder, zipped into a temporary file that is gone once the answer has been
sent. What the resolution warns about (a package with no pure-Python wheel, one of
Pyodide's compiled packages) is in the zip's ``PUBLISH-NOTES.txt``.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.text import slugify

from folders.selectors import folder_files
from kernels.runtime.formats import with_cell_names
from kernels.runtime.site_export import SiteExportError, SiteWheelsError, export_site
from kernels.runtime.site_wheels import PackageIndex
from notebooks.content import notebook_text_parse
from notebooks.errors import NotebookError, StorageFailed
from notebooks.models import FolderBlob, Notebook
from notebooks.selectors import revision_text
from storage.blobs import StorageUnavailable, blob_open

#: Already compressed, or not worth compressing: stored as they are, which is faster.
_STORED = (".wasm", ".bin", ".whl", ".zip", ".woff2", ".woff", ".png", ".jpg", ".gz")


class SiteUnavailable(NotebookError):
    status = 503
    code = "site_unavailable"


def site_name(notebook: Notebook) -> str:
    return f"{slugify(notebook.title) or 'notebook'}-site"


def site_zip(*, notebook: Notebook) -> IO[bytes]:
    """An open temporary file holding the zip (removed from disk already: close it)."""
    revision = notebook.current_revision
    assert revision is not None
    text = revision_text(revision=revision)
    with tempfile.TemporaryDirectory(prefix="site-") as work:
        root = Path(work)
        source = root / "notebook.py"
        source.write_text(text, "utf-8")
        folder = root / "folder"
        folder.mkdir()
        blobs = {b.sha256: b for b in FolderBlob.objects.filter(notebook=notebook)}
        for entry in folder_files(revision=revision):
            target = folder / entry.path  # names were checked: they stay inside
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with blob_open(key=blobs[entry.sha256].storage_key) as stream, \
                        target.open("wb") as out:
                    shutil.copyfileobj(stream, out, 1024 * 1024)
            except StorageUnavailable as error:
                raise StorageFailed(error.message) from error
        name = site_name(notebook)
        index = PackageIndex(settings.WHEELS_UPSTREAM_INDEX,
                             seconds=settings.WHEELS_UPSTREAM_DEADLINE)
        try:
            summary = export_site(
                with_cell_names(notebook_text_parse(text)), source_path=str(source),
                output=str(root / name), title=notebook.title, files=str(folder),
                frontend=str(settings.FRONTEND_DIST_DIR), resolve=True, index=index)
        except SiteWheelsError as error:
            raise SiteUnavailable(
                "The site could not be made: the packages the notebook imports could not be "
                f"downloaded just now ({error}). Try again in a moment.") from error
        except SiteExportError as error:
            raise SiteUnavailable(f"The site could not be made: {error}.") from error
        if summary.warnings:
            (root / name / "PUBLISH-NOTES.txt").write_text(
                "What the browser will not find on this site:\n\n"
                + "".join(f"- {warning}\n" for warning in summary.warnings), "utf-8")
        archive = tempfile.TemporaryFile(prefix="site-", suffix=".zip")
        with zipfile.ZipFile(archive, "w") as zipped:
            for path in sorted((root / name).rglob("*")):
                if path.is_file():
                    method = (zipfile.ZIP_STORED if path.suffix in _STORED
                              else zipfile.ZIP_DEFLATED)
                    zipped.write(path, path.relative_to(root).as_posix(), compress_type=method,
                                 compresslevel=6 if method == zipfile.ZIP_DEFLATED else None)
        archive.seek(0)
        return archive
