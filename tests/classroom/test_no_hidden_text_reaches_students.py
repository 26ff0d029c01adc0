"""Not one byte of a solution or a hidden test reaches a student, whatever they open.

A student (and an auditor) goes through everything the service offers them over HTTP:
their courses, the course, the assignment, their copy in the editor, the API's view of
the course, the assignment, their copy and its revisions, its download in each format,
submitting and their submissions. Every response body is kept, and a scanner looks
for the solution's and the hidden test's text in all of them (raw, and as JSON
escapes it). The teacher's pages are scanned too, as the control: there the secret
text must be found, so the scanner is known to see it.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from classroom import grading
from classroom.models import CheckResult, GradingRun
from notebooks import services as notebook_services
from notebooks.models import Notebook
from tests.classroom.conftest import HIDDEN_SECRET, PUBLIC_CHECK, SOLUTION_SECRET, World
from tests.factories import client_for, code, notebook_text, post_json

pytestmark = pytest.mark.django_db

SECRETS = (SOLUTION_SECRET, HIDDEN_SECRET, "total_right", "hidden test")


class Recorder:
    """A test client that keeps every response body it received."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.bodies: list[tuple[str, bytes]] = []

    def get(self, path: str) -> object:
        response = self.client.get(path, follow=True)
        self._keep(path, response)
        return response

    def post(self, path: str, body: object = None) -> object:
        response = (
            post_json(self.client, path, body)
            if path.startswith("/api/")
            else (self.client.post(path, follow=True))
        )
        self._keep(path, response)
        return response

    def _keep(self, path: str, response) -> None:
        content = b"".join(response.streaming_content) if response.streaming else response.content
        self.bodies.append((path, content))
        for earlier in getattr(response, "redirect_chain", []):
            self.bodies.append((earlier[0], b""))

    def found(self, text: str) -> list[str]:
        """The paths whose response holds ``text``, plainly or JSON-escaped."""
        forms = {
            text.encode(),
            json.dumps(text)[1:-1].encode(),
            text.replace("'", "&#x27;").encode(),
        }
        return [path for path, body in self.bodies if any(form in body for form in forms)]


def _student_journey(world: World, who: str) -> Recorder:
    recorder = Recorder(client_for(world.of(who)))
    course, assignment = world.course.public_id, world.assignment.public_id
    recorder.get(reverse("classroom:courses"))
    recorder.get(reverse("classroom:course", kwargs={"course_id": course}))
    page = reverse(
        "classroom:assignment", kwargs={"course_id": course, "assignment_id": assignment}
    )
    recorder.get(page)
    recorder.post(page + "open")  # follows into the editor of their copy
    recorder.get(page)
    recorder.get(f"/api/courses/{course}")
    recorder.get(f"/api/courses/{course}/assignments")
    copy = recorder.post(f"/api/courses/{course}/assignments/{assignment}/copy").json()[
        "notebook_id"
    ]
    recorder.get(f"/api/notebooks/{copy}")
    recorder.get(f"/api/notebooks/{copy}/revisions")
    recorder.get(f"/api/notebooks/{copy}/revisions/1")
    recorder.get(reverse("notebooks:editor", kwargs={"public_id": copy}))
    for fmt in ("py", "ipynb", "marimo", "script"):
        recorder.get(reverse("notebooks:download", kwargs={"public_id": copy}) + f"?format={fmt}")
    # A wrong answer, so the hidden test fails with its (secret) message, then graded.
    notebook = Notebook.objects.get(public_id=copy)
    notebook_services.revision_create(
        notebook=notebook,
        content=notebook_text(code("data = [1, 2, 3]", "data"), code("total = 5", "answer")),
        author=world.of(who),
        base_revision=None,
    )
    recorder.post(page + "submit")
    recorder.post(f"/api/courses/{course}/assignments/{assignment}/submissions")
    for run in GradingRun.objects.filter(submission__student=world.of(who)):
        assert grading.run_grade(run_id=run.pk, worker="scanner") in ("graded", "not claimed")
    recorder.get(page)  # now with the feedback
    recorder.get(f"/api/courses/{course}/assignments/{assignment}/submissions")
    # What a curious student tries: the teacher's notebook, the draft's pages, the roster.
    if world.assignment.source is not None:
        recorder.get(
            reverse("notebooks:editor", kwargs={"public_id": world.assignment.source.public_id})
        )
        recorder.get(f"/api/notebooks/{world.assignment.source.public_id}")
    recorder.get(reverse("classroom:roster", kwargs={"course_id": course}))
    return recorder


@pytest.mark.parametrize("who", ["student", "auditor"])
def test_no_response_to_a_student_holds_solution_or_hidden_test_text(
    world: World, who: str, fake_dist: object
) -> None:
    recorder = _student_journey(world, who)
    # The journey really reached their copy: the public check is in it, everywhere.
    assert len(recorder.found(PUBLIC_CHECK)) >= 5
    if who == "student":
        # It was graded, and the hidden test's secret message exists on the server.
        assert CheckResult.objects.filter(message=HIDDEN_SECRET).exists()
        assert recorder.found("0 of 1 hidden checks passed")
    for secret in SECRETS:
        assert recorder.found(secret) == [], secret


def test_the_scanner_sees_the_secrets_where_the_teacher_looks(
    world: World, fake_dist: object
) -> None:
    _student_journey(world, "student")
    recorder = Recorder(client_for(world.owner))
    source = world.assignment.source
    assert source is not None
    recorder.get(f"/api/notebooks/{source.public_id}/revisions/1")
    submission = world.assignment.submissions.first()
    recorder.get(
        reverse(
            "classroom:submission",
            kwargs={
                "course_id": world.course.public_id,
                "assignment_id": world.assignment.public_id,
                "submission_id": submission.public_id,
            },
        )
    )
    assert recorder.found(HIDDEN_SECRET) == [path for path, _ in recorder.bodies]
    for secret in SECRETS:
        assert recorder.found(secret), secret
    assert re.search(rb"hidden test", recorder.bodies[0][1])
