"""Mutation testing (``make mutation``): does each module's test selection catch its breaks?

    .venv/bin/python -m tests.mutation.run                # every group, from scratch
    .venv/bin/python -m tests.mutation.run graph access   # some groups
    .venv/bin/python -m tests.mutation.run graph --keep   # after adding tests: re-test the survivors
    .venv/bin/python -m tests.mutation.run graph --show   # the diff of every survivor

mutmut (pinned in requirements-dev.txt) copies the project into
``.cache/mutation/<group>/mutants/``, rewrites each function of the group's module
into many variants that differ by one small break (``<`` for ``<=``, a dropped
``not``, ``None`` for a value...) and runs the group's tests against each: a test
failing kills the mutant, a mutant every test passes *survives*. Per mutant it runs
only the tests that reached the mutated function (it records which while running the
selection once, unmutated), two mutants at a time (``--max-children``).

Each group is one mutmut run with a configuration of its own, written into
``.cache/mutation/<group>/pyproject.toml`` (the project's, plus ``[tool.mutmut]``):
the module and the tests it needs, no more (:data:`GROUPS`). The Django groups use
PostgreSQL, Redis and moto's S3 as the test suite does (tests/real_services.py,
started or found once here) and the plugin tests/mutation/worker_database.py, which
gives each running mutant a test database of its own.

At the end it prints a table per module (mutants, killed, timeouts, survived, no
tests, score = (killed + timeout) / mutants) and the name of every survivor; ``mutmut
show NAME`` run in ``.cache/mutation/<group>/`` shows one, ``--show`` all. Survivors
that cannot change behaviour (equivalent mutants) are listed in docs/testing.md,
"Mutation testing", with the reason; the exit status is 1 when a module scores below
:data:`TARGET` or a run failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
WORK = REPO / ".cache" / "mutation"
#: The project's packages (pyproject.toml's): all are copied into each run's ``mutants/``
#: (the settings import every app), only the group's module is mutated.
PACKAGES = tuple(
    pattern.rstrip("*")
    for pattern in tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["packages"]["find"]["include"]
)
TARGET = 90.0


@dataclass(frozen=True)
class Group:
    """One mutmut run: modules to mutate and the tests (pytest arguments) that guard them."""

    name: str
    modules: tuple[str, ...]
    tests: tuple[str, ...]
    django: bool = False
    # Folders of the repository the tests read that mutmut does not copy: linked into mutants/.
    links: tuple[str, ...] = ()


RUNTIME = "tests/runtime"
GROUPS = (
    Group(
        "graph",
        ("kernels/runtime/graph.py",),
        (
            f"{RUNTIME}/test_graph.py",
            f"{RUNTIME}/test_kernel_structure.py",
            f"{RUNTIME}/test_kernel.py",
            f"{RUNTIME}/analysis/test_analysis_graph_report.py",
            f"{RUNTIME}/formats/test_formats_jupyter_rewrite.py",  # run_order
        ),
    ),
    # Every runtime test drives the kernel (UI elements, marimo's API, outputs, streams);
    # not the two that check what the runtime imports (the mutated copy imports mutmut).
    # tests/host/test_kernel_event_loop.py: awaiting cells as tasks, on a real event loop.
    Group(
        "kernel",
        ("kernels/runtime/kernel.py",),
        (
            RUNTIME,
            f"--ignore={RUNTIME}/test_stdlib_only.py",
            f"--ignore={RUNTIME}/ui/test_ui_stdlib_only.py",
            "tests/host/test_kernel_event_loop.py",
        ),
    ),
    # The analysis tables, and the kernel tests that run what it compiled.
    Group(
        "analysis",
        ("kernels/runtime/analysis.py",),
        (
            f"{RUNTIME}/analysis",
            f"{RUNTIME}/test_cell_labels.py",
            f"{RUNTIME}/test_kernel.py",
            f"{RUNTIME}/test_kernel_events.py",
            f"{RUNTIME}/test_kernel_structure.py",
            f"{RUNTIME}/test_graph.py",
            "tests/host/test_kernel_event_loop.py",
        ),
    ),
    Group("access", ("sharing/access.py",), ("tests/sharing",), django=True),
    # Folder files are written, copied and streamed through blobs too.
    # tests/folders publishes sites and renders embeds from the built front end.
    Group("blobs", ("storage/blobs.py",), ("tests/storage", "tests/folders"), django=True,
          links=("frontend",)),
    # Every notebooks test but the play links' (services are what the pages and the API
    # call, and the websocket tests hear their events), and the sharing services'.
    Group(
        "services",
        ("notebooks/services.py",),
        (
            "tests/notebooks",
            "--ignore=tests/notebooks/test_play_links.py",
            "tests/sharing/test_services.py",
            "tests/folders",
        ),
        django=True,
        links=("frontend",),
    ),
    Group(
        "folders",
        ("folders/services.py", "folders/paths.py", "folders/links.py"),
        ("tests/folders",),
        django=True,
        links=("frontend",),
    ),
    # Its tests compare with the real lz-string, from frontend/node_modules.
    Group(
        "play_links",
        ("notebooks/play_links.py",),
        ("tests/notebooks/test_play_links.py",),
        django=True,
        links=("frontend",),
    ),
    Group(
        "consumers",
        ("notebooks/consumers.py",),
        ("tests/notebooks/test_consumers.py",),
        django=True,
    ),
    # The server kernels' websocket; one of its tests runs a real kernel worker (Celery, a
    # subprocess started from mutants/, where serverkernels is copied like every app).
    Group(
        "kernel_ws",
        ("serverkernels/consumers.py",),
        ("tests/serverkernels/test_consumer.py",),
        django=True,
    ),
)

#: pytest options for every run: no cache folder in ``mutants/``; Hypothesis draws the
#: same examples every time, so a mutant is not killed by one run and spared by the next.
PYTEST_ARGS = ("-p", "no:cacheprovider", "--hypothesis-seed=0")
DJANGO_PYTEST_ARGS = ("--reuse-db", "-p", "tests.mutation.worker_database")

# mutmut's exit codes of a mutant's test run, by outcome (mutmut.stats.status_by_exit_code).
KILLED = {1, 3}
SURVIVED = {0}
TIMEOUT = {36, 24, -24, 152, 255}
NO_TESTS = {5, 33}


def _toml_list(values: tuple[str, ...] | list[str]) -> str:
    return json.dumps(list(values))


def write_config(group: Group, folder: Path) -> None:
    """The group's working folder: links to the project and a pyproject.toml with [tool.mutmut]."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in (*PACKAGES, "tests", "manage.py"):
        link = folder / name
        if not link.is_symlink():
            link.symlink_to(REPO / name)
    pytest_args = PYTEST_ARGS + (DJANGO_PYTEST_ARGS if group.django else ())
    config = (REPO / "pyproject.toml").read_text(encoding="utf-8") + "\n".join(
        (
            "",
            "# Written by tests/mutation/run.py for the group " + json.dumps(group.name) + ".",
            "[tool.mutmut]",
            f"source_paths = {_toml_list(PACKAGES)}",
            f"only_mutate = {_toml_list(group.modules)}",
            # pytest-django puts the folder of the nearest manage.py first on sys.path: it must
            # find the one in mutants/, not the repository's, above it.
            'also_copy = ["manage.py"]',
            f"pytest_add_cli_args_test_selection = {_toml_list(group.tests)}",
            f"pytest_add_cli_args = {_toml_list(pytest_args)}",
            # Each mutant's tests start from a process that has only collected them, as a fresh
            # pytest does; "fork" would start them from the process that ran the whole selection
            # twice already (stats, clean run), with every cache those runs filled.
            'process_isolation = "forkserver"',
            # The folder is inside the repository, but git's view of it means nothing to mutmut.
            "use_git_change_detection = false",
            "",
        )
    )
    (folder / "pyproject.toml").write_text(config, encoding="utf-8")


@dataclass
class ModuleScore:
    module: str
    statuses: dict[str, int | None]  # mutant name -> mutmut's exit code

    def count(self, codes: set[int]) -> int:
        return sum(1 for code in self.statuses.values() if code in codes)

    @property
    def mutants(self) -> int:
        return len(self.statuses)

    @property
    def killed(self) -> int:
        return self.count(KILLED)

    @property
    def timeout(self) -> int:
        return self.count(TIMEOUT)

    @property
    def survived(self) -> int:
        return self.count(SURVIVED)

    @property
    def no_tests(self) -> int:
        return self.count(NO_TESTS)

    @property
    def other(self) -> int:
        return self.mutants - self.killed - self.timeout - self.survived - self.no_tests

    @property
    def score(self) -> float:
        return 100.0 * (self.killed + self.timeout) / self.mutants if self.mutants else 0.0

    def not_killed(self) -> list[str]:
        return sorted(name for name, code in self.statuses.items() if code not in KILLED | TIMEOUT)


def read_scores(group: Group, folder: Path) -> list[ModuleScore]:
    scores = []
    for module in group.modules:
        meta = folder / "mutants" / (module + ".meta")
        statuses = json.loads(meta.read_text())["exit_code_by_key"] if meta.exists() else {}
        scores.append(ModuleScore(module, statuses))
    return scores


def run_group(group: Group, *, keep: bool, max_children: int, verbose: bool) -> tuple[bool, float]:
    """Run mutmut for one group; return whether it completed and how long it took."""
    folder = WORK / group.name
    if not keep:
        shutil.rmtree(folder / "mutants", ignore_errors=True)
    write_config(group, folder)
    for name in group.links:
        link = folder / "mutants" / name
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.is_symlink():
            link.symlink_to(REPO / name, target_is_directory=True)
    # Only the survivors of the last run are tested again with --keep (mutmut keeps the
    # verdict of every mutant it already tested, whatever tests were added since).
    again = (
        [name for score in read_scores(group, folder) for name in score.not_killed()]
        if keep
        else []
    )
    if keep and not again and (folder / "mutants").exists():
        return True, 0.0
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    # One string hash seed for every run: where a mutant's effect depends on the order of
    # a set (which cells run first), its verdict is then the same from one run to the next.
    environment["PYTHONHASHSEED"] = "0"
    log = folder / "mutmut.log"
    started = time.monotonic()
    with log.open("w") as output:
        sink = None if verbose else output

        def mutmut_run(names: list[str]) -> int:
            command = [
                str(Path(sys.executable).with_name("mutmut")),
                "run",
                "--max-children",
                str(max_children),
                *names,
            ]
            return subprocess.run(
                command, cwd=folder, env=environment, stdout=sink, stderr=sink
            ).returncode

        returncode = mutmut_run(again)
        # A changed test selection or module makes mutmut forget verdicts; those mutants
        # are "not checked" now, and a run without names tests exactly them.
        if (
            again
            and returncode == 0
            and any(
                code is None
                for score in read_scores(group, folder)
                for code in score.statuses.values()
            )
        ):
            returncode = mutmut_run([])
    elapsed = time.monotonic() - started
    if returncode != 0:
        if not verbose:
            print(log.read_text(errors="replace")[-4000:], file=sys.stderr)
        print(
            f"mutmut failed for {group.name} (exit status {returncode}); log: {log}",
            file=sys.stderr,
        )
    return returncode == 0, elapsed


@contextlib.contextmanager
def services(django: bool) -> Iterator[None]:
    """PostgreSQL, Redis and S3 as tests/real_services.py finds or starts them, for the whole run.

    Set here once, so that no test process starts a moto server of its own; the Django
    groups get a folder of slot locks and a prefix for their test databases.
    """
    from tests import real_services

    real_services._set_up_services()
    slots = Path(tempfile.mkdtemp(prefix="playground-mutation-slots-"))
    database = urlsplit(os.environ["PLAYGROUND_TEST_DATABASE_URL"]).path.lstrip("/")
    prefix = f"test_{database}_mutation"
    os.environ.update(PLAYGROUND_MUTATION_SLOTS=str(slots), PLAYGROUND_MUTATION_DATABASE=prefix)
    try:
        yield
    finally:
        if django:
            from playground.settings.environment import database_from_url
            from tests.mutation.worker_database import drop_database

            settings_dict = database_from_url(os.environ["PLAYGROUND_TEST_DATABASE_URL"])
            for lock in sorted(slots.glob("slot-*.lock")):
                drop_database(settings_dict, f"{prefix}_{lock.stem.removeprefix('slot-')}")
        shutil.rmtree(slots, ignore_errors=True)
        real_services._stop_services()


def print_table(rows: list[tuple[ModuleScore, float]]) -> None:
    header = (
        "module",
        "mutants",
        "killed",
        "timeout",
        "survived",
        "no tests",
        "other",
        "score",
        "time",
    )
    lines = [header] + [
        (
            s.module,
            str(s.mutants),
            str(s.killed),
            str(s.timeout),
            str(s.survived),
            str(s.no_tests),
            str(s.other),
            f"{s.score:.1f}%",
            f"{seconds / 60:.1f} min",
        )
        for s, seconds in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for number, line in enumerate(lines):
        print(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            )
        )
        if number == 0:
            print("  ".join("-" * width for width in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "groups",
        nargs="*",
        metavar="GROUP",
        help=f"groups to run (default: all): {', '.join(g.name for g in GROUPS)}",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the last run's results and test only its survivors again",
    )
    parser.add_argument(
        "--show", action="store_true", help="print the last run's survivors as diffs; run nothing"
    )
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once (2)")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="mutmut's own output on the terminal instead of .cache/mutation/<group>/mutmut.log",
    )
    options = parser.parse_args(argv)
    by_name = {group.name: group for group in GROUPS}
    unknown = [name for name in options.groups if name not in by_name]
    if unknown:
        parser.error(f"unknown group {', '.join(unknown)}; choose from {', '.join(by_name)}")
    groups = [by_name[name] for name in options.groups] if options.groups else list(GROUPS)

    if options.show:
        mutmut = str(Path(sys.executable).with_name("mutmut"))
        for group in groups:
            for score in read_scores(group, WORK / group.name):
                for name in score.not_killed():
                    subprocess.run([mutmut, "show", name], cwd=WORK / group.name, check=False)
        return 0

    rows: list[tuple[ModuleScore, float]] = []
    failed: list[str] = []
    started = time.monotonic()
    with services(django=any(group.django for group in groups)):
        for group in groups:
            print(f"mutation: {group.name} ({', '.join(group.modules)}) ...", flush=True)
            completed, seconds = run_group(
                group, keep=options.keep, max_children=options.max_children, verbose=options.verbose
            )
            if not completed:
                failed.append(group.name)
            scores = read_scores(group, WORK / group.name)
            rows.extend((score, seconds / len(scores)) for score in scores)
            figures = ", ".join(f"{score.score:.1f}%" for score in scores)
            print(f"mutation: {group.name} done in {seconds / 60:.1f} min: {figures}", flush=True)

    print()
    print_table(rows)
    print(f"\ntotal {(time.monotonic() - started) / 60:.1f} min, {options.max_children} at a time")
    for score, _ in rows:
        names = score.not_killed()
        if names:
            print(
                f"\nnot killed in {score.module} (equivalent ones: docs/testing.md, Mutation testing):"
            )
            for name in names:
                print(f"  {name}")
    below = [score.module for score, _ in rows if score.score < TARGET]
    if below:
        print(f"\nbelow {TARGET:.0f}%: {', '.join(below)}")
    if failed:
        print(
            f"\nmutmut failed for: {', '.join(failed)} (logs in .cache/mutation/<group>/mutmut.log)"
        )
    return 1 if below or failed else 0


if __name__ == "__main__":
    sys.exit(main())
