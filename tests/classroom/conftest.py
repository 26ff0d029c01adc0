"""Fixtures of the classroom tests: a course with one member of each role, and an
assignment whose solution and hidden test hold text no student may ever receive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import AbstractUser
from django.utils import timezone

from classroom import services
from classroom.models import Assignment, Course, CourseRole, Membership
from tests.django_fixtures import bucket, fresh_cache  # noqa: F401
from tests.factories import code, markdown, notebook_make, user_make
from tests.service.conftest import fake_dist  # noqa: F401

# Text that exists only in the teacher's solution and hidden test.
SOLUTION_SECRET = "solution_secret_9f3 = sum(data)"
HIDDEN_SECRET = "hidden_secret_c4e1"
PUBLIC_CHECK = "assert isinstance(total, int), 'total should be a whole number'"


def assignment_cells() -> list:
    return [
        markdown("# Sums\nAdd up `data` into `total`."),
        code("data = [1, 2, 3]", "data"),
        code(f"# solution\n{SOLUTION_SECRET}\ntotal = solution_secret_9f3", "answer"),
        code(f"# check total_is_int points=1\n{PUBLIC_CHECK}", "public"),
        code(f"# hidden test total_right points=2\nassert total == 6, '{HIDDEN_SECRET}'", "hidden"),
    ]


@dataclass
class World:
    course: Course
    assignment: Assignment
    owner: AbstractUser
    instructor: AbstractUser
    ta: AbstractUser
    student: AbstractUser
    auditor: AbstractUser
    stranger: AbstractUser

    def of(self, role: str) -> AbstractUser:
        return getattr(self, role)


@pytest.fixture
def world(db: None) -> World:
    owner = user_make("owner@school.example")
    course = services.course_create(owner=owner, title="Data 101")
    people = {}
    for role in (CourseRole.INSTRUCTOR, CourseRole.TA, CourseRole.STUDENT, CourseRole.AUDITOR):
        people[role] = user_make(f"{role}@school.example")
        Membership.objects.create(course=course, user=people[role], role=role)
    source = notebook_make(owner, title="Sums (teacher)", cells=assignment_cells())
    assignment = services.assignment_create(
        course=course,
        source=source,
        title="Sums",
        dates=services.Dates(due_at=timezone.now() + timedelta(days=7)),
    )
    services.assignment_release(assignment=assignment, actor=owner)
    return World(
        course=course,
        assignment=assignment,
        owner=owner,
        instructor=people[CourseRole.INSTRUCTOR],
        ta=people[CourseRole.TA],
        student=people[CourseRole.STUDENT],
        auditor=people[CourseRole.AUDITOR],
        stranger=user_make("stranger@elsewhere.example"),
    )
