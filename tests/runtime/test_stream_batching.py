"""What a cell prints, on the wire: few ``stream`` events, in order, and a cap per run.

The kernel batches writes (kernels/runtime/streams.py) and sends at most
``stream_limit_bytes`` of stream text per cell run, then one ``stream_truncated``
notice per stream. Tests that depend on when a batch goes out replace the
module's clock, so they say the same under a slow Pyodide as under CPython.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from kernels.runtime import protocol as p
from kernels.runtime import streams
from kernels.runtime.execution import _PARTIAL_MAX, StreamWriter
from kernels.runtime.streams import STREAM_LIMIT_BYTES, StreamBatcher
from tests.runtime.kernel_driver import Driver, errors, stdout, text
from tests.runtime.test_streams import AnsweringClient


def stream_events(events: list[Any], cell_id: str) -> list[p.Stream]:
    return [e for e in events if isinstance(e, p.Stream) and e.cell_id == cell_id]


def truncations(events: list[Any], cell_id: str) -> dict[str, p.StreamTruncated]:
    return {e.name: e for e in events if isinstance(e, p.StreamTruncated) and e.cell_id == cell_id}


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Time stands still: only size, other events and the end of the cell send a batch."""
    monkeypatch.setattr(streams, "monotonic", lambda: 1000.0)


def test_ten_thousand_prints_become_a_few_events_with_every_line_in_order():
    d = Driver()
    d.cells(("loop", "for i in range(10_000):\n    print(i)"))
    events = d.run("loop")
    sent = stream_events(events, "loop")
    assert "".join(e.text for e in sent) == "".join(f"{i}\n" for i in range(10_000))
    # One event per 50 ms of printing at most, whatever the machine's speed: far
    # fewer than one per line.
    assert len(sent) <= 100, f"{len(sent)} stream events for 10,000 prints"


def test_with_time_standing_still_the_first_write_goes_at_once_and_the_rest_at_the_end(
    frozen_clock: None,
):
    d = Driver()
    d.cells(("loop", "for i in range(10_000):\n    print(i)"))
    sent = stream_events(d.run("loop"), "loop")
    assert [e.text for e in sent] == ["0\n", "".join(f"{i}\n" for i in range(1, 10_000))]


def test_a_batch_is_sent_once_it_is_large_even_if_no_time_passed(frozen_clock: None):
    d = Driver()
    line = "x" * 999 + "\n"
    d.cells(("big", f"for _ in range(200):\n    print({line[:-1]!r})"))
    sent = stream_events(d.run("big"), "big")
    assert "".join(e.text for e in sent) == line * 200
    assert 1 < len(sent) <= 200_000 // streams.BATCH_CHARS + 2
    # A batch goes out once it holds BATCH_CHARS, give or take what a stream
    # hands over at a time (a partial line of at most _PARTIAL_MAX, then a line).
    assert all(len(e.text) <= streams.BATCH_CHARS + _PARTIAL_MAX + len(line) for e in sent)


def test_a_line_ended_after_a_quiet_spell_is_sent_at_once(monkeypatch: pytest.MonkeyPatch):
    now = [0.0]
    monkeypatch.setattr(streams, "monotonic", lambda: now[0])
    sent: list[tuple[str, str]] = []
    batcher = StreamBatcher(lambda name, text: sent.append((name, text)))
    out = StreamWriter("stdout", batcher)
    out.write("first\n")  # nothing sent for ages: at once
    out.write("second\n")
    out.write("thi")
    out.write("rd\n")
    assert sent == [("stdout", "first\n")]
    now[0] += streams.BATCH_SECONDS  # a long computation, then the next line
    out.write("fourth\n")
    assert sent == [("stdout", "first\n"), ("stdout", "second\nthird\nfourth\n")]
    out.write("fifth\n")
    out.write("no newline yet")
    now[0] += streams.BATCH_SECONDS
    out.write(", still none")  # a partial line waits for its newline, flush() or the end
    assert sent[2:] == []
    out.flush()
    batcher.close()
    assert sent[2:] == [("stdout", "fifth\nno newline yet, still none")]


def test_stdout_and_stderr_keep_the_order_they_were_written_in(frozen_clock: None):
    d = Driver()
    d.cells(("mix", (
        "import sys\n"
        "for i in range(3):\n"
        "    print(f'out {i}')\n"
        "    print(f'out {i} again')\n"
        "    print(f'err {i}', file=sys.stderr)\n"
    )))
    sent = [(e.name, e.text) for e in stream_events(d.run("mix"), "mix")]
    assert sent == [
        ("stdout", "out 0\n"),
        ("stdout", "out 0 again\n"),  # the first write went at once; the rest is batched
        ("stderr", "err 0\n"),
        ("stdout", "out 1\nout 1 again\n"),
        ("stderr", "err 1\n"),
        ("stdout", "out 2\nout 2 again\n"),
        ("stderr", "err 2\n"),
    ]


def test_the_batch_goes_out_before_the_cells_error(frozen_clock: None):
    d = Driver()
    d.cells(("fails", "print('one')\nprint('two')\nprint('three', end='')\n1 / 0"))
    events = [e for e in d.run("fails") if getattr(e, "cell_id", None) == "fails"]
    kinds = [type(e).__name__ for e in events]
    assert stdout(events, "fails") == "one\ntwo\nthree"
    last_stream = max(i for i, kind in enumerate(kinds) if kind == "Stream")
    assert last_stream < kinds.index("CellError") < kinds.index("CellStatus", last_stream)


def test_the_batch_goes_out_before_an_output_the_cell_shows_while_running(frozen_clock: None):
    d = Driver()
    d.cells(("shows", (
        "import marimo as mo\n"
        "print('one')\nprint('two')\n"
        "mo.output.replace('shown')\n"
        "print('three')\n"
        "'end'"
    )))
    events = [e for e in d.run("shows") if getattr(e, "cell_id", None) == "shows"]
    order = [e.text if isinstance(e, p.Stream) else type(e).__name__ for e in events
             if isinstance(e, p.Stream | p.Output)]
    assert order == ["one\n", "two\n", "Output", "three\n", "Output"]


def test_the_prompt_is_sent_before_input_asks(frozen_clock: None):
    d = Driver()
    seen_before_asking: list[str] = []
    client = AnsweringClient(d, {"text": "Ada"})
    ask = client.ask

    def ask_and_look(request: p.InputRequest) -> str | None:
        seen_before_asking.append(stdout(d.events, "ask"))
        return ask(request)

    d.kernel.ask_input = ask_and_look
    d.cells(("ask", "print('Welcome.')\nprint('Really.')\nname = input('Your name? ')"))
    events = d.run("ask")
    assert errors(events) == {}
    assert seen_before_asking == ["Welcome.\nReally.\nYour name? "]
    assert stdout(events, "ask") == "Welcome.\nReally.\nYour name? Ada\n"


def test_a_long_partial_line_does_not_pile_up_waiting_for_its_newline(frozen_clock: None):
    d = Driver()
    d.cells(("dots", "for _ in range(100_000):\n    print('.', end='')"))
    sent = stream_events(d.run("dots"), "dots")
    assert "".join(e.text for e in sent) == "." * 100_000
    assert len(sent) >= 2  # sent as it grew, not held in one piece until the end


# ---------------------------------------------------------------- the byte cap


def test_a_run_sends_at_most_the_limit_cut_at_a_line_end_then_says_what_was_dropped():
    d = Driver()
    d.kernel.stream_limit_bytes = 1000
    d.cells(("many", "for i in range(10_000):\n    print(i)"))
    events = d.run("many")
    sent = "".join(e.text for e in stream_events(events, "many"))
    everything = "".join(f"{i}\n" for i in range(10_000))
    assert everything.startswith(sent)
    assert sent.endswith("\n") and 990 < len(sent) <= 1000
    dropped = truncations(events, "many")
    assert list(dropped) == ["stdout"]
    assert dropped["stdout"].dropped_bytes == len(everything) - len(sent)
    assert dropped["stdout"].dropped_lines == 10_000 - sent.count("\n")
    assert dropped["stdout"].limit_bytes == 1000
    # The notice comes after the last stream event and before the cell's end.
    mine = [e for e in events if getattr(e, "cell_id", None) == "many"]
    kinds = [type(e).__name__ for e in mine]
    assert kinds.index("StreamTruncated") > max(i for i, k in enumerate(kinds) if k == "Stream")
    assert kinds.index("StreamTruncated") < kinds.index("Output")
    assert mine[-1] == p.CellStatus("many", "idle")


def test_the_default_limit_is_two_megabytes_of_utf8_for_stdout_and_stderr_together():
    assert STREAM_LIMIT_BYTES == 2 * 1024 * 1024
    d = Driver()
    d.cells(("loud", (
        "import sys\n"
        "for i in range(1500):\n"
        "    print('é' * 511)\n"  # 1023 bytes with its newline
        "    print('!' * 1023, file=sys.stderr)\n"  # 1024
    )))
    events = d.run("loud")
    sent = stream_events(events, "loud")
    sent_bytes = sum(len(e.text.encode()) for e in sent)
    assert STREAM_LIMIT_BYTES - 1024 < sent_bytes <= STREAM_LIMIT_BYTES
    dropped = truncations(events, "loud")
    total = 1500 * (1023 + 1024)
    assert sum(n.dropped_bytes for n in dropped.values()) == total - sent_bytes
    sent_lines = sum(e.text.count("\n") for e in sent)
    assert sum(n.dropped_lines for n in dropped.values()) == 3000 - sent_lines
    assert set(dropped) == {"stdout", "stderr"}


def test_past_the_limit_text_is_counted_not_kept_and_the_cell_goes_on():
    d = Driver()
    d.cells(("flood", (
        "chunk = 'y' * (1024 * 1024 - 1)\n"
        "for _ in range(40):\n"  # 40 MB
        "    print(chunk)\n"
        "done = True"
    )), ("after", "done"))
    events = d.run("flood")
    assert text(events, "after") == "True"
    sent_bytes = sum(len(e.text) for e in stream_events(events, "flood"))
    assert sent_bytes <= STREAM_LIMIT_BYTES
    (dropped,) = truncations(events, "flood").values()
    assert dropped.dropped_bytes == 40 * 1024 * 1024 - sent_bytes
    assert dropped.dropped_lines == 40 - 2  # two whole lines fit in 2 MB


def test_a_single_line_longer_than_the_limit_is_cut_inside_it():
    d = Driver()
    d.kernel.stream_limit_bytes = 100
    d.cells(("one", "print('é' * 1000, end='')"))
    events = d.run("one")
    (sent,) = stream_events(events, "one")
    assert sent.text == "é" * 50  # 100 bytes, never half a character
    dropped = truncations(events, "one")["stdout"]
    assert (dropped.dropped_bytes, dropped.dropped_lines) == (1900, 1)


def test_each_run_gets_the_whole_limit_again_and_small_output_gets_no_notice():
    d = Driver()
    d.kernel.stream_limit_bytes = 50
    d.cells(("a", "print('x' * 30)\nprint('y' * 30)"))
    first, second = d.run("a"), d.run("a")
    for events in (first, second):
        assert stdout(events, "a") == "x" * 30 + "\n"
        assert truncations(events, "a")["stdout"].dropped_bytes == 31
    d.update("a", "print('short')")
    events = d.run("a")
    assert stdout(events, "a") == "short\n" and truncations(events, "a") == {}


def test_no_limit_sends_everything():
    d = Driver()
    d.kernel.stream_limit_bytes = None
    d.cells(("all", "print('z' * (3 * 1024 * 1024))"))
    events = d.run("all")
    assert len(stdout(events, "all")) == 3 * 1024 * 1024 + 1
    assert truncations(events, "all") == {}


def test_the_notice_is_a_protocol_event_with_a_schema():
    event = p.StreamTruncated("a", "stderr", dropped_bytes=10, dropped_lines=2, limit_bytes=5)
    wire = json.loads(json.dumps(p.to_json(event)))
    assert wire == {"type": "stream_truncated", "cell_id": "a", "name": "stderr",
                    "dropped_bytes": 10, "dropped_lines": 2, "limit_bytes": 5}
    assert p.event_from_json(wire) == event
    assert "StreamTruncated" in p.json_schema()["$defs"]


def test_batches_never_exceed_the_limit_whatever_their_size():
    for limit, size in itertools.product((1, 7, 64), (1, 5, 100)):
        sent: list[str] = []
        notices: list[tuple[str, int, int, int]] = []
        batcher = StreamBatcher(lambda _n, t, sent=sent: sent.append(t),
                                lambda *notice, notices=notices: notices.append(notice),
                                limit_bytes=limit)
        for i in range(20):
            batcher.add("stdout", (str(i) * size)[:size] + "\n")
        batcher.close()
        sent_size = sum(len(t) for t in sent)
        total = 20 * (size + 1)
        if total <= limit:
            assert (sent_size, notices) == (total, [])
        else:
            assert sent_size <= limit
            assert [n[:2] + n[3:] for n in notices] == [("stdout", total - sent_size, limit)]
