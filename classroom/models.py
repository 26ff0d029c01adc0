"""Courses, their members and invites, assignments and their releases, students' work.

Everything is addressed from outside by ``public_id`` (or a course's join code),
never by a database id. What students receive lives in object storage: a release's
student version (``student_key``); its test suite (``suite_key``) is read by the
grader only. Releases and submissions are never changed once made.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from notebooks.models import Notebook, public_id_new

# No 0/O, 1/I/L: a code read aloud in a classroom or copied off a projector.
_JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 10
COURSE_TITLE_MAX = 200


def join_code_new() -> str:
    """10 characters of a 31-letter alphabet (about 49 bits): typed, not guessed."""
    return "".join(secrets.choice(_JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class CourseRole(models.TextChoices):
    OWNER = "owner", "Owner"
    INSTRUCTOR = "instructor", "Instructor"
    TA = "ta", "Teaching assistant"
    STUDENT = "student", "Student"
    AUDITOR = "auditor", "Auditor"


class Course(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=public_id_new, editable=False)
    title = models.CharField(max_length=COURSE_TITLE_MAX)
    join_code = models.CharField(max_length=16, unique=True, default=join_code_new)
    # Joining by code or link is on until the staff turn it off (the roster stays).
    join_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.public_id})"


class Membership(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_memberships"
    )
    role = models.CharField(max_length=16, choices=CourseRole.choices)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="membership_unique"),
        ]
        ordering = ["role", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} in {self.course.public_id} as {self.role}"


class RosterInvite(models.Model):
    """A roster line for an e-mail address with no account yet: it becomes a membership
    when someone with that address, verified, signs in and opens their courses."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=CourseRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "email"], name="invite_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.email} invited to {self.course.public_id} as {self.role}"


class LatePolicy(models.TextChoices):
    REFUSE = "refuse", "No late submissions"
    ACCEPT = "accept", "Accepted until the late deadline, marked late"
    PENALTY = "penalty", "Accepted until the late deadline, minus a percentage per day late"


class Assignment(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=public_id_new, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    title = models.CharField(max_length=COURSE_TITLE_MAX)
    # The author's notebook (solutions and hidden tests included); owned by a teacher.
    source = models.ForeignKey(
        Notebook, null=True, on_delete=models.SET_NULL, related_name="assignments"
    )
    # Students see a released assignment from ``opens_at`` on (at once when null).
    opens_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    late_policy = models.CharField(
        max_length=16, choices=LatePolicy.choices, default=LatePolicy.REFUSE
    )
    late_until = models.DateTimeField(null=True, blank=True)
    late_penalty_percent = models.PositiveSmallIntegerField(default=0)
    # Students see their per-test feedback only once the staff release it.
    hold_feedback = models.BooleanField(default=False)
    feedback_released_at = models.DateTimeField(null=True, blank=True)
    # Students see the names of the hidden checks they passed and failed (not only a count).
    show_hidden_names = models.BooleanField(default=False)
    current_release = models.ForeignKey(
        "Release", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.public_id})"


class Release(models.Model):
    """One release of an assignment: its student version and its test suite, frozen."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="releases")
    number = models.PositiveIntegerField()
    student_key = models.CharField(max_length=255, unique=True)
    suite_key = models.CharField(max_length=255, unique=True)
    suite_sha256 = models.CharField(max_length=64)
    points_total = models.DecimalField(max_digits=9, decimal_places=2)
    tests_count = models.PositiveIntegerField()
    hidden_count = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "number"], name="release_number_unique"),
        ]
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.assignment.public_id} release {self.number}"


class Extension(models.Model):
    """A later due date (and late deadline) for one student."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="extension_unique"),
        ]


class StudentWork(models.Model):
    """A student's personal copy of an assignment: a notebook of their own."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="works")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_works"
    )
    # Null once the student deleted it for good; opening the assignment makes a new one.
    notebook = models.ForeignKey(Notebook, null=True, on_delete=models.SET_NULL, related_name="+")
    # RESTRICT: a release goes only with its assignment (and then this row goes too).
    release = models.ForeignKey(Release, on_delete=models.RESTRICT, related_name="+")
    # The staff may pick which submission counts; the latest otherwise.
    chosen_submission = models.ForeignKey(
        "Submission", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="work_unique"),
        ]


class Submission(models.Model):
    """An immutable snapshot of a student's notebook, handed in."""

    public_id = models.CharField(max_length=32, unique=True, default=public_id_new, editable=False)
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    number = models.PositiveIntegerField()
    storage_key = models.CharField(max_length=255, unique=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    # The release the student's copy came from (which stubs they filled in).
    # RESTRICT: a release goes only with its assignment (and then this row goes too).
    release = models.ForeignKey(Release, on_delete=models.RESTRICT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    late = models.BooleanField(default=False)
    # Days late, started (1 for a minute late), for the penalty; 0 when on time.
    days_late = models.PositiveIntegerField(default=0)
    # Points the staff added (or took off, negative) by hand, with their reason.
    adjustment = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    adjustment_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student", "number"], name="submission_number_unique"
            ),
        ]
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.student} #{self.number} for {self.assignment.public_id}"


class GradingStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    GRADING = "grading", "Grading"
    GRADED = "graded", "Graded"
    ERROR = "error", "Not gradable"
    SUPERSEDED = "superseded", "Replaced by a newer submission"


class GradingRun(models.Model):
    """One grading of one submission by one test suite: at most one per pair (idempotent)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="runs")
    release = models.ForeignKey(Release, on_delete=models.RESTRICT, related_name="+")
    suite_sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=GradingStatus.choices, default=GradingStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    points_total = models.DecimalField(max_digits=9, decimal_places=2)
    # Points from the tests, before the late penalty and the staff's adjustment.
    points_earned = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    # Why it could not be graded, or why the notebook did not run (for the staff).
    problem = models.TextField(blank=True)
    # Per cell of the graded run, as text: what it printed, its output, its error.
    cell_report = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "suite_sha256"], name="run_unique"),
        ]
        # Every grading worker's heartbeat looks for queued and grading runs each second.
        indexes = [models.Index(fields=["status", "queued_at"], name="run_status")]
        ordering = ["-queued_at"]

    def __str__(self) -> str:
        return f"run of {self.submission_id} ({self.status})"


class CheckResult(models.Model):
    run = models.ForeignKey(GradingRun, on_delete=models.CASCADE, related_name="results")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=64)
    kind = models.CharField(max_length=8)  # "check" or "hidden"
    passed = models.BooleanField()
    points_possible = models.DecimalField(max_digits=9, decimal_places=2)
    points_awarded = models.DecimalField(max_digits=9, decimal_places=2)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "name"], name="result_unique"),
        ]


class CellComment(models.Model):
    """A staff comment on one cell of a submission, shown to the student with the feedback."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="comments")
    cell = models.CharField(max_length=64)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
