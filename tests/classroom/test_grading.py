"""Autograding end to end with real grading workers (Celery processes), Redis and PostgreSQL.

Workers are started and stopped (or SIGKILLed) by PID; tests wait on what the
workers write (a run's status in the database, a heartbeat in Redis), never on the
clock: a deadline only fails a test whose event never comes.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings

from classroom import grading, selectors, services
from classroom.grading_queue import GradingQueue
from classroom.models import CheckResult, GradingRun, GradingStatus, Submission
from notebooks import services as notebook_services
from serverkernels import sandbox
from tests.classroom.conftest import World
from tests.classroom.grading_workers import start_grading_worker
from tests.factories import code, notebook_text, user_make
from tests.serverkernels.workers import KernelWorker

pytestmark = [pytest.mark.subprocess, pytest.mark.django_db(transaction=True)]

DEADLINE = 240  # only how long a broken grader takes to fail a test


@pytest.fixture
def grading_env(settings: Any) -> Iterator[dict[str, str]]:
    """Grading under a Redis prefix and a Celery queue of this test's own."""
    prefix = f"pgk-grading-{secrets.token_hex(4)}"
    settings.KERNELS_REDIS_PREFIX = prefix
    settings.GRADING_CELERY_QUEUE = f"grading-{prefix}"
    database = django_settings.DATABASES["default"]
    env = {
        "DJANGO_SETTINGS_MODULE": "playground.settings.test",
        "PLAYGROUND_TEST_DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        ),
        "PLAYGROUND_TEST_REDIS_URL": settings.KERNELS_REDIS_URL,
        "KERNELS_REDIS_PREFIX": prefix,
        "GRADING_CELERY_QUEUE": settings.GRADING_CELERY_QUEUE,
    }
    yield env
    client = redis.Redis.from_url(settings.KERNELS_REDIS_URL)
    queue = settings.GRADING_CELERY_QUEUE
    keys = [
        *client.scan_iter(f"{prefix}:*", count=1000),
        queue,
        # kombu's bindings of the queue.
        *client.scan_iter(f"_kombu.binding*{queue}*", count=1000),
    ]
    client.delete(*keys)


@pytest.fixture
def grading_workers(
    grading_env: dict[str, str], tmp_path: Path
) -> Iterator[Callable[..., KernelWorker]]:
    started: list[KernelWorker] = []

    def start(**extra: str) -> KernelWorker:
        worker = start_grading_worker({**grading_env, **extra}, tmp_path / "workers")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if not worker.stopped:
            worker.stop()
    for worker in started:
        sandbox.remove_stale_cgroups(created_by=worker.pid)


def wait_for(check: Callable[[], Any], what: str, workers: list[KernelWorker] = ()) -> Any:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.05)
    logs = "\n".join(worker.log()[-3000:] for worker in workers)
    raise AssertionError(f"never happened: {what}\n{logs}")


def _submit(world: World, student, answer: str) -> Submission:
    work = services.work_open(assignment=world.assignment, student=student)
    notebook_services.revision_create(
        notebook=work.notebook,
        content=notebook_text(code("data = [1, 2, 3]", "data"), code(answer, "answer")),
        author=student,
        base_revision=None,
    )
    return services.submission_create(assignment=world.assignment, student=student)


def _run(submission: Submission) -> GradingRun:
    return GradingRun.objects.get(submission=submission)


def _graded(submission: Submission) -> Callable[[], GradingRun | None]:
    def check() -> GradingRun | None:
        run = _run(submission)
        return run if run.status in (GradingStatus.GRADED, GradingStatus.ERROR) else None

    return check


def test_submissions_are_graded_by_a_worker_with_every_tests_result(
    world: World, grading_workers: Callable[..., KernelWorker]
) -> None:
    worker = grading_workers()
    right = _submit(world, world.student, "total = sum(data)")
    run = wait_for(_graded(right), "the right answer graded", [worker])
    assert run.status == GradingStatus.GRADED
    assert run.attempts == 1
    assert [(r.name, r.kind, r.passed, r.points_awarded, r.message) for r in run.results.all()] == [
        ("total_is_int", "check", True, Decimal(1), ""),
        ("total_right", "hidden", True, Decimal(2), ""),
    ]
    assert (run.points_earned, run.points_total) == (Decimal(3), Decimal(3))

    other = user_make()
    services.course_join(user=other, code=world.course.join_code)
    wrong = _submit(world, other, "total = 6.0")
    run = wait_for(_graded(wrong), "the wrong answer graded", [worker])
    assert [(r.name, r.passed, r.message) for r in run.results.all()] == [
        ("total_is_int", False, "total should be a whole number"),
        ("total_right", True, ""),  # 6.0 == 6: the test says what counts, not the grader
    ]
    assert run.points_earned == Decimal(2)
    assert selectors.final_score(run, wrong) == Decimal(2)


def test_asking_twice_grades_once(
    world: World, grading_workers: Callable[..., KernelWorker]
) -> None:
    worker = grading_workers()
    submission = _submit(world, world.student, "total = sum(data)")
    again = grading.grading_request(submission=submission)
    assert again == _run(submission)
    run = wait_for(_graded(submission), "graded", [worker])
    assert grading.run_grade(run_id=run.pk, worker="someone else") == "not claimed"
    assert grading.grading_request(submission=submission) == run
    assert CheckResult.objects.filter(run=run).count() == 2
    assert GradingRun.objects.count() == 1


def test_a_newer_submission_replaces_the_older_one_still_waiting(
    world: World, grading_workers: Callable[..., KernelWorker]
) -> None:
    # No worker yet: everything waits in the queue.
    first = _submit(world, world.student, "total = 1")
    second = _submit(world, world.student, "total = 2")
    third = _submit(world, world.student, "total = sum(data)")
    other = user_make()
    services.course_join(user=other, code=world.course.join_code)
    theirs = _submit(world, other, "total = 6")
    assert [_run(s).status for s in (first, second, third, theirs)] == [
        GradingStatus.SUPERSEDED,
        GradingStatus.SUPERSEDED,
        GradingStatus.QUEUED,
        GradingStatus.QUEUED,
    ]
    assert grading.queue().waiting() == 2
    worker = grading_workers()
    wait_for(_graded(third), "the newest graded", [worker])
    wait_for(_graded(theirs), "the other student's graded", [worker])
    assert [_run(s).status for s in (first, second)] == [GradingStatus.SUPERSEDED] * 2
    assert not CheckResult.objects.filter(run__submission__in=[first, second]).exists()


def test_students_take_turns_in_the_queue(settings: Any) -> None:
    queue = GradingQueue(
        redis.Redis.from_url(settings.KERNELS_REDIS_URL), f"turns-{secrets.token_hex(4)}"
    )
    for run_id, student in ((1, "a"), (2, "a"), (3, "a"), (4, "b"), (5, "c"), (6, "c")):
        queue.enqueue(run_id, student)
    queue.withdraw(2, "a")
    popped = []
    while (run := queue.pop()) is not None:
        popped.append(run)
    assert popped == [1, 4, 5, 3, 6]
    assert queue.waiting() == 0


LOOPING = "total = 0\nwhile True:\n    total += 1"


def test_a_worker_killed_mid_grade_is_retried_once_then_not_gradable(
    world: World, grading_workers: Callable[..., KernelWorker]
) -> None:
    # The notebook never ends: the run stays "grading" until its worker is killed.
    slow = {"GRADING_NOTEBOOK_SECONDS": "600", "GRADING_SUBMISSION_SECONDS": "600"}
    first = grading_workers(**slow)
    submission = _submit(world, world.student, LOOPING)

    def grading_attempt(number: int) -> Callable[[], GradingRun | None]:
        def check() -> GradingRun | None:
            run = _run(submission)
            return run if run.status == GradingStatus.GRADING and run.attempts == number else None

        return check

    run = wait_for(grading_attempt(1), "the first attempt started", [first])
    assert run.worker.endswith(f":{first.pid}")
    first.kill()
    second = grading_workers(**slow)
    run = wait_for(grading_attempt(2), "the second attempt started", [second])
    assert run.worker.endswith(f":{second.pid}")
    second.kill()
    third = grading_workers(**slow)
    run = wait_for(_graded(submission), "given up on", [third])
    assert run.status == GradingStatus.ERROR
    assert run.attempts == 2
    assert run.problem.startswith(grading.NOT_GRADABLE)
    assert not run.results.exists()
    # Submitting again is not refused: a lost grading costs the student nothing.
    assert (
        services.submission_create(assignment=world.assignment, student=world.student).number == 2
    )
    # That submission loops too: a warm shutdown would wait for its grading to end.
    third.kill()


def test_a_submission_made_while_redis_is_away_is_kept_and_put_in_line_later(
    world: World, grading_env: dict[str, str], settings: Any
) -> None:
    from tests.real_services import free_port

    reachable = settings.KERNELS_REDIS_URL
    settings.KERNELS_REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    submission = _submit(world, world.student, "total = sum(data)")
    settings.KERNELS_REDIS_URL = reachable
    # The submission and its run are kept; the run is queued but not in line yet.
    assert Submission.objects.filter(pk=submission.pk).exists()
    run = _run(submission)
    assert run.status == GradingStatus.QUEUED
    assert grading.queue().in_line([run.pk]) == set()
    # A worker's heartbeat finds it once it has waited a little, and puts it in line.
    GradingRun.objects.filter(pk=run.pk).update(
        queued_at=run.queued_at - timedelta(seconds=grading.STRAY_SECONDS + 1)
    )
    assert grading.reap() == 1
    assert grading.queue().in_line([run.pk]) == {run.pk}
    assert grading.reap() == 0  # in line now: left alone
    assert grading.grade_next(worker="test") == "1 graded"
    assert _run(submission).status == GradingStatus.GRADED
