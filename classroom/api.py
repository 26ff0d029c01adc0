"""API endpoints for courses and assignments (mounted at /api/courses by playground.api).

Each endpoint that names a course asks ``classroom.access`` first (:func:`_access`),
before it reads any body: a non-member gets 404 as for a course that does not exist,
a member whose role lacks the action 403. Bodies that only some roles may send (a
roster) are read after that check, so a student learns nothing from a body's errors.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from ninja import Field, Router, Schema, Status

import notebooks.converters  # noqa: F401  (registers {urlsafe:...})
from accounts.auth import SIGNED_IN, SignedInRequest
from classroom import selectors, services
from classroom.access import (
    CourseAccess,
    CourseAction,
    CourseNotFound,
    assignment_visible_check,
    course_access,
)
from classroom.errors import RosterInvalid
from classroom.models import Assignment, Course, Submission
from notebooks.api import ErrorOut, errors

router = Router(tags=["courses"], auth=SIGNED_IN)


def _access(request: SignedInRequest, course_id: str, action: CourseAction) -> CourseAccess:
    course = selectors.course_get(public_id=course_id)
    if course is None:
        raise CourseNotFound
    access = course_access(user=request.user, course=course)
    access.require(action)
    return access


def _assignment(access: CourseAccess, assignment_id: str) -> Assignment:
    assignment = selectors.assignment_get(course=access.course, public_id=assignment_id)
    if assignment is None:
        raise CourseNotFound
    assignment_visible_check(access, assignment)
    return assignment


class CourseOut(Schema):
    id: str
    title: str
    role: str = Field(description="The caller's role: owner, instructor, ta, student or auditor.")
    join_code: str | None = Field(description="Only for the course staff.")
    join_open: bool

    @staticmethod
    def of(course: Course, role: str, *, staff: bool) -> CourseOut:
        return CourseOut(
            id=course.public_id,
            title=course.title,
            role=role,
            join_code=course.join_code if staff else None,
            join_open=course.join_open,
        )


class CourseIn(Schema):
    title: str = Field(max_length=1000)


class JoinIn(Schema):
    code: str = Field(max_length=100)


class MemberOut(Schema):
    user_id: int
    email: str
    name: str
    role: str


class RosterIn(Schema):
    csv: str = Field(description="Lines of email[,role], with an optional header line.")


class RosterImportOut(Schema):
    added: list[str]
    changed: list[str]
    invited: list[str]
    unchanged: list[str]


class AssignmentOut(Schema):
    id: str
    title: str
    opens_at: datetime | None
    due_at: datetime
    late_policy: str
    late_until: datetime | None
    released: bool
    points_total: Decimal | None

    @staticmethod
    def of(assignment: Assignment) -> AssignmentOut:
        release = assignment.current_release
        return AssignmentOut(
            id=assignment.public_id,
            title=assignment.title,
            opens_at=assignment.opens_at,
            due_at=assignment.due_at,
            late_policy=assignment.late_policy,
            late_until=assignment.late_until,
            released=release is not None,
            points_total=release.points_total if release else None,
        )


class ReleaseOut(Schema):
    number: int
    tests_count: int
    hidden_count: int
    points_total: Decimal


class CopyOut(Schema):
    notebook_id: str = Field(description="The student's own notebook: /api/notebooks/{id}.")


class SubmissionOut(Schema):
    id: str
    number: int
    student_email: str
    submitted_at: datetime
    late: bool
    days_late: int
    sha256: str
    grading_status: str = Field(
        description="not graded, queued, grading, graded, error (not gradable) or superseded."
    )
    score: Decimal | None = Field(
        description="After the late penalty and adjustments; null until graded, and for "
        "students while the staff hold the feedback."
    )
    hidden_passed: int | None = Field(description="Hidden checks passed (a count only).")
    hidden_total: int | None

    @staticmethod
    def of(submission: Submission, *, staff: bool) -> SubmissionOut:
        run = selectors.run_for(submission=submission)
        feedback = selectors.feedback_for_student(submission=submission, run=run)
        shown = staff or feedback.visible
        score = selectors.final_score(run, submission) if run is not None and shown else None
        return SubmissionOut(
            id=submission.public_id,
            number=submission.number,
            student_email=submission.student.email,
            submitted_at=submission.submitted_at,
            late=submission.late,
            days_late=submission.days_late,
            sha256=submission.sha256,
            grading_status=run.status if run is not None else "not graded",
            score=score,
            hidden_passed=feedback.hidden_passed if feedback.hidden_total else None,
            hidden_total=feedback.hidden_total or None,
        )


@router.get("", response={200: list[CourseOut], **errors()}, summary="Your courses")
def course_list(request: SignedInRequest) -> list[CourseOut]:
    services.invites_accept(user=request.user)
    return [
        CourseOut.of(m.course, m.role, staff=m.role in ("owner", "instructor", "ta"))
        for m in selectors.memberships_for_user(user=request.user)
    ]


@router.post("", response={201: CourseOut, **errors()}, summary="Create a course")
def course_create(request: SignedInRequest, body: CourseIn) -> Status[CourseOut]:
    course = services.course_create(owner=request.user, title=body.title)
    return Status(201, CourseOut.of(course, "owner", staff=True))


@router.post("/join", response={200: CourseOut, **errors()}, summary="Join a course by its code")
def course_join(request: SignedInRequest, body: JoinIn) -> CourseOut:
    membership = services.course_join(user=request.user, code=body.code)
    return CourseOut.of(
        membership.course, membership.role, staff=membership.role in ("owner", "instructor", "ta")
    )


@router.get("/{urlsafe:course_id}", response={200: CourseOut, **errors()}, summary="A course")
def course_get(request: SignedInRequest, course_id: str) -> CourseOut:
    access = _access(request, course_id, CourseAction.VIEW)
    return CourseOut.of(access.course, access.role, staff=access.is_staff)


@router.get(
    "/{urlsafe:course_id}/roster", response={200: list[MemberOut], **errors()}, summary="The roster"
)
def roster(request: SignedInRequest, course_id: str) -> list[MemberOut]:
    access = _access(request, course_id, CourseAction.ROSTER_VIEW)
    return [
        MemberOut(user_id=m.user_id, email=m.user.email, name=m.user.first_name, role=m.role)
        for m in selectors.roster(course=access.course)
    ]


@router.post(
    "/{urlsafe:course_id}/roster",
    response={200: RosterImportOut, **errors()},
    summary="Import a roster (CSV)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": RosterIn.model_json_schema()}},
        }
    },
)
def roster_import(request: SignedInRequest, course_id: str) -> RosterImportOut:
    access = _access(request, course_id, CourseAction.ROSTER_MANAGE)
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("csv"), str):
        raise RosterInvalid('Send {"csv": "<the roster as CSV text>"}.')
    result = services.roster_import(
        course=access.course, csv_text=body["csv"], actor_role=access.role
    )
    return RosterImportOut(
        added=result.added,
        changed=result.changed,
        invited=result.invited,
        unchanged=result.unchanged,
    )


@router.get(
    "/{urlsafe:course_id}/assignments",
    response={200: list[AssignmentOut], **errors()},
    summary="The course's assignments (students: the open ones)",
)
def assignment_list(request: SignedInRequest, course_id: str) -> list[AssignmentOut]:
    access = _access(request, course_id, CourseAction.VIEW)
    return [AssignmentOut.of(a) for a in selectors.assignments_for(access=access)]


@router.post(
    "/{urlsafe:course_id}/assignments/{urlsafe:assignment_id}/release",
    response={201: ReleaseOut, **errors(409)},
    summary="Release the assignment from its notebook",
)
def assignment_release(
    request: SignedInRequest, course_id: str, assignment_id: str
) -> Status[ReleaseOut]:
    access = _access(request, course_id, CourseAction.AUTHOR)
    release = services.assignment_release(
        assignment=_assignment(access, assignment_id), actor=request.user
    )
    return Status(
        201,
        ReleaseOut(
            number=release.number,
            tests_count=release.tests_count,
            hidden_count=release.hidden_count,
            points_total=release.points_total,
        ),
    )


@router.post(
    "/{urlsafe:course_id}/assignments/{urlsafe:assignment_id}/copy",
    response={200: CopyOut, **errors(409)},
    summary="Your personal copy of the assignment (made the first time)",
)
def work_open(request: SignedInRequest, course_id: str, assignment_id: str) -> CopyOut:
    access = _access(request, course_id, CourseAction.WORK)
    work = services.work_open(assignment=_assignment(access, assignment_id), student=request.user)
    assert work.notebook is not None
    return CopyOut(notebook_id=work.notebook.public_id)


@router.post(
    "/{urlsafe:course_id}/assignments/{urlsafe:assignment_id}/submissions",
    response={201: SubmissionOut, **errors(409)},
    summary="Submit your copy as it is saved now",
)
def submit(request: SignedInRequest, course_id: str, assignment_id: str) -> Status[SubmissionOut]:
    access = _access(request, course_id, CourseAction.SUBMIT)
    submission = services.submission_create(
        assignment=_assignment(access, assignment_id), student=request.user
    )
    return Status(201, SubmissionOut.of(submission, staff=False))


@router.get(
    "/{urlsafe:course_id}/assignments/{urlsafe:assignment_id}/submissions",
    response={200: list[SubmissionOut], **errors()},
    summary="Submissions: your own, or everyone's for the course staff",
)
def submission_list(
    request: SignedInRequest, course_id: str, assignment_id: str
) -> list[SubmissionOut]:
    access = _access(request, course_id, CourseAction.VIEW)
    assignment = _assignment(access, assignment_id)
    if access.allows(CourseAction.GRADEBOOK):
        submissions = Submission.objects.filter(assignment=assignment).select_related("student")
    else:
        access.require(CourseAction.WORK)
        submissions = selectors.submissions_of(
            assignment=assignment, student=request.user
        ).select_related("student")
    staff = access.allows(CourseAction.GRADEBOOK)
    return [SubmissionOut.of(s, staff=staff) for s in submissions]


__all__ = ["ErrorOut", "router"]
