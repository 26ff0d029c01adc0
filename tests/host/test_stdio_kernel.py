"""`playground kernel --stdio` as a real process: JSON lines in, JSON lines out."""

from __future__ import annotations

import json
import time

import jsonschema
import pytest

from tests.host.stdio_client import ROOT, StdioKernel

pytestmark = pytest.mark.subprocess

SCHEMA = json.loads((ROOT / "docs" / "protocol.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


@pytest.fixture
def kernel():
    k = StdioKernel()
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


def _interrupt_case(kernel: StdioKernel, code: str) -> None:
    kernel.send(type="create_cell", cell_id="loop", code=code)
    kernel.send(type="create_cell", cell_id="after", code="y = x + 1")
    kernel.send(type="run", cell_ids=["loop"])
    kernel.wait_for(lambda e: e.get("status") == "running" and e["cell_id"] == "loop")
    time.sleep(0.3)
    started = time.monotonic()
    kernel.send(type="interrupt")
    done = kernel.wait_for(lambda e: e["type"] == "run_completed", timeout=10)
    assert time.monotonic() - started < 1.0, "an interrupt must stop the cell within a second"
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
    _interrupt_case(kernel, "import time\ntime.sleep(60)\nx = 0")


def test_interrupt_stops_an_awaiting_cell(kernel):
    _interrupt_case(kernel, "import asyncio\nawait asyncio.sleep(60)\nx = 0")


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
    k = StdioKernel()
    assert k.process.stdin is not None
    k.process.stdin.close()
    assert k.process.wait(timeout=10) == 0


def test_schema_file_is_up_to_date():
    from kernels.runtime.protocol import json_schema

    assert json_schema() == SCHEMA, (
        "docs/protocol.schema.json is stale: "
        "python -m kernels.runtime.protocol > docs/protocol.schema.json"
    )
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_rapid_ui_changes_coalesce_to_the_latest_value(kernel):
    kernel.send(type="create_cell", cell_id="make",
                code="from kernels import ui\ns = ui.slider(0, 100, value=0)")
    kernel.send(type="create_cell", cell_id="slow",
                code="import time\ntime.sleep(0.3)\nseen = s.value\nseen")
    kernel.send(type="run_all")
    kernel.wait_for(lambda e: e["type"] == "run_completed")
    for value in range(1, 41):  # a slider dragged while the first run is busy
        kernel.send(type="set_ui_value", object_id="make:0", value=value)
    kernel.wait_for(lambda e: e["type"] == "output" and e["cell_id"] == "slow"
                    and e["data"].get("text/plain") == "40", timeout=20)
    time.sleep(0.5)
    runs = [e for e in kernel.events if e["type"] == "cell_status"
            and e["cell_id"] == "slow" and e["status"] == "running"]
    # The first run, the first change, then one run for the whole backlog.
    assert len(runs) <= 3, f"{len(runs)} runs for 40 changes"
    assert not any(e["type"] == "protocol_error" for e in kernel.events)
