"""Fixtures for the browser tests: one real service, one Chromium, pages on /play.

- ``wheel_index`` (session): a loopback package index with the test's wheels,
  standing in for PyPI; the service's /wheels/ proxy points at it.
- ``object_storage`` (session): the service's own moto S3 server, which a test
  may stop and start again (storage faults).
- ``service`` (session): ``manage.py runserver`` on a free port with a fresh
  PostgreSQL database, Redis and that S3 (tests/browser/service.py); the app at
  ``service.base_url``, the playground at ``service.usercontent_url``. It serves
  frontend/dist; when that is missing the fixture fails and says to run
  ``make frontend-build``.
- ``browser`` (session): Debian's /usr/bin/chromium through Playwright (never
  ``playwright install``).
- ``context`` / ``page``: a fresh browser context per test (its own cookies,
  localStorage and drafts; relative URLs on the playground's site, or the app's with
  ``new_context(app=True)``), with generous timeouts: Pyodide needs 2-3 s to
  boot, more on a loaded machine.

Every test here is marked ``browser``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.browser.notebook_page import NotebookPage
from tests.browser.service import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RunningService,
    free_port,
    missing_frontend_build,
    start_service,
)
from tests.browser.wheel_index import RunningIndex, build_test_projects, serve_index
from tests.real_services import s3_client
from tests.stoppable_s3 import StoppableS3

# Generous: a page boots Pyodide (2-3 s) and the machine may be busy.
ACTION_TIMEOUT_MS = 30_000
expect.set_options(timeout=ACTION_TIMEOUT_MS)

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "var" / "browser-test-failures"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Keep a screenshot of every open page of a failed test, to see what the user saw."""
    report = yield
    if report.when == "call" and report.failed:
        browser = getattr(item, "funcargs", {}).get("browser")
        if isinstance(browser, Browser):
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            pages = [page for context in browser.contexts for page in context.pages]
            for number, page in enumerate(pages):
                path = SCREENSHOT_DIR / f"{item.name}-{number}.png"
                try:
                    page.screenshot(path=str(path), full_page=True)
                    report.sections.append(("screenshot", str(path)))
                except Exception as exc:  # a crashed page must not hide the real failure
                    report.sections.append(("screenshot", f"could not take one: {exc}"))
    return report


@pytest.fixture(scope="session")
def wheel_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIndex]:
    directory = tmp_path_factory.mktemp("wheel-index")
    build_test_projects(directory)
    index = serve_index(directory)
    yield index
    index.stop()


BUCKET = "playground-browser"


@pytest.fixture(scope="session")
def object_storage() -> Iterator[StoppableS3]:
    """The service's own S3 server, which a test may take down and bring back."""
    storage = StoppableS3(port=free_port(), bucket=BUCKET)
    storage.start()
    s3_client(storage.endpoint).create_bucket(Bucket=BUCKET)
    yield storage
    if storage.server is not None:
        storage.stop()


@pytest.fixture(scope="session")
def service(
    tmp_path_factory: pytest.TempPathFactory,
    wheel_index: RunningIndex,
    object_storage: StoppableS3,
) -> Iterator[RunningService]:
    started = time.monotonic()
    if problem := missing_frontend_build():
        pytest.fail(problem, pytrace=False)
    running = start_service(
        workdir=tmp_path_factory.mktemp("service"),
        env={
            "WHEELS_UPSTREAM_INDEX": wheel_index.simple_url,
            "S3_ENDPOINT_URL": object_storage.endpoint,
            "S3_BUCKET": BUCKET,
            # A save fails within a second or two while storage is down.
            "S3_CONNECT_TIMEOUT": "1",
            "S3_READ_TIMEOUT": "5",
            "S3_MAX_ATTEMPTS": "1",
        },
    )
    print(f"\nservice up at {running.base_url} in {time.monotonic() - started:.1f} s")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(
    browser: Browser, service: RunningService
) -> Iterator[Callable[..., BrowserContext]]:
    """Makes fresh contexts (another browser profile: no cookies, cache or drafts).

    Relative URLs go to the user-content site (the playground); ``make(app=True)``
    gives a context whose relative URLs are the app's (accounts, notebooks).
    """
    contexts: list[BrowserContext] = []

    def make(*, app: bool = False) -> BrowserContext:
        context = browser.new_context(base_url=service.base_url if app else service.usercontent_url)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context: Callable[..., BrowserContext]) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def notebook(page: Page) -> NotebookPage:
    return NotebookPage(page)
