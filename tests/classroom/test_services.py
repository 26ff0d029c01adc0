"""Courses, rosters, releases, personal copies and submissions, through the services."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from classroom import selectors, services
from classroom.authoring import SOLUTION_STUB, GradingSuite
from classroom.errors import (
    AssignmentInvalid,
    JoinRefused,
    NotReleased,
    RoleChangeDenied,
    RosterInvalid,
    SubmissionClosed,
)
from classroom.models import CourseRole, LatePolicy, Membership, RosterInvite, Submission
from notebooks import services as notebook_services
from notebooks.errors import StorageFailed
from notebooks.selectors import revision_text
from storage.blobs import blob_get
from tests.classroom.conftest import HIDDEN_SECRET, PUBLIC_CHECK, SOLUTION_SECRET, World
from tests.django_fixtures import own_storage
from tests.factories import client_for, code, notebook_text, user_make
from tests.stoppable_s3 import StoppableS3

pytestmark = pytest.mark.django_db


def _role(world: World, email: str) -> str | None:
    return (
        Membership.objects.filter(course=world.course, user__email=email)
        .values_list("role", flat=True)
        .first()
    )


# --- joining ----------------------------------------------------------------------


def test_a_student_joins_by_code_typed_loosely(world: World) -> None:
    newcomer = user_make()
    code_typed = " ".join(world.course.join_code.lower())  # spaces, lower case
    membership = services.course_join(user=newcomer, code=code_typed)
    assert (membership.course, membership.role) == (world.course, CourseRole.STUDENT)


def test_joining_again_keeps_a_members_role(world: World) -> None:
    membership = services.course_join(user=world.ta, code=world.course.join_code)
    assert membership.role == CourseRole.TA


def test_a_closed_course_or_an_old_code_refuses_joining(world: World) -> None:
    old = world.course.join_code
    services.join_code_reset(course=world.course)
    with pytest.raises(JoinRefused):
        services.course_join(user=user_make(), code=old)
    services.course_update(course=world.course, join_open=False)
    with pytest.raises(JoinRefused):
        services.course_join(user=user_make(), code=world.course.join_code)


def test_an_unknown_or_empty_code_is_refused(world: World) -> None:
    for typed in ("", "   ", "NOPE234567"):
        with pytest.raises(JoinRefused, match="No course takes this code"):
            services.course_join(user=user_make(), code=typed)


# --- rosters ------------------------------------------------------------------------


def test_a_roster_adds_accounts_and_invites_the_others(world: World) -> None:
    known = user_make("known@school.example")
    result = services.roster_import(
        course=world.course,
        csv_text="Email,Role\nknown@school.example,ta\nNew.Person@School.example,\n"
        "student@school.example,student\n",
        actor_role=CourseRole.INSTRUCTOR,
    )
    assert (result.added, result.invited, result.unchanged) == (
        ["known@school.example"],
        ["new.person@school.example"],
        ["student@school.example"],
    )
    assert _role(world, known.email) == CourseRole.TA
    invite = RosterInvite.objects.get(course=world.course)
    assert (invite.email, invite.role) == ("new.person@school.example", CourseRole.STUDENT)

    # The invited person signs up with that address, verifies it, and is in the course.
    arrived = user_make("new.person@school.example")
    joined = services.invites_accept(user=arrived)
    assert [(m.course, m.role) for m in joined] == [(world.course, CourseRole.STUDENT)]
    assert not RosterInvite.objects.exists()


def test_an_unverified_address_does_not_take_an_invite(world: World) -> None:
    services.roster_import(course=world.course, csv_text="late@school.example", actor_role="owner")
    squatter = user_make("late@school.example", verified=False)
    assert services.invites_accept(user=squatter) == []
    assert RosterInvite.objects.filter(email="late@school.example").exists()


def test_one_bad_line_imports_nothing_and_every_bad_line_is_named(world: World) -> None:
    with pytest.raises(RosterInvalid) as refused:
        services.roster_import(
            course=world.course,
            csv_text="a@school.example\nnot-an-address,student\nb@school.example,wizard\na@school.example",
            actor_role=CourseRole.OWNER,
        )
    assert refused.value.message == (
        "Nothing was imported. Fix these lines and import again: "
        "line 2: 'not-an-address' is not an e-mail address; "
        "line 3: unknown role 'wizard' (use student, auditor, ta, instructor or owner); "
        "line 4: a@school.example is listed twice."
    )
    assert not RosterInvite.objects.exists()
    assert Membership.objects.filter(course=world.course).count() == 5


def test_only_the_owner_makes_instructors_through_a_roster(world: World) -> None:
    with pytest.raises(RoleChangeDenied):
        services.roster_import(
            course=world.course,
            csv_text="x@school.example,instructor",
            actor_role=CourseRole.INSTRUCTOR,
        )
    services.roster_import(
        course=world.course, csv_text="x@school.example,instructor", actor_role="owner"
    )
    assert RosterInvite.objects.get(email="x@school.example").role == CourseRole.INSTRUCTOR


def test_a_roster_never_demotes_the_owner(world: World) -> None:
    result = services.roster_import(
        course=world.course, csv_text="owner@school.example,student", actor_role=CourseRole.OWNER
    )
    assert result.unchanged == ["owner@school.example"]
    assert _role(world, "owner@school.example") == CourseRole.OWNER


def test_role_changes_keep_an_owner_and_owner_only_powers(world: World) -> None:
    with pytest.raises(RoleChangeDenied, match="needs an owner"):
        services.member_role_set(
            course=world.course, actor_role="owner", user_id=world.owner.pk, role=CourseRole.STUDENT
        )
    with pytest.raises(RoleChangeDenied, match="needs an owner"):
        services.member_remove(course=world.course, actor_role="owner", user_id=world.owner.pk)
    with pytest.raises(RoleChangeDenied):
        services.member_role_set(
            course=world.course,
            actor_role="instructor",
            user_id=world.ta.pk,
            role=CourseRole.INSTRUCTOR,
        )
    with pytest.raises(RoleChangeDenied):
        services.member_remove(course=world.course, actor_role="instructor", user_id=world.owner.pk)
    services.member_role_set(
        course=world.course, actor_role="instructor", user_id=world.ta.pk, role=CourseRole.STUDENT
    )
    assert _role(world, world.ta.email) == CourseRole.STUDENT
    services.member_role_set(
        course=world.course, actor_role="owner", user_id=world.instructor.pk, role=CourseRole.OWNER
    )
    services.member_remove(course=world.course, actor_role="owner", user_id=world.owner.pk)
    assert _role(world, world.owner.email) is None


# --- releases ------------------------------------------------------------------------


def test_release_freezes_a_student_version_without_solutions_or_hidden_tests(world: World) -> None:
    release = world.assignment.current_release
    assert release is not None
    student_text = blob_get(key=release.student_key).decode()
    assert SOLUTION_SECRET not in student_text
    assert HIDDEN_SECRET not in student_text
    assert PUBLIC_CHECK in student_text
    assert SOLUTION_STUB.split("\n")[0] in student_text
    suite = GradingSuite.from_json(blob_get(key=release.suite_key).decode())
    assert [t.name for t in suite.tests] == ["total_is_int", "total_right"]
    assert (release.points_total, release.tests_count, release.hidden_count) == (Decimal(3), 2, 1)
    assert release.suite_sha256 == suite.sha256


def test_a_new_release_leaves_copies_already_made(world: World) -> None:
    work = services.work_open(assignment=world.assignment, student=world.student)
    first_copy = revision_text(revision=work.notebook.current_revision)
    source = world.assignment.source
    notebook_services.revision_create(
        notebook=source,
        content=notebook_text(code("data = [4]", "data"), code("# check again\nassert data", "c")),
        author=world.owner,
        base_revision=None,
    )
    second = services.assignment_release(assignment=world.assignment, actor=world.owner)
    assert second.number == 2
    again = services.work_open(assignment=world.assignment, student=world.student)
    assert again.notebook == work.notebook
    assert revision_text(revision=again.notebook.current_revision) == first_copy
    newcomer_copy = services.work_open(assignment=world.assignment, student=world.auditor)
    assert "data = [4]" in revision_text(revision=newcomer_copy.notebook.current_revision)


def test_a_release_with_bad_marks_is_refused_and_the_last_release_stays(world: World) -> None:
    before = world.assignment.current_release
    notebook_services.revision_create(
        notebook=world.assignment.source,
        content=notebook_text(code("# BEGIN SOLUTION\nx = 1", "broken")),
        author=world.owner,
        base_revision=None,
    )
    with pytest.raises(AssignmentInvalid, match="BEGIN SOLUTION is never ended"):
        services.assignment_release(assignment=world.assignment, actor=world.owner)
    world.assignment.refresh_from_db()
    assert world.assignment.current_release == before


def test_dates_are_checked(world: World) -> None:
    now = timezone.now()
    for dates, message in (
        (services.Dates(due_at=now, opens_at=now), "open before it is due"),
        (services.Dates(due_at=now, late_policy=LatePolicy.ACCEPT), "late deadline after"),
        (
            services.Dates(
                due_at=now, late_policy=LatePolicy.PENALTY, late_until=now - timedelta(1)
            ),
            "late deadline after",
        ),
        (services.Dates(due_at=now, late_penalty_percent=101), "from 0 to 100"),
        (services.Dates(due_at=now, late_policy="whenever"), "Unknown late policy"),
    ):
        with pytest.raises(AssignmentInvalid, match=message):
            services.assignment_dates_set(assignment=world.assignment, dates=dates)


# --- copies and submissions ---------------------------------------------------------------


def test_a_students_copy_is_their_own_notebook_with_the_student_version(world: World) -> None:
    work = services.work_open(assignment=world.assignment, student=world.student)
    assert work.notebook.owner == world.student
    text = revision_text(revision=work.notebook.current_revision)
    assert text == blob_get(key=world.assignment.current_release.student_key).decode()
    assert services.work_open(assignment=world.assignment, student=world.student).pk == work.pk


def test_a_trashed_copy_comes_back_and_a_purged_one_is_made_anew(world: World) -> None:
    work = services.work_open(assignment=world.assignment, student=world.student)
    notebook_services.notebook_trash(notebook=work.notebook)
    again = services.work_open(assignment=world.assignment, student=world.student)
    assert again.notebook.pk == work.notebook.pk and not again.notebook.is_trashed
    notebook_services.notebook_purge(notebook=again.notebook)
    fresh = services.work_open(assignment=world.assignment, student=world.student)
    assert fresh.notebook is not None and fresh.notebook.pk != work.notebook.pk


def _save(world: World, work, text: str) -> None:
    notebook_services.revision_create(
        notebook=work.notebook, content=text, author=world.student, base_revision=None
    )


def test_a_submission_is_a_snapshot_later_edits_do_not_change(world: World) -> None:
    work = services.work_open(assignment=world.assignment, student=world.student)
    _save(world, work, notebook_text(code("total = 6", "answer")))
    first = services.submission_create(assignment=world.assignment, student=world.student)
    _save(world, work, notebook_text(code("total = 7", "answer")))
    second = services.submission_create(assignment=world.assignment, student=world.student)
    assert (first.number, second.number) == (1, 2)
    assert "total = 6" in selectors.submission_text(submission=first)
    assert "total = 7" in selectors.submission_text(submission=second)
    assert not first.late
    counting = selectors.submission_counting(assignment=world.assignment, student=world.student)
    assert (counting.submission, counting.chosen_by_staff) == (second, False)
    services.submission_choose(
        work=selectors.work_get(assignment=world.assignment, student=world.student),
        submission=first,
    )
    counting = selectors.submission_counting(assignment=world.assignment, student=world.student)
    assert (counting.submission, counting.chosen_by_staff) == (first, True)


def test_submitting_before_opening_is_refused(world: World) -> None:
    with pytest.raises(NotReleased, match="Open the assignment first"):
        services.submission_create(assignment=world.assignment, student=world.student)


def test_deadlines_late_windows_and_extensions(world: World) -> None:
    due = world.assignment.due_at
    services.work_open(assignment=world.assignment, student=world.student)
    with pytest.raises(SubmissionClosed, match="closed at"):
        services.submission_create(
            assignment=world.assignment, student=world.student, now=due + timedelta(seconds=1)
        )
    on_time = services.submission_create(
        assignment=world.assignment, student=world.student, now=due
    )
    assert (on_time.late, on_time.days_late) == (False, 0)

    services.assignment_dates_set(
        assignment=world.assignment,
        dates=services.Dates(
            due_at=due, late_policy=LatePolicy.ACCEPT, late_until=due + timedelta(days=2)
        ),
    )
    late = services.submission_create(
        assignment=world.assignment, student=world.student, now=due + timedelta(days=1, minutes=1)
    )
    assert (late.late, late.days_late) == (True, 2)
    with pytest.raises(SubmissionClosed):
        services.submission_create(
            assignment=world.assignment,
            student=world.student,
            now=due + timedelta(days=2, seconds=1),
        )

    # An extension of three days moves the due date and the late deadline with it.
    services.extension_set(
        assignment=world.assignment, student=world.student, due_at=due + timedelta(days=3)
    )
    window = selectors.student_window(assignment=world.assignment, student=world.student)
    assert (window.due_at, window.closes_at) == (due + timedelta(days=3), due + timedelta(days=5))
    extended = services.submission_create(
        assignment=world.assignment, student=world.student, now=due + timedelta(days=3)
    )
    assert not extended.late
    with pytest.raises(AssignmentInvalid, match="later than the assignment's"):
        services.extension_set(assignment=world.assignment, student=world.student, due_at=due)


@pytest.fixture
def storage(settings: Settings) -> Iterator[StoppableS3]:
    """The notebooks' storage on an S3 server of this test's own, which it can stop."""
    with own_storage(settings, bucket="classroom-outage", prefix="c") as s3:
        yield s3


def test_a_submission_while_storage_is_down_saves_nothing(
    storage: StoppableS3, world: World
) -> None:
    work = services.work_open(assignment=world.assignment, student=world.student)
    _save(world, work, notebook_text(code("total = 6", "answer")))
    storage.stop()
    with pytest.raises(StorageFailed, match="nothing was submitted"):
        services.submission_create(assignment=world.assignment, student=world.student)
    assert not Submission.objects.exists()
    # Through the page: the student is told, on the assignment page.
    page = reverse(
        "classroom:assignment",
        kwargs={"course_id": world.course.public_id, "assignment_id": world.assignment.public_id},
    )
    answer = client_for(world.student).post(page + "submit", follow=True)
    assert answer.status_code == 200
    assert "nothing was submitted and your notebook is unchanged" in answer.content.decode()
    assert not Submission.objects.exists()
    storage.start()
    made = services.submission_create(assignment=world.assignment, student=world.student)
    assert made.number == 1
    assert "total = 6" in selectors.submission_text(submission=made)
