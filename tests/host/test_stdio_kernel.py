"""`playground kernel --stdio` as a real process: JSON lines in, JSON lines out."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from kernels.transports.stdio_client import StdioKernelClient

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.subprocess

SCHEMA = json.loads((ROOT / "docs" / "protocol.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


@pytest.fixture
def kernel():
    k = StdioKernelClient.start()
    yield k
    k.close()


def test_ready_then_reactive_run_over_stdio(kernel):
    ready = kernel.wait_for(lambda e: e["type"] == "kernel_ready")
    assert ready["protocol"] == 2
    kernel.send(type="create_cell", cell_id="a", code="x = 2")
    kernel.send(type="create_cell", cell_id="b", code="print('x is', x)\nx * 21")
    kernel.run_and_wait("a")
    out = kernel.wait_for(lambda e: e["type"] == "output" and e["cell_id"] == "b")
    assert out["data"] == {"text/plain": "42"}
    stream = kernel.wait_for(lambda e: e["type"] == "stream")
    assert stream == {"type": "stream", "cell_id": "b", "name": "stdout", "text": "x is 2\n"}
    # Every line on stdout is a valid protocol message.
    for event in kernel.events:
        VALIDATOR.validate(event)
    assert kernel.close() == 0


def test_cell_output_at_fd_level_cannot_corrupt_the_channel(kernel):
    kernel.send(type="create_cell", cell_id="a",
                code="import os\nos.write(1, b'raw bytes on fd 1\\n')\n'after'")
    kernel.run_and_wait("a")
    out = kernel.wait_for(lambda e: e["type"] == "output")
    assert out["data"] == {"text/plain": "'after'"}
    assert all(line.startswith("{") for line in kernel.raw_lines)


def test_bad_lines_get_protocol_errors_and_the_kernel_goes_on(kernel):
    kernel.send_raw("{not json")
    kernel.send(type="frobnicate")
    kernel.send(type="run", cell_ids="a")
    kernel.send(type="run", cell_ids=["missing"])
    errors = []
    for _ in range(4):
        errors.append(kernel.wait_for(
            lambda e: e["type"] == "protocol_error" and e not in errors))
    text = " | ".join(e["message"] for e in errors)
    assert "not valid JSON" in text
    assert "unknown command type 'frobnicate'" in text
    assert "cell_ids must be a list" in text
    assert "no cell with id 'missing'" in text
    kernel.send(type="create_cell", cell_id="ok", code="1 + 1")
    kernel.run_and_wait("ok")
    assert kernel.wait_for(lambda e: e["type"] == "output")["data"]["text/plain"] == "2"


# Generous: these waits end as soon as the event arrives; only a hung kernel reaches them.
WAIT = 60


def _interrupt_case(kernel: StdioKernelClient, code: str) -> None:
    """``code`` prints "started" first: the stream event says the cell's own code is
    running (not the kernel's set-up before it), so the interrupt is sent then, with no
    sleep. The cell never ends by itself, so an ``interrupted`` run proves the interrupt
    stopped it; how fast is a figure for the browser (README), not a pass/fail limit here."""
    kernel.send(type="create_cell", cell_id="loop", code="print('started')\n" + code)
    kernel.send(type="create_cell", cell_id="after", code="y = x + 1")
    kernel.send(type="run", cell_ids=["loop"])
    kernel.wait_for(lambda e: e["type"] == "stream" and e["cell_id"] == "loop"
                    and e["text"] == "started\n", timeout=WAIT)
    kernel.send(type="interrupt")
    done = kernel.wait_for(lambda e: e["type"] == "run_completed", timeout=WAIT)
    assert done["interrupted"] is True
    error = kernel.wait_for(lambda e: e["type"] == "cell_error")
    assert error["cell_id"] == "loop" and error["kind"] == "interrupted"
    # The queued descendant was cancelled, not run.
    statuses = [e["status"] for e in kernel.events
                if e["type"] == "cell_status" and e["cell_id"] == "after"]
    assert statuses[-1] == "stale" and "running" not in statuses
    # The kernel still works.
    kernel.send(type="update_cell", cell_id="loop", code="x = 5")
    kernel.run_and_wait("loop")
    assert kernel.wait_for(lambda e: (e["type"] == "output" and e["cell_id"] == "after")
                           or (e["type"] == "cell_status" and e["cell_id"] == "after"
                           and e["status"] == "idle"))


def test_interrupt_stops_a_busy_loop(kernel):
    _interrupt_case(kernel, "while True:\n    pass\nx = 0")


def test_interrupt_stops_a_sleeping_cell(kernel):
    _interrupt_case(kernel, "import time\ntime.sleep(3600)\nx = 0")


def test_interrupt_stops_an_awaiting_cell(kernel):
    _interrupt_case(kernel, "import asyncio\nawait asyncio.sleep(3600)\nx = 0")


def test_interrupt_while_idle_is_harmless(kernel):
    kernel.wait_for(lambda e: e["type"] == "kernel_ready")
    kernel.send(type="interrupt")
    kernel.send(type="create_cell", cell_id="a", code="'still here'")
    kernel.run_and_wait("a")
    assert kernel.wait_for(lambda e: e["type"] == "output")["data"]["text/plain"] == "'still here'"


def test_async_cells_really_await(kernel):
    kernel.send(type="create_cell", cell_id="a", code=(
        "import asyncio\nasync def slow(v):\n    await asyncio.sleep(0.05)\n    return v\n"
        "results = await asyncio.gather(slow(1), slow(2))\nresults"))
    kernel.run_and_wait("a")
    assert kernel.wait_for(lambda e: e["type"] == "output")["data"]["text/plain"] == "[1, 2]"


def test_eof_on_stdin_ends_the_kernel():
    k = StdioKernelClient.start()
    k.close_input()
    assert k.process.wait(timeout=10) == 0


def test_schema_file_is_up_to_date():
    from kernels.runtime.protocol import json_schema

    assert json_schema() == SCHEMA, (
        "docs/protocol.schema.json is stale: "
        "python -m kernels.runtime.protocol > docs/protocol.schema.json"
    )
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_rapid_ui_changes_coalesce_to_the_latest_value(kernel):
    """A slider dragged while its reader is busy: one run for the whole backlog.

    The reader is held busy by ``input()`` rather than a sleep, so the whole drag surely
    arrives while it runs: its lines come before the reply on stdin, which the kernel
    reads in order. The end is a sentinel cell run after the drag, not a pause to see
    whether more runs come."""
    kernel.send(type="create_cell", cell_id="make",
                code="from kernels import ui\ns = ui.slider(0, 100, value=0)")
    # A token: the reader's run that finds one takes it and waits for input.
    kernel.send(type="create_cell", cell_id="hold", code="hold = []")
    kernel.send(type="create_cell", cell_id="slow",
                code="_held = input('busy') if hold and hold.pop() else None\nseen = s.value\nseen")
    kernel.send(type="create_cell", cell_id="sentinel", code="'sentinel'")
    kernel.run_and_wait("make", "hold")

    kernel.send(type="update_cell", cell_id="hold", code="hold = [True]")
    kernel.send(type="run", cell_ids=["hold"])  # runs the reader, which takes the token
    kernel.wait_for(lambda e: e["type"] == "input_request" and e["cell_id"] == "slow",
                    timeout=WAIT)
    for value in range(1, 41):  # a slider dragged while the reader is busy
        kernel.send(type="set_ui_value", object_id="make:0", value=value)
    kernel.send(type="input_reply", cell_id="slow", text="")
    kernel.send(type="run", cell_ids=["sentinel"])
    kernel.wait_for(lambda e: e["type"] == "output" and e["cell_id"] == "sentinel", timeout=WAIT)

    seen = [e["data"]["text/plain"] for e in kernel.events
            if e["type"] == "output" and e["cell_id"] == "slow"]
    # The first run, the held run, then one run for the whole drag.
    assert seen == ["0", "0", "40"], f"{len(seen)} runs: {seen}"
    assert not any(e["type"] == "protocol_error" for e in kernel.events)


def test_what_a_cell_printed_goes_out_while_it_awaits_and_a_flood_is_capped(kernel):
    # "again" waits in the batch behind "before"; the kernel's timer sends it while
    # the cell awaits, instead of with "after" a second later.
    kernel.send(type="create_cell", cell_id="a", code=(
        "import asyncio\nprint('before')\nprint('again')\nawait asyncio.sleep(1)\nprint('after')"
    ))
    kernel.run_and_wait("a")
    texts = [e["text"] for e in kernel.events if e["type"] == "stream" and e["cell_id"] == "a"]
    assert texts == ["before\n", "again\n", "after\n"]
    kernel.send(type="create_cell", cell_id="flood", code=(
        "import sys\nline = 'x' * 1023\n"
        "for _ in range(3 * 1024):\n    print(line)\n    print(line, file=sys.stderr)"
    ))
    kernel.run_and_wait("flood")
    sent = sum(len(e["text"]) for e in kernel.events
               if e["type"] == "stream" and e["cell_id"] == "flood")
    notices = [e for e in kernel.events if e["type"] == "stream_truncated"]
    assert sent == 2 * 1024 * 1024  # whole lines of 1024 bytes fill the limit exactly
    assert {n["name"] for n in notices} == {"stdout", "stderr"}
    assert sum(n["dropped_bytes"] for n in notices) == 6 * 1024 * 1024 - sent
    assert sum(n["dropped_lines"] for n in notices) == 6 * 1024 - 2 * 1024
    for event in kernel.events:
        VALIDATOR.validate(event)
