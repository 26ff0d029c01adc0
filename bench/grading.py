"""Autograding: N submissions through real grading workers, against the same work in one process.

    python bench/grading.py            # 200 submissions with 1 and 2 workers, 20 feedback samples
    python bench/grading.py --quick    # 4 submissions, 2 feedback samples (smoke test)
    python bench/grading.py --redis-url redis://127.0.0.1:6379/10

An assignment as a teacher writes it (docs/classroom.md): a 10-cell notebook (a
markdown cell and nine code cells, four of them solutions) and 5 hidden tests worth
7 points, released through ``classroom.services``. N students each open their copy,
save their work (``notebooks.services.revision_create``) and submit
(``classroom.services.submission_create``). The answers come in four kinds, in turn:
right (7 points), a wrong mean (4), the sample variance (3) and an unfinished
notebook (5, a stub left in and a cell missing).

(a) floor: the same N notebooks and tests in this one plain Python process, no
    sandbox, no subprocess, no database: each notebook run cell by cell through the
    kernel the student side uses (``kernels.grading.student.StudentSide``), then
    each test's code executed against the notebook's globals.
(b) 1 worker process and (c) 2 worker processes: real Celery workers of a grading
    queue of this run's own (tests/classroom/grading_workers.py, ``--concurrency 1``
    each, so one grading at a time per process), started and idle first. The clock
    starts when the N runs are requested (``classroom.grading.grading_request``, as
    submitting does) and stops at the last run's ``finished_at`` in the database.
    Each run puts the notebook in the bubblewrap sandbox and the tests in a trusted
    process (classroom/grader.py). Both configurations grade the same N submissions
    (the runs of (b) are deleted and requested again); (c) is the worker of (b) and
    one more, both idle when the clock starts.
(d) feedback when idle: 1 worker waiting, one submission at a time, from calling
    ``submission_create`` (the student's click) to its run read back as graded
    (polled every 10 ms).

Real services: PostgreSQL (a fresh ``bench_grading_<pid>`` database on 127.0.0.1:5432,
else a throw-away cluster; migrated, dropped at the end), Redis (database 10 of
127.0.0.1:6379, else a throw-away redis-server; the run's keys live under a prefix of
its own and its Celery queue has a name of its own, both deleted at the end) and the
notebook storage in S3 through moto's server, started in this process (without
``S3_BUCKET`` the settings would write under the repository's var/notebooks).
The workers read the same database, Redis prefix, queue and bucket from their
environment.

Every graded run is checked: graded (not "not gradable"), the five tests passed or
failed as that kind of answer must, the points those tests are worth; the floor's
results are checked the same way. A wrong answer fails the bench (exit status 1);
timing never does: the targets (overhead <= 0.5 s per submission over the floor,
200 submissions in <= 5 min with 1 worker, 2 workers >= 1.6x one, feedback p95 <=
5 s when idle) print as met / NOT MET. The workers are stopped by their process ids
at the end, also when the bench fails.

The last line is ``total_s=X overhead_s=X scaling=X feedback_p95_s=X``: total_s
is the time to grade the N submissions with 1 worker; overhead_s what 1 worker
spends per submission over the floor (1-worker total / N - floor total / N);
scaling the rate with 2 workers / with 1; feedback_p95_s the p95 of (d).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import os
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
# bench/ off the path: bench/kernels.py would shadow the `kernels` package (and
# bench/http.py the standard library's http package).
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != REPO_ROOT / "bench"]
sys.path.insert(0, str(REPO_ROOT))

from bench.percentiles import percentile  # noqa: E402
from tests.production_stack import fresh_database, postgres_server, redis_server  # noqa: E402
from tests.real_services import s3_client, start_moto_server  # noqa: E402

# The Redis database of this bench (tests use 9, bench/http.py 8, bench/kernels.py 14).
REDIS_DB = 10
BUCKET = "playground-bench-grading"
TARGET_OVERHEAD_S = 0.5
TARGET_TOTAL_S = 300.0
TARGET_FOR = 200  # submissions the total's target is for
TARGET_SCALING = 1.6
TARGET_FEEDBACK_P95_S = 5.0
# Only how long a broken grader takes to fail the bench, never a measurement's limit.
BATCH_TIMEOUT_S = 1800.0
RUN_TIMEOUT_S = 120.0
BATCH_POLL_S = 0.1
FEEDBACK_POLL_S = 0.01


class BenchFailed(RuntimeError):
    """A run was graded wrong, not graded, or a worker did not start; the message says which."""


@dataclass(frozen=True)
class Counts:
    submissions: int
    feedback: int


FULL = Counts(submissions=200, feedback=20)
QUICK = Counts(submissions=4, feedback=2)  # one of each kind of answer


# ---------------------------------------------------------------------------
# The assignment and the students' answers
# ---------------------------------------------------------------------------

INTRO = "# Summary statistics\nFill in the functions, then run every cell."
DATA = "data = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9]"
MEAN = "def mean(xs):\n    ### BEGIN SOLUTION\n    return sum(xs) / len(xs)\n    ### END SOLUTION"
VARIANCE = (
    "def variance(xs):\n    ### BEGIN SOLUTION\n    mu = sum(xs) / len(xs)\n"
    "    return sum((x - mu) ** 2 for x in xs) / len(xs)\n    ### END SOLUTION"
)
NORMALIZE = (
    "def normalize(xs):\n    ### BEGIN SOLUTION\n    return [(x - m) / sd for x in xs]\n"
    "    ### END SOLUTION"
)
COUNTS = "# solution\ncounts = {}\nfor x in data:\n    counts[x] = counts.get(x, 0) + 1"
REPORT = (
    "mode = max(counts, key=counts.get)\n"
    "report = f'mean {m:.2f}, sd {sd:.2f}, mode {mode}'\nreport"
)
# name, points, code (after the marker line)
HIDDEN_TESTS = (
    ("mean_right", 2, "import statistics\nassert abs(mean([1, 2, 3, 4]) - 2.5) < 1e-9\n"
                      "assert abs(m - statistics.fmean(data)) < 1e-9, 'm is not the mean'"),
    ("variance_right", 2, "import statistics\nassert abs(variance([1, 2, 3, 4]) - 1.25) < 1e-9\n"
                          "assert abs(variance(data) - statistics.pvariance(data)) < 1e-9"),
    ("sd_right", 1, "import statistics\nassert abs(sd - statistics.pstdev(data)) < 1e-9"),
    ("z_right", 1, "assert len(z) == len(data)\nassert abs(sum(z)) < 1e-9\n"
                   "assert abs(sum(v * v for v in z) - len(z)) < 1e-6"),
    ("counts_right", 1, "from collections import Counter\n"
                        "assert counts == dict(Counter(data)), 'counts is not the tally'"),
)
POINTS_TOTAL = Decimal(sum(points for _, points, _ in HIDDEN_TESTS))


@dataclass(frozen=True)
class Answer:
    """One kind of submission: its solution cells and which hidden tests it must pass."""

    label: str
    mean: str
    variance: str
    normalize: str
    counts: str
    passes: frozenset[str]

    @property
    def points(self) -> Decimal:
        return Decimal(sum(p for name, p, _ in HIDDEN_TESTS if name in self.passes))


_ALL = frozenset(name for name, _, _ in HIDDEN_TESTS)
RIGHT_VARIANCE = (
    "def variance(xs):\n    mu = mean(xs)\n    return sum((x - mu) ** 2 for x in xs) / len(xs)"
)
ANSWERS = (
    Answer("right", "def mean(xs):\n    return sum(xs) / len(xs)",
           RIGHT_VARIANCE,
           "def normalize(xs):\n    return [(x - m) / sd for x in xs]",
           "counts = {}\nfor x in data:\n    counts[x] = counts.get(x, 0) + 1",
           _ALL),
    # m is wrong, so z does not sum to 0; variance keeps its own mean.
    Answer("wrong mean", "def mean(xs):\n    return sum(xs) / (len(xs) - 1)",
           "def variance(xs):\n    mu = sum(xs) / len(xs)\n"
           "    return sum((x - mu) ** 2 for x in xs) / len(xs)",
           "def normalize(xs):\n    return [(x - m) / sd for x in xs]",
           "from collections import Counter\ncounts = dict(Counter(data))",
           _ALL - {"mean_right", "z_right"}),
    # sd follows the variance, and z's squares sum to n - 1.
    Answer("sample variance", "def mean(xs):\n    return sum(xs) / len(xs)",
           "def variance(xs):\n    mu = mean(xs)\n"
           "    return sum((x - mu) ** 2 for x in xs) / (len(xs) - 1)",
           "def normalize(xs):\n    return [(x - m) / sd for x in xs]",
           "counts = {}\nfor x in data:\n    counts[x] = counts.get(x, 0) + 1",
           _ALL - {"variance_right", "sd_right", "z_right"}),
    # normalize still the stub (returns None), counts never written: the report cell raises.
    Answer("unfinished", "def mean(xs):\n    return sum(xs) / len(xs)",
           RIGHT_VARIANCE,
           "def normalize(xs):\n    ...  # Your code here",
           "# Your code here\n...",
           _ALL - {"z_right", "counts_right"}),
)


def teacher_cells() -> list[Any]:
    from tests.factories import code, markdown

    return [
        markdown(INTRO),
        code("import math", "imports"),
        code(DATA, "data"),
        code(MEAN, "mean"),
        code(VARIANCE, "variance"),
        code("m = mean(data)\nsd = math.sqrt(variance(data))", "summary"),
        code(NORMALIZE, "normalize"),
        code("z = normalize(data)", "z"),
        code(COUNTS, "counts"),
        code(REPORT, "report"),
        *(code(f"# hidden test {name} points={points}\n{body}", f"test_{name}")
          for name, points, body in HIDDEN_TESTS),
    ]


def student_text(answer: Answer, student: int) -> str:
    """The student's notebook as they save it: the 10 cells of the student version, filled in."""
    from tests.factories import code, markdown, notebook_text

    return notebook_text(
        markdown(f"{INTRO}\n\nStudent {student}."),
        code("import math", "imports"),
        code(DATA, "data"),
        code(answer.mean, "mean"),
        code(answer.variance, "variance"),
        code("m = mean(data)\nsd = math.sqrt(variance(data))", "summary"),
        code(answer.normalize, "normalize"),
        code("z = normalize(data)", "z"),
        code(answer.counts, "counts"),
        code(REPORT, "report"),
    )


def answer_of(student: int) -> Answer:
    return ANSWERS[student % len(ANSWERS)]


# ---------------------------------------------------------------------------
# Setting up: database, storage, Redis, the course
# ---------------------------------------------------------------------------


def _configure(database_url: str, redis_url: str, s3_endpoint: str, prefix: str) -> dict[str, str]:
    """Settings of this process and the workers: test settings on this run's services."""
    env = {
        "DJANGO_SETTINGS_MODULE": "playground.settings.test",
        "PLAYGROUND_TEST_DATABASE_URL": database_url,
        "PLAYGROUND_TEST_REDIS_URL": redis_url,
        "KERNELS_REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "KERNELS_REDIS_PREFIX": prefix,
        "GRADING": "1",
        "GRADING_CELERY_QUEUE": f"grading-{prefix}",
        "S3_BUCKET": BUCKET,
        "S3_PREFIX": f"notebooks-{prefix}",
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test",
        "S3_REGION": "us-east-1",
    }
    os.environ.update(env)
    import django

    django.setup()
    return env


@dataclass
class Course:
    assignment: Any
    students: list[Any]
    submissions: list[Any]  # one per student, in student order
    tests: tuple[Any, ...]  # the release's suite, as the workers read it


def seed(count: int) -> Course:
    """A course, the released assignment, ``count`` students each with one submission.

    Grading is off while seeding (the runs are made but not queued); each measurement
    requests them itself."""
    from django.conf import settings
    from django.utils import timezone

    from classroom import services
    from classroom.authoring import GradingSuite
    from notebooks import services as notebook_services
    from storage.blobs import blob_get
    from tests.factories import notebook_make, user_make

    settings.GRADING = False
    owner = user_make(f"teacher-{secrets.token_hex(3)}@school.example")
    course = services.course_create(owner=owner, title="Statistics 101")
    source = notebook_make(owner, title="Summary statistics (teacher)", cells=teacher_cells())
    assignment = services.assignment_create(
        course=course, source=source, title="Summary statistics",
        dates=services.Dates(due_at=timezone.now() + timedelta(days=7)),
    )
    release = services.assignment_release(assignment=assignment, actor=owner)
    if (release.tests_count, release.hidden_count, release.points_total) != (
        len(HIDDEN_TESTS), len(HIDDEN_TESTS), POINTS_TOTAL
    ):
        raise BenchFailed(f"the release has {release.tests_count} tests, {release.hidden_count} "
                          f"hidden, {release.points_total} points")
    students, submissions = [], []
    for index in range(count):
        student = user_make()
        services.course_join(user=student, code=course.join_code)
        work = services.work_open(assignment=assignment, student=student)
        notebook_services.revision_create(notebook=work.notebook,
                                          content=student_text(answer_of(index), index),
                                          author=student, base_revision=None)
        submissions.append(services.submission_create(assignment=assignment, student=student))
        students.append(student)
    suite = GradingSuite.from_json(blob_get(key=release.suite_key).decode("utf-8"))
    return Course(assignment=assignment, students=students, submissions=submissions,
                  tests=suite.tests)


# ---------------------------------------------------------------------------
# Checking a graded run
# ---------------------------------------------------------------------------


def check_passes(what: str, answer: Answer, passed: dict[str, bool]) -> None:
    expected = {name: name in answer.passes for name, _, _ in HIDDEN_TESTS}
    if passed != expected:
        wrong = sorted(name for name in expected if passed.get(name) != expected[name])
        raise BenchFailed(f"{what} ({answer.label}): tests {wrong} came out wrong: {passed}")


def check_run(run: Any, answer: Answer) -> None:
    from classroom.models import GradingStatus

    what = f"run {run.pk} of submission {run.submission_id}"
    if run.status != GradingStatus.GRADED:
        raise BenchFailed(f"{what} ended {run.status}: {run.problem}")
    if run.problem:
        raise BenchFailed(f"{what}: the notebook could not be run: {run.problem}")
    results = list(run.results.order_by("position"))
    check_passes(what, answer, {r.name: r.passed for r in results})
    awarded = sum((r.points_awarded for r in results), Decimal(0))
    if (run.points_earned, awarded, run.points_total) != (answer.points, answer.points,
                                                          POINTS_TOTAL):
        raise BenchFailed(f"{what} ({answer.label}): {run.points_earned} of {run.points_total} "
                          f"points (results {awarded}); expected {answer.points} of "
                          f"{POINTS_TOTAL}")


# ---------------------------------------------------------------------------
# (a) the floor
# ---------------------------------------------------------------------------


def floor_grade(text: str, tests: tuple[Any, ...]) -> dict[str, bool]:
    """The notebook run as the student side runs it, then each test, here: no sandbox."""
    from kernels.grading.student import StudentSide

    side = StudentSide(io.StringIO())
    side.run(text)
    passed = {}
    for test in tests:
        namespace = {**side.kernel.globals, "__name__": "__test__"}
        try:
            exec(compile(test.code, "<test>", "exec"), namespace)
        except Exception:
            passed[test.name] = False
        else:
            passed[test.name] = True
    return passed


@dataclass
class FloorResult:
    total_s: float
    cpu_s: float
    each_s: list[float]


def measure_floor(course: Course) -> FloorResult:
    from storage.blobs import blob_get

    texts = [blob_get(key=s.storage_key).decode("utf-8") for s in course.submissions]
    floor_grade(texts[0], course.tests)  # warm-up: the kernel's first run compiles and imports
    each = []
    cpu = time.process_time()
    started = time.perf_counter()
    for index, text in enumerate(texts):
        begun = time.perf_counter()
        passed = floor_grade(text, course.tests)
        each.append(time.perf_counter() - begun)
        check_passes(f"the floor's submission {index}", answer_of(index), passed)
    return FloorResult(time.perf_counter() - started, time.process_time() - cpu, each)


# ---------------------------------------------------------------------------
# Workers and batches
# ---------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """CPU time of a live process so far: its threads and its waited-for children (the
    sandboxes and testers it started and reaped)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


class Workers:
    """Real grading workers of this run (``--concurrency 1`` each); stopped by their pids."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.running: list[Any] = []
        self.started: list[Any] = []

    def start(self, count: int) -> list[Any]:
        """Start workers (at once) until ``count`` run; the running ones, once all are up."""
        from concurrent.futures import ThreadPoolExecutor

        from tests.classroom.grading_workers import start_grading_worker

        more = count - len(self.running)
        with ThreadPoolExecutor(max(more, 1)) as pool:
            futures = [pool.submit(start_grading_worker, self.env, self.log_dir, concurrency=1)
                       for _ in range(more)]
        problems = []
        for future in futures:
            try:
                worker = future.result()
            except RuntimeError as error:
                problems.append(str(error))
            else:
                self.running.append(worker)
                self.started.append(worker)
        if problems:
            raise BenchFailed("\n".join(problems))
        return self.running

    def stop_all(self) -> None:
        """TERM to every worker at once (warm shutdown), then wait for each."""
        from serverkernels import sandbox

        for worker in self.running:
            if worker.process.poll() is None:
                worker.process.terminate()
        for worker in self.running:
            worker.stop()
        for worker in self.running:
            # Groups of sandboxes a stopped worker left behind.
            sandbox.remove_stale_cgroups(created_by=worker.pid)
        self.running = []

    def logs(self) -> str:
        return "\n".join(worker.log()[-3000:] for worker in self.started)


@dataclass
class Batch:
    workers: int
    total_s: float
    in_worker_s: list[float]  # started_at -> finished_at of each run
    gaps_s: list[float]  # a worker's run finished -> its next run claimed
    cpu_s: float  # of the worker processes and their children
    graded_by: dict[str, int]
    retried: int


def _finished(run_ids: list[int]) -> int:
    from classroom.models import GradingRun, GradingStatus

    return GradingRun.objects.filter(
        pk__in=run_ids, status__in=(GradingStatus.GRADED, GradingStatus.ERROR)
    ).count()


def grade_batch(course: Course, workers: Workers, count: int) -> Batch:
    """``count`` idle workers (started as needed), then every submission's run requested at
    once; until all are graded."""
    from django.conf import settings

    from classroom import grading
    from classroom.models import GradingRun

    GradingRun.objects.filter(submission__in=course.submissions).delete()
    running = workers.start(count)
    cpu_before = {w.pid: _cpu_seconds(w.pid) for w in running}
    settings.GRADING = True
    started = time.time()
    runs = [grading.grading_request(submission=s) for s in course.submissions]
    run_ids = [run.pk for run in runs if run is not None]
    deadline = time.monotonic() + BATCH_TIMEOUT_S
    while _finished(run_ids) < len(run_ids):
        if time.monotonic() > deadline:
            raise BenchFailed(f"{len(run_ids) - _finished(run_ids)} of {len(run_ids)} runs "
                              f"were not graded within {BATCH_TIMEOUT_S:.0f} s")
        for worker in running:
            if worker.process.poll() is not None:
                raise BenchFailed(f"worker {worker.pid} exited while grading")
        time.sleep(BATCH_POLL_S)
    cpu = sum(_cpu_seconds(w.pid) - cpu_before[w.pid] for w in running)
    settings.GRADING = False
    graded = {run.submission_id: run for run in GradingRun.objects.filter(pk__in=run_ids)}
    by: dict[str, int] = {}
    for index, submission in enumerate(course.submissions):
        run = graded.get(submission.pk)
        if run is None:
            raise BenchFailed(f"submission {submission.pk} has no grading run")
        check_run(run, answer_of(index))
        by[run.worker] = by.get(run.worker, 0) + 1
    finished = max(run.finished_at.timestamp() for run in graded.values())
    gaps = []
    for worker in by:
        mine = sorted((r for r in graded.values() if r.worker == worker),
                      key=lambda r: r.started_at)
        gaps += [(b.started_at - a.finished_at).total_seconds()
                 for a, b in itertools.pairwise(mine)]
    return Batch(
        workers=count,
        total_s=finished - started,
        in_worker_s=[(r.finished_at - r.started_at).total_seconds() for r in graded.values()],
        gaps_s=gaps,
        cpu_s=cpu,
        graded_by=by,
        retried=sum(1 for run in graded.values() if run.attempts > 1),
    )


def measure_feedback(course: Course, samples: int) -> tuple[list[float], list[float]]:
    """One submission at a time to an idle worker: (submit -> graded, the submit call alone)."""
    from django.conf import settings

    from classroom import services
    from classroom.models import GradingRun, GradingStatus

    settings.GRADING = True
    waits, submits = [], []
    try:
        for sample in range(samples):
            index = sample % len(course.students)
            begun = time.perf_counter()
            submission = services.submission_create(assignment=course.assignment,
                                                    student=course.students[index])
            submits.append(time.perf_counter() - begun)
            deadline = time.monotonic() + RUN_TIMEOUT_S
            while not GradingRun.objects.filter(
                submission=submission, status__in=(GradingStatus.GRADED, GradingStatus.ERROR)
            ).exists():
                if time.monotonic() > deadline:
                    raise BenchFailed(f"submission {submission.pk} was not graded within "
                                      f"{RUN_TIMEOUT_S:.0f} s")
                time.sleep(FEEDBACK_POLL_S)
            waits.append(time.perf_counter() - begun)
            check_run(GradingRun.objects.get(submission=submission), answer_of(index))
    finally:
        settings.GRADING = False
    return waits, submits


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------


def _met(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def _row(label: str, values: list[float]) -> str:
    return (f"| {label} | {len(values)} | {statistics.median(values):.3f} s | "
            f"{percentile(values, 0.95):.3f} s | {max(values):.3f} s |")


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def measure(course: Course, workers: Workers, counts: Counts) -> str:
    n = counts.submissions
    mix = ", ".join(f"{answer.label} {answer.points}" for answer in ANSWERS)
    print(f"{n} submissions of a 10-cell notebook with {len(HIDDEN_TESTS)} hidden tests "
          f"({POINTS_TOTAL} points; answers in turn, with their points: {mix})\n", flush=True)

    floor = measure_floor(course)
    print(f"(a) floor: {n} notebooks and their tests in this process: "
          f"{floor.total_s:.2f} s (load {_load()})", flush=True)

    one = grade_batch(course, workers, 1)
    print(f"(b) 1 worker process: {one.total_s:.1f} s (load {_load()})", flush=True)
    waits, submits = measure_feedback(course, counts.feedback)
    print(f"(d) feedback when idle: {counts.feedback} submissions (load {_load()})", flush=True)

    two = grade_batch(course, workers, 2)  # the same worker and one more
    print(f"(c) 2 worker processes: {two.total_s:.1f} s (load {_load()})\n", flush=True)

    floor_each = floor.total_s / n
    overhead = one.total_s / n - floor_each
    scaling = one.total_s / two.total_s
    feedback_p95 = percentile(waits, 0.95)

    print(f"every graded run was checked: {n} x 2 batches + {counts.feedback} feedback runs, "
          "each test's result and the points as expected; the floor's results too\n")
    print(f"| {n} submissions graded by | total | per submission | over the floor "
          "| / floor | CPU per submission |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(f"| floor: one plain Python process | {floor.total_s:.2f} s | {floor_each:.3f} s | - "
          f"| 1.0 | {floor.cpu_s / n:.3f} s |")
    for batch in (one, two):
        per = batch.total_s / n
        label = "1 worker process" if batch.workers == 1 else "2 worker processes"
        print(f"| {label} | {batch.total_s:.1f} s | {per:.3f} s | {per - floor_each:.3f} s "
              f"| {per / floor_each:.1f} | {batch.cpu_s / n:.3f} s |")
    print("\n(CPU: of this process for the floor; of the worker processes and the sandboxes and "
          "testers they started, for the workers; PostgreSQL, Redis and moto not counted)\n")
    grading_mean = statistics.fmean(one.in_worker_s)
    gap_mean = statistics.fmean(one.gaps_s) if one.gaps_s else 0.0
    print(f"1 worker, per submission: {one.total_s / n:.3f} s = {grading_mean:.3f} s grading "
          f"(claimed -> results stored, mean) + {gap_mean:.3f} s between runs (mean) + the "
          "rest (requests, first claim)")
    spread = "+".join(str(c) for c in two.graded_by.values())
    print(f"2 workers graded {spread}; scaling 2 workers / 1: {scaling:.2f}; runs graded "
          f"twice (a lease lapsed): {one.retried} + {two.retried}\n")
    print("| time | n | p50 | p95 | max |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(_row("floor: one submission in this process", floor.each_s))
    print(_row("1 worker: a run, claimed -> results stored", one.in_worker_s))
    print(_row("2 workers: a run, claimed -> results stored", two.in_worker_s))
    print(_row("1 worker: a run stored -> the next claimed", one.gaps_s))
    print(_row("2 workers: a run stored -> the same worker's next claimed", two.gaps_s))
    print(_row("feedback when idle: submit -> graded (polled every 10 ms)", waits))
    print(_row("of which the submit call (`submission_create`)", submits))
    print()

    extrapolated = one.total_s * TARGET_FOR / n
    note = "" if n == TARGET_FOR else f" (extrapolated from {n})"
    print("| target | measured | |")
    print("| --- | ---: | --- |")
    print(f"| overhead over the floor <= {TARGET_OVERHEAD_S} s per submission | {overhead:.3f} s "
          f"| {_met(overhead <= TARGET_OVERHEAD_S)} |")
    print(f"| {TARGET_FOR} submissions in <= {TARGET_TOTAL_S / 60:.0f} min, 1 worker{note} "
          f"| {extrapolated:.1f} s | {_met(extrapolated <= TARGET_TOTAL_S)} |")
    print(f"| 2 workers >= {TARGET_SCALING}x one | {scaling:.2f}x "
          f"| {_met(scaling >= TARGET_SCALING)} |")
    print(f"| feedback p95 <= {TARGET_FEEDBACK_P95_S:.0f} s when idle | {feedback_p95:.3f} s "
          f"| {_met(feedback_p95 <= TARGET_FEEDBACK_P95_S)} |")
    print()
    return (f"total_s={one.total_s:.1f} overhead_s={overhead:.3f} scaling={scaling:.2f} "
            f"feedback_p95_s={feedback_p95:.3f}")


def _delete_keys(redis_url: str, prefix: str, queue: str, pids: list[int]) -> None:
    """This run's keys: its prefix (grading queue, leases, heartbeats), its Celery queue,
    kombu's bindings of it, and the cache entries of this process and the workers."""
    import redis

    client = redis.Redis.from_url(redis_url)
    patterns = [f"{prefix}:*", *(f"test-{pid}:*" for pid in pids)]
    keys = {key for pattern in patterns for key in client.scan_iter(pattern, count=1000)}
    keys |= {f"{name}{queue}".encode()
             for name in ("", "_kombu.binding.", "_kombu.binding_permanent.")}
    client.delete(*keys)


def run(counts: Counts, redis_url: str | None, workdir: Path) -> str:
    prefix = f"pggbench{secrets.token_hex(3)}"
    with contextlib.ExitStack() as stack:
        database_url = stack.enter_context(
            fresh_database(stack.enter_context(postgres_server()), f"bench_grading_{os.getpid()}"))
        url = stack.enter_context(redis_server(REDIS_DB, redis_url))
        s3_endpoint, stop_moto = start_moto_server()
        stack.callback(stop_moto)
        s3_client(s3_endpoint).create_bucket(Bucket=BUCKET)
        env = _configure(database_url, url, s3_endpoint, prefix)
        from django.core.management import call_command
        from django.db import connection

        stack.callback(connection.close)
        begun = time.monotonic()
        call_command("migrate", verbosity=0)
        migrated = time.monotonic() - begun
        course = seed(counts.submissions)
        seeded = time.monotonic() - begun - migrated
        print(f"database {database_url.rsplit('/', 1)[1]} migrated in {migrated:.1f} s; "
              f"{counts.submissions} students submitted in {seeded:.1f} s (grading off while "
              "seeding)\n", flush=True)
        workers = Workers(env, workdir / "workers")
        try:
            return measure(course, workers, counts)
        except BaseException:
            print(f"worker logs (ends):\n{workers.logs()}", file=sys.stderr)
            raise
        finally:
            workers.stop_all()
            _delete_keys(url, prefix, env["GRADING_CELERY_QUEUE"],
                         [os.getpid(), *(w.pid for w in workers.started)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK.submissions} submissions, {QUICK.feedback} feedback samples "
                             "(smoke test)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_GRADING_REDIS_URL"),
                        help=f"Redis for the queue and the broker (default: database {REDIS_DB} "
                             "of 127.0.0.1:6379, else a throw-away redis-server)")
    args = parser.parse_args(argv)
    counts = QUICK if args.quick else FULL
    print(f"Autograding against one plain process ({sys.implementation.name} "
          f"{sys.version.split()[0]}, {os.cpu_count()} cores, load average {_load()})\n",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as workdir:
        try:
            last = run(counts, args.redis_url, Path(workdir))
        except BenchFailed as failure:
            print(f"bench failed: {failure}", file=sys.stderr)
            return 1
    print(f"load average at the end: {_load()}\n")
    print(last)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
