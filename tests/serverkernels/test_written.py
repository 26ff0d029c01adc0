"""Putting a run's files together from its ``files_written`` events, on the worker
(serverkernels/written.py): whole files only, each named when it cannot be saved."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from serverkernels.written import SPOOL_MEMORY_BYTES, Written, WrittenCollector


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def event(*, files: dict[str, bytes] | None = None, parts: list[tuple[str, int, bytes, bool]]
          | None = None, more: bool = False, **rest: Any) -> dict[str, Any]:
    return {"type": "files_written",
            "files": [{"path": k, "data": b64(v)} for k, v in (files or {}).items()],
            "parts": [{"path": path, "offset": offset, "data": b64(data), "last": last}
                      for path, offset, data, last in parts or []],
            "more": more, **rest}


def contents(written: Written) -> dict[str, bytes]:
    found = {}
    for item in written.files:
        data = item.file.read()
        assert (item.size, item.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        found[item.path] = data
    return found


def collector(file_max: int = 10_000_000, run_max: int = 100_000_000) -> WrittenCollector:
    return WrittenCollector(file_max_bytes=file_max, run_max_bytes=run_max)


def test_a_run_over_several_events_is_handed_over_whole_after_its_last() -> None:
    big = bytes(range(256)) * (SPOOL_MEMORY_BYTES // 128)  # past memory: spooled to disk
    c = collector()
    assert c.add(event(files={"a.txt": b"a"}, parts=[("big.bin", 0, big[:1000], False)],
                       more=True)) is None
    assert c.add(event(parts=[("big.bin", 1000, big[1000:5000], False)], more=True)) is None
    run = c.add(event(parts=[("big.bin", 5000, big[5000:], True)], removed=["old.txt"]))
    assert run is not None
    assert contents(run) == {"a.txt": b"a", "big.bin": big}
    assert (run.removed, run.too_large, run.incomplete) == (["old.txt"], [], [])
    run.close()
    # The next run starts from nothing.
    run = c.add(event(files={"b.txt": b"b"}))
    assert run is not None and contents(run) == {"b.txt": b"b"}


def test_a_file_whose_bytes_do_not_all_come_is_named_never_handed_over() -> None:
    c = collector()
    c.add(event(parts=[("cut.bin", 0, b"x" * 10, False)], more=True))
    c.add(event(parts=[("gap.bin", 0, b"x" * 10, False), ("gap.bin", 20, b"y", True)],
                more=True))
    run = c.add(event(files={"ok.txt": b"ok"}, parts=[("gap.bin", 10, b"z", True)]))
    assert run is not None
    assert contents(run) == {"ok.txt": b"ok"}
    assert sorted(run.incomplete) == ["cut.bin", "gap.bin"]


def test_a_file_past_the_folders_limit_is_dropped_as_it_comes_and_named() -> None:
    c = collector(file_max=15)
    c.add(event(parts=[("big.bin", 0, b"x" * 10, False)], more=True))
    c.add(event(parts=[("big.bin", 10, b"x" * 10, False)], more=True))
    run = c.add(event(parts=[("big.bin", 20, b"x", True)], files={"fits.bin": b"y" * 15},
                      skipped=[{"path": "huge.bin", "size": 10**9}]))
    assert run is not None
    assert contents(run) == {"fits.bin": b"y" * 15}
    assert run.too_large == [("big.bin", 20), ("huge.bin", 10**9)] and run.incomplete == []


def test_more_than_a_run_may_send_is_named_and_a_run_cut_short_is_forgotten() -> None:
    c = collector(run_max=25)
    run = c.add(event(files={"a": b"x" * 20, "b": b"x" * 10, "c": b"x" * 5}))
    assert run is not None
    assert contents(run) == {"a": b"x" * 20} and run.incomplete == ["b", "c"]
    # The kernel died between two events of a run: nothing of it is kept.
    c.add(event(files={"d": b"d"}, more=True))
    c.discard()
    run = c.add(event(files={"e": b"e"}))
    assert run is not None and contents(run) == {"e": b"e"}
