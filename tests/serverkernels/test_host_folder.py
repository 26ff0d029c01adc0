"""Giving a server kernel its notebook's folder (serverkernels/host.py): bounded
``write_files`` lines, files read from storage one part at a time, and only what
the kernel does not already have. No worker, sandbox or database here."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from kernels.runtime import protocol as p
from kernels.transports.session import encode
from serverkernels import sandbox
from serverkernels.host import HostConfig, SessionHost, StoredFile, folder_commands
from serverkernels.written import Written

BOUND = 64 * 1024  # the least line bound honoured (folder_sync.EVENT_MIN_BYTES)


class Stream(io.BytesIO):
    """A stored file's stream that notes the largest read (and may fail part way)."""

    def __init__(self, data: bytes, reads: list[int], fail_after: int | None) -> None:
        super().__init__(data)
        self.reads = reads
        self.fail_after = fail_after

    def read(self, size: int | None = -1) -> bytes:
        if self.fail_after is not None and self.tell() >= self.fail_after:
            raise OSError("storage went away")
        data = super().read(size)
        self.reads.append(len(data))
        return data


def stored(files: dict[str, bytes], reads: list[int] | None = None,
           fail_after: int | None = None) -> dict[str, StoredFile]:
    import hashlib

    def opener(data: bytes) -> Callable[[], IO[bytes]]:
        return lambda: Stream(data, reads if reads is not None else [], fail_after)

    return {path: StoredFile(hashlib.sha256(data).hexdigest(), len(data), opener(data))
            for path, data in files.items()}


def reassembled(commands: list[p.WriteFiles]) -> tuple[dict[str, bytes], list[str]]:
    """What a kernel ends with (parts checked to follow each other), and the removals."""
    whole: dict[str, bytes] = {}
    growing: dict[str, bytes] = {}
    removed: list[str] = []
    for command in commands:
        removed += command.removed
        for f in command.files:
            whole[f.path] = base64.b64decode(f.data)
        for part in command.parts:
            so_far = growing.get(part.path, b"")
            assert part.offset == len(so_far)
            growing[part.path] = so_far + base64.b64decode(part.data)
            if part.last:
                whole[part.path] = growing.pop(part.path)
    assert growing == {}
    return whole, removed


def pattern(size: int, seed: int) -> bytes:
    return bytes((i * 7 + i // 251 + seed) % 256 for i in range(size))


def test_the_commands_stay_within_the_bound_and_give_the_bytes_removals_first() -> None:
    files = {"data/big.bin": pattern(5 * BOUND + 17, 1), "é/small.txt": b"hi",
             "mid.bin": pattern(BOUND // 2, 2), "empty": b""}
    reads: list[int] = []
    removed = [f"old/{n:04}-{'x' * 200}.txt" for n in range(400)]  # past one line too
    commands = list(folder_commands(stored(files, reads), sorted(files), removed, BOUND))
    assert len(commands) >= 9
    assert max(len(encode(c).encode("utf-8")) for c in commands) <= BOUND
    assert [c.more for c in commands] == [True] * (len(commands) - 1) + [False]
    whole, gone = reassembled(commands)
    assert whole == files and gone == removed
    # The removals come before any file (a file may become a folder).
    first_file = next(i for i, c in enumerate(commands) if c.files or c.parts)
    assert sum(len(c.removed) for c in commands[:first_file + 1]) == len(removed)
    # Read one part at a time, never a whole large file.
    assert max(reads) <= BOUND


def test_only_a_few_paths_of_the_folder_are_given() -> None:
    files = stored({"a.txt": b"a", "b.txt": b"b"})
    [command] = folder_commands(files, ["b.txt"], [], BOUND)
    assert reassembled([command]) == ({"b.txt": b"b"}, []) and command.more is False


class Client:
    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []
        self.ended = False

    def send_raw(self, line: str) -> float:
        self.lines.append(json.loads(line))
        return 0.0


class Folder:
    def __init__(self, files: dict[str, StoredFile]) -> None:
        self.files = files

    def load(self, session_id: str) -> dict[str, StoredFile]:
        return self.files

    def file_max_bytes(self) -> int:
        return 10**9

    def save(self, session_id: str, written: Written) -> str:
        return ""


class Store:
    def __init__(self) -> None:
        self.frames: list[str] = []

    def append_frame(self, session_id: str, text: str) -> tuple[int, str]:
        self.frames.append(text)
        return len(self.frames), text


def host(folder: Folder, tmp_path: Path) -> tuple[SessionHost, Client, Store]:
    limits = sandbox.Limits(output_bytes_per_run=2 * BOUND)  # lines of at most 64 KiB
    store, client = Store(), Client()
    session = SessionHost(store, "s1", 1, "w", HostConfig(limits, tmp_path),  # type: ignore[arg-type]
                          lambda *_: None, folder=folder)
    session.client = client  # type: ignore[assignment]
    return session, client, store


def test_a_folder_change_gives_only_what_changed_and_removes_what_went(tmp_path: Path) -> None:
    big = pattern(3 * BOUND, 3)
    folder = Folder(stored({"big.bin": big, "a.txt": b"a", "b.txt": b"b"}))
    session, client, _ = host(folder, tmp_path)
    session._sync_folder()
    assert len(client.lines) >= 4
    assert max(len(json.dumps(line, ensure_ascii=False)) for line in client.lines) <= BOUND
    commands = [p.command_from_json(line) for line in client.lines]
    assert reassembled(commands) == ({"big.bin": big, "a.txt": b"a", "b.txt": b"b"}, [])

    client.lines.clear()
    folder.files = stored({"big.bin": big, "a.txt": b"A"})
    session._sync_folder()
    [command] = [p.command_from_json(line) for line in client.lines]
    assert reassembled([command]) == ({"a.txt": b"A"}, ["b.txt"])

    client.lines.clear()
    session._sync_folder()
    assert client.lines == []  # nothing changed: nothing sent


def test_storage_failing_part_way_closes_the_change_and_gives_the_file_again_next_time(
    tmp_path: Path,
) -> None:
    big = pattern(3 * BOUND, 4)
    folder = Folder(stored({"big.bin": big}, fail_after=BOUND))
    session, client, store = host(folder, tmp_path)
    session._sync_folder()
    commands = [p.command_from_json(line) for line in client.lines]
    assert [c.more for c in commands] == [True] * (len(commands) - 1) + [False]
    assert commands[-1] == p.WriteFiles([])  # the change ends; the kernel drops the part
    assert "could not be read just now" in store.frames[-1]

    client.lines.clear()
    folder.files = stored({"big.bin": big})
    session._sync_folder()
    commands = [p.command_from_json(line) for line in client.lines]
    assert reassembled(commands) == ({"big.bin": big}, [])

