"""A notebook on a server kernel, switched on from the editor: real Celery workers, real kernels.

The editor's page (the host) holds the kernel's API calls and websocket and relays
them to the framed playground (docs/frontend-contract.md, "Server kernels"). Workers
are real ``celery -A playground worker -Q kernels`` processes started with the
service's own environment (``service.env``: its settings, Redis and key prefix),
so they serve this service and no other. Every wait is on the page's DOM or on
the worker's advertisement in Redis (``start_worker``), never on the clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.accounts_flow import framed_notebook, new_notebook, sign_up_and_verify
from tests.browser.conftest import ACTION_TIMEOUT_MS
from tests.browser.notebook_page import exact_text
from tests.browser.service import RunningService, start_service
from tests.browser.wheel_index import PURE_GREETING, PURE_PROJECT
from tests.serverkernels.workers import KernelWorker, start_worker

# Installing goes through the service's proxy to the loopback index: a slow machine.
INSTALL_TIMEOUT_MS = 60_000

INTERRUPTED = re.compile("interrupt", re.IGNORECASE)
# numpy 2 shows a numpy integer as np.int64(10).
TEN = re.compile(r"^\s*np\.int64\(10\)\s*$")
AFTER = re.compile(r"^\s*\(42, '[0-9a-f]{8}'\)\s*$")
# A lost worker is noticed when its heartbeat key expires (3 s) and the socket's
# next check (every second) sees it: a few seconds; the margin is for a busy machine.
LOST_WITHIN_MS = 20_000


@pytest.fixture
def kernel_workers(service: RunningService, tmp_path: Path) -> Iterator[Callable[[], KernelWorker]]:
    """Start kernel workers for the service (one slot each); all are stopped after the test."""
    started: list[KernelWorker] = []

    def start() -> KernelWorker:
        # Packages a cell imports come from the service's /wheels/ proxy, as in the browser.
        env = {**service.env,
               "KERNEL_WHEELS_INDEX_URL": f"{service.usercontent_url}/wheels/simple/"}
        worker = start_worker(env, tmp_path / "workers", slots=1)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if not worker.stopped:
            worker.stop()


def _save(page: Page) -> None:
    page.get_by_test_id("host-save").click()
    expect(page.get_by_test_id("save-status")).to_have_attribute("data-state", "saved")


def test_a_notebook_runs_on_a_server_kernel_survives_a_lost_worker_and_a_reload(
    new_context: Callable[..., BrowserContext],
    service: RunningService,
    kernel_workers: Callable[[], KernelWorker],
) -> None:
    page = new_context(app=True).new_page()
    sign_up_and_verify(page, service)
    notebook = new_notebook(page, "On the server")
    frame = notebook.root
    state = frame.get_by_test_id("server-kernel-state")
    kernel_status = frame.get_by_test_id("kernel-status")

    # No worker is alive yet: the session waits in the queue, and the page says why.
    frame.get_by_test_id("kernel-switch").click()
    expect(state).to_have_attribute("data-state", "queued")
    expect(state).to_contain_text("position 1")
    expect(state).to_contain_text("no kernel worker is running")
    expect(kernel_status).to_have_attribute("data-state", "booting")

    # A worker starts: it takes the session, and the page's cells go to the new kernel.
    worker = kernel_workers()
    expect(state).to_have_attribute("data-state", re.compile("idle|running"))
    notebook.wait_for_kernel()
    expect(kernel_status).to_contain_text("Server Python")

    first = notebook.cell(0)
    notebook.set_code(first, "import numpy as np\nnp.arange(5).sum()")
    notebook.run_with_shift_enter(first)
    expect(notebook.output(first)).to_have_text(TEN)

    # A pure-Python package the worker's environment lacks: installed from /wheels/
    # before the cell runs, with the same notice as in the browser.
    extra = notebook.add_code_cell(f"import {PURE_PROJECT}\n{PURE_PROJECT}.hello()")
    notebook.run_with_shift_enter(extra)
    expect(notebook.output(extra)).to_contain_text(PURE_GREETING, timeout=INSTALL_TIMEOUT_MS)
    expect(extra.get_by_test_id("cell-packages")).to_contain_text(f"installed {PURE_PROJECT}")
    notebook.delete(extra)

    # Stop interrupts a cell that never ends, and the kernel goes on.
    loop = notebook.add_code_cell("while True:\n    pass")
    notebook.run_with_shift_enter(loop)
    expect(loop).to_have_attribute("data-status", "running")
    expect(state).to_have_attribute("data-state", "running")
    frame.get_by_test_id("interrupt").click()
    expect(notebook.error(loop)).to_contain_text(INTERRUPTED)
    later = notebook.add_code_cell(
        "after = int(np.arange(7).sum()) * 2\ntoken = __import__('secrets').token_hex(4)\n(after, token)"
    )
    notebook.run_with_shift_enter(later)
    expect(notebook.output(later)).to_have_text(AFTER)

    # The worker dies mid-run (SIGKILL, no goodbye): the page says the kernel is lost,
    # keeps every output marked stale, and offers to start again.
    notebook.run_with_shift_enter(loop)
    expect(loop).to_have_attribute("data-status", "running")
    worker.kill()
    expect(state).to_have_attribute("data-state", "lost", timeout=LOST_WITHIN_MS)
    expect(kernel_status).to_have_attribute("data-state", "dead")
    expect(frame.get_by_test_id("server-kernel-notice")).to_contain_text("restart")
    expect(frame.get_by_test_id("server-kernel-run-all")).to_be_visible()
    expect(notebook.output(first)).to_have_text(TEN)
    expect(first).to_have_attribute("data-stale", "not-run")
    expect(loop).not_to_have_attribute("data-status", "running")

    # What is typed while the kernel is lost is kept, and runs on the next kernel.
    notebook.set_code(loop, "looped = 'no more'")
    kernel_workers()
    frame.get_by_test_id("restart").click()
    notebook.wait_for_kernel()
    expect(notebook.output(first)).to_have_text(TEN)
    expect(notebook.output(later)).to_have_text(AFTER)
    expect(first).not_to_have_attribute("data-stale", "not-run")
    expect(frame.get_by_test_id("server-kernel-notice")).to_be_hidden()

    # Reopened, the notebook joins the same session: its outputs show at once, from the
    # server, and its names are still there; nothing ran again (the token is the same).
    expect(later).to_have_attribute("data-status", "idle")
    ran_before = notebook.output(later).inner_text().strip()
    _save(page)
    page.reload()
    again = framed_notebook(page, wait_for_kernel=False)
    expect(again.root.get_by_test_id("server-kernel-state")).to_have_attribute("data-state", "idle")
    again.wait_for_kernel()
    expect(again.output(again.cell(0))).to_have_text(TEN)
    expect(again.output(again.cell(2))).to_have_text(exact_text(ran_before))
    check = again.add_code_cell("after + 1")
    again.run_with_shift_enter(check)
    # The sentinel: a run the page had sent on joining would have come before this one.
    expect(again.output(check)).to_have_text(exact_text("43"))
    expect(again.output(again.cell(2))).to_have_text(exact_text(ran_before))

    # input() asks on the page, and the answer reaches the kernel on the server.
    asking = again.add_code_cell("name = input('Your name? ')\nname.upper()")
    again.run_with_shift_enter(asking)
    box = asking.get_by_test_id("cell-input")
    expect(box).to_be_focused()
    box.fill("Ada")
    box.press("Enter")
    expect(again.output(asking)).to_have_text(exact_text("'ADA'"))
    again.delete(asking)

    # Back to the browser: the server kernel is shut down, the cells and their text stay.
    again.root.get_by_test_id("server-kernel-browser").click()
    expect(again.root.get_by_test_id("kernel-switch")).to_be_visible()
    again.wait_for_kernel()
    expect(again.root.get_by_test_id("kernel-status")).to_have_text(re.compile("^Python"))
    expect(again.cells).to_have_count(4)
    assert again.code_of(again.cell(1)) == "looped = 'no more'"


def test_without_server_kernels_the_switch_says_why_and_the_browser_kernel_goes_on(
    browser: Browser, tmp_path: Path
) -> None:
    # A service with no Redis (as `make run`): server kernels are off.
    off = start_service(workdir=tmp_path / "service", env={"PLAYGROUND_TEST_REDIS_URL": ""})
    context = browser.new_context(base_url=off.base_url)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        page = context.new_page()
        sign_up_and_verify(page, off)
        notebook = new_notebook(page, "In the browser")
        cell = notebook.cell(0)
        notebook.set_code(cell, "x = 6 * 7\nx")
        notebook.run_with_shift_enter(cell)
        expect(notebook.output(cell)).to_have_text(exact_text("42"))

        notebook.root.get_by_test_id("kernel-switch").click()
        notice = notebook.root.get_by_test_id("server-kernel-notice")
        expect(notice).to_contain_text("Server kernels are off on this server")
        expect(notebook.root.get_by_test_id("server-kernel-state")).to_have_attribute("data-state", "unavailable")
        # Still the browser's Python, with its names: nothing was restarted.
        expect(notebook.root.get_by_test_id("kernel-status")).to_have_text("Python ready")
        later = notebook.add_code_cell("x + 1")
        notebook.run_with_shift_enter(later)
        expect(notebook.output(later)).to_have_text(exact_text("43"))
    finally:
        context.close()
        off.stop()
