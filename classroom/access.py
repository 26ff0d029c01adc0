"""Who may do what in a course: the one module every classroom page and API endpoint asks.

| action | owner | instructor | TA | student | auditor |
| --- | --- | --- | --- | --- | --- |
| view the course and its open assignments | yes | yes | yes | yes | yes |
| edit the course (title, joining, join code) | yes | yes | | | |
| delete the course | yes | | | | |
| see the roster | yes | yes | yes | | |
| manage the roster (import, roles, remove) | yes | yes | | | |
| see assignments before they open | yes | yes | yes | | |
| author assignments (create, dates, release, extensions) | yes | yes | | | |
| open a personal copy of an assignment | | | | yes | yes |
| submit | | | | yes | |
| see every student's submissions and grades | yes | yes | yes | | |
| grade (adjust points, comment) | yes | yes | yes | | |
| release held feedback, regrade | yes | yes | | | |
| export grades (CSV) | yes | yes | yes | | |

On top of the table: only the owner gives or takes the owner and instructor roles
(services.member_role_set), and a course keeps at least one owner. Someone who is
not a member (or not signed in) gets the same "not found" as for a course that does
not exist, so course ids cannot be probed; a student asking for an assignment that
is not open yet gets "not found" too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from classroom.models import Assignment, Course, CourseRole, Membership

Visitor = User | AnonymousUser


class CourseAction(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    DELETE = "delete"
    ROSTER_VIEW = "roster_view"
    ROSTER_MANAGE = "roster_manage"
    SEE_UNRELEASED = "see_unreleased"
    AUTHOR = "author"
    WORK = "work"
    SUBMIT = "submit"
    GRADEBOOK = "gradebook"
    GRADE = "grade"
    RELEASE_FEEDBACK = "release_feedback"
    EXPORT = "export"


_STAFF_READ = {
    CourseAction.VIEW,
    CourseAction.ROSTER_VIEW,
    CourseAction.SEE_UNRELEASED,
    CourseAction.GRADEBOOK,
    CourseAction.GRADE,
    CourseAction.EXPORT,
}
_TEACHER = _STAFF_READ | {
    CourseAction.EDIT,
    CourseAction.ROSTER_MANAGE,
    CourseAction.AUTHOR,
    CourseAction.RELEASE_FEEDBACK,
}
ROLE_ACTIONS: dict[str, frozenset[CourseAction]] = {
    CourseRole.OWNER: frozenset(_TEACHER | {CourseAction.DELETE}),
    CourseRole.INSTRUCTOR: frozenset(_TEACHER),
    CourseRole.TA: frozenset(_STAFF_READ),
    CourseRole.STUDENT: frozenset({CourseAction.VIEW, CourseAction.WORK, CourseAction.SUBMIT}),
    CourseRole.AUDITOR: frozenset({CourseAction.VIEW, CourseAction.WORK}),
}
STAFF_ROLES = frozenset({CourseRole.OWNER, CourseRole.INSTRUCTOR, CourseRole.TA})

_DENIED = {
    CourseAction.EDIT: "Only the course's owners and instructors can change its settings.",
    CourseAction.DELETE: "Only the course's owner can delete it.",
    CourseAction.ROSTER_VIEW: "Only the course staff can see the roster.",
    CourseAction.ROSTER_MANAGE: "Only the course's owners and instructors can change the roster.",
    CourseAction.SEE_UNRELEASED: "Only the course staff can see assignments before they open.",
    CourseAction.AUTHOR: "Only the course's owners and instructors can author assignments.",
    CourseAction.WORK: "Assignments are worked on by the course's students.",
    CourseAction.SUBMIT: "Only the course's students can submit (auditors cannot).",
    CourseAction.GRADEBOOK: "Only the course staff can see other students' work and grades.",
    CourseAction.GRADE: "Only the course staff can grade.",
    CourseAction.RELEASE_FEEDBACK: "Only the course's owners and instructors can release feedback.",
    CourseAction.EXPORT: "Only the course staff can export grades.",
}


class CourseNotFound(Exception):
    """No such course (or assignment), or one this person may not see: the two look alike."""

    message = "There is no such course, or you are not a member of it."


class CourseActionDenied(Exception):
    """A member asked for something their role does not allow."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CourseAccess:
    course: Course
    role: str

    def allows(self, action: CourseAction) -> bool:
        return action in ROLE_ACTIONS[self.role]

    def require(self, action: CourseAction) -> None:
        if not self.allows(action):
            raise CourseActionDenied(_DENIED[action])

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


def course_access(*, user: Visitor, course: Course) -> CourseAccess:
    """The visitor's role in ``course``; ``CourseNotFound`` when they have none."""
    if not user.is_authenticated:
        raise CourseNotFound
    role = (
        Membership.objects.filter(course=course, user_id=user.pk)
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        raise CourseNotFound
    return CourseAccess(course=course, role=role)


def assignment_is_open(assignment: Assignment, *, now: datetime | None = None) -> bool:
    """Released, and its opening time (if any) has come."""
    if assignment.current_release_id is None:
        return False
    now = now or timezone.now()
    return assignment.opens_at is None or assignment.opens_at <= now


def assignment_visible_check(access: CourseAccess, assignment: Assignment) -> None:
    """``CourseNotFound`` for a student or auditor asking for an assignment not open yet."""
    if not access.allows(CourseAction.SEE_UNRELEASED) and not assignment_is_open(assignment):
        raise CourseNotFound
