"""A kernel given its folder (``write_files``) and reporting what runs write
(``watch_files`` / ``files_written``): how server kernels see the notebook's folder.
Runs under CPython and Pyodide, in a temporary working directory."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import IO

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


def test_files_larger_than_the_folder_takes_are_listed_as_skipped_not_sent(folder: Path) -> None:
    k = watching()
    k.send(p.SetConfig(watch_file_max_bytes=10))
    k.cells(("w", "open('small.txt', 'w').write('12345')\nopen('big.bin', 'wb').write(b'x' * 11)"))
    [report] = written(k.run_all())
    assert [f.path for f in report.files] == ["small.txt"] and report.parts == []
    assert [(s.path, s.size) for s in report.skipped] == [("big.bin", 11)]
    assert report.more is False


def test_a_file_over_the_limit_is_not_even_partly_sent(folder: Path) -> None:
    k = watching()
    k.send(p.SetConfig(watch_event_bytes=EVENT, watch_file_max_bytes=100_000))
    k.cells(("w", "open('big.bin', 'wb').write(bytes(300_000))\nopen('a.txt', 'w').write('a')"))
    reports = written(k.run_all())
    assert assembled(reports) == {"a.txt": b"a"}
    assert [p.path for r in reports for p in r.parts] == []
    assert [(s.path, s.size) for r in reports for s in r.skipped] == [("big.bin", 300_000)]


def assembled(reports: list[p.FilesWritten]) -> dict[str, bytes]:
    """The files of a run's ``files_written`` events, parts joined in order (as the
    service does); checks each part starts where the one before ended."""
    whole: dict[str, bytes] = {}
    growing: dict[str, bytearray] = {}
    for report in reports:
        for f in report.files:
            whole[f.path] = base64.b64decode(f.data)
        for part in report.parts:
            so_far = growing.setdefault(part.path, bytearray())
            assert part.offset == len(so_far), (part.path, part.offset, len(so_far))
            data = base64.b64decode(part.data)
            # No crumbs: a part short of 16 KiB (PART_MIN_BYTES) ends its file.
            assert part.last or len(data) >= 16 * 1024, (part.path, part.offset, len(data))
            so_far += data
            if part.last:
                whole[part.path] = bytes(growing.pop(part.path))
    assert growing == {}, "a file's last part never came"
    return whole


def pattern(size: int, seed: int) -> bytes:
    """``size`` bytes that differ from one place to the next (a misplaced part shows)."""
    return bytes((i * 7 + i // 251 + seed) % 256 for i in range(size))


EVENT = 64 * 1024  # the least watch_event_bytes honoured (folder_sync.EVENT_MIN_BYTES)


def lines_within_the_bound(reports: list[p.FilesWritten]) -> None:
    from kernels.transports.session import encode

    sizes = [len(encode(r).encode("utf-8")) for r in reports]
    assert max(sizes) <= EVENT, sizes
    assert [r.more for r in reports] == [True] * (len(reports) - 1) + [False]


def test_a_file_larger_than_one_event_is_sent_in_parts_over_several(folder: Path) -> None:
    big = pattern(5 * EVENT + 123, 1)
    (folder / "input.bin").write_bytes(big)  # there before: not reported
    k = watching()
    k.send(p.SetConfig(watch_event_bytes=EVENT))
    k.cells(("w", "import pathlib\n"
                  "data = pathlib.Path('input.bin').read_bytes()\n"
                  "pathlib.Path('out').mkdir()\n"
                  "pathlib.Path('out/copy.bin').write_bytes(data)\n"
                  "pathlib.Path('note.txt').write_text('done')"))
    events = k.run_all()
    reports = written(events)
    assert len(reports) >= 7  # 5 * 64 KiB as base64 needs at least 7 lines of 64 KiB
    lines_within_the_bound(reports)
    assert assembled(reports) == {"out/copy.bin": big, "note.txt": b"done"}
    assert all(r.skipped == [] for r in reports)
    # Every one comes before the run's end, in one go.
    kinds = [type(e).__name__ for e in events]
    first, last = kinds.index("FilesWritten"), len(kinds) - 1 - kinds[::-1].index("FilesWritten")
    assert set(kinds[first:last + 1]) == {"FilesWritten"} and kinds[last + 1] == "RunCompleted"


def test_many_files_together_past_one_event_are_spread_over_several(folder: Path) -> None:
    sizes = [0, 1, 20_000, 30_000, 5_000, 29_999, 17_000, 8, 30_001, 25_000]
    for n in range(len(sizes)):
        (folder / f"gone{n}.txt").write_text("x")
    k = watching()
    k.send(p.SetConfig(watch_event_bytes=EVENT, watch_file_max_bytes=30_000))
    k.cells(("w", "import os\n"
                  f"for n, size in enumerate({sizes!r}):\n"
                  "    open(f'f{n}.bin', 'wb').write(bytes((i * 7 + i // 251 + n) % 256 "
                  "for i in range(size)))\n"
                  "    os.remove(f'gone{n}.txt')"))
    reports = written(k.run_all())
    assert len(reports) >= 3
    lines_within_the_bound(reports)
    expected = {f"f{n}.bin": pattern(size, n) for n, size in enumerate(sizes) if size <= 30_000}
    assert assembled(reports) == expected
    assert [(s.path, s.size) for r in reports for s in r.skipped] == [("f8.bin", 30_001)]
    assert sorted(path for r in reports for path in r.removed) == [
        f"gone{n}.txt" for n in range(len(sizes))]
    # The next run that writes nothing sends nothing.
    k.create("r", "1")
    assert written(k.run("r")) == []


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


# -- write_files over several commands (a large folder, given in bounded lines) --------


def given(files: dict[str, bytes], removed: list[str] | None = None,
          bound: int = EVENT) -> list[p.WriteFiles]:
    """The ``write_files`` a service sends to give ``files``, as the server kernel host
    builds them (serverkernels.host), each line within ``bound``."""
    import io

    from kernels.runtime.folder_sync import write_commands
    from kernels.transports.session import encode

    def opener(data: bytes) -> Callable[[], IO[bytes]]:
        return lambda: io.BytesIO(data)

    commands = list(write_commands([(path, len(data), opener(data))
                                    for path, data in sorted(files.items())],
                                   removed or [], bound))
    assert max(len(encode(c).encode("utf-8")) for c in commands) <= bound
    assert [c.more for c in commands] == [True] * (len(commands) - 1) + [False]
    return commands


def staging_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


def test_a_large_folder_given_in_parts_over_several_commands_is_read_whole(
    folder: Path,
) -> None:
    big, other = pattern(4 * EVENT + 5, 3), pattern(EVENT // 2, 4)
    k = watching()
    k.cells(("read", "import hashlib, pathlib\n"
                     "[hashlib.sha256(pathlib.Path(n).read_bytes()).hexdigest() "
                     "for n in ('data/big.bin', 'other.bin', 'small.txt')]"))
    commands = given({"data/big.bin": big, "other.bin": other, "small.txt": b"hi"})
    assert len(commands) >= 6 and any(c.parts for c in commands)
    for command in commands:
        assert not [e for e in k.send(command) if isinstance(e, p.ProtocolError)]
    import hashlib

    assert outputs(k.run_all())["read"]["text/plain"] == repr(
        [hashlib.sha256(data).hexdigest() for data in (big, other, b"hi")])
    assert staging_files(folder) == []


def test_a_part_that_does_not_follow_the_one_before_is_refused_and_nothing_is_half_written(
    folder: Path,
) -> None:
    (folder / "big.bin").write_bytes(b"as it was")
    k = watching()
    commands = given({"big.bin": pattern(3 * EVENT, 5)})
    first, second = commands[0], commands[1]
    assert first.parts and second.parts
    assert k.send(first) == [] and staging_files(folder) != []  # growing, out of sight
    second.parts[0].offset += 1
    [error] = [e for e in k.send(second) if isinstance(e, p.ProtocolError)]
    assert error.command == "write_files" and "starts at byte" in error.message
    assert staging_files(folder) == []
    assert (folder / "big.bin").read_bytes() == b"as it was"
    # The rest of that file is dropped quietly; the change still ends.
    for command in commands[2:]:
        assert not [e for e in k.send(command) if isinstance(e, p.ProtocolError)]
    assert (folder / "big.bin").read_bytes() == b"as it was"
    assert staging_files(folder) == []


def test_a_part_whose_bytes_are_not_base64_is_refused_and_its_staging_file_removed(
    folder: Path,
) -> None:
    k = watching()
    commands = given({"big.bin": pattern(3 * EVENT, 6)})
    k.send(commands[0])
    commands[1].parts[0].data = "not base64!"
    [error] = [e for e in k.send(commands[1]) if isinstance(e, p.ProtocolError)]
    assert "base64" in error.message
    assert staging_files(folder) == [] and not (folder / "big.bin").exists()


def test_a_change_over_several_commands_reruns_the_importers_once_after_the_last(
    folder: Path,
) -> None:
    k = watching()
    k.send(p.WriteFiles([p.FileData("helpers.py", b64(b"X = 1\n")),
                         p.FileData("other.py", b64(b"Y = 1\n"))]))
    k.cells(("use", "import helpers, other\n(helpers.X, other.Y, len(helpers.BIG))"))
    k.run_all()
    padding = b"BIG = " + repr(pattern(2 * EVENT, 7)).encode() + b"\n"
    commands = given({"helpers.py": b"X = 2\n" + padding, "other.py": b"Y = 2\n"},
                     removed=["gone.txt"])
    assert len(commands) >= 3
    for command in commands[:-1]:
        assert ran(k.send(command)) == []  # nothing announced while more come
    events = k.send(commands[-1])
    assert ran(events) == ["use"]
    assert outputs(events)["use"]["text/plain"].startswith("(2, 2, ")
    # What the service wrote is not reported back as written by the next run.
    k.create("r", "1")
    assert written(k.run("r")) == []


def test_files_the_service_gave_in_parts_are_not_reported_back_by_the_next_run(
    folder: Path,
) -> None:
    k = watching()
    for command in given({"data/big.bin": pattern(3 * EVENT, 8), "a.txt": b"a"}):
        k.send(command)
    k.cells(("w", "open('out.txt', 'w').write('x')"))
    reports = written(k.run_all())
    assert assembled(reports) == {"out.txt": b"x"}
    assert [path for r in reports for path in r.removed] == []


def test_removals_come_first_so_a_file_can_become_a_folder(folder: Path) -> None:
    k = Driver()  # no watch: the service gives the folder all the same
    k.send(p.WriteFiles([p.FileData("data", b64(b"a file"))]))
    for command in given({"data/big.bin": pattern(2 * EVENT, 9)}, removed=["data"]):
        k.send(command)
    assert (folder / "data" / "big.bin").read_bytes() == pattern(2 * EVENT, 9)
