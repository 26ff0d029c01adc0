"""`input()` through `playground kernel --stdio`: the cell waits while the reader thread gets the reply.

The kernel sends ``input_request`` and blocks the cell's thread; the reply
(``input_reply``) arrives on stdin and is read by the transport's other thread,
so nothing deadlocks. Stop still works while a cell waits, and the end of stdin
ends the wait.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from kernels.transports.stdio_client import StdioKernelClient

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.subprocess

VALIDATOR = jsonschema.Draft202012Validator(
    json.loads((ROOT / "docs" / "protocol.schema.json").read_text())
)


@pytest.fixture
def kernel():
    k = StdioKernelClient.start()
    yield k
    k.close()


def _request(kernel: StdioKernelClient, cell_id: str, nth: int = 1) -> dict:
    return kernel.wait_for(lambda e: e["type"] == "input_request" and e["cell_id"] == cell_id
                           and sum(1 for x in kernel.events if x["type"] == "input_request"
                                   and x["cell_id"] == cell_id) >= nth)


def _completed(kernel: StdioKernelClient, count: int) -> dict:
    kernel.wait_for(lambda e: sum(1 for x in kernel.events if x["type"] == "run_completed") >= count)
    return [e for e in kernel.events if e["type"] == "run_completed"][count - 1]


def test_input_is_answered_over_stdio_while_the_cell_runs(kernel):
    kernel.send(type="create_cell", cell_id="ask", code="name = input('Your name? ')")
    kernel.send(type="create_cell", cell_id="greet", code="print('Hello,', name)\nlen(name)")
    kernel.send(type="run", cell_ids=["ask"])

    request = _request(kernel, "ask")
    assert request == {"type": "input_request", "cell_id": "ask", "prompt": "Your name? ",
                       "password": False}
    assert not [e for e in kernel.events if e["type"] == "run_completed"]
    kernel.send(type="input_reply", cell_id="ask", text="Grace")

    done = _completed(kernel, 1)
    assert done["ran"] == ["ask", "greet"] and done["failed"] == []
    out = kernel.wait_for(lambda e: e["type"] == "output" and e["cell_id"] == "greet")
    assert out["data"] == {"text/plain": "5"}
    printed = "".join(e["text"] for e in kernel.events
                      if e["type"] == "stream" and e["cell_id"] in ("ask", "greet"))
    assert printed == "Your name? Grace\nHello, Grace\n"
    for event in kernel.events:
        VALIDATOR.validate(event)


def test_interrupt_while_waiting_for_input_stops_the_cell(kernel):
    kernel.send(type="create_cell", cell_id="ask", code="answer = input('Continue? ')")
    kernel.send(type="create_cell", cell_id="use", code="answer.upper()")
    kernel.send(type="run", cell_ids=["ask"])
    _request(kernel, "ask")

    kernel.send(type="interrupt")

    done = _completed(kernel, 1)
    assert done["failed"] == ["ask"] and done["interrupted"] is True
    error = kernel.wait_for(lambda e: e["type"] == "cell_error")
    assert error["cell_id"] == "ask" and error["kind"] == "interrupted"
    # A reply that comes too late is refused, not kept for the next input().
    kernel.send(type="input_reply", cell_id="ask", text="too late")
    late = kernel.wait_for(lambda e: e["type"] == "protocol_error")
    assert late["command"] == "input_reply" and "not waiting for input" in late["message"]

    kernel.send(type="run", cell_ids=["ask"])
    _request(kernel, "ask", nth=2)
    kernel.send(type="input_reply", cell_id="ask", text="yes")
    _completed(kernel, 2)
    out = kernel.wait_for(lambda e: e["type"] == "output" and e["cell_id"] == "use")
    assert out["data"] == {"text/plain": "'YES'"}


def test_a_reply_for_another_cell_is_refused_and_the_cell_keeps_waiting(kernel):
    kernel.send(type="create_cell", cell_id="other", code="1")
    kernel.send(type="create_cell", cell_id="ask", code="input()")
    kernel.send(type="run", cell_ids=["ask"])
    _request(kernel, "ask")

    kernel.send(type="input_reply", cell_id="other", text="wrong")
    refused = kernel.wait_for(lambda e: e["type"] == "protocol_error")
    assert "'other' is not waiting for input" in refused["message"]
    kernel.send(type="input_reply", cell_id="ask", eof=True)

    done = _completed(kernel, 1)
    assert done["failed"] == ["ask"]
    error = kernel.wait_for(lambda e: e["type"] == "cell_error")
    assert error["message"] == "EOFError: EOF when reading a line"


def test_end_of_stdin_while_a_cell_waits_ends_the_kernel(kernel):
    kernel.send(type="create_cell", cell_id="ask", code="input()")
    kernel.send(type="run", cell_ids=["ask"])
    _request(kernel, "ask")

    kernel.close_input()

    assert kernel.process.wait(timeout=20) == 0
    error = kernel.wait_for(lambda e: e["type"] == "cell_error")
    assert error["message"].startswith("EOFError")


def test_real_marimo_imports_past_its_stream_checks(kernel):
    # marimo reads sys.stdin.errors and the like while it imports. The kernel serves
    # its own marimo layer to cells; this cell imports the real package instead.
    kernel.send(type="create_cell", cell_id="m", code=(
        "import sys\n"
        "sys.modules.pop('marimo', None)\n"
        "import marimo\n"
        "marimo.__name__"
    ))
    done = kernel.run_and_wait("m")
    failures = [e for e in kernel.events if e["type"] == "cell_error"]
    if done["failed"]:
        # It may fail for other reasons, never for a missing stream attribute.
        text = failures[0]["message"] + failures[0]["traceback"]
        for stream_problem in ("sys.stdin", "sys.stdout", "sys.stderr", "has no attribute",
                               "UnsupportedOperation"):
            assert stream_problem not in text, text
    else:
        out = kernel.wait_for(lambda e: e["type"] == "output" and e["cell_id"] == "m")
        assert out["data"] == {"text/plain": "'marimo'"}
