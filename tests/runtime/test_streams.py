"""A cell's sys.stdin, sys.stdout and sys.stderr: whole text streams, and input() that asks.

The transport here answers ``input_request`` events as a client would, through
the protocol's JSON (``input_reply``); it runs in the kernel's own thread, so
these tests need no threads and run under Pyodide too.
"""

from __future__ import annotations

import json
from typing import Any

from kernels.runtime import protocol as p
from tests.runtime.kernel_driver import Driver, errors, outputs, ran, stdout, text


class AnsweringClient:
    """The kernel's ``ask_input``: sends each request and answers it from a script.

    Each scripted reply is the JSON of an ``input_reply`` (``text`` or ``eof``), or
    ``"interrupt"`` for a user pressing Stop while the cell waits.
    """

    def __init__(self, driver: Driver, *replies: dict[str, Any] | str) -> None:
        self.driver = driver
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        driver.kernel.ask_input = self.ask

    def ask(self, request: p.InputRequest) -> str | None:
        self.driver.events.append(request)
        wire = json.loads(json.dumps(p.to_json(request)))
        self.requests.append(wire)
        scripted = self.replies.pop(0)
        if scripted == "interrupt":
            raise KeyboardInterrupt
        assert isinstance(scripted, dict)
        reply = p.command_from_json({"type": "input_reply", "cell_id": wire["cell_id"], **scripted})
        assert isinstance(reply, p.InputReply)
        return None if reply.eof else reply.text


STREAM_FACTS = """
import io, sys
facts = {}
for stream in (sys.stdin, sys.stdout, sys.stderr):
    try:
        stream.fileno()
        fileno = "a file descriptor"
    except io.UnsupportedOperation as exc:
        fileno = "UnsupportedOperation"
    facts[stream.name] = (
        isinstance(stream, io.TextIOBase), stream.encoding, stream.errors, stream.isatty(),
        fileno, stream.readable(), stream.writable(), stream.seekable(), stream.closed,
        stream.newlines,
    )
facts
"""


def test_standard_streams_are_whole_text_streams():
    d = Driver()
    d.create("a", STREAM_FACTS)
    events = d.run("a")
    assert errors(events) == {}
    facts = d.ns["facts"]
    assert facts["<stdin>"] == (
        True, "utf-8", "strict", False, "UnsupportedOperation", True, False, False, False, None
    )
    for name in ("<stdout>", "<stderr>"):
        assert facts[name] == (
            True, "utf-8", "replace", False, "UnsupportedOperation", False, True, False, False,
            None,
        )


def test_libraries_reading_stream_attributes_at_import_import():
    # marimo's own streams do this in their class bodies when marimo is imported.
    d = Driver()
    d.create("a", (
        "import sys\n"
        "class Mirror:\n"
        "    encoding = sys.stdout.encoding\n"
        "    errors = sys.stdout.errors\n"
        "    in_encoding = sys.stdin.encoding\n"
        "    in_errors = sys.stdin.errors\n"
        "    err_errors = sys.stderr.errors\n"
        "(Mirror.in_encoding, Mirror.in_errors)"
    ))
    events = d.run("a")
    assert errors(events) == {}
    assert text(events, "a") == "('utf-8', 'strict')"


def test_bytes_written_to_stdout_buffer_arrive_as_text():
    d = Driver()
    d.create("a", (
        "import sys\n"
        "sys.stdout.buffer.write('caf\u00e9 '.encode())\n"
        "sys.stdout.buffer.write(b'\\xe2\\x82')\n"  # half of a euro sign, finished below
        "sys.stdout.buffer.write(b'\\xac\\n')\n"
        "sys.stdout.buffer.flush()\n"
        "sys.stdout.reconfigure(encoding='utf-8')\n"
        "sys.stdout.close()\n"  # only flushes: the cell's later output still arrives
        "print('after close')"
    ))
    events = d.run("a")
    assert errors(events) == {}
    assert stdout(events, "a") == "café €\nafter close\n"


def test_input_asks_with_the_prompt_and_the_answer_flows_to_dependent_cells():
    d = Driver()
    client = AnsweringClient(d, {"text": "Ada"})
    d.cells(("ask", "name = input('Your name? ')"), ("greet", "f'Hello, {name}!'"))
    events = d.run("ask")
    assert client.requests == [
        {"type": "input_request", "cell_id": "ask", "prompt": "Your name? ", "password": False}
    ]
    assert errors(events) == {}
    assert d.ns["name"] == "Ada"
    # The prompt was printed, then the answer echoed, as in a terminal.
    assert stdout(events, "ask") == "Your name? Ada\n"
    assert text(events, "greet") == "'Hello, Ada!'"
    # The request came while the cell was running, after its prompt.
    kinds = [type(e).__name__ for e in events if getattr(e, "cell_id", None) == "ask"]
    assert kinds.index("InputRequest") > kinds.index("Stream")
    assert kinds.index("InputRequest") < kinds.index("Output")


def test_the_prompt_is_what_the_cell_printed_on_the_current_line():
    d = Driver()
    client = AnsweringClient(d, {"text": "3"}, {"text": "4"})
    d.create("a", (
        "import sys\n"
        "print('Two numbers.')\n"
        "print('First:', end=' ')\n"
        "first = sys.stdin.readline()\n"
        "print('loading\\rSecond:', end=' ', flush=True)\n"
        "second = input()\n"
        "int(first) + int(second)"
    ))
    events = d.run("a")
    assert [r["prompt"] for r in client.requests] == ["First: ", "Second: "]
    assert d.ns["first"] == "3\n" and d.ns["second"] == "4"
    assert text(events, "a") == "7"


def test_stdin_reads_lines_until_the_end_of_input():
    d = Driver()
    AnsweringClient(d, {"text": "one"}, {"text": "two\nthree"}, {"eof": True}, {"eof": True})
    d.create("a", (
        "import sys\n"
        "lines = [line.rstrip() for line in sys.stdin]\n"
        "try:\n"
        "    input()\n"
        "    after = 'a line'\n"
        "except EOFError:\n"
        "    after = 'EOFError'\n"
        "(lines, after)"
    ))
    events = d.run("a")
    assert errors(events) == {}
    assert text(events, "a") == "(['one', 'two', 'three'], 'EOFError')"


def test_read_and_partial_readline():
    d = Driver()
    AnsweringClient(d, {"text": "abcdef"}, {"text": "xyz"}, {"eof": True})
    d.create("a", (
        "import sys\n"
        "parts = [sys.stdin.readline(2), sys.stdin.read(3), sys.stdin.readline(), sys.stdin.read()]\n"
        "parts"
    ))
    events = d.run("a")
    assert text(events, "a") == "['ab', 'cde', 'f\\n', 'xyz\\n']"


def test_getpass_asks_for_a_password_and_echoes_nothing():
    d = Driver()
    client = AnsweringClient(d, {"text": "hunter2"})
    d.create("a", "import getpass\nsecret = getpass.getpass('Token: ')\nlen(secret)")
    events = d.run("a")
    assert errors(events) == {}
    assert client.requests[0]["prompt"] == "Token: " and client.requests[0]["password"] is True
    assert text(events, "a") == "7"
    assert stdout(events, "a") == "Token: \n"


def test_interrupt_while_waiting_stops_the_cell_and_its_descendants_wait():
    d = Driver()
    client = AnsweringClient(d, "interrupt", {"text": "later"})
    d.cells(("ask", "answer = input('? ')"), ("use", "answer.upper()"))
    events = d.run("ask")
    assert errors(events)["ask"].kind == "interrupted"
    assert ran(events) == ["ask"]
    assert d.status("use") == "stale"
    assert "answer" not in d.ns
    # The next run asks again and gets its own answer.
    events = d.run("ask")
    assert len(client.requests) == 2
    assert text(events, "use") == "'LATER'"


def test_a_reply_when_no_cell_is_waiting_is_a_protocol_error():
    d = Driver()
    d.create("a", "1")
    events = d.send(p.InputReply("a", "too late"))
    assert [type(e) for e in events] == [p.ProtocolError]
    assert events[0].command == "input_reply" and "not waiting for input" in events[0].message
    assert outputs(d.run("a"))["a"] == {"text/plain": "1"}
