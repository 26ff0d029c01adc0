"""Reads for the classroom pages and API: courses of a person, rosters, assignments, work."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import QuerySet

from classroom.access import CourseAccess, CourseAction, assignment_is_open
from classroom.deadlines import Window, submission_window
from classroom.models import (
    Assignment,
    Course,
    Extension,
    Membership,
    RosterInvite,
    StudentWork,
    Submission,
)
from storage.blobs import blob_get


def course_get(*, public_id: str) -> Course | None:
    return Course.objects.filter(public_id=public_id).first()


def course_by_code(*, code: str) -> Course | None:
    """The course an invite link names, while it takes new members."""
    normalized = "".join(code.split()).upper()
    return (
        Course.objects.filter(join_code=normalized, join_open=True).first() if normalized else None
    )


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("course")
        .order_by("-course__created_at")
    )


def roster(*, course: Course) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(course=course)
        .select_related("user")
        .order_by("role", "user__email")
    )


def invites(*, course: Course) -> QuerySet[RosterInvite]:
    return RosterInvite.objects.filter(course=course).order_by("email")


def assignments_for(*, access: CourseAccess) -> list[Assignment]:
    """The course's assignments this member may see (students: released and open)."""
    assignments = Assignment.objects.filter(course=access.course).select_related("current_release")
    if access.allows(CourseAction.SEE_UNRELEASED):
        return list(assignments)
    return [assignment for assignment in assignments if assignment_is_open(assignment)]


def assignment_get(*, course: Course, public_id: str) -> Assignment | None:
    return (
        Assignment.objects.filter(course=course, public_id=public_id)
        .select_related("current_release", "source", "course")
        .first()
    )


def student_window(*, assignment: Assignment, student: User) -> Window:
    extension = Extension.objects.filter(assignment=assignment, student=student).first()
    return submission_window(
        due_at=assignment.due_at,
        late_policy=assignment.late_policy,
        late_until=assignment.late_until,
        extension_due_at=extension.due_at if extension else None,
    )


def work_get(*, assignment: Assignment, student: User) -> StudentWork | None:
    return (
        StudentWork.objects.filter(assignment=assignment, student=student)
        .select_related("notebook", "chosen_submission")
        .first()
    )


def submissions_of(*, assignment: Assignment, student: User) -> QuerySet[Submission]:
    return Submission.objects.filter(assignment=assignment, student=student).order_by("-number")


@dataclass(frozen=True)
class CountingSubmission:
    submission: Submission | None
    chosen_by_staff: bool


def submission_counting(*, assignment: Assignment, student: User) -> CountingSubmission:
    """The submission that counts: the one the staff chose, else the latest."""
    work = work_get(assignment=assignment, student=student)
    if work is not None and work.chosen_submission is not None:
        return CountingSubmission(submission=work.chosen_submission, chosen_by_staff=True)
    latest = submissions_of(assignment=assignment, student=student).first()
    return CountingSubmission(submission=latest, chosen_by_staff=False)


def submission_text(*, submission: Submission) -> str:
    return blob_get(key=submission.storage_key).decode("utf-8")


def extensions(*, assignment: Assignment) -> QuerySet[Extension]:
    return Extension.objects.filter(assignment=assignment).select_related("student")


def counting_submissions(*, assignment: Assignment) -> list[Submission]:
    """Each student's submission that counts (the staff's choice, else the latest)."""
    chosen = {
        work.student_id: work.chosen_submission
        for work in StudentWork.objects.filter(
            assignment=assignment, chosen_submission__isnull=False
        ).select_related("chosen_submission")
    }
    latest: dict[int, Submission] = {}
    for submission in Submission.objects.filter(assignment=assignment).order_by("number"):
        latest[submission.student_id] = submission
    for student_id, picked in chosen.items():
        if picked is not None:
            latest[student_id] = picked
    return list(latest.values())
