"""The kernel on a real asyncio event loop, in process: awaiting cells run as tasks.

``playground kernel --stdio`` runs the kernel on a loop (``asyncio.run``), where a
cell that awaits runs as a task of its own so that an interrupt can cancel it. The
tests in tests/runtime drive the kernel without a loop (they run under Pyodide too,
whose loop cannot be driven from a test), so this path is tested here, in process,
where mutation testing can see it (docs/testing.md). Nothing waits on the clock: the
cell tells the test it is running by setting an ``asyncio.Event``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

from kernels.runtime import protocol as p
from kernels.runtime.kernel import Kernel
from tests.runtime.kernel_driver import errors, ran, text


async def _interrupt_an_awaiting_cell() -> list[Any]:
    events: list[Any] = []
    kernel = Kernel(events.append)
    started = asyncio.Event()
    kernel.extra_globals["started"] = started
    await kernel.handle(p.CreateCell("wait", "import asyncio\nstarted.set()\nawait asyncio.sleep(3600)"))
    await kernel.handle(p.CreateCell("after", "print('after')"))
    run = asyncio.ensure_future(kernel.handle(p.RunAll()))
    await started.wait()
    kernel.interrupt()
    await run
    return events


def _on_own_loop(coroutine: Any) -> Any:
    """``asyncio.run`` in a thread of its own: the test run's main thread may already run
    a loop (Playwright's sync API keeps one for the session)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_an_interrupt_cancels_a_cell_that_awaits():
    events = _on_own_loop(_interrupt_an_awaiting_cell())

    assert errors(events)["wait"] == p.CellError("wait", "interrupted", "interrupted by the user")
    assert ran(events) == ["wait"], "the cell queued after it is left for later"
    assert next(e for e in events if isinstance(e, p.RunCompleted)).interrupted is True


async def _run(cells: list[tuple[str, str]]) -> tuple[Kernel, list[Any]]:
    events: list[Any] = []
    kernel = Kernel(events.append)
    kernel.extra_globals["kernel"] = kernel
    for cell_id, code in cells:
        await kernel.handle(p.CreateCell(cell_id, code))
    await kernel.handle(p.RunAll())
    return kernel, events


def test_an_awaiting_cell_on_a_loop_gives_its_value_and_the_next_cells_run():
    _, events = _on_own_loop(_run([
        ("fetch", "import asyncio\nasync def get():\n    await asyncio.sleep(0)\n    return 21\n"
                  "await get()"),
        ("later", "print('later')"),
    ]))

    assert text(events, "fetch") == "21"
    assert ran(events) == ["fetch", "later"]


def test_an_interrupt_asked_after_an_awaiting_cell_ended_stops_the_run_cleanly():
    # `asks` interrupts from inside the run, after `awaits` ran as a task and ended.
    kernel, events = _on_own_loop(_run([
        ("awaits", "import asyncio\nawait asyncio.sleep(0)"),
        ("asks", "kernel.interrupt()\nasked = True"),
        ("after", "print('after')"),
    ]))

    assert not errors(events)
    assert ran(events) == ["awaits", "asks"]
    assert kernel.globals["asked"] is True


def test_a_cell_without_awaits_that_exits_or_is_interrupted_stops_only_itself():
    # Cells without awaits run directly, not as tasks: asyncio re-raises SystemExit and
    # KeyboardInterrupt from a task out of the loop, which would end the kernel.
    try:
        _, events = _on_own_loop(_run([
            ("exits", "import sys\nsys.exit(3)"),
            ("stops", "raise KeyboardInterrupt"),
        ]))
    except (KeyboardInterrupt, SystemExit) as escaped:
        raise AssertionError(f"{type(escaped).__name__} left the event loop") from None
    assert {cell_id: e.kind for cell_id, e in errors(events).items()} == {
        "exits": "exit", "stops": "interrupted",
    }
