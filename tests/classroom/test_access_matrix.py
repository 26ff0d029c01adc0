"""Every role x every action, through the pages and the API: the classroom's permission matrix.

The expected table is written out here, independently of ``classroom.access``: a
change to the rules must change this file too. Each case does the action for real
(through the page or the API) and reports what the person got: ``allowed`` (it
happened), ``denied`` (403 with the reason), ``not found`` (404, as for a course
that does not exist) or ``sign in`` (the log-in page, or 401 from the API).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from classroom import services
from classroom.access import ROLE_ACTIONS, CourseAction, course_access
from classroom.models import (
    Assignment,
    CellComment,
    Course,
    CourseRole,
    Membership,
    Submission,
)
from tests.classroom.conftest import World
from tests.factories import client_for, notebook_make, post_json

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_storage(settings: Settings, tmp_path: Path) -> Iterator[None]:
    """Files in a folder, as `make run` keeps them: this is about who may do what, and
    the S3 server's round trips would make up most of the time of these 200 cases."""
    settings.STORAGES = {
        **settings.STORAGES,
        "notebooks": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "storage"},
        },
    }
    caches["revisions"].clear()
    yield
    caches["revisions"].clear()

ROLES = ("owner", "instructor", "ta", "student", "auditor", "stranger", "anonymous")
MEMBER_ROLES = ROLES[:5]

# action -> the roles it is allowed to (the rest of the members are refused).
EXPECTED: dict[CourseAction, set[str]] = {
    CourseAction.VIEW: {"owner", "instructor", "ta", "student", "auditor"},
    CourseAction.EDIT: {"owner", "instructor"},
    CourseAction.DELETE: {"owner"},
    CourseAction.ROSTER_VIEW: {"owner", "instructor", "ta"},
    CourseAction.ROSTER_MANAGE: {"owner", "instructor"},
    CourseAction.SEE_UNRELEASED: {"owner", "instructor", "ta"},
    CourseAction.AUTHOR: {"owner", "instructor"},
    CourseAction.WORK: {"student", "auditor"},
    CourseAction.SUBMIT: {"student"},
    CourseAction.GRADEBOOK: {"owner", "instructor", "ta"},
    CourseAction.GRADE: {"owner", "instructor", "ta"},
    CourseAction.RELEASE_FEEDBACK: {"owner", "instructor"},
    CourseAction.EXPORT: {"owner", "instructor", "ta"},
}


def test_the_table_is_the_access_modules() -> None:
    assert set(EXPECTED) == set(CourseAction)
    for action, allowed in EXPECTED.items():
        assert {role for role in MEMBER_ROLES if action in ROLE_ACTIONS[role]} == allowed, action


@pytest.mark.parametrize("role", MEMBER_ROLES)
def test_course_access_reports_each_members_role(world: World, role: str) -> None:
    access = course_access(user=world.of(role), course=world.course)
    assert access.role == role
    assert {action for action in CourseAction if access.allows(action)} == {
        action for action, roles in EXPECTED.items() if role in roles
    }


@dataclass
class Scene:
    world: World
    draft: Assignment
    client: Client
    role: str

    @property
    def course(self) -> Course:
        return self.world.course

    def page(self, name: str, **kwargs: str) -> str:
        return reverse(f"classroom:{name}", kwargs={"course_id": self.course.public_id, **kwargs})

    def assignment_page(self, name: str, assignment: Assignment | None = None) -> str:
        return self.page(name, assignment_id=(assignment or self.world.assignment).public_id)

    def submission_page(self, name: str) -> str:
        submission = Submission.objects.get(assignment=self.world.assignment, number=1)
        return self.page(
            name, assignment_id=self.world.assignment.public_id, submission_id=submission.public_id
        )

    def api(self, tail: str = "") -> str:
        return f"/api/courses/{self.course.public_id}{tail}"


def _page_outcome(response, did_it: Callable[[], bool]) -> str:
    if response.status_code == 302 and reverse("account_login") in response["Location"]:
        return "sign in"
    if response.status_code == 404:
        return "not found"
    if response.status_code == 403:
        return "denied"
    assert response.status_code in (200, 302), response.status_code
    return "allowed" if did_it() else "no effect"


def _api_outcome(response, did_it: Callable[[], bool]) -> str:
    if response.status_code == 401:
        return "sign in"
    if response.status_code == 404:
        assert response.json()["code"] == "not_found"
        return "not found"
    if response.status_code == 403:
        assert response.json()["code"] == "forbidden"
        return "denied"
    assert response.status_code in (200, 201), (response.status_code, response.content)
    return "allowed" if did_it() else "no effect"


def _title_is(scene: Scene, title: str) -> Callable[[], bool]:
    return lambda: Course.objects.get(pk=scene.course.pk).title == title


def _has_release(assignment: Assignment, number: int) -> Callable[[], bool]:
    return lambda: assignment.releases.filter(number=number).exists()


def _submissions(scene: Scene) -> Callable[[], bool]:
    return lambda: Submission.objects.filter(assignment=scene.world.assignment).count() == 2


def _someone_elses(scene: Scene, response) -> bool:
    me = scene.world.of(scene.role).email
    return any(item["student_email"] != me for item in response.json())


CASES: dict[str, tuple[CourseAction, Callable[[Scene], str]]] = {
    "page: course": (
        CourseAction.VIEW,
        lambda s: _page_outcome(
            r := s.client.get(s.page("course")), lambda: s.course.title in r.content.decode()
        ),
    ),
    "api: course": (
        CourseAction.VIEW,
        lambda s: _api_outcome(
            r := s.client.get(s.api()), lambda: r.json()["title"] == s.course.title
        ),
    ),
    "page: released assignment": (
        CourseAction.VIEW,
        lambda s: _page_outcome(
            r := s.client.get(s.assignment_page("assignment")), lambda: b"Sums" in r.content
        ),
    ),
    "page: course settings": (
        CourseAction.EDIT,
        lambda s: _page_outcome(
            s.client.post(s.page("course-settings"), {"title": "Renamed", "join_open": "on"}),
            _title_is(s, "Renamed"),
        ),
    ),
    "page: delete course": (
        CourseAction.DELETE,
        lambda s: _page_outcome(
            s.client.post(s.page("course-delete"), {"confirm_title": "Data 101"}),
            lambda: not Course.objects.filter(pk=s.course.pk).exists(),
        ),
    ),
    "page: roster": (
        CourseAction.ROSTER_VIEW,
        lambda s: _page_outcome(
            r := s.client.get(s.page("roster")), lambda: b"student@school.example" in r.content
        ),
    ),
    "api: roster": (
        CourseAction.ROSTER_VIEW,
        lambda s: _api_outcome(r := s.client.get(s.api("/roster")), lambda: len(r.json()) == 5),
    ),
    "page: roster import": (
        CourseAction.ROSTER_MANAGE,
        lambda s: _page_outcome(
            s.client.post(s.page("roster-import"), {"csv": "new@school.example"}),
            lambda: s.course.invites.filter(email="new@school.example").exists(),
        ),
    ),
    "api: roster import": (
        CourseAction.ROSTER_MANAGE,
        lambda s: _api_outcome(
            post_json(s.client, s.api("/roster"), {"csv": "new@school.example"}),
            lambda: s.course.invites.filter(email="new@school.example").exists(),
        ),
    ),
    "page: draft assignment": (
        CourseAction.SEE_UNRELEASED,
        lambda s: _page_outcome(
            r := s.client.get(s.assignment_page("assignment", s.draft)),
            lambda: b"Not released" in r.content,
        ),
    ),
    "api: assignments with the draft": (
        CourseAction.SEE_UNRELEASED,
        lambda s: _api_outcome(
            r := s.client.get(s.api("/assignments")),
            lambda: s.draft.public_id in [item["id"] for item in r.json()],
        ),
    ),
    "page: what students get": (
        CourseAction.SEE_UNRELEASED,
        lambda s: _page_outcome(
            r := s.client.get(s.assignment_page("student-version")),
            lambda: b"Your code here" in r.content and b"solution_secret" not in r.content,
        ),
    ),
    "page: release": (
        CourseAction.AUTHOR,
        lambda s: _page_outcome(
            s.client.post(s.assignment_page("assignment-release")),
            _has_release(s.world.assignment, 2),
        ),
    ),
    "api: release": (
        CourseAction.AUTHOR,
        lambda s: _api_outcome(
            post_json(s.client, s.api(f"/assignments/{s.world.assignment.public_id}/release")),
            _has_release(s.world.assignment, 2),
        ),
    ),
    "page: new assignment": (
        CourseAction.AUTHOR,
        lambda s: _page_outcome(
            s.client.post(
                s.page("assignment-create"),
                {
                    "title": "Made",
                    "notebook": notebook_make(
                        s.world.owner if s.role == "anonymous" else s.world.of(s.role)
                    ).public_id,
                    "due_at": "2031-01-01T10:00",
                    "tz": "Europe/Paris",
                },
            ),
            lambda: s.course.assignments.filter(title="Made").exists(),
        ),
    ),
    "page: extension": (
        CourseAction.AUTHOR,
        lambda s: _page_outcome(
            s.client.post(
                s.assignment_page("extension-set"),
                {"student": str(s.world.student.pk), "due_at": "2031-01-01T10:00"},
            ),
            lambda: s.world.assignment.extensions.exists(),
        ),
    ),
    "page: open my copy": (
        CourseAction.WORK,
        lambda s: _page_outcome(
            s.client.post(s.assignment_page("work-open")),
            lambda: s.world.assignment.works.filter(student=s.world.of(s.role)).exists(),
        ),
    ),
    "api: open my copy": (
        CourseAction.WORK,
        lambda s: _api_outcome(
            post_json(s.client, s.api(f"/assignments/{s.world.assignment.public_id}/copy")),
            lambda: s.world.assignment.works.filter(student=s.world.of(s.role)).exists(),
        ),
    ),
    "page: submit": (
        CourseAction.SUBMIT,
        lambda s: _page_outcome(s.client.post(s.assignment_page("submit")), _submissions(s)),
    ),
    "api: submit": (
        CourseAction.SUBMIT,
        lambda s: _api_outcome(
            post_json(s.client, s.api(f"/assignments/{s.world.assignment.public_id}/submissions")),
            _submissions(s),
        ),
    ),
    "page: gradebook": (
        CourseAction.GRADEBOOK,
        lambda s: _page_outcome(
            r := s.client.get(s.page("gradebook")), lambda: b"student@school.example" in r.content
        ),
    ),
    "page: a student's submission": (
        CourseAction.GRADEBOOK,
        lambda s: _page_outcome(
            r := s.client.get(s.submission_page("submission")),
            lambda: b"submission 1" in r.content,
        ),
    ),
    "page: comment on a cell": (
        CourseAction.GRADE,
        lambda s: _page_outcome(
            s.client.post(s.submission_page("comment-add"), {"cell": "answer", "text": "Nice"}),
            lambda: CellComment.objects.filter(text="Nice").exists(),
        ),
    ),
    "page: adjust points": (
        CourseAction.GRADE,
        lambda s: _page_outcome(
            s.client.post(s.submission_page("adjustment"), {"points": "1.5", "reason": "style"}),
            lambda: Submission.objects.filter(adjustment=Decimal("1.5")).exists(),
        ),
    ),
    "page: release feedback": (
        CourseAction.RELEASE_FEEDBACK,
        lambda s: _page_outcome(
            s.client.post(s.assignment_page("feedback"), {"release": "1"}),
            lambda: (
                Assignment.objects.get(pk=s.world.assignment.pk).feedback_released_at is not None
            ),
        ),
    ),
    "page: feedback settings": (
        CourseAction.RELEASE_FEEDBACK,
        lambda s: _page_outcome(
            s.client.post(s.assignment_page("feedback"), {"hold_feedback": "on"}),
            lambda: Assignment.objects.get(pk=s.world.assignment.pk).hold_feedback,
        ),
    ),
    "page: export grades": (
        CourseAction.EXPORT,
        lambda s: _page_outcome(
            r := s.client.get(s.assignment_page("grades-csv")),
            lambda: r.content.startswith(b"email,name,submission"),
        ),
    ),
    "api: everyone's submissions": (
        CourseAction.GRADEBOOK,
        lambda s: _api_outcome(
            r := s.client.get(s.api(f"/assignments/{s.world.assignment.public_id}/submissions")),
            lambda: _someone_elses(s, r),
        ),
    ),
}


def _expected(action: CourseAction, role: str, case: str) -> str:
    if role == "anonymous":
        return "sign in"
    if role == "stranger":
        return "not found"
    if role in EXPECTED[action]:
        return "allowed"
    if "draft" in case:
        # Students and auditors do not learn that a draft exists: its page is "not
        # found", the list leaves it out.
        return "not found" if case.startswith("page") else "no effect"
    if case == "api: everyone's submissions" and role in EXPECTED[CourseAction.WORK]:
        return "no effect"  # they get their own submissions only
    return "denied"


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_table_says(world: World, role: str, case: str) -> None:
    draft = services.assignment_create(
        course=world.course,
        source=notebook_make(world.owner),
        title="Draft",
        dates=services.Dates(due_at=timezone.now() + timedelta(days=30)),
    )
    # The student has handed in once, so "submit" makes the second submission.
    services.work_open(assignment=world.assignment, student=world.student)
    services.submission_create(assignment=world.assignment, student=world.student)
    person = None if role == "anonymous" else world.of(role)
    scene = Scene(world=world, draft=draft, client=client_for(person), role=role)
    action, run = CASES[case]
    assert run(scene) == _expected(action, role, case)


def test_a_removed_member_is_a_stranger_again(world: World) -> None:
    Membership.objects.filter(course=world.course, user=world.student).delete()
    response = client_for(world.student).get(
        reverse("classroom:course", kwargs={"course_id": world.course.public_id})
    )
    assert response.status_code == 404
    assert Membership.objects.filter(course=world.course, role=CourseRole.OWNER).exists()
