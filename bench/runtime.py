"""Benchmark our reactive runtime against marimo's, side by side, in one run.

    python bench/runtime.py                   # sizes 100, 500 and 2000
    python bench/runtime.py --quick           # 100 cells, few repeats (smoke test)
    python bench/runtime.py --sizes 100,2000
    python bench/runtime.py --only ours       # profile one runtime alone

For generated notebooks of three shapes (a chain, a fan-out from one root,
wide independent cells of realistic code) it measures:

(a) graph build: source strings to analysed and compiled cells, dataflow
    graph and graph errors (ours: ``build_graph`` + ``errors()``; marimo:
    ``compile_cell`` + ``DirectedGraph.register_cell`` + ``check_for_errors``,
    what its kernel does when it loads a notebook);
(b) the per-cell overhead of a reactive re-run: re-run the root of a chain and
    of a fan-out, total time / cells re-run;
(c) the latency of running one independent cell among N wide cells.

Both runtimes are measured the same way: an in-process kernel (marimo's real
``Kernel``, built by ``kernel_lifecycle.kernel_session`` as its own tests and
tools build it) whose events go to an in-memory list; each timed run then
checks the number of cells that reported "running" and the value of the last
cell to run, so a broken run cannot produce a fast number. Timing never fails
the bench; a wrong result does.

The last line is ``graph_ratio=X overhead_ratio=Y``: ours / marimo at the
largest size measured (2000 by default), as the geometric mean over shapes
(graph: chain, fan-out, wide; overhead: chain, fan-out).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import gc
import importlib.metadata
import math
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

REPO_ROOT = Path(__file__).resolve().parent.parent
# The repository on the path, and bench/ off it: bench/http.py would shadow the
# standard library's http package (urllib, marimo's server) for every script here.
_OFF_PATH = (REPO_ROOT, REPO_ROOT / "bench")
sys.path[:] = [str(REPO_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in _OFF_PATH]

Cells = list[tuple[str, str]]  # (cell id, source), in notebook order

SHAPES = ("chain", "fan-out", "wide")
RERUN_SHAPES = ("chain", "fan-out")

# The targets for our runtime.
TARGET_RATIO = 0.1
TARGET_RERUN_US_PER_CELL = 50.0
TARGET_ONE_CELL_MS = 5.0
TARGET_SIZE = 2000  # the ratio and one-cell targets are at this size
TARGET_GROWTH = 1.5


# --------------------------------------------------------------------------
# Generated notebooks


@dataclass(frozen=True)
class Notebook:
    """A generated notebook and what re-running `rerun_id` must produce."""

    shape: str
    cells: Cells
    rerun_id: str  # the cell re-run in (b) and (c)
    checked_name: str  # a global the last cell to re-run defines
    expected_value: object
    expected_reruns: int  # cells that must report "running"
    expected_edges: int  # edges the dataflow graph must have

    @property
    def rerun_code(self) -> str:
        return dict(self.cells)[self.rerun_id]


def chain_notebook(n: int) -> Notebook:
    """Cell i reads the previous cell's variable: ``x{i} = x{i-1} + 1``."""
    cells = [("c0", "x0 = 1")] + [(f"c{i}", f"x{i} = x{i - 1} + 1") for i in range(1, n)]
    return Notebook("chain", cells, "c0", f"x{n - 1}", n, n, n - 1)


def fan_out_notebook(n: int) -> Notebook:
    """Every cell reads the root's variable: ``y{i} = x0 + {i}``."""
    cells = [("c0", "x0 = 1")] + [(f"c{i}", f"y{i} = x0 + {i}") for i in range(1, n)]
    return Notebook("fan-out", cells, "c0", f"y{n - 1}", n, n, n - 1)


# Independent cells of the kind people write: stdlib imports (aliased, since
# two cells may not define the same name), small functions and classes,
# comprehensions, f-strings, literals. "{i}" becomes the cell's index and
# "{m}" a small per-cell constant; every global ends in "_{i}" and each
# template defines result_{i}.
WIDE_TEMPLATES = (
    '''\
import math as math_{i}
from collections import Counter as Counter_{i}

def score_{i}(values, scale={m}):
    """Weighted root-sum of the positive values."""
    return sum(math_{i}.sqrt(v) * scale for v in values if v > 0)

samples_{i} = [k * {m} % 17 for k in range(24)]
counts_{i} = Counter_{i}(v % 3 for v in samples_{i})
summary_{i} = {"cell": {i}, "n": len(samples_{i}), "modes": sorted(counts_{i})}
label_{i} = f"cell {i}: score={score_{i}(samples_{i}):.2f}"
result_{i} = summary_{i}["n"] + counts_{i}[0]
''',
    '''\
import json as json_{i}
import statistics as statistics_{i}

records_{i} = [{"id": k, "value": (k * {m}) % 11, "tag": f"t{k % 4}"} for k in range(16)]

def group_{i}(rows):
    """Values by tag."""
    groups = {}
    for row in rows:
        groups.setdefault(row["tag"], []).append(row["value"])
    return groups

by_tag_{i} = group_{i}(records_{i})
means_{i} = {tag: statistics_{i}.mean(vals) for tag, vals in by_tag_{i}.items()}
payload_{i} = json_{i}.dumps(means_{i}, sort_keys=True)
result_{i} = len(payload_{i})
''',
    """\
from dataclasses import dataclass as dataclass_{i}
from itertools import accumulate as accumulate_{i}

@dataclass_{i}
class Point_{i}:
    x: int
    y: int

    def norm(self):
        return abs(self.x) + abs(self.y)

points_{i} = [Point_{i}(k, {m} - k) for k in range(12)]
running_{i} = list(accumulate_{i}(p.norm() for p in points_{i}))
report_{i} = f"{len(points_{i})} points, total {running_{i}[-1]}"
result_{i} = running_{i}[-1]
""",
    """\
import re as re_{i}
import textwrap as textwrap_{i}

text_{i} = "alpha beta gamma delta {i} epsilon zeta eta theta"
words_{i} = re_{i}.findall(r"[a-z]+", text_{i})
lengths_{i} = {w: len(w) for w in words_{i}}
wrapped_{i} = textwrap_{i}.wrap(" ".join(words_{i}), width=12 + {m})
longest_{i} = max(words_{i}, key=len)
result_{i} = sum(lengths_{i}.values()) + len(wrapped_{i})
""",
)


def wide_cell(i: int) -> str:
    template = WIDE_TEMPLATES[i % len(WIDE_TEMPLATES)]
    return template.replace("{i}", str(i)).replace("{m}", str(i % 7 + 1))


def wide_notebook(n: int) -> Notebook:
    """N independent cells; (c) runs the last one."""
    cells = [(f"c{i}", wide_cell(i)) for i in range(n)]
    last = n - 1
    namespace: dict[str, Any] = {"__name__": "bench_expected"}
    exec(compile(cells[last][1], "<expected>", "exec"), namespace)
    name = f"result_{last}"
    return Notebook("wide", cells, f"c{last}", name, namespace[name], 1, 0)


NOTEBOOKS: dict[str, Callable[[int], Notebook]] = {
    "chain": chain_notebook,
    "fan-out": fan_out_notebook,
    "wide": wide_notebook,
}


def fresh_sources(cells: Cells, revision: int) -> Cells:
    """The same notebook with never-seen sources, so no compile cache helps."""
    return [(cell_id, f"{code}\n# load {revision}\n") for cell_id, code in cells]


# --------------------------------------------------------------------------
# The two runtimes behind one interface


class Session(Protocol):
    """A kernel holding one notebook whose cells have all run once."""

    globals: dict[str, Any]

    def command(self, cell_id: str, code: str) -> object: ...
    async def run(self, command: object) -> None: ...
    def clear_events(self) -> None: ...
    def running_count(self) -> int: ...


class Runtime(Protocol):
    name: str

    def build_graph(self, cells: Cells) -> object: ...
    def edge_count(self, graph: object) -> int: ...
    def session(self, cells: Cells) -> contextlib.AbstractAsyncContextManager[Session]: ...


class OursSession:
    def __init__(self, kernel: Any, events: list[Any], protocol: Any) -> None:
        self.kernel = kernel
        self.events = events
        self.p = protocol
        self.globals = kernel.globals

    def command(self, cell_id: str, code: str) -> object:
        del code  # the kernel holds the cell's code already
        return self.p.Run(cell_ids=[cell_id])

    async def run(self, command: object) -> None:
        await self.kernel.handle(command)

    def clear_events(self) -> None:
        self.events.clear()

    def running_count(self) -> int:
        status_type = self.p.CellStatus
        return sum(1 for e in self.events if type(e) is status_type and e.status == "running")


class OursRuntime:
    name = "ours"

    def __init__(self) -> None:
        from kernels.runtime import protocol
        from kernels.runtime.graph import build_graph
        from kernels.runtime.kernel import Kernel

        self._p = protocol
        self._build_graph = build_graph
        self._kernel_class = Kernel

    def build_graph(self, cells: Cells) -> object:
        graph = self._build_graph(cells)
        graph.errors()  # as marimo's check_for_errors: multiple definitions, cycles
        return graph

    def edge_count(self, graph: Any) -> int:
        return len(set(graph.edges()))

    @contextlib.asynccontextmanager
    async def session(self, cells: Cells) -> AsyncIterator[Session]:
        p = self._p
        events: list[Any] = []
        kernel = self._kernel_class(emit=events.append)
        for cell_id, code in cells:
            await kernel.handle(p.CreateCell(cell_id=cell_id, code=code))
        await kernel.handle(p.Run(cell_ids=[cell_id for cell_id, _ in cells]))
        errored = [e.cell_id for e in events if type(e) is p.CellStatus and e.status == "errored"]
        if errored:
            raise RuntimeError(f"ours: cells {errored[:5]} errored while loading")
        yield OursSession(kernel, events, p)


class MarimoSession:
    def __init__(self, kernel: Any, messages: list[bytes]) -> None:
        self.kernel = kernel
        self.messages = messages
        self.globals = kernel.globals

    def command(self, cell_id: str, code: str) -> object:
        # What marimo's front end sends when the user runs a cell.
        from marimo._runtime.commands import ExecuteCellsCommand

        return ExecuteCellsCommand(cell_ids=[cell_id], codes=[code])

    async def run(self, command: object) -> None:
        await self.kernel.handle_message(command)

    def clear_events(self) -> None:
        self.messages.clear()

    def running_count(self) -> int:
        import msgspec

        count = 0
        for message in self.messages:
            decoded = msgspec.json.decode(message)
            if decoded.get("op") == "cell-op" and decoded.get("status") == "running":
                count += 1
        return count


class MarimoRuntime:
    name = "marimo"

    def __init__(self) -> None:
        # Imported here, not in the timed build, as ours are.
        from marimo._ast.compiler import compile_cell
        from marimo._lint.validate_graph import check_for_errors
        from marimo._runtime.dataflow import DirectedGraph

        self._compile_cell = compile_cell
        self._check_for_errors = check_for_errors
        self._graph_class = DirectedGraph

    def build_graph(self, cells: Cells) -> object:
        compile_cell = self._compile_cell
        graph = self._graph_class()
        for cell_id, code in cells:
            graph.register_cell(cell_id, compile_cell(code, cell_id=cell_id))
        self._check_for_errors(graph)
        return graph

    def edge_count(self, graph: Any) -> int:
        return sum(len(children) for children in graph.children.values())

    @contextlib.asynccontextmanager
    async def session(self, cells: Cells) -> AsyncIterator[Session]:
        from marimo._ast.app_config import _AppConfig
        from marimo._config.config import DEFAULT_CONFIG
        from marimo._messaging.types import KernelStreams, Stream
        from marimo._runtime.commands import AppMetadata, ExecuteCellsCommand
        from marimo._runtime.kernel_lifecycle import KernelArgs, kernel_session
        from marimo._session.model import SessionMode

        class ListStream(Stream):
            """Keeps the kernel's serialized notifications in memory."""

            def __init__(self, messages: list[bytes]) -> None:
                self.messages = messages

            def write(self, data: Any) -> None:
                self.messages.append(data)

            def copy_for_thread(self) -> Stream:
                return ListStream(self.messages)

        messages: list[bytes] = []
        args = KernelArgs(
            streams=KernelStreams(
                stream=ListStream(messages), stdout=None, stderr=None, stdin=None
            ),
            debugger=None,
            configs={},
            app_metadata=AppMetadata(
                query_params={}, cli_args={}, app_config=_AppConfig(), filename=None, argv=[]
            ),
            user_config=copy.deepcopy(DEFAULT_CONFIG),
            mode=SessionMode.EDIT,
            control_queue=asyncio.Queue(),
            set_ui_element_queue=asyncio.Queue(),
            virtual_file_storage=None,
        )
        # The kernel replaces __main__, sys.argv and sys.path for the notebook.
        main, argv, path = sys.modules["__main__"], sys.argv, list(sys.path)
        try:
            with kernel_session(args) as (kernel, _context):
                await kernel.handle_message(
                    ExecuteCellsCommand(
                        cell_ids=[cell_id for cell_id, _ in cells],
                        codes=[code for _, code in cells],
                    )
                )
                if kernel.errors:
                    raise RuntimeError(f"marimo: graph errors while loading: {kernel.errors}")
                yield MarimoSession(kernel, messages)
        finally:
            sys.modules["__main__"], sys.argv, sys.path[:] = main, argv, path


# --------------------------------------------------------------------------
# Measurement


@dataclass(frozen=True)
class Repeats:
    """Repeat a measurement at least `least` times, then until `budget_s`."""

    least: int
    most: int
    budget_s: float


@dataclass(frozen=True)
class Sample:
    median_s: float
    repeats: int


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Elapsed:
    wall_s: float = 0.0


class Stopwatch:
    """Times one block in wall-clock time, and totals CPU time against it.

    Medians are wall-clock latencies; the totals tell whether other processes
    took CPU from the timed runs (then every figure is inflated and noisy).
    """

    def __init__(self) -> None:
        self.total_wall_s = 0.0
        self.total_cpu_s = 0.0
        self._elapsed = Elapsed()
        self._start_wall = self._start_cpu = 0.0

    def __enter__(self) -> Elapsed:
        self._elapsed = Elapsed()
        self._start_cpu = time.process_time()
        self._start_wall = time.perf_counter()
        return self._elapsed

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self._start_wall
        cpu = time.process_time() - self._start_cpu
        self._elapsed.wall_s = wall
        self.total_wall_s += wall
        self.total_cpu_s += cpu

    @property
    def cpu_share(self) -> float:
        return self.total_cpu_s / self.total_wall_s if self.total_wall_s else math.nan


# One sample of a measurement: takes the repeat number, returns seconds.
Sampler = Callable[[int], Awaitable[float]]


async def measure_interleaved(samplers: dict[str, Sampler], repeats: Repeats) -> dict[str, Sample]:
    """Take samples round-robin, one per sampler per round, until each has enough.

    Alternating the runtimes keeps their ratio honest when the machine's load
    drifts during the run (other processes share its CPUs).
    """
    times: dict[str, list[float]] = {key: [] for key in samplers}
    spent = dict.fromkeys(samplers, 0.0)

    def wants_more(key: str) -> bool:
        taken = len(times[key])
        return taken < repeats.most and (taken < repeats.least or spent[key] < repeats.budget_s)

    while any(wants_more(key) for key in samplers):
        for key, sample in samplers.items():
            if wants_more(key):
                gc.collect()
                elapsed = await sample(len(times[key]))
                times[key].append(elapsed)
                spent[key] += elapsed
    return {key: Sample(statistics.median(t), len(t)) for key, t in times.items()}


def graph_sampler(
    runtime: Runtime, build: Callable[[Cells], object], notebook: Notebook, stopwatch: Stopwatch
) -> Sampler:
    """Build the notebook's graph from never-seen sources and check its edges."""

    async def sample(repeat: int) -> float:
        cells = fresh_sources(notebook.cells, repeat)
        with stopwatch as elapsed:
            graph = build(cells)
        edges = runtime.edge_count(graph)
        if edges != notebook.expected_edges:
            raise AssertionError(
                f"{runtime.name} {notebook.shape}: graph has {edges} edges, "
                f"expected {notebook.expected_edges}"
            )
        return elapsed.wall_s

    return sample


_SENTINEL = object()


def rerun_sampler(
    runtime: Runtime, session: Session, notebook: Notebook, stopwatch: Stopwatch
) -> Sampler:
    """Re-run `notebook.rerun_id` in a kernel that has run every cell, and check it."""
    command = session.command(notebook.rerun_id, notebook.rerun_code)

    async def sample(repeat: int) -> float:
        del repeat
        # Only a run that really re-executes the last cell restores its value.
        session.globals[notebook.checked_name] = _SENTINEL
        session.clear_events()
        with stopwatch as elapsed:
            await session.run(command)
        reran = session.running_count()
        value = session.globals.get(notebook.checked_name, "<undefined>")
        if reran != notebook.expected_reruns or value != notebook.expected_value:
            raise AssertionError(
                f"{runtime.name} {notebook.shape} ({len(notebook.cells)} cells): "
                f"{reran} cells ran (expected {notebook.expected_reruns}), "
                f"{notebook.checked_name} = {value!r} (expected {notebook.expected_value!r})"
            )
        return elapsed.wall_s

    return sample


async def measure_graphs(
    runtimes: Sequence[Runtime], notebook: Notebook, repeats: Repeats, stopwatch: Stopwatch
) -> dict[str, Sample]:
    samplers: dict[str, Sampler] = {}
    for runtime in runtimes:
        samplers[runtime.name] = graph_sampler(runtime, runtime.build_graph, notebook, stopwatch)
    return await measure_interleaved(samplers, repeats)


async def measure_reruns(
    runtimes: Sequence[Runtime], notebook: Notebook, repeats: Repeats, stopwatch: Stopwatch
) -> dict[str, Sample]:
    async with contextlib.AsyncExitStack() as stack:
        samplers: dict[str, Sampler] = {}
        for runtime in runtimes:
            session = await stack.enter_async_context(runtime.session(notebook.cells))
            samplers[runtime.name] = rerun_sampler(runtime, session, notebook, stopwatch)
        return await measure_interleaved(samplers, repeats)


def trivial_exec_floor_s() -> float:
    """What executing one trivial cell's code costs, the floor under (b)."""
    code = compile("x1 = x0 + 1", "<cell>", "exec")
    namespace: dict[str, Any] = {"x0": 1}
    loops = 100_000
    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(loops):
            exec(code, namespace)
        best = min(best, (time.perf_counter() - start) / loops)
    return best


# --------------------------------------------------------------------------
# Report

Results = dict[tuple[str, str, int], Sample]  # (runtime, shape, size) -> sample


def fmt_ms(sample: Sample | None) -> str:
    return "-" if sample is None else f"{sample.median_s * 1e3:.3f}"


def fmt_us_per_cell(sample: Sample | None, cells: int) -> str:
    return "-" if sample is None else f"{sample.median_s / cells * 1e6:.2f}"


def ratio(ours: Sample | None, marimo: Sample | None) -> float:
    if ours is None or marimo is None:
        return math.nan
    return ours.median_s / marimo.median_s


def fmt_ratio(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.4f}"


def fmt_reps(ours: Sample | None, marimo: Sample | None) -> str:
    return f"{ours.repeats if ours else '-'}/{marimo.repeats if marimo else '-'}"


def geometric_mean(values: Sequence[float]) -> float:
    if not values or any(math.isnan(v) or v <= 0 for v in values):
        return math.nan
    return math.exp(sum(math.log(v) for v in values) / len(values))


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(title)
    print("  " + "  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  " + "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    print()


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "NOT MET")


def verdict_at_most(value: float, target: float) -> str:
    return verdict(None if math.isnan(value) else value <= target)


def report(
    graph: Results, rerun: Results, one_cell: Results, sizes: Sequence[int], floor_s: float
) -> tuple[float, float]:
    """Print the tables and targets; return (graph_ratio, overhead_ratio)."""
    largest, smallest = max(sizes), min(sizes)

    rows = []
    for shape in SHAPES:
        for n in sizes:
            o, m = graph.get(("ours", shape, n)), graph.get(("marimo", shape, n))
            rows.append(
                [
                    shape,
                    str(n),
                    fmt_ms(o),
                    fmt_ms(m),
                    fmt_ratio(ratio(o, m)),
                    fmt_us_per_cell(o, n),
                    fmt_us_per_cell(m, n),
                    fmt_reps(o, m),
                ]
            )
    print_table(
        "(a) graph build from source: analyse + compile each cell, dataflow graph, errors (median)",
        [
            "shape",
            "cells",
            "ours ms",
            "marimo ms",
            "ratio",
            "ours us/cell",
            "marimo us/cell",
            "repeats ours/marimo",
        ],
        rows,
    )

    rows = []
    for shape in RERUN_SHAPES:
        for n in sizes:
            o, m = rerun.get(("ours", shape, n)), rerun.get(("marimo", shape, n))
            rows.append(
                [
                    shape,
                    str(n),
                    str(n),
                    fmt_ms(o),
                    fmt_ms(m),
                    fmt_us_per_cell(o, n),
                    fmt_us_per_cell(m, n),
                    fmt_ratio(ratio(o, m)),
                    fmt_reps(o, m),
                ]
            )
    print_table(
        "(b) reactive re-run of the root; overhead per cell = total / cells re-run (median)",
        [
            "shape",
            "cells",
            "re-ran",
            "ours ms",
            "marimo ms",
            "ours us/cell",
            "marimo us/cell",
            "ratio",
            "repeats ours/marimo",
        ],
        rows,
    )
    print(f"  floor: executing one trivial cell's code costs {floor_s * 1e6:.3f} us\n")

    rows = []
    for n in sizes:
        o, m = one_cell.get(("ours", "wide", n)), one_cell.get(("marimo", "wide", n))
        rows.append([str(n), "1", fmt_ms(o), fmt_ms(m), fmt_ratio(ratio(o, m)), fmt_reps(o, m)])
    print_table(
        "(c) run one independent cell in a notebook of N wide cells (median)",
        ["cells", "re-ran", "ours ms", "marimo ms", "ratio", "repeats ours/marimo"],
        rows,
    )

    print(
        f"linear growth (ours, time per cell at {largest} / at {smallest}; "
        f"target <= {TARGET_GROWTH}x)"
    )
    growths: list[float] = []
    for label, results, shapes in (("graph", graph, SHAPES), ("re-run", rerun, RERUN_SHAPES)):
        for shape in shapes:
            small = results.get(("ours", shape, smallest))
            large = results.get(("ours", shape, largest))
            if small is None or large is None or largest == smallest:
                print(f"  {label:7}{shape:8} n/a")
                continue
            per_small = small.median_s / smallest
            per_large = large.median_s / largest
            growth = per_large / per_small
            growths.append(growth)
            print(
                f"  {label:7}{shape:8} {per_small * 1e6:9.2f} -> {per_large * 1e6:9.2f} "
                f"us/cell  {growth:5.2f}x  {verdict(growth <= TARGET_GROWTH)}"
            )
    print()

    graph_ratio = geometric_mean(
        [ratio(graph.get(("ours", s, largest)), graph.get(("marimo", s, largest))) for s in SHAPES]
    )
    overhead_ratio = geometric_mean(
        [
            ratio(rerun.get(("ours", s, largest)), rerun.get(("marimo", s, largest)))
            for s in RERUN_SHAPES
        ]
    )
    ours_rerun = [
        (rerun[("ours", s, n)].median_s / n, s, n)
        for s in RERUN_SHAPES
        for n in sizes
        if ("ours", s, n) in rerun
    ]
    worst_rerun = max(ours_rerun, default=None)
    one = one_cell.get(("ours", "wide", TARGET_SIZE))

    print(f"targets (ours; ratios at {largest} cells, geometric mean over shapes)")
    for label, value in (
        ("graph_ratio (chain, fan-out, wide)", graph_ratio),
        ("overhead_ratio (chain, fan-out)", overhead_ratio),
    ):
        judged = (
            verdict_at_most(value, TARGET_RATIO)
            if largest == TARGET_SIZE
            else f"n/a (the target is at {TARGET_SIZE} cells)"
        )
        name, shapes = label.split(" ", 1)
        print(f"  {name} <= {TARGET_RATIO} {shapes}: {fmt_ratio(value)}  {judged}")
    if worst_rerun is None:
        print(f"  re-run overhead <= {TARGET_RERUN_US_PER_CELL:.0f} us/cell at every size: n/a")
    else:
        per_cell, shape, n = worst_rerun
        print(
            f"  re-run overhead <= {TARGET_RERUN_US_PER_CELL:.0f} us/cell at every size: "
            f"worst {per_cell * 1e6:.2f} us ({shape}, {n} cells)  "
            f"{verdict(per_cell * 1e6 <= TARGET_RERUN_US_PER_CELL)}"
        )
    print(
        f"  one cell of a {TARGET_SIZE}-cell notebook <= {TARGET_ONE_CELL_MS:.0f} ms: "
        + (
            "not measured  n/a"
            if one is None
            else f"{one.median_s * 1e3:.3f} ms  {verdict(one.median_s * 1e3 <= TARGET_ONE_CELL_MS)}"
        )
    )
    print(
        f"  linear growth <= {TARGET_GROWTH}x: "
        + (
            "n/a (one size)"
            if not growths
            else f"worst {max(growths):.2f}x  {verdict(max(growths) <= TARGET_GROWTH)}"
        )
    )
    print()
    return graph_ratio, overhead_ratio


# --------------------------------------------------------------------------
# Entry point


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="100 cells only, few repeats (a smoke test: seconds)"
    )
    parser.add_argument(
        "--sizes", default=None, help="comma-separated notebook sizes (default 100,500,2000)"
    )
    parser.add_argument(
        "--only",
        choices=("ours", "marimo"),
        default=None,
        help="measure one runtime alone (ratios print as nan)",
    )
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = "100" if args.quick else "100,500,2000"
    try:
        args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--sizes takes numbers separated by commas, got {args.sizes!r}")
    if not args.sizes or min(args.sizes) < 2:
        parser.error("--sizes needs at least one size of 2 cells or more")
    return args


def load_runtimes(only: str | None) -> list[Runtime]:
    runtimes: list[Runtime] = []
    if only in (None, "ours"):
        try:
            runtimes.append(OursRuntime())
        except ImportError as error:
            sys.exit(
                f"bench/runtime.py: our runtime is not importable ({error}). "
                "It needs kernels.runtime.kernel, .graph and .protocol; "
                "run with --only marimo to measure marimo alone."
            )
    if only in (None, "marimo"):
        try:
            runtimes.append(MarimoRuntime())
        except ImportError as error:
            sys.exit(
                f"bench/runtime.py: marimo is not importable ({error}). It is a bench-only "
                "dependency: pip install marimo (or run with --only ours)."
            )
    return runtimes


def marimo_version() -> str:
    try:
        return importlib.metadata.version("marimo")
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


async def run_bench(args: argparse.Namespace) -> None:
    runtimes = load_runtimes(args.only)
    if args.quick:
        repeats = Repeats(least=3, most=5, budget_s=0.05)
    else:
        repeats = Repeats(least=3, most=51, budget_s=2.0)
    print(
        f"runtime bench: sizes {', '.join(map(str, args.sizes))}; "
        f"{' vs '.join(r.name for r in runtimes)} (marimo {marimo_version()}); "
        f"Python {sys.version.split()[0]}"
    )
    print(
        f"repeats: at least {repeats.least}, then until {repeats.budget_s:g} s "
        f"per measurement, at most {repeats.most}\n"
    )

    stopwatch = Stopwatch()
    graph: Results = {}
    rerun: Results = {}
    one_cell: Results = {}
    for n in args.sizes:
        for shape in SHAPES:
            notebook = NOTEBOOKS[shape](n)
            log(f"{shape} {n}: graph build")
            for name, sample in (
                await measure_graphs(runtimes, notebook, repeats, stopwatch)
            ).items():
                graph[(name, shape, n)] = sample
            if shape in RERUN_SHAPES:
                log(f"{shape} {n}: re-run the root")
                results = rerun
            else:
                log(f"{shape} {n}: run one cell")
                results = one_cell
            for name, sample in (
                await measure_reruns(runtimes, notebook, repeats, stopwatch)
            ).items():
                results[(name, shape, n)] = sample

    share = stopwatch.cpu_share
    print(
        f"timed runs got {share:.0%} of a CPU"
        + (
            ": other processes competed for the CPU, so times are inflated and noisy\n"
            if share < 0.9
            else "\n"
        )
    )
    graph_ratio, overhead_ratio = report(graph, rerun, one_cell, args.sizes, trivial_exec_floor_s())
    print(f"graph_ratio={graph_ratio:.4g} overhead_ratio={overhead_ratio:.4g}")


def main(argv: Sequence[str] | None = None) -> None:
    asyncio.run(run_bench(parse_args(argv)))


if __name__ == "__main__":
    main()
