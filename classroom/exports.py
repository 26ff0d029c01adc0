"""The grades of an assignment as CSV: a line per student, a column per test."""

from __future__ import annotations

import csv
import io

from classroom import selectors
from classroom.authoring import GradingSuite
from classroom.models import Assignment, CourseRole, Membership
from storage.blobs import blob_get

# A cell starting with one of these is a formula to a spreadsheet: prefixed with "'".
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def grades_csv(*, assignment: Assignment) -> str:
    release = assignment.current_release
    tests = (
        GradingSuite.from_json(blob_get(key=release.suite_key).decode("utf-8")).tests
        if release is not None
        else ()
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "email",
            "name",
            "submission",
            "submitted_at",
            "late",
            "days_late",
            "status",
            *(
                f"{test.name} ({'hidden' if test.kind == 'hidden' else 'check'}, {test.points})"
                for test in tests
            ),
            "test_points",
            "adjustment",
            "score",
            "points_total",
        ]
    )
    counting = {s.student_id: s for s in selectors.counting_submissions(assignment=assignment)}
    students = (
        Membership.objects.filter(course=assignment.course, role=CourseRole.STUDENT)
        .select_related("user")
        .order_by("user__email")
    )
    for membership in students:
        student = membership.user
        submission = counting.get(student.pk)
        run = selectors.run_for(submission=submission) if submission is not None else None
        awarded = {r.name: r.points_awarded for r in run.results.all()} if run else {}
        writer.writerow(
            [
                _cell(student.email),
                _cell(student.first_name),
                submission.number if submission else "",
                submission.submitted_at.isoformat() if submission else "",
                ("yes" if submission.late else "no") if submission else "",
                submission.days_late if submission else "",
                run.status if run else ("not submitted" if submission is None else "not graded"),
                *(awarded.get(test.name, "") for test in tests),
                run.points_earned if run and run.points_earned is not None else "",
                submission.adjustment if submission else "",
                selectors.final_score(run, submission) if run and submission else "",
                release.points_total if release else "",
            ]
        )
    return out.getvalue()
