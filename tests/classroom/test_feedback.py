"""What students and staff see of a grading: feedback, held feedback, the gradebook, the CSV.

Grading runs for real (the sandbox and the tester), in this process through
``grading.run_grade``, as a worker's task would call it.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from classroom import grading, selectors, services
from classroom.models import GradingRun, LatePolicy, Submission
from notebooks import services as notebook_services
from tests.classroom.conftest import HIDDEN_SECRET, World
from tests.factories import client_for, code, notebook_text, user_make

pytestmark = [pytest.mark.django_db, pytest.mark.subprocess]


def _submit_and_grade(world: World, student, answer: str, **when) -> Submission:
    work = services.work_open(assignment=world.assignment, student=student)
    notebook_services.revision_create(
        notebook=work.notebook,
        content=notebook_text(code("data = [1, 2, 3]", "data"), code(answer, "answer")),
        author=student,
        base_revision=None,
    )
    submission = services.submission_create(assignment=world.assignment, student=student, **when)
    run = GradingRun.objects.get(submission=submission)
    assert grading.run_grade(run_id=run.pk, worker="test") == "graded"
    return submission


def _page(client: Client, world: World) -> str:
    url = reverse(
        "classroom:assignment",
        kwargs={"course_id": world.course.public_id, "assignment_id": world.assignment.public_id},
    )
    return client.get(url).content.decode()


def test_a_student_sees_checks_and_a_count_of_hidden_checks(world: World) -> None:
    _submit_and_grade(world, world.student, "total = 5")
    page = _page(client_for(world.student), world)
    assert 'Score: <strong data-testid="my-score">1' in page
    assert "total_is_int: passed" in page
    assert "0 of 1 hidden checks passed." in page
    assert HIDDEN_SECRET not in page and "total_right" not in page
    services.feedback_settings_set(
        assignment=world.assignment, hold_feedback=False, show_hidden_names=True
    )
    page = _page(client_for(world.student), world)
    assert "total_right: failed" in page
    assert HIDDEN_SECRET not in page  # names, never messages


def test_held_feedback_shows_once_released(world: World) -> None:
    services.feedback_settings_set(
        assignment=world.assignment, hold_feedback=True, show_hidden_names=False
    )
    _submit_and_grade(world, world.student, "total = sum(data)")
    page = _page(client_for(world.student), world)
    assert "Your teacher releases the feedback later." in page
    assert "my-score" not in page
    services.feedback_release(assignment=world.assignment)
    page = _page(client_for(world.student), world)
    assert 'Score: <strong data-testid="my-score">3' in page
    assert "1 of 1 hidden checks passed." in page


def test_comments_and_adjustments_reach_the_student(world: World) -> None:
    submission = _submit_and_grade(world, world.student, "total = 5")
    services.comment_add(submission=submission, cell="answer", author=world.ta, text="Use sum().")
    services.adjustment_set(submission=submission, points="0.5", reason="good try")
    page = _page(client_for(world.student), world)
    assert 'Score: <strong data-testid="my-score">1.5' in page
    assert "good try" in page and "Use sum()." in page
    with pytest.raises(Exception, match="Say why"):
        services.adjustment_set(submission=submission, points="1", reason=" ")


def test_the_late_penalty_comes_off_the_score(world: World) -> None:
    due = world.assignment.due_at
    services.assignment_dates_set(
        assignment=world.assignment,
        dates=services.Dates(
            due_at=due,
            late_policy=LatePolicy.PENALTY,
            late_until=due + timedelta(days=5),
            late_penalty_percent=10,
        ),
    )
    submission = _submit_and_grade(
        world, world.student, "total = sum(data)", now=due + timedelta(days=1, hours=1)
    )
    run = selectors.run_for(submission=submission)
    assert (submission.days_late, run.points_earned) == (2, Decimal(3))
    assert selectors.final_score(run, submission) == Decimal("2.40")


def test_gradebook_and_csv_have_every_student_and_test(world: World) -> None:
    _submit_and_grade(world, world.student, "total = sum(data)")
    idle = user_make("idle@school.example")
    services.course_join(user=idle, code=world.course.join_code)
    assignments, rows = selectors.gradebook(course=world.course)
    assert [a.title for a in assignments] == ["Sums"]
    assert [(row.student.email, [c.score for c in row.cells]) for row in rows] == [
        ("idle@school.example", [None]),
        ("student@school.example", [Decimal(3)]),
    ]
    response = client_for(world.ta).get(
        reverse(
            "classroom:grades-csv",
            kwargs={
                "course_id": world.course.public_id,
                "assignment_id": world.assignment.public_id,
            },
        )
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == [
        "email",
        "name",
        "submission",
        "submitted_at",
        "late",
        "days_late",
        "status",
        "total_is_int (check, 1)",
        "total_right (hidden, 2)",
        "test_points",
        "adjustment",
        "score",
        "points_total",
    ]
    assert [row[0] for row in table[1:]] == ["idle@school.example", "student@school.example"]
    assert table[1][6] == "not submitted"
    assert table[2][2] == "1" and table[2][4:] == [
        "no",
        "0",
        "graded",
        "1.00",
        "2.00",
        "3.00",
        "0.00",
        "3.00",
        "3.00",
    ]


def test_a_spreadsheet_formula_in_a_name_is_defused(world: World) -> None:
    world.student.first_name = '=HYPERLINK("http://evil")'
    world.student.save()
    _submit_and_grade(world, world.student, "total = 1")
    from classroom.exports import grades_csv

    table = list(csv.reader(io.StringIO(grades_csv(assignment=world.assignment))))
    assert table[1][1] == '\'=HYPERLINK("http://evil")'


def test_the_api_gives_the_grade_only_as_the_page_does(world: World) -> None:
    services.feedback_settings_set(
        assignment=world.assignment, hold_feedback=True, show_hidden_names=False
    )
    _submit_and_grade(world, world.student, "total = 5")
    url = f"/api/courses/{world.course.public_id}/assignments/{world.assignment.public_id}/submissions"
    (held,) = client_for(world.student).get(url).json()
    assert (held["grading_status"], held["score"], held["hidden_total"]) == ("graded", None, None)
    (staff,) = client_for(world.ta).get(url).json()
    assert (staff["score"], staff["student_email"]) == ("1.00", "student@school.example")
    services.feedback_release(assignment=world.assignment)
    (shown,) = client_for(world.student).get(url).json()
    assert (shown["score"], shown["hidden_passed"], shown["hidden_total"]) == ("1.00", 0, 1)
    assert HIDDEN_SECRET not in str(shown)


def test_the_review_shows_what_each_cell_printed_output_and_raised_as_text(world: World) -> None:
    submission = _submit_and_grade(
        world, world.student, "print('<script>alert(1)</script>')\ntotal = 5\ntotal * 2"
    )
    work = services.work_open(assignment=world.assignment, student=world.student)
    assert work.notebook is not None
    url = reverse(
        "classroom:submission",
        kwargs={
            "course_id": world.course.public_id,
            "assignment_id": world.assignment.public_id,
            "submission_id": submission.public_id,
        },
    )
    page = client_for(world.ta).get(url).content.decode()
    assert (
        '<pre class="printed" data-testid="cell-printed">&lt;script&gt;alert(1)&lt;/script&gt;'
        in page
    )
    assert '<pre class="output" data-testid="cell-ran-output">10</pre>' in page
    assert "<script>alert(1)" not in page
    assert HIDDEN_SECRET in page  # the staff see the hidden test's message
    broken = _submit_and_grade(world, world.student, "total = 1 / 0")
    url = url.replace(submission.public_id, broken.public_id)
    page = client_for(world.ta).get(url).content.decode()
    assert (
        "ZeroDivisionError" in page.split('data-testid="cell-ran-error">', 1)[1].split("</pre>")[0]
    )
