"""The notebook's folder on a server kernel: a real worker, sandbox, Redis and S3.

The kernel's working directory holds the folder's files; what a run writes is saved
to the folder as a new revision (for its owner, who may edit); a file changed in the
folder meanwhile reaches the kernel and re-runs the cells importing it.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
from collections.abc import Callable
from typing import Any

import pytest

from folders.selectors import folder_file_blob, folder_files
from folders.services import Incoming, files_put
from notebooks.models import FolderBlob, Notebook
from serverkernels import conf, services
from storage.blobs import blob_get
from tests.factories import notebook_make, user_make
from tests.serverkernels.frames import Frames, event_of
from tests.serverkernels.test_sessions import outputs, run_cell, started
from tests.serverkernels.workers import KernelWorker

pytestmark = [pytest.mark.subprocess, pytest.mark.django_db(transaction=True)]


def put(notebook: Notebook, path: str, data: bytes) -> None:
    files_put(notebook=notebook, author=notebook.owner, incoming=[Incoming(path, io.BytesIO(data))])


def notice(frames: Frames, text: str, start: int) -> dict[str, Any]:
    return frames.wait_for(lambda f: text in str(f.get("notice", "")), start)


def current(notebook: Notebook) -> dict[str, bytes]:
    notebook.refresh_from_db()
    revision = notebook.current_revision
    return {f.path: blob_get(key=folder_file_blob(revision=revision, path=f.path).storage_key)
            for f in folder_files(revision=revision)}


def test_a_server_kernel_reads_the_folder_and_its_writes_are_saved(
    workers: Callable[..., KernelWorker],
) -> None:
    workers(slots=1)
    notebook = notebook_make(user_make())
    put(notebook, "data/rain.csv", b"mm\n12\n30\n")
    put(notebook, "helpers.py", b"def total(xs):\n    return sum(xs)\n")
    session, frames = started(notebook)

    done = run_cell(session, frames, "read",
                    "import csv, helpers, os\n"
                    "rows = [int(r[0]) for r in list(csv.reader(open('data/rain.csv')))[1:]]\n"
                    "(sorted(os.listdir('.')), helpers.total(rows))")
    errors = [e for e in frames.events() if e["type"] in ("cell_error", "protocol_error")]
    errors += [f for f in frames.frames if "notice" in f]
    assert done["failed"] == [], errors
    assert outputs(frames, "read") == ["(['data', 'helpers.py'], 42)"]

    # pandas reads the same file, unchanged code as on a laptop.
    done = run_cell(session, frames, "pandas",
                    "import pandas as pd\nint(pd.read_csv('data/rain.csv')['mm'].sum())")
    assert outputs(frames, "pandas") == ["42"]

    start = len(frames.frames)
    done = run_cell(session, frames, "write",
                    "import pathlib\npathlib.Path('out.txt').write_text('total 42')")
    assert done["failed"] == []
    notice(frames, "Saved to the notebook's folder: out.txt", start)
    assert current(notebook)["out.txt"] == b"total 42"

    # The folder changes elsewhere (an upload): the page says so, the kernel gets the
    # new module and the cells importing it run again with it.
    put(notebook, "helpers.py", b"def total(xs):\n    return -1\n")
    start = len(frames.frames)
    conf.store().push_command(session.public_id,
                              json.dumps({"type": "files_changed", "paths": ["helpers.py"]}))
    frames.wait_for(event_of("run_completed"), start)
    assert outputs(frames, "read", start)[-1].endswith("-1)")


def test_a_person_who_may_no_longer_edit_keeps_the_writes_in_the_kernel(
    workers: Callable[..., KernelWorker],
) -> None:
    from sharing.services import collaborator_remove
    from tests.factories import collaborator_make

    workers(slots=1)
    owner, helper = user_make(), user_make()
    notebook = notebook_make(owner)
    collaborator_make(notebook, helper)
    session = services.kernel_start(user=helper, notebook=notebook)
    frames = Frames(conf.store(), session.public_id)
    frames.wait_for(event_of("kernel_ready"))
    collaborator_remove(notebook=notebook, user_id=helper.pk)

    start = len(frames.frames)
    run_cell(session, frames, "w", "open('mine.txt', 'w').write('x')")
    notice(frames, "stay in this kernel", start)
    assert "mine.txt" not in current(notebook)


MiB = 1024 * 1024
# The cell writes fresh random bytes and shows their sha256, to compare with the folder's.
WRITE = ("import hashlib, os, pathlib\n"
         "def write(path, size):\n"
         "    data = os.urandom(size)\n"
         "    pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)\n"
         "    pathlib.Path(path).write_bytes(data)\n"
         "    return path, hashlib.sha256(data).hexdigest()\n")


def shas(notebook: Notebook) -> dict[str, str]:
    return {path: hashlib.sha256(data).hexdigest() for path, data in current(notebook).items()}


def test_large_writes_are_saved_whole_over_many_bounded_events(
    workers: Callable[..., KernelWorker],
) -> None:
    """A 20 MiB file and files together past 8 MiB: more than one line, and than one
    run's output (16 MiB), may carry; all saved, byte for byte, in one revision."""
    workers(slots=1)
    notebook = notebook_make(user_make())
    session, frames = started(notebook)
    revision = notebook.current_revision.number if notebook.current_revision else 0
    start = len(frames.frames)
    done = run_cell(session, frames, "w", WRITE + "dict([write('out/big.bin', 20 * 2**20)] + "
                    "[write(f'part{n}.bin', 3 * 2**20) for n in range(4)])")
    assert done["failed"] == [], frames.frames[start:]
    written = ast.literal_eval(outputs(frames, "w", start)[-1])
    saved = notice(frames, "Saved to the notebook's folder", start)["notice"]
    assert "out/big.bin" in saved and "not saved" not in saved.lower()
    assert shas(notebook) == written
    notebook.refresh_from_db()
    assert notebook.current_revision.number == revision + 1  # one revision for the run
    # The kernel lives on; the files did not pass as output, so the run was not cut.
    assert run_cell(session, frames, "after", "1 + 1")["failed"] == []
    assert "stopped" not in str([f for f in frames.frames[start:] if "session" in f])


def test_a_folder_file_of_many_line_bounds_reaches_the_kernel_whole(
    workers: Callable[..., KernelWorker],
) -> None:
    """A 20 MiB file, with lines of at most 512 KiB (half of a 1 MiB output bound):
    given over some fifty ``write_files``, read by the kernel byte for byte, no staging
    file left behind, and not saved back as if the run had written it."""
    import os

    workers(slots=1, KERNEL_OUTPUT_BYTES_PER_RUN=str(MiB))
    notebook = notebook_make(user_make())
    big = os.urandom(20 * MiB)
    put(notebook, "data/big.bin", big)
    put(notebook, "small.txt", b"small")
    session, frames = started(notebook)
    start = len(frames.frames)
    done = run_cell(session, frames, "read",
                    "import hashlib, os, pathlib\n"
                    "(hashlib.sha256(pathlib.Path('data/big.bin').read_bytes()).hexdigest(),"
                    " pathlib.Path('small.txt').read_text(),"
                    " sorted(n for n in os.listdir('.') if n.startswith('.write_files')))")
    assert done["failed"] == [], frames.frames[start:]
    assert outputs(frames, "read", start) == [
        repr((hashlib.sha256(big).hexdigest(), "small", []))]
    assert not [f for f in frames.frames[start:] if "Saved" in str(f.get("notice", ""))]
    assert [e for e in frames.events() if e["type"] == "protocol_error"] == []


def test_a_file_over_the_folders_size_limit_is_named_and_nothing_of_it_is_stored(
    workers: Callable[..., KernelWorker],
) -> None:
    # A small output bound too: the events must stay under it (half of 1 MiB each).
    workers(slots=1, FOLDER_FILE_MAX_BYTES="5000000", KERNEL_OUTPUT_BYTES_PER_RUN=str(MiB))
    notebook = notebook_make(user_make())
    session, frames = started(notebook)
    start = len(frames.frames)
    done = run_cell(session, frames, "w",
                    WRITE + "dict([write('huge.bin', 5_000_001), write('fits.bin', 4_999_999)])")
    assert done["failed"] == [], frames.frames[start:]
    written = ast.literal_eval(outputs(frames, "w", start)[-1])
    text = notice(frames, "huge.bin", start)["notice"]
    assert "Not saved: huge.bin (larger than 5.0 MB" in text, text
    assert "Saved to the notebook's folder: fits.bin." in text, text
    assert shas(notebook) == {"fits.bin": written["fits.bin"]}
    assert FolderBlob.objects.filter(notebook=notebook).count() == 1  # no bytes of huge.bin
    assert run_cell(session, frames, "after", "1 + 1")["failed"] == []
