"""The trusted side of grading: run the teacher's tests against a student's values.

Started by the grader as ``python -m kernels.grading.tester STUDENT_IN STUDENT_OUT``,
outside the sandbox but in a process of its own with limits: the two numbers are
file descriptors of the pipe to the student side (kernels/grading/student.py). The
tests never go there: this process holds them, and asks the student side only for
values and for calls of the student's functions.

It reads one test per line on stdin, ``{"name": ..., "code": ...}``, and answers on
stdout with ``{"name": ..., "passed": bool, "message": ...}``. For each test it reads
the names the code uses (the notebook's own static analysis), fetches each from the
student side as plain data (``kernels.grading.plain``: rebuilt here as plain objects,
so nothing the student made runs in this process), and runs the code with them as
globals. The test passes when its code runs to the end without raising.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import os
import sys
from typing import IO, Any

from kernels.grading.plain import NotPlain, decode, encode
from kernels.runtime.analysis import AnalysisError, analyze_cell

#: Longest answer line read from the student side.
MAX_ANSWER_BYTES = 64 * 1024 * 1024
_MESSAGE_CHARS = 2000


class StudentGone(Exception):
    """The student side stopped answering, or answered out of turn."""


class StudentRaised(Exception):
    """A student's function raised: the test sees this exception, named after theirs."""


class StudentChannel:
    """Requests to the student side, one at a time, each answer checked."""

    def __init__(self, send: IO[str], receive: IO[str]) -> None:
        self.send = send
        self.receive = receive
        self.next_id = 0

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        self.next_id += 1
        request["id"] = self.next_id
        try:
            self.send.write(json.dumps(request) + "\n")
            self.send.flush()
            line = self.receive.readline(MAX_ANSWER_BYTES)
        except (OSError, ValueError) as error:
            raise StudentGone("the submission stopped answering") from error
        if not line.endswith("\n"):
            raise StudentGone("the submission stopped answering")
        try:
            answer = json.loads(line)
        except ValueError as error:
            raise StudentGone("the submission answered something that is not JSON") from error
        if type(answer) is not dict or answer.get("id") != self.next_id:
            raise StudentGone("the submission answered out of turn")
        return answer

    def value(self, name: str) -> tuple[bool, Any]:
        """(found, value) of the student's global ``name``."""
        answer = self._ask({"get": name})
        if answer.get("missing") is True:
            return False, None
        return True, self._decoded(answer, f"the value of {name}")

    def call(self, ref: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        try:
            request = {"call": ref, "args": encode(list(args)), "kwargs": encode(kwargs)["v"]}
        except NotPlain as error:
            raise TypeError(
                f"only plain data can be passed to a student's function: {error}"
            ) from error
        answer = self._ask(request)
        raised = answer.get("raised")
        if type(raised) is dict:
            kind = str(raised.get("type", "Exception"))[:200]
            message = str(raised.get("message", ""))[:_MESSAGE_CHARS]
            raise StudentRaised(f"{kind}: {message}" if message else kind)
        return self._decoded(answer, "the result")

    def _decoded(self, answer: dict[str, Any], what: str) -> Any:
        if "value" not in answer:
            problem = answer.get("error")
            raise TypeError(f"{what} cannot be checked: {str(problem)[:_MESSAGE_CHARS]}")
        try:
            return decode(answer["value"], call=self.call)
        except NotPlain as error:
            raise TypeError(f"{what} is not plain data: {error}") from error


def run_test(code: str, channel: StudentChannel) -> tuple[bool, str]:
    """(passed, message) of one test's code against the student's values."""
    analysis = analyze_cell(code, filename="<test>")
    if isinstance(analysis, AnalysisError):
        return False, f"the test does not compile: {analysis}"
    namespace: dict[str, Any] = {"__builtins__": builtins, "__name__": "__test__"}
    try:
        for name in sorted(analysis.refs):
            if hasattr(builtins, name):
                continue
            found, value = channel.value(name)
            if found:
                namespace[name] = value
    except StudentGone as error:
        return False, str(error)
    except TypeError as error:
        return False, str(error)
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            exec(compile(code, "<test>", "exec"), namespace)
    except AssertionError as error:
        return False, (str(error) or "a check failed")[:_MESSAGE_CHARS]
    except StudentGone as error:
        return False, str(error)
    except BaseException as error:
        return False, f"{type(error).__name__}: {error}"[:_MESSAGE_CHARS]
    return True, ""


def main() -> int:
    student_in, student_out = int(sys.argv[1]), int(sys.argv[2])
    channel = StudentChannel(
        os.fdopen(student_in, "w", encoding="utf-8"), os.fdopen(student_out, "r", encoding="utf-8")
    )
    for line in sys.stdin:
        test = json.loads(line)
        passed, message = run_test(test["code"], channel)
        sys.stdout.write(
            json.dumps({"name": test["name"], "passed": passed, "message": message}) + "\n"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
