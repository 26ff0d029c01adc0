"""A class, end to end in Chromium: a teacher sets an assignment with a hidden test, a
student joins, solves it in the browser, runs the public check, submits and sees the
grade from a real grading worker; the teacher exports the grades.

Everything the student's browser receives (every HTTP response of their pages, frames
and the Pyodide worker, and every websocket frame) is kept and scanned: no byte of
the solution or the hidden test may be in it. Waits are on the pages' DOM (and the
worker's heartbeat in Redis), never on the clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Response, WebSocket, expect

from tests.browser.accounts_flow import (
    framed_notebook,
    new_notebook,
    save_and_wait,
    sign_up_and_verify,
)
from tests.browser.service import RunningService
from tests.classroom.grading_workers import start_grading_worker
from tests.serverkernels.workers import KernelWorker

SOLUTION = "solution_secret_9f3"
HIDDEN = "hidden_secret_c4e1"
GRADED_WITHIN_MS = 120_000  # a grading worker on a loaded machine; only fails a broken one


@pytest.fixture
def grading_worker(service: RunningService, tmp_path: Path) -> Iterator[Callable[[], KernelWorker]]:
    started: list[KernelWorker] = []

    def start() -> KernelWorker:
        worker = start_grading_worker(service.env, tmp_path / "workers")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


class Received:
    """Every response body and websocket frame a browser context received."""

    def __init__(self, context: BrowserContext) -> None:
        self.items: list[tuple[str, bytes]] = []
        context.on("response", self._response)
        context.on("page", lambda page: page.on("websocket", self._socket))

    def _response(self, response: Response) -> None:
        kind = response.headers.get("content-type", "")
        if not re.match(r"text/|application/(json|javascript)", kind):
            return
        try:
            self.items.append((response.url, response.body()))
        except Exception:  # a redirect or an aborted load has no body to keep
            self.items.append((response.url, b""))

    def _socket(self, socket: WebSocket) -> None:
        def keep(payload: str | bytes) -> None:
            data = payload.encode() if isinstance(payload, str) else payload
            self.items.append((socket.url, data))

        socket.on("framereceived", keep)

    def holding(self, text: str) -> list[str]:
        return [url for url, body in self.items if text.encode() in body]


def test_a_class_from_assignment_to_exported_grades(
    new_context: Callable[..., BrowserContext],
    service: RunningService,
    grading_worker: Callable[[], KernelWorker],
    tmp_path: Path,
) -> None:
    grading_worker()

    # --- the teacher writes the assignment in the editor -------------------------------
    teacher = new_context(app=True).new_page()
    teacher_email = sign_up_and_verify(teacher, service)
    authoring = new_notebook(teacher, "Sums (teacher)")
    authoring.set_code(authoring.cell(0), "data = [1, 2, 3]")
    authoring.add_code_cell(f"# solution\n{SOLUTION} = sum(data)\ntotal = {SOLUTION}")
    authoring.add_code_cell(
        "# check total_is_int points=1\nassert isinstance(total, int), 'total should be a whole number'"
    )
    authoring.add_code_cell(f"# hidden test total_right points=2\nassert total == 6, '{HIDDEN}'")
    save_and_wait(teacher, 2)

    teacher.goto("/courses/")
    teacher.get_by_test_id("course-title").fill("Data 101")
    teacher.get_by_test_id("course-create").click()
    expect(teacher.get_by_test_id("course-heading")).to_have_text("Data 101")
    join_code = teacher.get_by_test_id("join-code-value").inner_text()
    teacher.get_by_test_id("assignment-title").fill("Sums")
    teacher.get_by_test_id("assignment-notebook").select_option(label="Sums (teacher)")
    teacher.get_by_test_id("due-at").fill("2031-01-01T10:00")
    teacher.get_by_test_id("assignment-create").click()
    expect(teacher.get_by_test_id("assignment-heading")).to_have_text("Sums")
    teacher.get_by_test_id("release").click()
    expect(teacher.locator(".messages")).to_contain_text("2 graded tests (1 hidden), 3 points")
    assignment_url = teacher.url

    # --- the student joins, solves it in the browser and submits ----------------------------
    context = new_context(app=True)
    received = Received(context)
    student = context.new_page()
    student_email = sign_up_and_verify(student, service)
    student.goto("/courses/")
    student.get_by_test_id("join-code").fill(join_code.lower())
    student.get_by_test_id("join-submit").click()
    expect(student.get_by_test_id("course-heading")).to_have_text("Data 101")
    student.get_by_role("link", name="Sums").click()
    due = student.get_by_test_id("due").locator("time").first
    expect(due).to_contain_text("2031")
    # Shown in the student's own time zone, named on hover (classroom.js ran).
    expect(due).to_have_attribute("title", re.compile(r"^Your time zone: \S+"))
    student.get_by_test_id("work-open").click()
    copy = framed_notebook(student)
    expect(copy.cells).to_have_count(3)  # data, the stub, the public check: no hidden test
    assert "Your code here" in copy.code_of(copy.cell(1))
    copy.set_code(copy.cell(1), "total = sum(data)")
    copy.run_all()
    expect(copy.cell(2)).to_have_attribute("data-status", "idle")
    expect(copy.error(copy.cell(2))).to_be_hidden()  # the public check passes
    save_and_wait(student, 2)
    student.goto(assignment_url)
    student.get_by_test_id("submit").click()
    expect(student.get_by_test_id("my-score")).to_have_text("3.00", timeout=GRADED_WITHIN_MS)
    expect(student.get_by_test_id("hidden-summary")).to_have_text("1 of 1 hidden checks passed.")
    expect(student.get_by_test_id("check-result")).to_contain_text("total_is_int: passed")

    # --- nothing of the solution or the hidden test reached the student's browser ---------
    assert len(received.items) > 20
    assert received.holding("total_is_int")  # the scan sees what the student was sent
    assert received.holding(SOLUTION) == []
    assert received.holding(HIDDEN) == []
    assert received.holding("total_right") == []

    # --- the teacher sees the grade and exports the CSV -------------------------------------
    teacher.goto(assignment_url)
    teacher.get_by_test_id("gradebook-link").first.click()
    row = teacher.get_by_test_id("gradebook-row")
    expect(row).to_have_attribute("data-email", student_email)
    expect(row).to_contain_text("3.00")
    teacher.goto(assignment_url)
    with teacher.expect_download() as download:
        teacher.get_by_test_id("grades-csv").click()
    path = tmp_path / "grades.csv"
    download.value.save_as(path)
    lines = path.read_text("utf-8").splitlines()
    assert lines[0].startswith("email,name,submission,")
    assert "total_right (hidden, 2)" in lines[0]
    assert lines[1].startswith(f"{student_email},")
    assert lines[1].endswith(",no,0,graded,1.00,2.00,3.00,0.00,3.00,3.00")
    assert teacher_email not in "\n".join(lines[1:])
