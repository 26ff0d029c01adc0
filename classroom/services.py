"""Writes in the classroom: courses, rosters, assignments and releases, copies, submissions.

Callers (pages, the API) have already asked ``classroom.access`` whether the person
may do this; the services check what the data itself forbids (the last owner
leaving, a submission after the deadline, an assignment with no tests).

Storage follows the notebooks' promise: objects are written under new keys first,
rows are added in one transaction after; if that fails, the new objects are removed
and nothing changed. A student therefore either has a submission or an error
message, never half of one.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from classroom import grading, selectors
from classroom.authoring import AuthoringError, assignment_split
from classroom.errors import (
    AssignmentInvalid,
    JoinRefused,
    NotReleased,
    RoleChangeDenied,
    RosterInvalid,
    SubmissionClosed,
)
from classroom.models import (
    COURSE_TITLE_MAX,
    Assignment,
    CellComment,
    Course,
    CourseRole,
    Extension,
    LatePolicy,
    Membership,
    Release,
    RosterInvite,
    StudentWork,
    Submission,
    join_code_new,
)
from kernels.runtime.formats import dumps_notebook
from notebooks import selectors as notebook_selectors
from notebooks import services as notebook_services
from notebooks.content import notebook_text_parse
from notebooks.errors import StorageFailed
from notebooks.models import Notebook
from storage.blobs import (
    StorageUnavailable,
    blob_delete,
    blob_get,
    blob_key_new,
    blob_put,
    sha256_hex,
)

#: The most lines one roster import takes (a large lecture, with room to spare).
ROSTER_MAX_LINES = 5000
_ROLE_WORDS = {
    "owner": CourseRole.OWNER,
    "instructor": CourseRole.INSTRUCTOR,
    "teacher": CourseRole.INSTRUCTOR,
    "ta": CourseRole.TA,
    "teaching assistant": CourseRole.TA,
    "student": CourseRole.STUDENT,
    "auditor": CourseRole.AUDITOR,
}
# Only an owner gives, or takes away, these roles.
_OWNER_GRANTED = frozenset({CourseRole.OWNER, CourseRole.INSTRUCTOR})


def _title_clean(title: str, *, what: str) -> str:
    cleaned = " ".join(title.replace("\x00", "").split())
    if not cleaned:
        raise AssignmentInvalid(f"Give the {what} a title.")
    if len(cleaned) > COURSE_TITLE_MAX:
        raise AssignmentInvalid(
            f"This title is {len(cleaned):,} characters long; a {what} title may have at most "
            f"{COURSE_TITLE_MAX}."
        )
    return cleaned


# --- courses and rosters -----------------------------------------------------


def course_create(*, owner: User, title: str) -> Course:
    """A new course with ``owner`` as its owner."""
    with transaction.atomic():
        course = Course.objects.create(title=_title_clean(title, what="course"))
        Membership.objects.create(course=course, user=owner, role=CourseRole.OWNER)
    return course


def course_update(
    *, course: Course, title: str | None = None, join_open: bool | None = None
) -> Course:
    if title is not None:
        course.title = _title_clean(title, what="course")
    if join_open is not None:
        course.join_open = join_open
    course.save(update_fields=["title", "join_open"])
    return course


def join_code_reset(*, course: Course) -> Course:
    """A new join code: the old code and invite links stop working at once."""
    course.join_code = join_code_new()
    course.save(update_fields=["join_code"])
    return course


def course_delete(*, course: Course) -> None:
    course.delete()


def course_join(*, user: User, code: str) -> Membership:
    """Join by code (or invite link) as a student; a member joining again keeps their role."""
    course = selectors.course_by_code(code=code)
    if course is None:
        raise JoinRefused(
            "No course takes this code: check it with your teacher (codes are 10 letters "
            "and digits; a course may have closed joining or made a new code)."
        )
    membership, _ = Membership.objects.get_or_create(
        course=course, user=user, defaults={"role": CourseRole.STUDENT}
    )
    return membership


@dataclass
class RosterImport:
    added: list[str] = field(default_factory=list)  # e-mails of accounts now members
    changed: list[str] = field(default_factory=list)  # members whose role changed
    invited: list[str] = field(default_factory=list)  # no account yet: invited
    unchanged: list[str] = field(default_factory=list)


def _roster_rows(text: str) -> list[tuple[int, str, str]]:
    """(line number, e-mail, role) of each line, or ``RosterInvalid`` naming every bad line."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    problems: list[str] = []
    parsed: list[tuple[int, str, str]] = []
    email_column, role_column, start = 0, 1, 0
    if rows and rows[0]:
        header = [cell.strip().lower() for cell in rows[0]]
        if "email" in header or "e-mail" in header:
            email_column = header.index("email") if "email" in header else header.index("e-mail")
            role_column = header.index("role") if "role" in header else -1
            start = 1
    if len(rows) - start > ROSTER_MAX_LINES:
        raise RosterInvalid(
            f"This roster has {len(rows) - start:,} lines; "
            f"import at most {ROSTER_MAX_LINES:,} at a time."
        )
    seen: set[str] = set()
    for number, row in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue
        email = row[email_column].strip().lower() if len(row) > email_column else ""
        role_word = (
            row[role_column].strip().lower() if role_column >= 0 and len(row) > role_column else ""
        )
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"line {number}: {email or '(empty)'!r} is not an e-mail address")
            continue
        role = _ROLE_WORDS.get(role_word or "student")
        if role is None:
            problems.append(
                f"line {number}: unknown role {role_word!r} "
                "(use student, auditor, ta, instructor or owner)"
            )
            continue
        if email in seen:
            problems.append(f"line {number}: {email} is listed twice")
            continue
        seen.add(email)
        parsed.append((number, email, role))
    if problems:
        raise RosterInvalid(
            "Nothing was imported. Fix these lines and import again: " + "; ".join(problems) + ".",
            problems=problems,
        )
    return parsed


def roster_import(*, course: Course, csv_text: str, actor_role: str) -> RosterImport:
    """Add or update members from CSV (``email[,role]`` with an optional header line).

    Addresses with an account (verified, or the account's own) become members at once;
    the others are invited and join when they sign in with that address verified. Every
    line is checked first: one bad line imports nothing.
    """
    rows = _roster_rows(csv_text)
    if actor_role != CourseRole.OWNER and any(role in _OWNER_GRANTED for _, _, role in rows):
        raise RoleChangeDenied("Only the course's owner can make owners and instructors.")
    result = RosterImport()
    with transaction.atomic():
        for _, email, role in rows:
            user = _account_of(email)
            if user is None:
                RosterInvite.objects.update_or_create(
                    course=course, email=email, defaults={"role": role}
                )
                result.invited.append(email)
                continue
            membership, created = Membership.objects.get_or_create(
                course=course, user=user, defaults={"role": role}
            )
            if created:
                result.added.append(email)
            elif membership.role == role:
                result.unchanged.append(email)
            elif membership.role == CourseRole.OWNER or (
                membership.role in _OWNER_GRANTED and actor_role != CourseRole.OWNER
            ):
                result.unchanged.append(email)  # a roster never demotes an owner
            else:
                membership.role = role
                membership.save(update_fields=["role"])
                result.changed.append(email)
    return result


def _account_of(email: str) -> User | None:
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .select_related("user")
        .first()
    )
    if address is not None:
        user: User = address.user
        return user
    return User.objects.filter(email__iexact=email).first()


def invites_accept(*, user: User) -> list[Membership]:
    """Memberships for the invites of ``user``'s verified addresses (then the invites go)."""
    emails = [
        address.lower()
        for address in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    ]
    if not emails:
        return []
    joined: list[Membership] = []
    with transaction.atomic():
        for invite in RosterInvite.objects.select_for_update().filter(email__in=emails):
            membership, _ = Membership.objects.get_or_create(
                course_id=invite.course_id, user=user, defaults={"role": invite.role}
            )
            joined.append(membership)
            invite.delete()
    return joined


def member_role_set(*, course: Course, actor_role: str, user_id: int, role: str) -> Membership:
    """Change a member's role; owners and instructors are made and unmade by owners only."""
    if role not in CourseRole.values:
        raise RosterInvalid(f"Unknown role {role!r}.")
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().filter(course=course, user_id=user_id).first()
        )
        if membership is None:
            raise RosterInvalid("This person is not a member of the course.")
        if actor_role != CourseRole.OWNER and (
            role in _OWNER_GRANTED or membership.role in _OWNER_GRANTED
        ):
            raise RoleChangeDenied(
                "Only the course's owner can make or unmake owners and instructors."
            )
        if membership.role == CourseRole.OWNER and role != CourseRole.OWNER:
            _other_owner_check(course, user_id)
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def member_remove(*, course: Course, actor_role: str, user_id: int) -> None:
    """Take someone off the roster (their submissions and grades are kept)."""
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().filter(course=course, user_id=user_id).first()
        )
        if membership is None:
            return
        if membership.role in _OWNER_GRANTED and actor_role != CourseRole.OWNER:
            raise RoleChangeDenied("Only the course's owner can remove owners and instructors.")
        if membership.role == CourseRole.OWNER:
            _other_owner_check(course, user_id)
        membership.delete()


def _other_owner_check(course: Course, user_id: int) -> None:
    others = Membership.objects.filter(course=course, role=CourseRole.OWNER).exclude(
        user_id=user_id
    )
    if not others.exists():
        raise RoleChangeDenied(
            "A course needs an owner: make someone else owner first, or delete the course."
        )


# --- assignments ---------------------------------------------------------------


@dataclass(frozen=True)
class Dates:
    due_at: datetime
    opens_at: datetime | None = None
    late_policy: str = LatePolicy.REFUSE
    late_until: datetime | None = None
    late_penalty_percent: int = 0


def _dates_check(dates: Dates) -> None:
    if dates.late_policy not in LatePolicy.values:
        raise AssignmentInvalid(f"Unknown late policy {dates.late_policy!r}.")
    if dates.opens_at is not None and dates.opens_at >= dates.due_at:
        raise AssignmentInvalid("The assignment must open before it is due.")
    if dates.late_policy != LatePolicy.REFUSE:
        if dates.late_until is None or dates.late_until <= dates.due_at:
            raise AssignmentInvalid("Late submissions need a late deadline after the due date.")
    if not 0 <= dates.late_penalty_percent <= 100:
        raise AssignmentInvalid("The late penalty is a percentage per day, from 0 to 100.")


def assignment_create(*, course: Course, source: Notebook, title: str, dates: Dates) -> Assignment:
    """A draft assignment authored in ``source`` (the caller checked they may edit it)."""
    _dates_check(dates)
    return Assignment.objects.create(
        course=course,
        source=source,
        title=_title_clean(title, what="assignment"),
        opens_at=dates.opens_at,
        due_at=dates.due_at,
        late_policy=dates.late_policy,
        late_until=dates.late_until if dates.late_policy != LatePolicy.REFUSE else None,
        late_penalty_percent=dates.late_penalty_percent,
    )


def assignment_dates_set(*, assignment: Assignment, dates: Dates) -> Assignment:
    _dates_check(dates)
    assignment.opens_at = dates.opens_at
    assignment.due_at = dates.due_at
    assignment.late_policy = dates.late_policy
    assignment.late_until = dates.late_until if dates.late_policy != LatePolicy.REFUSE else None
    assignment.late_penalty_percent = dates.late_penalty_percent
    assignment.save(
        update_fields=["opens_at", "due_at", "late_policy", "late_until", "late_penalty_percent"]
    )
    return assignment


def assignment_release(*, assignment: Assignment, actor: User) -> Release:
    """Split the source notebook's current revision and freeze both halves as a release.

    Students who already opened the assignment keep their copy; new copies come from
    this release; grading uses the newest release's tests.
    """
    source = assignment.source
    if source is None or source.current_revision is None or source.is_trashed:
        raise AssignmentInvalid(
            "This assignment's notebook was deleted: attach another one before releasing."
        )
    text = notebook_selectors.revision_text(revision=source.current_revision)
    try:
        split = assignment_split(notebook_text_parse(text))
    except AuthoringError as error:
        raise AssignmentInvalid(error.message) from error
    student_data = dumps_notebook(split.student, "playground").encode("utf-8")
    suite_data = split.tests.to_json().encode("utf-8")
    folder = f"classroom/{assignment.course.public_id}/{assignment.public_id}"
    keys: list[str] = []
    try:
        keys.append(blob_put(key=blob_key_new(folder=folder), data=student_data))
        keys.append(blob_put(key=blob_key_new(folder=folder, suffix=".json"), data=suite_data))
        with transaction.atomic():
            locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
            number = (locked.releases.aggregate(top=Max("number"))["top"] or 0) + 1
            release = Release.objects.create(
                assignment=locked,
                number=number,
                student_key=keys[0],
                suite_key=keys[1],
                suite_sha256=split.tests.sha256,
                points_total=split.tests.points_total,
                tests_count=len(split.tests.tests),
                hidden_count=sum(1 for test in split.tests.tests if test.kind == "hidden"),
                created_by=actor,
            )
            Assignment.objects.filter(pk=locked.pk).update(current_release=release)
            assignment.current_release = release
    except StorageUnavailable as error:
        for key in keys:
            blob_delete(key=key)
        raise StorageFailed(error.message) from error
    except BaseException:
        for key in keys:
            blob_delete(key=key)
        raise
    return release


def extension_set(*, assignment: Assignment, student: User, due_at: datetime) -> Extension:
    if due_at <= assignment.due_at:
        raise AssignmentInvalid("An extension's due date must be later than the assignment's.")
    if not Membership.objects.filter(course_id=assignment.course_id, user=student).exists():
        raise AssignmentInvalid("This person is not a member of the course.")
    extension, _ = Extension.objects.update_or_create(
        assignment=assignment, student=student, defaults={"due_at": due_at}
    )
    return extension


def extension_remove(*, assignment: Assignment, student_id: int) -> None:
    Extension.objects.filter(assignment=assignment, student_id=student_id).delete()


# --- students' copies and submissions -------------------------------------------


def work_open(*, assignment: Assignment, student: User) -> StudentWork:
    """The student's personal copy, made from the current release the first time."""
    release = assignment.current_release
    if release is None:
        raise NotReleased("This assignment has not been released yet.")
    work = (
        StudentWork.objects.filter(assignment=assignment, student=student)
        .select_related("notebook")
        .first()
    )
    if work is not None and work.notebook is not None:
        if work.notebook.is_trashed:
            notebook_services.notebook_restore(notebook=work.notebook)
        return work
    try:
        text = blob_get(key=release.student_key).decode("utf-8")
    except StorageUnavailable as error:
        raise StorageFailed(error.message) from error
    title = f"{assignment.title} ({assignment.course.title})"
    notebook = notebook_services.notebook_create(owner=student, title=title[:200], content=text)
    if work is None:
        try:
            with transaction.atomic():
                return StudentWork.objects.create(
                    assignment=assignment, student=student, notebook=notebook, release=release
                )
        except IntegrityError:
            # Opened twice at once: keep the copy that won, drop this one.
            notebook_services.notebook_purge(notebook=notebook)
            return StudentWork.objects.get(assignment=assignment, student=student)
    work.notebook = notebook
    work.release = release
    work.save(update_fields=["notebook", "release"])
    return work


def submission_create(
    *, assignment: Assignment, student: User, now: datetime | None = None
) -> Submission:
    """Hand in the current revision of the student's copy, as an immutable snapshot."""
    now = now or timezone.now()
    work = (
        StudentWork.objects.filter(assignment=assignment, student=student)
        .select_related("notebook__current_revision")
        .first()
    )
    if work is None or work.notebook is None or work.notebook.current_revision is None:
        raise NotReleased("Open the assignment first: you submit your copy of it.")
    window = selectors.student_window(assignment=assignment, student=student)
    if not window.is_open(now):
        raise SubmissionClosed(
            f"Submissions for this assignment closed at {window.closes_at:%Y-%m-%d %H:%M} UTC. "
            "Ask your teacher for an extension if you need one."
        )
    folder = f"classroom/{assignment.course.public_id}/{assignment.public_id}/submissions"
    try:
        data = blob_get(key=work.notebook.current_revision.storage_key)
        key = blob_put(key=blob_key_new(folder=folder), data=data)
    except StorageUnavailable as error:
        raise StorageFailed(
            "Your work could not be handed in because the storage could not be reached; "
            "nothing was submitted and your notebook is unchanged. Try again in a moment."
        ) from error
    days_late = window.days_late(now)
    try:
        with transaction.atomic():
            StudentWork.objects.select_for_update().get(pk=work.pk)
            last = (
                Submission.objects.filter(assignment=assignment, student=student).aggregate(
                    top=Max("number")
                )["top"]
                or 0
            )
            submission = Submission.objects.create(
                assignment=assignment,
                student=student,
                number=last + 1,
                storage_key=key,
                sha256=sha256_hex(data),
                size=len(data),
                release=work.release,
                late=days_late > 0,
                days_late=days_late,
            )
            grading.grading_request(submission=submission)
            return submission
    except BaseException:
        blob_delete(key=key)
        raise


def submission_choose(*, work: StudentWork, submission: Submission | None) -> StudentWork:
    """The staff pick which submission counts (``None``: the latest again)."""
    if submission is not None and (
        submission.assignment_id != work.assignment_id or submission.student_id != work.student_id
    ):
        raise AssignmentInvalid("That submission is not this student's for this assignment.")
    work.chosen_submission = submission
    work.save(update_fields=["chosen_submission"])
    return work


# --- grading: the staff's part ----------------------------------------------------------

COMMENT_MAX = 5000


def comment_add(*, submission: Submission, cell: str, author: User, text: str) -> CellComment:
    """A staff comment on one cell of a submission (the student sees it with the feedback)."""
    cleaned = text.replace("\x00", "").strip()
    if not cleaned:
        raise AssignmentInvalid("Write the comment first.")
    if len(cleaned) > COMMENT_MAX:
        raise AssignmentInvalid(f"A comment may have at most {COMMENT_MAX:,} characters.")
    return CellComment.objects.create(
        submission=submission, cell=cell[:64], author=author, text=cleaned
    )


def adjustment_set(*, submission: Submission, points: str, reason: str) -> Submission:
    """Points added (or, negative, taken off) by hand, with the reason the student sees."""
    try:
        value = Decimal(points.strip() or "0")
    except InvalidOperation:
        raise AssignmentInvalid(f"{points!r} is not a number of points.") from None
    if not value.is_finite() or abs(value) > 1000 or value != value.quantize(Decimal("0.01")):
        raise AssignmentInvalid(
            "An adjustment is between -1000 and 1000 points, two decimals at most."
        )
    if value and not reason.strip():
        raise AssignmentInvalid("Say why the points change: the student sees the reason.")
    submission.adjustment = value
    submission.adjustment_reason = " ".join(reason.split())[:500]
    submission.save(update_fields=["adjustment", "adjustment_reason"])
    return submission


def feedback_settings_set(
    *, assignment: Assignment, hold_feedback: bool, show_hidden_names: bool
) -> Assignment:
    assignment.hold_feedback = hold_feedback
    assignment.show_hidden_names = show_hidden_names
    if not hold_feedback:
        assignment.feedback_released_at = None
    assignment.save(update_fields=["hold_feedback", "show_hidden_names", "feedback_released_at"])
    return assignment


def feedback_release(*, assignment: Assignment) -> Assignment:
    """Students see their feedback from now on (held feedback included)."""
    assignment.feedback_released_at = timezone.now()
    assignment.save(update_fields=["feedback_released_at"])
    return assignment
