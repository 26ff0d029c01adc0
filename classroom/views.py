"""Pages of the classroom: my courses, joining, a course, its roster, an assignment.

Every page resolves the course and the visitor's role through ``classroom.access``
(:func:`course_view`): someone who is not a member gets the same 404 as for a course
that does not exist; a member whose role lacks the action gets 403 with the reason.
Dates are sent as UTC in ``<time datetime>`` and shown in the visitor's own time
zone by ``classroom.js``; date fields are read in the time zone the form sends.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, Concatenate, ParamSpec
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts.auth import SignedInRequest
from classroom import exports, grading, selectors, services
from classroom.access import (
    CourseAccess,
    CourseAction,
    CourseActionDenied,
    CourseNotFound,
    assignment_visible_check,
    course_access,
)
from classroom.errors import AssignmentInvalid
from classroom.models import Assignment, CourseRole, LatePolicy, Submission
from classroom.review import notebook_cells_for_review
from notebooks.errors import NotebookError
from notebooks.models import Notebook
from notebooks.selectors import notebook_get, notebook_list_for_user
from sharing.access import Action, notebook_access

P = ParamSpec("P")
CourseView = Callable[Concatenate[SignedInRequest, CourseAccess, P], HttpResponse]


def course_view(
    action: CourseAction,
) -> Callable[[CourseView[P]], Callable[..., HttpResponse]]:
    """Give the view the visitor's access to the URL's course, once ``action`` is allowed."""

    def decorate(
        view: CourseView[P],
    ) -> Callable[..., HttpResponse]:
        # Django passes the URL's course_id by keyword: the view is (request, course_id=...).
        def with_access(
            request: SignedInRequest, course_id: str, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponse:
            course = selectors.course_get(public_id=course_id)
            try:
                if course is None:
                    raise CourseNotFound
                access = course_access(user=request.user, course=course)
                access.require(action)
                return view(request, access, *args, **kwargs)
            except CourseNotFound:
                raise Http404(CourseNotFound.message) from None
            except CourseActionDenied as denied:
                return render(request, "403.html", {"message": denied.message}, status=403)
            except NotebookError as error:
                return render(
                    request, "problem.html", {"message": error.message}, status=error.status
                )

        functools.update_wrapper(with_access, view)
        return login_required(with_access)

    return decorate


@contextlib.contextmanager
def _refusal_shown(request: HttpRequest) -> Iterator[None]:
    """Around a form's service call (and the success message after it): a refusal
    becomes the error message the next page shows, and the rest of the block is skipped."""
    try:
        yield
    except NotebookError as error:
        messages.error(request, error.message)


def _assignment(access: CourseAccess, assignment_id: str) -> Assignment:
    assignment = selectors.assignment_get(course=access.course, public_id=assignment_id)
    if assignment is None:
        raise CourseNotFound
    assignment_visible_check(access, assignment)
    return assignment


def _when(request: SignedInRequest, name: str, *, required: bool) -> datetime | None:
    """A ``datetime-local`` field, read in the time zone the form sent (``tz``)."""
    raw = request.POST.get(name, "").strip()
    if not raw:
        if required:
            raise AssignmentInvalid(f"Fill in the {name.replace('_', ' ')}.")
        return None
    try:
        zone = ZoneInfo(request.POST.get("tz", "") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise AssignmentInvalid(f"{raw!r} is not a date and time.") from None
    return value if value.tzinfo else value.replace(tzinfo=zone)


def _dates(request: SignedInRequest) -> services.Dates:
    due_at = _when(request, "due_at", required=True)
    assert due_at is not None
    try:
        penalty = int(request.POST.get("late_penalty_percent", "0") or 0)
    except ValueError:
        raise AssignmentInvalid("The late penalty is a whole percentage.") from None
    return services.Dates(
        due_at=due_at,
        opens_at=_when(request, "opens_at", required=False),
        late_policy=request.POST.get("late_policy", LatePolicy.REFUSE),
        late_until=_when(request, "late_until", required=False),
        late_penalty_percent=penalty,
    )


# --- my courses, joining ---------------------------------------------------------


@require_safe
@login_required
def course_list(request: SignedInRequest) -> HttpResponse:
    for membership in services.invites_accept(user=request.user):
        messages.success(
            request, f"You joined {membership.course.title}: your teacher invited you."
        )
    return render(
        request,
        "classroom/course_list.html",
        {"memberships": selectors.memberships_for_user(user=request.user)},
    )


@require_POST
@login_required
def course_create(request: SignedInRequest) -> HttpResponse:
    try:
        course = services.course_create(owner=request.user, title=request.POST.get("title", ""))
    except NotebookError as error:
        messages.error(request, error.message)
        return redirect("classroom:courses")
    return redirect("classroom:course", course_id=course.public_id)


def _join(request: SignedInRequest, code: str) -> HttpResponse:
    try:
        membership = services.course_join(user=request.user, code=code)
    except NotebookError as error:
        messages.error(request, error.message)
        return redirect("classroom:courses")
    return redirect("classroom:course", course_id=membership.course.public_id)


@require_POST
@login_required
def course_join(request: SignedInRequest) -> HttpResponse:
    return _join(request, request.POST.get("code", ""))


@login_required
def join_link(request: SignedInRequest, code: str) -> HttpResponse:
    """The invite link: a page with a Join button (a GET never changes anything)."""
    if request.method == "POST":
        return _join(request, code)
    course = selectors.course_by_code(code=code)
    return render(request, "classroom/join.html", {"course": course, "code": code})


# --- a course ------------------------------------------------------------------------


@require_safe
@course_view(CourseAction.VIEW)
def course_page(request: SignedInRequest, access: CourseAccess) -> HttpResponse:
    return render(
        request,
        "classroom/course.html",
        {
            "access": access,
            "course": access.course,
            "assignments": selectors.assignments_for(access=access),
            "join_url": request.build_absolute_uri(
                reverse("classroom:join-link", kwargs={"code": access.course.join_code})
            ),
            "my_notebooks": notebook_list_for_user(user=request.user)[:200]
            if access.allows(CourseAction.AUTHOR)
            else [],
            "late_policies": LatePolicy.choices,
        },
    )


@require_POST
@course_view(CourseAction.EDIT)
def course_settings(request: SignedInRequest, access: CourseAccess) -> HttpResponse:
    if request.POST.get("reset_code"):
        services.join_code_reset(course=access.course)
        messages.success(request, "The course has a new join code; the old one no longer works.")
    else:
        services.course_update(
            course=access.course,
            title=request.POST.get("title", access.course.title),
            join_open=request.POST.get("join_open") == "on",
        )
        messages.success(request, "Course settings saved.")
    return redirect("classroom:course", course_id=access.course.public_id)


@require_POST
@course_view(CourseAction.DELETE)
def course_delete(request: SignedInRequest, access: CourseAccess) -> HttpResponse:
    if request.POST.get("confirm_title", "").strip() != access.course.title:
        messages.error(request, "Type the course's title to confirm deleting it.")
        return redirect("classroom:course", course_id=access.course.public_id)
    services.course_delete(course=access.course)
    messages.success(request, "The course was deleted. Students keep their own notebooks.")
    return redirect("classroom:courses")


# --- the roster ----------------------------------------------------------------------


@require_safe
@course_view(CourseAction.ROSTER_VIEW)
def roster_page(request: SignedInRequest, access: CourseAccess) -> HttpResponse:
    return render(
        request,
        "classroom/roster.html",
        {
            "access": access,
            "course": access.course,
            "members": selectors.roster(course=access.course),
            "invites": selectors.invites(course=access.course),
            "roles": CourseRole.choices,
            "can_manage": access.allows(CourseAction.ROSTER_MANAGE),
        },
    )


@require_POST
@course_view(CourseAction.ROSTER_MANAGE)
def roster_import(request: SignedInRequest, access: CourseAccess) -> HttpResponse:
    upload = request.FILES.get("file")
    text = (
        upload.read().decode("utf-8", errors="replace") if upload else request.POST.get("csv", "")
    )
    with _refusal_shown(request):
        result = services.roster_import(course=access.course, csv_text=text, actor_role=access.role)
        messages.success(
            request,
            f"Roster imported: {len(result.added)} added, {len(result.changed)} changed, "
            f"{len(result.invited)} invited (no account yet), {len(result.unchanged)} unchanged.",
        )
    return redirect("classroom:roster", course_id=access.course.public_id)


@require_POST
@course_view(CourseAction.ROSTER_MANAGE)
def member_role(request: SignedInRequest, access: CourseAccess, user_id: int) -> HttpResponse:
    with _refusal_shown(request):
        services.member_role_set(
            course=access.course,
            actor_role=access.role,
            user_id=user_id,
            role=request.POST.get("role", ""),
        )
    return redirect("classroom:roster", course_id=access.course.public_id)


@require_POST
@course_view(CourseAction.ROSTER_MANAGE)
def member_remove(request: SignedInRequest, access: CourseAccess, user_id: int) -> HttpResponse:
    with _refusal_shown(request):
        services.member_remove(course=access.course, actor_role=access.role, user_id=user_id)
    return redirect("classroom:roster", course_id=access.course.public_id)


# --- assignments ---------------------------------------------------------------------


def _source_notebook(request: SignedInRequest) -> Notebook:
    notebook = notebook_get(public_id=request.POST.get("notebook", ""))
    if notebook is None or not notebook_access(user=request.user, notebook=notebook).allows(
        Action.WRITE
    ):
        raise AssignmentInvalid("Pick one of your notebooks as the assignment's source.")
    return notebook


@require_POST
@course_view(CourseAction.AUTHOR)
def assignment_create(request: SignedInRequest, access: CourseAccess) -> HttpResponse:
    try:
        assignment = services.assignment_create(
            course=access.course,
            source=_source_notebook(request),
            title=request.POST.get("title", ""),
            dates=_dates(request),
        )
    except NotebookError as error:
        messages.error(request, error.message)
        return redirect("classroom:course", course_id=access.course.public_id)
    return _to_assignment(assignment)


def _to_assignment(assignment: Assignment) -> HttpResponse:
    return redirect(
        "classroom:assignment",
        course_id=assignment.course.public_id,
        assignment_id=assignment.public_id,
    )


@require_safe
@course_view(CourseAction.VIEW)
def assignment_page(
    request: SignedInRequest, access: CourseAccess, assignment_id: str
) -> HttpResponse:
    assignment = _assignment(access, assignment_id)
    context: dict[str, Any] = {"access": access, "course": access.course, "assignment": assignment}
    if access.allows(CourseAction.WORK):
        window = selectors.student_window(assignment=assignment, student=request.user)
        context.update(
            window=window,
            open_now=window.is_open(timezone.now()),
            work=selectors.work_get(assignment=assignment, student=request.user),
            submissions=selectors.submissions_of(assignment=assignment, student=request.user),
            counting=selectors.submission_counting(assignment=assignment, student=request.user),
            can_submit=access.allows(CourseAction.SUBMIT),
            feedback=[
                (
                    submission,
                    selectors.feedback_for_student(
                        submission=submission, run=selectors.run_for(submission=submission)
                    ),
                )
                for submission in selectors.submissions_of(
                    assignment=assignment, student=request.user
                )[:20]
            ],
            grading_off=not grading.enabled(),
        )
    if access.allows(CourseAction.SEE_UNRELEASED):
        context.update(
            staff=True,
            extensions=selectors.extensions(assignment=assignment),
            students=[
                m.user
                for m in selectors.roster(course=access.course)
                if m.role == CourseRole.STUDENT
            ],
            late_policies=LatePolicy.choices,
            can_author=access.allows(CourseAction.AUTHOR),
            can_release_feedback=access.allows(CourseAction.RELEASE_FEEDBACK),
            can_export=access.allows(CourseAction.EXPORT),
            submissions_count=assignment.submissions.count(),
        )
    return render(request, "classroom/assignment.html", context)


@require_POST
@course_view(CourseAction.AUTHOR)
def assignment_release(
    request: SignedInRequest, access: CourseAccess, assignment_id: str
) -> HttpResponse:
    assignment = _assignment(access, assignment_id)
    with _refusal_shown(request):
        release = services.assignment_release(assignment=assignment, actor=request.user)
        messages.success(
            request,
            f"Release {release.number} made: {release.tests_count} graded tests "
            f"({release.hidden_count} hidden), {release.points_total} points.",
        )
    return _to_assignment(assignment)


@require_POST
@course_view(CourseAction.AUTHOR)
def assignment_dates(
    request: SignedInRequest, access: CourseAccess, assignment_id: str
) -> HttpResponse:
    assignment = _assignment(access, assignment_id)
    with _refusal_shown(request):
        services.assignment_dates_set(assignment=assignment, dates=_dates(request))
        messages.success(request, "Dates saved.")
    return _to_assignment(assignment)


@require_POST
@course_view(CourseAction.AUTHOR)
def extension_set(
    request: SignedInRequest, access: CourseAccess, assignment_id: str
) -> HttpResponse:
    assignment = _assignment(access, assignment_id)
    student = User.objects.filter(pk=request.POST.get("student") or 0).first()
    with _refusal_shown(request):
        if student is None:
            raise AssignmentInvalid("Pick a student.")
        due_at = _when(request, "due_at", required=True)
        assert due_at is not None
        services.extension_set(assignment=assignment, student=student, due_at=due_at)
        messages.success(request, "Extension saved.")
    return _to_assignment(assignment)


@require_POST
@course_view(CourseAction.AUTHOR)
def extension_remove(
    request: SignedInRequest, access: CourseAccess, assignment_id: str, user_id: int
) -> HttpResponse:
    assignment = _assignment(access, assignment_id)
    services.extension_remove(assignment=assignment, student_id=user_id)
    return _to_assignment(assignment)


@require_POST
@course_view(CourseAction.WORK)
def work_open(request: SignedInRequest, access: CourseAccess, assignment_id: str) -> HttpResponse:
    assignment = _assignment(access, assignment_id)
    try:
        work = services.work_open(assignment=assignment, student=request.user)
    except NotebookError as error:
        messages.error(request, error.message)
        return _to_assignment(assignment)
    assert work.notebook is not None
    return redirect("notebooks:editor", public_id=work.notebook.public_id)


@require_POST
@course_view(CourseAction.SUBMIT)
def submit(request: SignedInRequest, access: CourseAccess, assignment_id: str) -> HttpResponse:
    assignment = _assignment(access, assignment_id)
    with _refusal_shown(request):
        submission = services.submission_create(assignment=assignment, student=request.user)
        messages.success(
            request,
            f"Submission {submission.number} handed in"
            + (
                f" ({submission.days_late} day{'s' if submission.days_late != 1 else ''} late)."
                if submission.late
                else "."
            ),
        )
    return _to_assignment(assignment)


# --- grading ---------------------------------------------------------------------


@require_safe
@course_view(CourseAction.GRADEBOOK)
def gradebook(request: SignedInRequest, access: CourseAccess) -> HttpResponse:
    assignments, rows = selectors.gradebook(course=access.course)
    return render(
        request,
        "classroom/gradebook.html",
        {"access": access, "course": access.course, "assignments": assignments, "rows": rows},
    )


def _submission(access: CourseAccess, assignment: Assignment, submission_id: str) -> Submission:
    submission = selectors.submission_get(assignment=assignment, public_id=submission_id)
    if submission is None:
        raise CourseNotFound
    return submission


@require_safe
@course_view(CourseAction.GRADEBOOK)
def submission_page(
    request: SignedInRequest, access: CourseAccess, assignment_id: str, submission_id: str
) -> HttpResponse:
    assignment = _assignment(access, assignment_id)
    submission = _submission(access, assignment, submission_id)
    run = selectors.run_for(submission=submission)
    cells = notebook_cells_for_review(selectors.submission_text(submission=submission))
    comments = list(submission.comments.select_related("author"))
    ran = {item["cell"]: item for item in (run.cell_report if run else []) if "cell" in item}
    return render(
        request,
        "classroom/submission.html",
        {
            "access": access,
            "course": access.course,
            "assignment": assignment,
            "submission": submission,
            "run": run,
            "results": list(run.results.all()) if run else [],
            "score": selectors.final_score(run, submission) if run else None,
            "cells": [
                (cell, ran.get(cell.label, {}), [c for c in comments if c.cell == cell.label])
                for cell in cells
            ],
            "others": selectors.submissions_of(assignment=assignment, student=submission.student),
            "counting": selectors.submission_counting(
                assignment=assignment, student=submission.student
            ),
            "can_grade": access.allows(CourseAction.GRADE),
        },
    )


def _to_submission(submission: Submission) -> HttpResponse:
    return redirect(
        "classroom:submission",
        course_id=submission.assignment.course.public_id,
        assignment_id=submission.assignment.public_id,
        submission_id=submission.public_id,
    )


@require_POST
@course_view(CourseAction.GRADE)
def comment_add(
    request: SignedInRequest, access: CourseAccess, assignment_id: str, submission_id: str
) -> HttpResponse:
    submission = _submission(access, _assignment(access, assignment_id), submission_id)
    with _refusal_shown(request):
        services.comment_add(
            submission=submission,
            cell=request.POST.get("cell", ""),
            author=request.user,
            text=request.POST.get("text", ""),
        )
    return _to_submission(submission)


@require_POST
@course_view(CourseAction.GRADE)
def adjustment_set(
    request: SignedInRequest, access: CourseAccess, assignment_id: str, submission_id: str
) -> HttpResponse:
    submission = _submission(access, _assignment(access, assignment_id), submission_id)
    with _refusal_shown(request):
        services.adjustment_set(
            submission=submission,
            points=request.POST.get("points", "0"),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, "Adjustment saved.")
    return _to_submission(submission)


@require_POST
@course_view(CourseAction.GRADE)
def submission_choose(
    request: SignedInRequest, access: CourseAccess, assignment_id: str, submission_id: str
) -> HttpResponse:
    assignment = _assignment(access, assignment_id)
    submission = _submission(access, assignment, submission_id)
    work = selectors.work_get(assignment=assignment, student=submission.student)
    if work is not None:
        services.submission_choose(
            work=work, submission=None if request.POST.get("latest") else submission
        )
        grading.grading_request(submission=submission)
        messages.success(request, "The submission that counts was changed.")
    return _to_submission(submission)


@require_POST
@course_view(CourseAction.RELEASE_FEEDBACK)
def feedback_settings(
    request: SignedInRequest, access: CourseAccess, assignment_id: str
) -> HttpResponse:
    assignment = _assignment(access, assignment_id)
    if request.POST.get("release"):
        services.feedback_release(assignment=assignment)
        messages.success(request, "Feedback released: students see their results now.")
    else:
        services.feedback_settings_set(
            assignment=assignment,
            hold_feedback=request.POST.get("hold_feedback") == "on",
            show_hidden_names=request.POST.get("show_hidden_names") == "on",
        )
        messages.success(request, "Feedback settings saved.")
    return _to_assignment(assignment)


@require_POST
@course_view(CourseAction.RELEASE_FEEDBACK)
def regrade_all(request: SignedInRequest, access: CourseAccess, assignment_id: str) -> HttpResponse:
    assignment = _assignment(access, assignment_id)
    count = grading.regrade_all(assignment=assignment)
    messages.success(
        request,
        f"{count} submission{'s' if count != 1 else ''} queued for grading"
        + ("." if grading.enabled() else f". {grading.OFF}"),
    )
    return _to_assignment(assignment)


@require_safe
@course_view(CourseAction.EXPORT)
def grades_csv(request: SignedInRequest, access: CourseAccess, assignment_id: str) -> HttpResponse:
    assignment = _assignment(access, assignment_id)
    response = HttpResponse(
        exports.grades_csv(assignment=assignment), content_type="text/csv; charset=utf-8"
    )
    name = "".join(c if c.isalnum() else "-" for c in assignment.title)[:60] or "grades"
    response["Content-Disposition"] = f'attachment; filename="{name}-grades.csv"'
    return response


@require_safe
@course_view(CourseAction.SEE_UNRELEASED)
def student_version(
    request: SignedInRequest, access: CourseAccess, assignment_id: str
) -> HttpResponse:
    """What students get from the current release, for the staff to check before they do."""
    assignment = _assignment(access, assignment_id)
    release = assignment.current_release
    if release is None:
        raise CourseNotFound
    text = selectors.release_student_text(release=release)
    return render(
        request,
        "classroom/student_version.html",
        {
            "course": access.course,
            "assignment": assignment,
            "release": release,
            "cells": notebook_cells_for_review(text),
        },
    )
