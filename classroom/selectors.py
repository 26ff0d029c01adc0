"""Reads for the classroom pages and API: courses of a person, rosters, assignments, work."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import QuerySet

from classroom.access import CourseAccess, CourseAction, assignment_is_open
from classroom.deadlines import Window, late_penalty, submission_window
from classroom.models import (
    Assignment,
    CellComment,
    CheckResult,
    Course,
    CourseRole,
    Extension,
    GradingRun,
    GradingStatus,
    Membership,
    Release,
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


def run_for(*, submission: Submission) -> GradingRun | None:
    """The grading that stands for ``submission``: by the current suite if it has one
    (graded or on its way), else its latest graded one."""
    runs = list(submission.runs.all())
    release = submission.assignment.current_release
    if release is not None:
        for run in runs:
            if run.suite_sha256 == release.suite_sha256 and run.status != GradingStatus.SUPERSEDED:
                return run
    graded = [run for run in runs if run.status == GradingStatus.GRADED]
    return max(graded, key=lambda run: run.queued_at) if graded else (runs[0] if runs else None)


@dataclass(frozen=True)
class Feedback:
    """What a student may see of a grading (``visible`` False: held by the staff)."""

    visible: bool
    status: str
    score: Decimal | None
    points_total: Decimal | None
    checks: list[CheckResult]
    hidden_passed: int
    hidden_total: int
    hidden: list[CheckResult]  # empty unless the staff show hidden tests' names
    comments: list[CellComment]
    adjustment: Decimal
    adjustment_reason: str


def feedback_visible(assignment: Assignment) -> bool:
    return not assignment.hold_feedback or assignment.feedback_released_at is not None


def final_score(run: GradingRun, submission: Submission) -> Decimal | None:
    """Points after the late penalty and the staff's adjustment (never below zero)."""
    if run.points_earned is None:
        return None
    assignment = submission.assignment
    after_penalty = late_penalty(
        score=run.points_earned,
        days_late=submission.days_late,
        late_policy=assignment.late_policy,
        percent=assignment.late_penalty_percent,
    )
    return max(Decimal(0), after_penalty + submission.adjustment)


def feedback_for_student(*, submission: Submission, run: GradingRun | None) -> Feedback:
    """The student's view of ``run`` (the submission's :func:`run_for`): hidden tests
    only as a count (and names, if the staff allow), never their messages."""
    assignment = submission.assignment
    visible = feedback_visible(assignment)
    status = run.status if run is not None else "not graded"
    if run is None or not visible or run.status != GradingStatus.GRADED:
        return Feedback(visible, status, None, None, [], 0, 0, [], [], Decimal(0), "")
    results = list(run.results.all())
    hidden = [result for result in results if result.kind == "hidden"]
    return Feedback(
        visible=True,
        status=status,
        score=final_score(run, submission),
        points_total=run.points_total,
        checks=[result for result in results if result.kind == "check"],
        hidden_passed=sum(1 for result in hidden if result.passed),
        hidden_total=len(hidden),
        hidden=hidden if assignment.show_hidden_names else [],
        comments=list(submission.comments.all()),
        adjustment=submission.adjustment,
        adjustment_reason=submission.adjustment_reason,
    )


@dataclass(frozen=True)
class GradebookCell:
    assignment: Assignment
    submission: Submission | None
    run: GradingRun | None
    score: Decimal | None


@dataclass(frozen=True)
class GradebookRow:
    student: User
    cells: list[GradebookCell]


def gradebook(*, course: Course) -> tuple[list[Assignment], list[GradebookRow]]:
    """Students x assignments: the counting submission of each, its grading and score."""
    assignments = list(
        Assignment.objects.filter(course=course).select_related("current_release", "course")
    )
    students = [
        membership.user
        for membership in Membership.objects.filter(course=course, role=CourseRole.STUDENT)
        .select_related("user")
        .order_by("user__email")
    ]
    counting = {
        assignment.pk: {s.student_id: s for s in counting_submissions(assignment=assignment)}
        for assignment in assignments
    }
    rows = []
    for student in students:
        cells = []
        for assignment in assignments:
            submission = counting[assignment.pk].get(student.pk)
            run = run_for(submission=submission) if submission is not None else None
            score = final_score(run, submission) if run and submission else None
            cells.append(GradebookCell(assignment, submission, run, score))
        rows.append(GradebookRow(student, cells))
    return assignments, rows


def submission_get(*, assignment: Assignment, public_id: str) -> Submission | None:
    return (
        Submission.objects.filter(assignment=assignment, public_id=public_id)
        .select_related("student", "assignment__current_release", "assignment__course")
        .first()
    )


def release_student_text(*, release: Release) -> str:
    return blob_get(key=release.student_key).decode("utf-8")
