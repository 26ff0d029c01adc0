"""The student's side of grading: run a submitted notebook in the sandbox, then answer.

Started by the grader as ``python -m kernels.grading.student`` inside the server
kernels' sandbox (no network, its own PID namespace, limits). It reads one JSON line,
``{"notebook": "<text in our .py format>"}``, runs every cell once through the same
kernel the editor uses, and writes ``{"ready": true, "cells": [...]}`` (per cell, as
text: what it printed, its output and its error, for the staff's review). Then it
answers requests, one JSON line each, until its input ends:

- ``{"id": N, "get": "name"}``: the value of a global, as plain data
  (``kernels.grading.plain``): ``{"id": N, "value": ...}``, ``{"id": N, "missing": true}``
  or ``{"id": N, "error": "..."}`` when it cannot be sent;
- ``{"id": N, "call": REF, "args": [...], "kwargs": [[name, value], ...]}``: call a
  function the grader was given by handle, with plain arguments:
  ``{"id": N, "value": ...}`` or ``{"id": N, "raised": {"type": ..., "message": ...}}``.

The protocol runs on copies of file descriptors 0 and 1 made before any student code
runs; descriptors 0, 1 and 2 are then pointed at ``/dev/null``, so what the notebook
prints (even with ``os.write(1, ...)``) never mixes with the answers. Student code
could still find the copies and write to them: it can then only make the grader
read some plain value, which is no more than writing that value in the notebook.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import IO, Any

from kernels.grading.plain import NotPlain, decode, encode
from kernels.runtime import protocol as p
from kernels.runtime.formats import loads_notebook
from kernels.runtime.kernel import Kernel

#: Longest line of a request the student side reads (arguments are small in practice).
MAX_REQUEST_BYTES = 16 * 1024 * 1024
_MESSAGE_CHARS = 2000


def _protocol_streams() -> tuple[IO[str], IO[str]]:
    """Private copies of stdin and stdout for the protocol; 0, 1, 2 then go to /dev/null."""
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    return requests, answers


def _output_text(data: dict[str, Any]) -> str:
    """What the staff's review shows of an output: its text, or the kinds it has."""
    for mime in ("text/plain", "text/markdown"):
        if type(data.get(mime)) is str:
            return str(data[mime])
    return f"[{', '.join(sorted(str(kind) for kind in data))} output]" if data else ""


class StudentSide:
    def __init__(self, answers: IO[str]) -> None:
        self.answers = answers
        # Per cell, in notebook order: what it printed, its output and its error (text).
        self.cells: dict[str, dict[str, str]] = {}
        self.kernel = Kernel(self._event, stream_limit_bytes=64 * 1024)
        self.handles: list[Any] = []

    def _event(self, event: Any) -> None:
        if not isinstance(event, p.CellError | p.Output | p.Stream):
            return
        report = self.cells.setdefault(event.cell_id, {"printed": "", "output": "", "error": ""})
        if isinstance(event, p.CellError):
            report["error"] = event.message[:_MESSAGE_CHARS]
        elif isinstance(event, p.Output):
            report["output"] = _output_text(event.data)[:_MESSAGE_CHARS]
        elif len(report["printed"]) < _MESSAGE_CHARS:
            report["printed"] = (report["printed"] + event.text)[:_MESSAGE_CHARS]

    def _register(self, function: Any) -> int:
        self.handles.append(function)
        return len(self.handles) - 1

    def run(self, text: str) -> None:
        notebook = loads_notebook(text, "playground", source="the submission")

        async def go() -> None:
            for index, cell in enumerate(notebook.cells):
                label = notebook.cell_label(index)
                await self.kernel.handle(p.CreateCell(label, cell.code, cell.kind, cell.config))
            await self.kernel.handle(p.RunAll())

        asyncio.run(go())

    def send(self, message: dict[str, Any]) -> None:
        self.answers.write(json.dumps(message, allow_nan=False) + "\n")
        self.answers.flush()

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        ident = request.get("id")
        if "get" in request:
            name = request["get"]
            if type(name) is not str or name not in self.kernel.globals:
                return {"id": ident, "missing": True}
            return self._value(ident, self.kernel.globals[name])
        ref = request.get("call")
        if type(ref) is not int or not 0 <= ref < len(self.handles):
            return {"id": ident, "error": "no such function"}
        try:
            args = decode(request.get("args", []))
            kwargs = dict(decode({"t": "dict", "v": request.get("kwargs", [])}))
        except NotPlain as error:
            return {"id": ident, "error": f"arguments are not plain data: {error}"}
        try:
            result = self.handles[ref](*args, **kwargs)
        except BaseException as error:
            return {"id": ident, "raised": _raised(error)}
        return self._value(ident, result)

    def _value(self, ident: Any, value: Any) -> dict[str, Any]:
        try:
            return {"id": ident, "value": encode(value, self._register)}
        except NotPlain as error:
            return {"id": ident, "error": str(error)}
        except BaseException as error:
            return {"id": ident, "error": f"the value could not be read: {_raised(error)['type']}"}


def _raised(error: BaseException) -> dict[str, str]:
    try:
        message = str(error)
    except BaseException:
        message = ""
    return {"type": type(error).__name__[:200], "message": message[:_MESSAGE_CHARS]}


def main() -> int:
    requests, answers = _protocol_streams()
    side = StudentSide(answers)
    first = requests.readline(MAX_REQUEST_BYTES)
    try:
        text = json.loads(first)["notebook"]
        side.run(text)
    except Exception as error:
        side.send({"ready": False, "problem": f"{type(error).__name__}: {error}"[:_MESSAGE_CHARS]})
        return 1
    report = [{"cell": cell, **parts} for cell, parts in side.cells.items() if any(parts.values())]
    side.send({"ready": True, "cells": report[:200]})
    for line in iter(lambda: requests.readline(MAX_REQUEST_BYTES), ""):
        try:
            request = json.loads(line)
        except ValueError:
            return 2
        if type(request) is not dict:
            return 2
        side.send(side.answer(request))
    return 0


if __name__ == "__main__":
    sys.exit(main())
