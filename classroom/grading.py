"""Autograding as a service: queue a submission, grade it on a worker, keep the results.

- :func:`grading_request` (on submit, and by "regrade all") makes the run of a
  submission by the current release's test suite: at most one per (submission, suite
  hash), so asking twice grades once. A student's newer submission withdraws their
  older one still waiting.
- Workers of the ``grading`` Celery queue (``classroom.tasks``) call
  :func:`grade_next`: it takes the next run (students taking turns,
  ``classroom.grading_queue``), claims it, grades it (``classroom.grader``: the
  notebook in the sandbox, the tests in a trusted process) and stores every test's
  result in one transaction, only if the run is still this worker's.
- A worker that dies mid-grade stops renewing the run's lease; :func:`reap` (every
  worker's heartbeat) queues it again once, and marks it "not gradable" the second
  time, so no run is lost, none is graded twice, and none waits forever. Submitting
  is never limited, so a lost run costs the student nothing.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from classroom import selectors
from classroom.authoring import GradingSuite
from classroom.grader import GradeLimits, grade
from classroom.grading_queue import GradingQueue
from classroom.models import Assignment, CheckResult, GradingRun, GradingStatus, Submission
from serverkernels import sandbox
from storage.blobs import blob_get

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 2
LEASE_SECONDS = 3
NOT_GRADABLE = (
    "The grader stopped twice while grading this submission, so it was not graded. "
    "It does not count against you: submit again, or ask your teacher."
)
OFF = "Autograding is off on this server (it needs Redis and grading workers)."


def enabled() -> bool:
    return bool(settings.GRADING and settings.KERNELS_REDIS_URL)


@functools.cache
def _queue_for(url: str, prefix: str) -> GradingQueue:
    import redis

    return GradingQueue(redis.Redis.from_url(url, socket_timeout=5), prefix)


def queue() -> GradingQueue:
    return _queue_for(settings.KERNELS_REDIS_URL, settings.KERNELS_REDIS_PREFIX)


def _student_key(submission: Submission) -> str:
    return str(submission.student_id)


def _enqueue(run: GradingRun, submission: Submission) -> None:
    """Put the run in line and wake a worker. Never raises: with Redis or the broker away
    the run stays queued in the database, and a worker's heartbeat puts it in line once
    they are back (:func:`reap`), so a submission is never undone by the queue."""
    if not enabled():
        return
    try:
        queue().enqueue(run.pk, _student_key(submission))
        current_app.send_task("classroom.grade_next", queue=settings.GRADING_CELERY_QUEUE)
    except Exception:
        log.exception("queueing grading run %s failed; a worker's heartbeat retries", run.pk)


def grading_request(*, submission: Submission) -> GradingRun | None:
    """The run grading ``submission`` by the current suite (made and queued if new)."""
    release = submission.assignment.current_release
    if release is None:
        return None
    with transaction.atomic():
        older = list(
            GradingRun.objects.select_for_update()
            .filter(
                submission__assignment_id=submission.assignment_id,
                submission__student_id=submission.student_id,
                status=GradingStatus.QUEUED,
            )
            .exclude(submission=submission)
        )
        for run in older:
            run.status = GradingStatus.SUPERSEDED
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "finished_at"])
        run, created = GradingRun.objects.get_or_create(
            submission=submission,
            suite_sha256=release.suite_sha256,
            defaults={"release": release, "points_total": release.points_total},
        )
        if enabled():
            key = _student_key(submission)

            def withdraw() -> None:
                for old in older:
                    queue().withdraw(old.pk, key)

            transaction.on_commit(withdraw)
        if created:
            transaction.on_commit(lambda: _enqueue(run, submission))
    return run


def regrade_all(*, assignment: Assignment) -> int:
    """Grade each student's counting submission by the current suite; runs that could not
    be graded are tried again. Returns how many runs were queued."""
    queued = 0
    for submission in selectors.counting_submissions(assignment=assignment):
        with transaction.atomic():
            failed = GradingRun.objects.select_for_update().filter(
                submission=submission, status=GradingStatus.ERROR
            )
            for run in failed:
                run.status, run.attempts, run.problem = GradingStatus.QUEUED, 0, ""
                run.save(update_fields=["status", "attempts", "problem"])
                transaction.on_commit(functools.partial(_enqueue, run, submission))
                queued += 1
        before = GradingRun.objects.filter(submission=submission).count()
        grading_request(submission=submission)
        queued += GradingRun.objects.filter(submission=submission).count() - before
    return queued


# --- on a worker -------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerConfig:
    runtime_root: Path
    limits: GradeLimits
    allow_unsandboxed: bool
    python: str


def worker_config() -> WorkerConfig:
    return WorkerConfig(
        runtime_root=Path(settings.BASE_DIR),
        limits=GradeLimits(
            notebook_seconds=settings.GRADING_NOTEBOOK_SECONDS,
            test_seconds=settings.GRADING_TEST_SECONDS,
            submission_seconds=settings.GRADING_SUBMISSION_SECONDS,
            student=sandbox.Limits(**settings.GRADING_SANDBOX_LIMITS),
        ),
        allow_unsandboxed=settings.KERNEL_ALLOW_UNSANDBOXED,
        python=settings.KERNEL_PYTHON or sys.executable,
    )


def grade_next(
    *, worker: str, stop: threading.Event | None = None, keep_warm: bool = False
) -> str:
    """Grade queued runs until none is left (or ``stop`` is set); what happened, counted.

    One message per run wakes a worker, but a worker that is awake keeps taking the
    next run at once: waiting for the broker's next delivery between runs would leave
    it idle for up to a second each time. The messages of runs graded this way find
    the queue empty and end at once.
    """
    outcomes: dict[str, int] = {}
    while stop is None or not stop.is_set():
        run_id = queue().pop()
        if run_id is None:
            break
        outcome = run_grade(run_id=run_id, worker=worker, keep_warm=keep_warm)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return ", ".join(f"{count} {outcome}" for outcome, count in outcomes.items()) or (
        "nothing queued"
    )


def _claim(run_id: int, worker: str) -> GradingRun | None:
    with transaction.atomic():
        run = GradingRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != GradingStatus.QUEUED:
            return None
        queue().lease(run.pk, worker, LEASE_SECONDS)
        run.status = GradingStatus.GRADING
        run.attempts += 1
        run.worker = worker
        run.started_at = timezone.now()
        run.save(update_fields=["status", "attempts", "worker", "started_at"])
    return run


def run_grade(
    *, run_id: int, worker: str, config: WorkerConfig | None = None, keep_warm: bool = False
) -> str:
    """Grade one run if it is still queued; ``keep_warm``: a worker thread's call, which
    keeps the next submission's processes started (classroom.grader.grade)."""
    run = _claim(run_id, worker)
    if run is None:
        return "not claimed"
    config = config or worker_config()
    done = threading.Event()

    def renew() -> None:
        while not done.wait(1.0):
            try:
                queue().lease(run.pk, worker, LEASE_SECONDS)
            except Exception:  # Redis away for a moment: the next renewal tries again
                log.exception("renewing the lease of grading run %s failed", run.pk)

    renewer = threading.Thread(target=renew, name=f"grading-lease-{run.pk}", daemon=True)
    renewer.start()
    failure = ""
    try:
        submission = Submission.objects.select_related("assignment").get(pk=run.submission_id)
        text = blob_get(key=submission.storage_key).decode("utf-8")
        suite = GradingSuite.from_json(blob_get(key=run.release.suite_key).decode("utf-8"))
        report = grade(
            text,
            suite.tests,
            runtime_root=config.runtime_root,
            limits=config.limits,
            allow_unsandboxed=config.allow_unsandboxed,
            python=config.python,
            keep_warm=keep_warm,
        )
    except Exception as error:
        log.exception("grading run %s failed", run.pk)
        failure = f"{type(error).__name__}: {error}"
    finally:
        # Stopped before anything else, so no renewal can come after the lease ends.
        done.set()
        renewer.join()
    if failure:
        return _failed(run, worker, failure)
    results = {outcome.name: outcome for outcome in report.outcomes}
    with transaction.atomic():
        locked = GradingRun.objects.select_for_update().get(pk=run.pk)
        if (
            locked.status != GradingStatus.GRADING
            or locked.worker != worker
            or (locked.attempts != run.attempts)
        ):
            return "lost (another worker has it now)"
        earned = Decimal(0)
        for position, test in enumerate(suite.tests):
            outcome = results[test.name]
            awarded = Decimal(test.points) if outcome.passed else Decimal(0)
            earned += awarded
            CheckResult.objects.create(
                run=locked,
                position=position,
                name=test.name,
                kind=test.kind,
                passed=outcome.passed,
                points_possible=Decimal(test.points),
                points_awarded=awarded,
                message=outcome.message,
            )
        locked.points_earned = earned
        locked.status = GradingStatus.GRADED
        locked.finished_at = timezone.now()
        locked.problem = report.problem
        locked.cell_report = report.cells
        locked.save(
            update_fields=["points_earned", "status", "finished_at", "problem", "cell_report"]
        )
    queue().lease_end(run.pk)
    return "graded"


def _failed(run: GradingRun, worker: str, problem: str) -> str:
    """The grader itself failed (storage down, no sandbox): again once, then not gradable."""
    with transaction.atomic():
        locked = GradingRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != GradingStatus.GRADING or locked.worker != worker:
            return "lost"
        _retry_or_give_up(locked, problem)
    queue().lease_end(run.pk)
    return "failed"


def _retry_or_give_up(run: GradingRun, problem: str) -> None:
    if run.attempts >= MAX_ATTEMPTS:
        run.status = GradingStatus.ERROR
        run.problem = f"{NOT_GRADABLE} ({problem})"
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "problem", "finished_at"])
        return
    run.status = GradingStatus.QUEUED
    run.problem = problem
    run.save(update_fields=["status", "problem"])
    submission = run.submission
    transaction.on_commit(lambda: _enqueue(run, submission))


def worker_alive(worker: str) -> None:
    """A grading worker's heartbeat (tests wait on it to know a worker is up)."""
    queue().redis.set(f"{queue().prefix}:worker:{worker}", 1, ex=LEASE_SECONDS)


def workers_alive() -> list[str]:
    prefix = f"{queue().prefix}:worker:"
    return [key.decode()[len(prefix) :] for key in queue().redis.scan_iter(prefix + "*")]


#: A queued run out of line this long (its queueing failed, or a worker died between
#: taking it and claiming it) is put in line again.
STRAY_SECONDS = 10


def reap() -> int:
    """Queue again (or give up on) the runs whose worker died, and put back in line the
    queued runs that are not in it; how many it found."""
    strays = 0
    cutoff = timezone.now() - timedelta(seconds=STRAY_SECONDS)
    queued = list(
        GradingRun.objects.filter(status=GradingStatus.QUEUED, queued_at__lt=cutoff)
        .select_related("submission")
        .order_by("queued_at")[:500]
    )
    in_line = queue().in_line([run.pk for run in queued])
    for run in queued:
        if run.pk not in in_line:
            log.warning("grading run %s was queued but not in line: queueing it again", run.pk)
            _enqueue(run, run.submission)
            strays += 1
    return strays + _reap_lost()


def _reap_lost() -> int:
    grading = list(
        GradingRun.objects.filter(status=GradingStatus.GRADING).values_list("pk", flat=True)
    )
    orphans = set(grading) - queue().leased(grading)
    for run_id in orphans:
        with transaction.atomic():
            run = GradingRun.objects.select_for_update().select_related("submission").get(pk=run_id)
            if run.status != GradingStatus.GRADING or queue().leased([run_id]):
                continue
            log.warning("grading run %s lost its worker %s", run_id, run.worker)
            _retry_or_give_up(run, f"the worker {run.worker} stopped")
    return len(orphans)

