"""Grading one submission: the student's notebook in a sandbox, the tests in a trusted process.

:func:`grade` is all a grading job does with a submission (no Django here; the job
in ``classroom.grading`` stores what it returns):

1. The **student side** (``kernels/grading/student.py``) starts in the server
   kernels' sandbox (``serverkernels.sandbox``: no network, its own PID namespace,
   memory, CPU, process and file limits) and runs the notebook, within
   ``notebook_seconds``.
2. The **tester** (``kernels/grading/tester.py``) starts as a separate process with
   resource limits of its own and the student side's pipes. It holds the tests; the
   student side never sees them. Values reach the tests as plain data only.
3. Each test has ``test_seconds``. A test that runs out of time fails; the student
   side is then restarted (the notebook runs again) for the tests left, as long as
   ``submission_seconds`` allows.

Nothing the student's code does reaches this process: its output is discarded, its
exit or crash only means the values are gone (the tests that need them fail), and
the tests' results come from the tester alone.
"""

from __future__ import annotations

import functools
import json
import os
import resource
import selectors
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from classroom.authoring import GradedTest
from serverkernels import sandbox

STUDENT_ARGS = ("-m", "kernels.grading.student")
_LINE_LIMIT = 64 * 1024 * 1024


@dataclass(frozen=True)
class GradeLimits:
    notebook_seconds: float = 60.0
    test_seconds: float = 10.0
    submission_seconds: float = 300.0
    # The student side's sandbox (memory, CPU seconds, processes, files).
    student: sandbox.Limits = field(
        default_factory=lambda: sandbox.Limits(
            memory_bytes=1024 * sandbox.MiB,
            cpu_seconds=120,
            processes=64,
            file_size_bytes=64 * sandbox.MiB,
            workdir_bytes=64 * sandbox.MiB,
            output_bytes_per_run=16 * sandbox.MiB,
        )
    )
    tester_memory_bytes: int = 1024 * sandbox.MiB
    tester_cpu_seconds: int = 120


@dataclass(frozen=True)
class TestOutcome:
    name: str
    passed: bool
    message: str


@dataclass
class GradeReport:
    outcomes: list[TestOutcome]
    # Per cell, as the student side reported it (text, untrusted): what it printed,
    # its output and its error; for the staff's review.
    cells: list[dict[str, str]] = field(default_factory=list)
    # Why the notebook could not be run at all (empty when it ran).
    problem: str = ""
    restarts: int = 0


@functools.cache
def _package_dirs(python: str) -> tuple[str, ...]:
    """Where ``python``'s environment keeps its packages (asked once per interpreter)."""
    answer = subprocess.run(
        [python, "-c", "import site, sys; print('\\n'.join(site.getsitepackages()))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return tuple(line for line in answer.stdout.splitlines() if line)


class _LineReader:
    """Lines from a pipe with a deadline, without Python's buffering between calls."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.selector = selectors.DefaultSelector()
        self.selector.register(fd, selectors.EVENT_READ)

    def line(self, deadline: float) -> bytes | None:
        """The next line; None at end of file; TimeoutError past ``deadline``."""
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not self.selector.select(left):
                raise TimeoutError
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                return None
            self.buffer += chunk
            if len(self.buffer) > _LINE_LIMIT:
                return None
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line

    def close(self) -> None:
        self.selector.close()


class _Session:
    """One student side and one tester, wired to each other."""

    def __init__(
        self,
        *,
        runtime_root: Path,
        limits: GradeLimits,
        allow_unsandboxed: bool,
        python: str,
    ) -> None:
        self.limits = limits
        self.student = sandbox.spawn(
            STUDENT_ARGS,
            runtime_root=runtime_root,
            limits=limits.student,
            allow_unsandboxed=allow_unsandboxed,
            python=python,
            stderr=subprocess.DEVNULL,
        )
        self.tester: subprocess.Popen[bytes] | None = None
        self.tester_out: _LineReader | None = None
        assert self.student.stdin is not None and self.student.stdout is not None
        self.student_out = _LineReader(self.student.stdout.fileno())
        self.ready: dict[str, object] = {}
        self.problem = ""
        self.python = python
        # The tester starts (imports) while the student side does.
        self.start_tester()

    def alive(self) -> bool:
        return (
            self.student.poll() is None and self.tester is not None and (self.tester.poll() is None)
        )

    def load(self, text: str) -> None:
        """Send the notebook and wait until it has run (or says why it could not)."""
        self._send_notebook(text)

    def _send_notebook(self, text: str) -> None:
        assert self.student.stdin is not None
        try:
            self.student.stdin.write(json.dumps({"notebook": text}).encode() + b"\n")
            self.student.stdin.flush()
            line = self.student_out.line(time.monotonic() + self.limits.notebook_seconds)
        except TimeoutError:
            self.problem = (
                f"The notebook did not finish running within {self.limits.notebook_seconds:g} s "
                "(an endless loop?)."
            )
            return
        except OSError:
            line = None
        if line is None:
            reason = self.student.classify_exit() if self.student.poll() is not None else None
            self.problem = "The notebook stopped before it finished running" + (
                f" ({reason})." if reason else "."
            )
            return
        try:
            ready = json.loads(line)
        except ValueError:
            ready = None
        if type(ready) is not dict or ready.get("ready") is not True:
            problem = ready.get("problem") if type(ready) is dict else None
            self.problem = (
                f"The notebook could not be run: {problem}"
                if problem
                else ("The notebook could not be run.")
            )
            return
        self.ready = ready

    def start_tester(self) -> None:
        assert self.student.stdin is not None and self.student.stdout is not None
        send, receive = self.student.stdin.fileno(), self.student.stdout.fileno()
        limits = self.limits

        def limit() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (limits.tester_memory_bytes,) * 2)
            resource.setrlimit(resource.RLIMIT_CPU, (limits.tester_cpu_seconds,) * 2)

        self.tester = subprocess.Popen(
            # -S: no site module (its .pth files cost a tenth of a second per start);
            # the environment's packages (numpy, pandas for the tests) are on the path.
            [self.python, "-S", "-m", "kernels.grading.tester", str(send), str(receive)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            pass_fds=(send, receive),
            preexec_fn=limit,
            env={
                "PYTHONPATH": os.pathsep.join(
                    [str(Path(__file__).resolve().parents[1]), *_package_dirs(self.python)]
                ),
                "PATH": "/usr/bin:/bin",
            },
            cwd="/",
        )
        assert self.tester.stdout is not None
        self.tester_out = _LineReader(self.tester.stdout.fileno())

    def run(self, test: GradedTest, deadline: float) -> TestOutcome | None:
        """The test's outcome; None when it ran out of time (the session is then spent)."""
        assert self.tester is not None and self.tester.stdin is not None and self.tester_out
        try:
            self.tester.stdin.write(
                json.dumps({"name": test.name, "code": test.code}).encode() + b"\n"
            )
            self.tester.stdin.flush()
            line = self.tester_out.line(deadline)
        except TimeoutError:
            return None
        except OSError:
            line = None
        if line is None:
            return TestOutcome(test.name, False, "The grader stopped while running this test.")
        answer = json.loads(line)
        return TestOutcome(test.name, answer["passed"] is True, str(answer.get("message", "")))

    def close(self) -> None:
        if self.tester is not None:
            self.tester.kill()
            self.tester.wait()
            for stream in (self.tester.stdin, self.tester.stdout):
                if stream is not None:
                    stream.close()
        if self.tester_out is not None:
            self.tester_out.close()
        self.student_out.close()
        self.student.kill()
        self.student.wait()
        self.student.cleanup()


def _cells_report(raw: object) -> list[dict[str, str]]:
    """The student side's report, kept only in its expected shape (it is untrusted)."""
    if type(raw) is not list:
        return []
    keys = ("cell", "printed", "output", "error")
    return [
        {key: str(item.get(key, ""))[:2000] for key in keys}
        for item in raw[:200]
        if type(item) is dict
    ]


def grade(
    text: str,
    tests: Sequence[GradedTest],
    *,
    runtime_root: Path,
    limits: GradeLimits | None = None,
    allow_unsandboxed: bool = False,
    python: str = sys.executable,
    keep_warm: bool = False,
) -> GradeReport:
    """Run the notebook ``text`` and then each test (module docstring).

    ``keep_warm``: leave the next submission's two processes started (a grading
    worker's thread does; they wait for a notebook and die with the thread).
    """
    limits = limits or GradeLimits()
    key = (str(runtime_root), limits, allow_unsandboxed, python)

    def new_session() -> _Session:
        return _Session(
            runtime_root=runtime_root,
            limits=limits,
            allow_unsandboxed=allow_unsandboxed,
            python=python,
        )

    session = _take_warm(key) or new_session()
    if keep_warm:
        # Started now, from this (long-lived) thread, the next submission's processes
        # import while this one is graded: the next run waits for no interpreter.
        _warm.session = (key, new_session())
    return _grade(text, tests, limits, session, new_session)


# The processes a worker thread started ahead for its next submission (sandboxes die
# with the thread that started them, so each thread keeps its own).
_warm = threading.local()


def _take_warm(key: object) -> _Session | None:
    held = getattr(_warm, "session", None)
    _warm.session = None
    if held is None:
        return None
    held_key, session = held
    assert isinstance(session, _Session)
    if held_key == key and session.alive():
        return session
    session.close()
    return None


def _grade(
    text: str,
    tests: Sequence[GradedTest],
    limits: GradeLimits,
    session: _Session,
    new_session: Callable[[], _Session],
) -> GradeReport:
    ends = time.monotonic() + limits.submission_seconds
    outcomes: list[TestOutcome] = []
    report = GradeReport(outcomes=outcomes)
    pending = list(tests)
    if not pending:
        session.close()
        return report
    first = True
    while pending:
        if not first:
            session = new_session()
        try:
            session.load(text)
            if first:
                report.cells = _cells_report(session.ready.get("cells"))
                report.problem = session.problem
                first = False
            else:
                report.restarts += 1
            if session.problem:
                outcomes.extend(TestOutcome(t.name, False, session.problem) for t in pending)
                return report
            while pending:
                test = pending[0]
                deadline = min(time.monotonic() + limits.test_seconds, ends)
                outcome = session.run(test, deadline)
                if outcome is None:
                    out_of_time = time.monotonic() >= ends
                    whole = f"{limits.submission_seconds:g} s"
                    message = (
                        f"Grading this submission took longer than {whole}."
                        if out_of_time
                        else f"This test took longer than {limits.test_seconds:g} s "
                        "(an endless loop?)."
                    )
                    outcomes.append(TestOutcome(test.name, False, message))
                    pending.pop(0)
                    if out_of_time:
                        late = f"Not run: grading this submission took longer than {whole}."
                        outcomes.extend(TestOutcome(t.name, False, late) for t in pending)
                        return report
                    break  # a fresh student side for the tests left
                outcomes.append(outcome)
                pending.pop(0)
        finally:
            session.close()
    return report
