"""A kernel given its folder (``write_files``) and reporting what runs write
(``watch_files`` / ``files_written``): how server kernels see the notebook's folder.
Runs under CPython and Pyodide, in a temporary working directory."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from kernels.runtime import protocol as p
from tests.runtime.kernel_driver import Driver, outputs, ran


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def written(events: list[object]) -> list[p.FilesWritten]:
    return [e for e in events if isinstance(e, p.FilesWritten)]


def watching() -> Driver:
    k = Driver()
    k.send(p.SetConfig(watch_files=True))
    return k


def test_files_given_to_the_kernel_are_read_by_cells_and_not_reported_back(folder: Path) -> None:
    k = watching()
    k.cells(("read", "open('data/rain.csv').read()"))
    events = k.send(p.WriteFiles([p.FileData("data/rain.csv", b64(b"mm\n12\n"))]))
    assert events == [] or not written(events)
    events = k.run_all()
    assert outputs(events)["read"]["text/plain"] == repr("mm\n12\n")
    assert written(events) == []


def test_what_a_run_writes_changes_and_removes_is_reported_before_it_completes(
    folder: Path,
) -> None:
    k = watching()
    k.send(p.WriteFiles([p.FileData("old.txt", b64(b"old")), p.FileData("keep.txt", b64(b"k"))]))
    k.cells(("w", "import os\nopen('out/result.csv', 'w').write('a,b\\n') if os.makedirs('out', "
             "exist_ok=True) is None else None\nos.remove('old.txt')\nopen('.hidden', 'w').write('x')"))
    events = k.run_all()
    [report] = written(events)
    assert [(f.path, base64.b64decode(f.data)) for f in report.files] == [
        ("out/result.csv", b"a,b\n")]
    assert report.removed == ["old.txt"] and report.skipped == []
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("FilesWritten") < kinds.index("RunCompleted")
    # A run that writes nothing reports nothing.
    k.create("r", "1 + 1")
    assert written(k.run("r")) == []


def test_files_larger_than_the_kernel_sends_back_are_listed_as_skipped(folder: Path) -> None:
    k = watching()
    assert k.kernel._watch is not None
    k.kernel._watch.send_max_bytes = 10
    k.cells(("w", "open('small.txt', 'w').write('12345')\nopen('big.bin', 'wb').write(b'x' * 11)"))
    [report] = written(k.run_all())
    assert [f.path for f in report.files] == ["small.txt"]
    assert [(s.path, s.size) for s in report.skipped] == [("big.bin", 11)]


def test_a_new_helper_module_reruns_its_importers(folder: Path) -> None:
    k = watching()
    k.send(p.WriteFiles([p.FileData("helpers.py", b64(b"X = 1\n"))]))
    k.cells(("use", "import helpers\nhelpers.X"))
    k.run_all()
    events = k.send(p.WriteFiles([p.FileData("helpers.py", b64(b"X = 2\n"))]))
    assert ran(events) == ["use"] and outputs(events)["use"]["text/plain"] == "2"


@pytest.mark.parametrize("path", ["../escape.txt", "/etc/passwd", "a/../../b", "a\\b", "", "x\x00"])
def test_paths_outside_the_folder_are_refused_and_nothing_is_written(
    folder: Path, path: str
) -> None:
    k = watching()
    events = k.send(p.WriteFiles([p.FileData("fine.txt", b64(b"ok")), p.FileData(path, b64(b"x"))]))
    [error] = [e for e in events if isinstance(e, p.ProtocolError)]
    assert error.command == "write_files"
    assert not (folder / "fine.txt").exists()
    assert not (folder.parent / "escape.txt").exists()


def test_a_symbolic_link_is_replaced_by_the_file_not_written_through(folder: Path) -> None:
    outside = folder.parent / f"outside-{folder.name}.txt"
    outside.write_text("untouched")
    (folder / "data.csv").symlink_to(outside)
    k = watching()
    k.send(p.WriteFiles([p.FileData("data.csv", b64(b"new"))]))
    assert outside.read_text() == "untouched"
    assert (folder / "data.csv").read_bytes() == b"new" and not (folder / "data.csv").is_symlink()
    outside.unlink()


def test_bytes_that_are_not_base64_are_refused(folder: Path) -> None:
    events = watching().send(p.WriteFiles([p.FileData("a.txt", "not base64!")]))
    assert any(isinstance(e, p.ProtocolError) and "base64" in e.message for e in events)
